"""Document symbols: services with their operations and sinks, messages with fields, enums."""

from __future__ import annotations

from lsprotocol import types

from eventapi.generators.model import nodes as n
from eventapi.server.app import EventApiServer
from eventapi.server.convert import Ranges
from eventapi.server.guard import guarded

K = types.SymbolKind


def _message(r: Ranges, path: str, m: n.MessageNode) -> types.DocumentSymbol:
    children = [
        types.DocumentSymbol(
            f.name, K.Field, r.range(path, f.span), r.range(path, f.name_span), detail=f.type_name
        )
        for f in m.fields
    ]
    children += [_message(r, path, x) for x in m.messages]
    children += [_enum(r, path, e) for e in m.enums]
    detail = m.event_type.value if m.event_type else None
    return types.DocumentSymbol(
        m.name,
        K.Struct,
        r.range(path, m.span),
        r.range(path, m.name_span),
        detail=detail,
        children=children,
    )


def _enum(r: Ranges, path: str, e: n.EnumNode) -> types.DocumentSymbol:
    values = [
        types.DocumentSymbol(v.name, K.EnumMember, r.range(path, v.span), r.range(path, v.span))
        for v in e.values
    ]
    return types.DocumentSymbol(
        e.name, K.Enum, r.range(path, e.span), r.range(path, e.name_span), children=values
    )


def _service(r: Ranges, path: str, s: n.ServiceNode) -> types.DocumentSymbol:
    ops: list[types.DocumentSymbol] = []
    for op in s.operations:
        sinks = [
            types.DocumentSymbol(
                f"sink {sink.table.value if sink.table else '?'}",
                K.Object,
                r.range(path, sink.option_span.to(sink.span)),
                r.range(path, sink.option_span),
                detail=sink.target_name or None,
            )
            for sink in op.sinks
        ]
        detail = f"{op.action_name} {op.address.value}" if op.address else op.action_name
        ops.append(
            types.DocumentSymbol(
                op.name,
                K.Method,
                r.range(path, op.span),
                r.range(path, op.name_span),
                detail=detail,
                children=sinks,
            )
        )
    protocols = ", ".join(s.protocol_names()) or None
    return types.DocumentSymbol(
        s.name,
        K.Interface,
        r.range(path, s.span),
        r.range(path, s.name_span),
        detail=protocols,
        children=ops,
    )


def register(server: EventApiServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @guarded([])
    async def document_symbol(
        ls: EventApiServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol]:
        ctx = await ls.file_context(params.text_document.uri)
        if ctx is None:
            return []
        f, r = ctx.file, ctx.ranges
        out = [_service(r, f.path, s) for s in f.services]
        out += [_message(r, f.path, m) for m in f.messages]
        out += [_enum(r, f.path, e) for e in f.enums]
        out.sort(key=lambda s: (s.range.start.line, s.range.start.character))
        return out
