"""Go to definition and find references: types across imports, channel addresses (all their
operations), data/header paths (the field), key entries (the mapping that makes the column)."""

from __future__ import annotations

from lsprotocol import types

from eventapi.generators.model import nodes as n
from eventapi.generators.model.sinks import Column, DataSource, HeaderSource
from eventapi.generators.model.workspace import Workspace
from eventapi.generators.syntax.tokens import Span
from eventapi.server import lookup, outputs
from eventapi.server.app import EventApiServer
from eventapi.server.guard import guarded

Place = tuple[str, Span]


def field_place(ws: Workspace, field: n.FieldNode) -> Place | None:
    """Where a field is declared (fields do not know their file; messages do)."""
    for path, f in ws.files.items():
        for m in f.all_messages():
            if any(x is field for x in m.fields):
                return path, field.name_span
    return None


def _column_of(ws: Workspace, hit: lookup.Hit) -> Column | None:
    if hit.service is None or hit.operation is None or hit.sink is None:
        return None
    for r in outputs.resolved_sinks(ws, hit.file.path, hit.service, hit.operation):
        if r.sink is hit.sink:
            if hit.kind == "key":
                return r.column(hit.name)
            return next((c for c in r.columns if c.mapping is hit.mapping), None)
    return None


def definitions(ws: Workspace, hit: lookup.Hit) -> list[Place]:
    if hit.kind == "address":
        return [
            (f.path, op.address.span)
            for f, _, op in lookup.operations_on(ws, hit.name)
            if op.address is not None
        ]
    if hit.kind in ("data_path", "header_path", "key", "column"):
        column = _column_of(ws, hit)
        if column is None:
            return []
        if hit.kind == "key" and column.mapping is not None:
            return [(hit.file.path, column.mapping.span)]  # the mapping that makes the column
        source = column.source
        target: n.FieldNode | None = None
        if isinstance(source, DataSource) and source.fields:
            target = source.fields[-1]
        elif isinstance(source, HeaderSource):
            target = source.field
        place = field_place(ws, target) if target is not None else None
        return [place] if place else []
    found_symbol = lookup.symbol_of(ws, hit)
    if found_symbol is not None:
        symbol, path = found_symbol
        return [(path, symbol.name_span)]
    return []


def references(ws: Workspace, hit: lookup.Hit, include_declaration: bool) -> list[Place]:
    if hit.kind == "address":
        return definitions(ws, hit)
    found = lookup.symbol_of(ws, hit)
    if found is None:
        return []
    symbol, path = found
    places = list(lookup.type_references(ws, symbol.full_name))
    if include_declaration:
        places.insert(0, (path, symbol.name_span))
    return places


def register(server: EventApiServer) -> None:
    async def locate(
        ls: EventApiServer, uri: str, position: types.Position, include: bool | None
    ) -> list[types.Location]:
        ctx = await ls.file_context(uri)
        if ctx is None:
            return []
        line, col = ctx.converter.point(position)
        hit = lookup.at(ctx.file, line, col)
        ws = ctx.snap.workspace
        if hit is None:
            return []
        places = definitions(ws, hit) if include is None else references(ws, hit, include)
        ranges = ctx.ranges
        # Builtin files (the IDL, well-known types) have no file to open.
        return [ranges.location(p, s) for p, s in places if not p.startswith("<")]

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    @guarded([])
    async def definition(
        ls: EventApiServer, params: types.DefinitionParams
    ) -> list[types.Location]:
        return await locate(ls, params.text_document.uri, params.position, None)

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    @guarded([])
    async def refs(ls: EventApiServer, params: types.ReferenceParams) -> list[types.Location]:
        return await locate(
            ls, params.text_document.uri, params.position, params.context.include_declaration
        )
