"""Completion: option names, keys inside option literals by context, enum values, protocol names,
data paths through nested messages, header paths, and column names in primary/partition keys."""

from __future__ import annotations

from lsprotocol import types

from eventapi.generators.model import nodes as n
from eventapi.generators.model.schema import OPTIONS_MESSAGES, builtin_schema
from eventapi.generators.model.sinks import ATTRIBUTES, resolve_sinks
from eventapi.generators.model.workspace import FileNode, Workspace
from eventapi.server.app import EventApiServer
from eventapi.server.completion_context import Context, context_at
from eventapi.server.guard import guarded

PROTOCOLS = ("kafka", "amqp", "rocketmq", "mqtt", "nats")
CIK = types.CompletionItemKind
Item = tuple[str, CIK, str]  # label, kind, detail


def option_names(target: str) -> list[Item]:
    schema = builtin_schema()
    extendee = OPTIONS_MESSAGES.get(target, "")
    return [
        (f"({name})", CIK.Property, ext.field.type_name.rsplit(".", 1)[-1] or ext.field.kind)
        for name, ext in sorted(schema.extensions.items())
        if ext.extendee == extendee and name.startswith("eventapi.")
    ]


def keys(message: str) -> list[Item]:
    ms = builtin_schema().messages.get(message)
    if ms is None:
        return []
    return [
        (
            name,
            CIK.Field,
            ("repeated " if fs.repeated else "") + (fs.type_name.rsplit(".", 1)[-1] or fs.kind),
        )
        for name, fs in ms.fields.items()
    ]


def event_message(ws: Workspace, f: FileNode, type_name: str) -> n.MessageNode | None:
    found = ws.resolve(type_name, f.package) if type_name else None
    return found[0] if found and isinstance(found[0], n.MessageNode) else None


def data_paths(ws: Workspace, event: n.MessageNode, prefix: str) -> list[Item]:
    """Field names one level below what `prefix` ($.a.b.) already names."""
    parts = prefix.removeprefix("$.").split(".")[:-1] if prefix.startswith("$.") else []
    msg: n.MessageNode | None = event
    for part in parts:
        field = msg.field(part) if msg else None
        msg = ws.field_type(field, msg.full_name).message if field and msg else None
    if msg is None:
        return []
    lead = "" if prefix.startswith("$.") else "$."
    items: list[Item] = []
    for fl in msg.fields:
        if fl.is_header:
            continue
        nested = ws.field_type(fl, msg.full_name).message is not None
        items.append((lead + fl.name, CIK.Module if nested else CIK.Field, fl.type_name))
    return items


def header_paths(event: n.MessageNode | None) -> list[Item]:
    items: list[Item] = [(f"ce_{a}", CIK.Constant, "CloudEvent attribute") for a in ATTRIBUTES]
    items.append(("raw:", CIK.Keyword, "a Kafka header used as is"))
    items.append(("$.ce_source.", CIK.Keyword, "a path into a JSON-valued header"))
    if event is not None:
        items += [
            (fl.name, CIK.Field, "is_event_header field") for fl in event.fields if fl.is_header
        ]
    return items


def key_columns(ws: Workspace, f: FileNode, line: int) -> list[Item]:
    for s in f.services:
        for op in s.operations:
            for sink in op.sinks:
                if sink.span.start_line <= line <= sink.span.end_line:
                    resolved, _ = resolve_sinks(ws, f.path, s, op)
                    for r in resolved:
                        if r.sink is sink:
                            return [(c.name, CIK.Field, c.type.value) for c in r.columns]
    return []


def value_items(ws: Workspace, f: FileNode, ctx: Context, line: int) -> list[Item]:
    schema = builtin_schema()
    ms = schema.messages.get(ctx.message)
    fs = ms.fields.get(ctx.key) if ms else None
    if fs is None:
        return []
    if fs.kind == "enum":
        return [
            (v, CIK.EnumMember, fs.type_name.rsplit(".", 1)[-1])
            for v in schema.enums.get(fs.type_name, ())
        ]
    if fs.kind == "bool":
        return [("true", CIK.Keyword, "bool"), ("false", CIK.Keyword, "bool")]
    event = event_message(ws, f, ctx.event_type_name)
    key = (ctx.message.rsplit(".", 1)[-1], ctx.key)
    if key == ("Protocol", "name"):
        return [(p, CIK.Value, "protocol") for p in PROTOCOLS]
    if key == ("FieldMapping", "data_path"):
        return data_paths(ws, event, ctx.prefix) if event else []
    if key == ("FieldMapping", "header_path"):
        return header_paths(event)
    if key in (("SinkRule", "primary_key"), ("SinkRule", "partition_key")):
        return key_columns(ws, f, line)
    if key in (("Kafka", "key"), ("Rocketmq", "key")):
        return [(fl.name, CIK.Field, fl.type_name) for fl in event.fields] if event else []
    return []


def items_at(
    ws: Workspace, f: FileNode, text: str, line: int, col: int
) -> tuple[Context, list[Item]]:
    ctx = context_at(text, line, col)
    if ctx.where == "option_name":
        return ctx, option_names(ctx.option_target)
    if ctx.where == "key":
        return ctx, keys(ctx.message)
    if ctx.where == "value":
        return ctx, value_items(ws, f, ctx, line)
    return ctx, []


def register(server: EventApiServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=["(", ".", ":", '"', "$", "[", "{", ",", " "]),
    )
    @guarded(None)
    async def completion(
        ls: EventApiServer, params: types.CompletionParams
    ) -> types.CompletionList | None:
        ctx = await ls.file_context(params.text_document.uri)
        if ctx is None:
            return None
        line, col = ctx.converter.point(params.position)
        where, items = items_at(ctx.snap.workspace, ctx.file, ctx.file.text, line, col)
        if not items:
            return None
        start = ctx.converter.position(line, where.start_col)
        # In a data path only the segment after the last '.' is replaced.
        if where.key == "data_path" and "." in where.prefix:
            start = ctx.converter.position(line, where.start_col + where.prefix.rfind(".") + 1)
        rng = types.Range(start, params.position)
        quote = (
            where.where == "value"
            and not where.in_string
            and items[0][1]
            not in (
                CIK.EnumMember,
                CIK.Keyword,
            )
        )
        out: list[types.CompletionItem] = []
        for label, kind, detail in items:
            new_text = f'"{label}"' if quote else label
            out.append(
                types.CompletionItem(
                    label,
                    kind=kind,
                    detail=detail,
                    text_edit=types.TextEdit(rng, new_text),
                    filter_text=new_text,
                )
            )
        return types.CompletionList(is_incomplete=False, items=out)
