"""Hover: generated SQL on a sink, generated SDK methods on an operation, CloudEvent attributes
on an event message, source -> column -> target type on a data/header path or key entry, and every
operation on a channel address. All generated text comes from the renderers (see outputs.py)."""

from __future__ import annotations

from lsprotocol import types

from eventapi.generators.model import nodes as n
from eventapi.generators.model.sinks import Column, DataSource, ResolvedSink, extension_name
from eventapi.generators.model.workspace import Workspace
from eventapi.generators.registry import GenerateOptions
from eventapi.server import lookup, outputs
from eventapi.server.app import EventApiServer
from eventapi.server.guard import guarded


def _fence(text: str, language: str) -> str:
    return f"```{language}\n{text.rstrip()}\n```"


def message_hover(ws: Workspace, m: n.MessageNode) -> str:
    lines = [f"**{m.full_name}**"]
    if m.comment:
        lines += ["", m.comment.strip()]
    if not m.is_event:
        return "\n".join(lines)
    content = m.content_type.value if m.content_type else "CONTENT_TYPE_JSON (default)"
    subject = next((f.name for f in m.fields if f.is_subject), None)
    headers = [f for f in m.fields if f.is_header]
    lines += ["", "CloudEvent attributes:", ""]
    lines.append(f"- `type`: `{m.event_type.value if m.event_type else ''}`")
    lines.append(f"- `subject`: field `{subject}`" if subject else "- `subject`: not set")
    lines.append(f"- `datacontenttype`: `{content}`")
    for f in headers:
        lines.append(
            f"- extension `{extension_name(f.name)}` (header `ce_{extension_name(f.name)}`): field `{f.name}`"
        )
    data = [f.name for f in m.fields if not f.is_header]
    lines.append(f"- `data`: {', '.join(f'`{x}`' for x in data) or 'empty'}")
    return "\n".join(lines)


def _sink_of(ws: Workspace, hit: lookup.Hit) -> ResolvedSink | None:
    if hit.service is None or hit.operation is None or hit.sink is None:
        return None
    for r in outputs.resolved_sinks(ws, hit.file.path, hit.service, hit.operation):
        if r.sink is hit.sink:
            return r
    return None


def sink_hover(resolved: ResolvedSink, options: GenerateOptions) -> str:
    sql = outputs.sink_sql(resolved, options)
    where = f"{resolved.database}.{resolved.table}" if resolved.database else resolved.table
    parts = [f"**Sink** `{where}` ({resolved.target})", "", "DDL:", _fence(sql.ddl, "sql")]
    if sql.flink is not None:
        parts += ["", f"Flink SQL ({options.flink_version}):", _fence(sql.flink, "sql")]
    elif sql.flink_note:
        parts += ["", f"No Flink pipeline: {sql.flink_note}"]
    return "\n".join(parts)


def column_hover(resolved: ResolvedSink, column: Column) -> str:
    source = column.source
    if isinstance(source, DataSource):
        origin = "data `$." + ".".join(source.path + source.json_tail) + "`"
    else:
        origin = f"header `{source.kafka_header}`"
    target_type, flink = outputs.column_types(resolved, column)
    null = "NOT NULL" if column.not_null else "NULL"
    return "\n".join(
        [
            f"**Column** `{column.name}` ({column.origin} mapping)",
            "",
            f"- source: {origin}, proto type `{column.proto_type}`",
            f"- {resolved.target} type: `{target_type}` {null}",
            f"- Flink type: `{flink}`",
        ]
    )


def channel_hover(ws: Workspace, address: str) -> str:
    lines = [f"**Channel** `{address}`", ""]
    for f, s, op in lookup.operations_on(ws, address):
        lines.append(
            f"- {op.action_name} `{s.name}.{op.name}({op.input.name})` in `{f.import_name}`"
        )
    return "\n".join(lines)


def operation_hover(ws: Workspace, hit: lookup.Hit) -> str | None:
    assert hit.service is not None and hit.operation is not None
    op = hit.operation
    sigs = outputs.signatures(ws, hit.service, op)
    head = f"**{op.action_name}** `{hit.service.name}.{op.name}`"
    if op.address is not None:
        head += f" on `{op.address.value}`"
    parts = [head]
    if op.comment:
        parts += ["", op.comment.strip()]
    for protocol, text in sigs.items():
        parts += ["", f"{protocol}:", _fence(text, "python")]
    return "\n".join(parts)


def hover_text(ws: Workspace, hit: lookup.Hit, options: GenerateOptions) -> str | None:
    kind = hit.kind
    if kind == "sink":
        resolved = _sink_of(ws, hit)
        return sink_hover(resolved, options) if resolved and resolved.target else None
    if kind in ("data_path", "header_path", "column", "key"):
        resolved = _sink_of(ws, hit)
        if resolved is None:
            return None
        column = (
            resolved.column(hit.name)
            if kind == "key"
            else next((c for c in resolved.columns if c.mapping is hit.mapping), None)
        )
        return column_hover(resolved, column) if column else None
    if kind == "address":
        return channel_hover(ws, hit.name)
    if kind == "operation":
        return operation_hover(ws, hit)
    found = lookup.symbol_of(ws, hit)
    if found is not None and isinstance(found[0], n.MessageNode):
        return message_hover(ws, found[0])
    if found is not None and isinstance(found[0], n.EnumNode):
        values = ", ".join(v.name for v in found[0].values)
        return f"**enum {found[0].full_name}**\n\n{values}"
    return None


def register(server: EventApiServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @guarded(None)
    async def hover(ls: EventApiServer, params: types.HoverParams) -> types.Hover | None:
        ctx = await ls.file_context(params.text_document.uri)
        if ctx is None:
            return None
        line, col = ctx.converter.point(params.position)
        hit = lookup.at(ctx.file, line, col)
        if hit is None:
            return None
        options = GenerateOptions(flink_version=ls.analysis.settings.flink_version)
        text = hover_text(ctx.snap.workspace, hit, options)
        if text is None:
            return None
        return types.Hover(
            types.MarkupContent(types.MarkupKind.Markdown, text),
            ctx.ranges.range(ctx.path, hit.span),
        )
