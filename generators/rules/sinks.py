"""Rules on sinks and their mappings (EA401-EA418); the mapping rules come from resolution."""

from __future__ import annotations

import re
from collections.abc import Iterator

from eventapi.generators.diagnostics import Diagnostic, Fix, TextEdit
from eventapi.generators.model import nodes as n
from eventapi.generators.model.sinks import ResolvedSink, resolve_sinks
from eventapi.generators.model.workspace import FileNode, Workspace
from eventapi.generators.rules.catalog import diag, replace_fix
from eventapi.generators.rules.engine import rule
from eventapi.generators.sql.dialect import dialect, logical_type
from eventapi.generators.sql.flink import flink_unsupported
from eventapi.generators.syntax.tokens import Span

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@rule
def sinks(ws: Workspace) -> Iterator[Diagnostic]:
    for f, s in ws.services():
        for op in s.operations:
            if not op.sinks:
                continue
            if op.action_name == "RECEIVE":
                for sink in op.sinks:
                    yield diag(
                        "EA401",
                        f.path,
                        sink.option_span,
                        f"sink on RECEIVE operation {op.name}; sinks describe where SENT events land",
                    )
                continue
            if s.is_event_bus and "kafka" not in s.protocol_names():
                for sink in op.sinks:
                    yield diag(
                        "EA416",
                        f.path,
                        sink.option_span,
                        f"service {s.name} does not speak kafka, but the generated pipeline reads the "
                        "events from Kafka; add kafka to its protocols",
                    )
            resolved, found = resolve_sinks(ws, f.path, s, op)
            yield from found
            for r in resolved:
                yield from _sink(f, op, r)


def _sink(f: FileNode, op: n.OperationNode, r: ResolvedSink) -> Iterator[Diagnostic]:
    sink = r.sink
    if not r.target:
        yield diag(
            "EA402",
            f.path,
            sink.target.span if sink.target else sink.option_span,
            "sink needs target: SINK_TYPE_STARROCKS, SINK_TYPE_MYSQL, SINK_TYPE_CLICKHOUSE or SINK_TYPE_POSTGRESQL",
        )
        return
    d = dialect(r.target)
    for label, loc in (("database", sink.database), ("table", sink.table)):
        if loc is None or not loc.value:
            yield diag("EA403", f.path, sink.option_span, f'sink needs {label}: "..."')
            continue
        problem = d.identifier_problem(loc.value)
        if problem and not d.is_reserved(loc.value):
            yield diag(
                "EA403",
                f.path,
                loc.span,
                f"{label} '{loc.value}' {problem}; use letters, digits and '_'",
            )
    if sink.source_topic and op.address and sink.source_topic.value != op.address.value:
        yield diag(
            "EA404",
            f.path,
            sink.source_topic.span,
            f"source_topic '{sink.source_topic.value}' differs from the channel address "
            f"'{op.address.value}'; the pipeline would read another topic",
            replace_fix(
                "Use the channel address", f.path, sink.source_topic.span, f'"{op.address.value}"'
            ),
        )
    if (
        sink.content_type
        and r.event
        and r.event.content_type
        and sink.content_type.value != r.event.content_type.value
    ):
        yield diag(
            "EA415",
            f.path,
            sink.content_type.span,
            f"sink reads {sink.content_type.value} but {r.event.name} is sent as {r.event.content_type.value}",
            replace_fix(
                "Use the event's content type",
                f.path,
                sink.content_type.span,
                r.event.content_type.value,
            ),
        )
    if r.content_type in ("PROTOBUF", "AVRO"):
        reason = flink_unsupported(r)
        yield diag(
            "EA419",
            f.path,
            sink.content_type.span if sink.content_type else sink.option_span,
            f"no Flink pipeline for table '{r.table}': {reason}",
        )
    for c in r.columns:
        if c.origin == "default":
            continue
        problem = d.identifier_problem(c.name)
        if problem:
            # An inferred column's own span is its field, maybe in another file: point at the sink.
            span = (
                c.mapping.target_column.span
                if c.mapping and c.mapping.target_column
                else sink.option_span
            )
            yield diag("EA411", f.path, span, f"column '{c.name}' {problem}; consider renaming it")
    yield from _keys(f, r)


def _keys(f: FileNode, r: ResolvedSink) -> Iterator[Diagnostic]:
    d = dialect(r.target)
    sink = r.sink
    key_spans = {k.value: k for k in sink.primary_key}
    for name in r.primary_key:
        col = r.column(name)
        if col is not None and not d.keyable(logical_type(col)):
            yield diag(
                "EA412",
                f.path,
                key_spans[name].span,
                f"{d.display} cannot use {logical_type(col)} column '{name}' in a key",
            )
    logicals: list[str] = []
    for loc in sink.partition_key:
        col = r.column(loc.value)
        if col is None:
            continue
        logical = logical_type(col)
        logicals.append(logical)
        if not d.partitionable(logical):
            allowed = " or ".join(sorted(d.PARTITIONABLE))
            yield diag(
                "EA417",
                f.path,
                loc.span,
                f"{d.display} cannot partition by {logical} column '{col.name}'; use a {allowed} column",
            )
        if r.primary_key and d.PARTITION_IN_KEY and col.name not in r.primary_key:
            fixes: tuple[Fix, ...] = ()
            if sink.primary_key:
                last = sink.primary_key[-1].span
                at = Span(last.end_line, last.end_col, last.end_line, last.end_col)
                fixes = (
                    Fix(
                        f"Add '{col.name}' to primary_key",
                        (TextEdit(f.path, at, f', "{col.name}"'),),
                    ),
                )
            yield diag(
                "EA412",
                f.path,
                loc.span,
                f"{d.display} needs partition column '{col.name}' inside the primary key "
                f"({', '.join(r.primary_key)}); add it to primary_key",
                fixes,
            )
    if logicals and all(d.partitionable(x) for x in logicals):
        combined = d.partition_problem(logicals)
        if combined:
            yield diag("EA417", f.path, sink.partition_key[0].span, combined)
    if d.KEY_NOT_NULL:
        for name in r.primary_key:
            col = r.column(name)
            if col is not None and not col.not_null:
                yield diag(
                    "EA412",
                    f.path,
                    key_spans[name].span,
                    f"{d.display} key column '{name}' must be NOT NULL; set not_null: true on its mapping"
                    + (" (it comes from an optional field)" if col.origin == "auto" else ""),
                )
