"""Generated text for the editor, always from the registered renderers (the same bytes as the files).

LSP-agnostic: previews, hovers and the generate command ask here; nothing here renders by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventapi.generators.diagnostics import Severity
from eventapi.generators.model import nodes as n
from eventapi.generators.model.sinks import Column, ResolvedSink, resolve_sinks
from eventapi.generators.model.workspace import Workspace
from eventapi.generators.output import WriteReport, write_outputs
from eventapi.generators.pipeline import Checked, render
from eventapi.generators.registry import GenerateOptions, OutputFile, generators
from eventapi.generators.sdk.signatures import operation_signatures
from eventapi.generators.sql.dialect import dialect, key_columns
from eventapi.generators.sql.flink import flink_type, flink_unsupported, render_flink
from eventapi.generators.sql.render import render_ddl


@dataclass(frozen=True)
class SinkSql:
    resolved: ResolvedSink
    ddl: str
    flink: str | None  # None when no pipeline is generated (see `flink_note`)
    flink_note: str | None


def errors_in(checked: Checked, path: str) -> list[str]:
    return [
        d.format() for d in checked.diagnostics if d.path == path and d.severity == Severity.ERROR
    ]


def resolved_sinks(
    ws: Workspace, path: str, service: n.ServiceNode, op: n.OperationNode
) -> list[ResolvedSink]:
    return resolve_sinks(ws, path, service, op)[0]


def sink_sql(resolved: ResolvedSink, options: GenerateOptions) -> SinkSql:
    """The DDL and Flink SQL bodies the sink generator writes for one sink (without header)."""
    ddl = render_ddl(resolved)
    note = flink_unsupported(resolved)
    flink = render_flink(resolved, options) if note is None else None
    return SinkSql(resolved, ddl, flink, note)


def column_types(resolved: ResolvedSink, column: Column) -> tuple[str, str]:
    """The column's type in the target's DDL and in the Flink pipeline."""
    key = column.name in key_columns(resolved)
    return dialect(resolved.target).column_type(resolved, column, key), flink_type(resolved, column)


def signatures(ws: Workspace, service: n.ServiceNode, op: n.OperationNode) -> dict[str, str]:
    return operation_signatures(ws, service, op)


def clean(checked: Checked, targets: tuple[str, ...] | None = None) -> Checked:
    """The snapshot restricted to `targets` (the renderer sees only those files as targets)."""
    if targets is None:
        return checked
    ws = checked.workspace
    keep = tuple(t for t in ws.targets if t in targets)
    return Checked(Workspace(ws.files, keep, ws.imports), checked.diagnostics)


def file_outputs(
    checked: Checked, path: str, kinds: tuple[str, ...], options: GenerateOptions
) -> list[OutputFile]:
    """Outputs generated from `path`. Sink file names depend on the whole workspace (table name
    collisions), so the sink generator always sees every target; the SDK only this file."""
    out: list[OutputFile] = []
    for kind in kinds:
        scope = None if kind == "sink" else (path,)
        outputs, _ = render(clean(checked, scope), (kind,), options)
        out.extend(o for o in outputs if o.source == path)
    return sorted(out, key=lambda o: o.path)


def known_kinds() -> tuple[str, ...]:
    return tuple(g.name for g in generators())


def write(
    checked: Checked,
    paths: tuple[str, ...] | None,
    kinds: tuple[str, ...],
    options: GenerateOptions,
    out_dir: str,
) -> tuple[WriteReport, int]:
    """Generate like `eventapi-lsp --generate`: the workspace (pruning stale files) or some files.

    Returns the write report and the number of errors (diagnostics of the scope, write problems).
    """
    scope = paths if paths is not None else checked.workspace.targets
    errors = sum(1 for d in checked.diagnostics if d.path in scope and d.severity == Severity.ERROR)
    if paths is None:
        outputs, _ = render(checked, kinds, options)
        report = write_outputs(out_dir, outputs)
    else:
        outputs = [o for p in paths for o in file_outputs(checked, p, kinds, options)]
        report = write_outputs(out_dir, outputs, prune=False)
    return report, errors + len(report.problems)
