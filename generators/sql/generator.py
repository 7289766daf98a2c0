"""The `sink` generator: DDL and a Flink SQL pipeline per sink, under sink/ (registered by name)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from eventapi.generators.model.sinks import ResolvedSink, resolve_sinks
from eventapi.generators.model.workspace import Workspace
from eventapi.generators.registry import SQL_HEADER, GenerateOptions, OutputFile, register
from eventapi.generators.sql.flink import flink_unsupported, render_flink
from eventapi.generators.sql.render import render_ddl

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True, slots=True)
class PlannedSink:
    resolved: ResolvedSink
    source: str  # the proto file's import name, as the header names it
    stem: str  # file name stem under sink/


def _safe(part: str) -> str:
    """A file-name-safe form of a table/target/database name (no separators, no leading dots)."""
    return _UNSAFE.sub("_", part).lstrip(".") or "_"


def collect(ws: Workspace) -> list[tuple[ResolvedSink, str]]:
    """Every renderable sink of the workspace's target files, in file/service/rpc/option order."""
    out: list[tuple[ResolvedSink, str]] = []
    for f, service in ws.services():
        for op in service.operations:
            if not op.sinks:
                continue
            resolved, _ = resolve_sinks(ws, f.path, service, op)
            out.extend((r, f.import_name) for r in resolved if r.target and r.table)
    return out


def plan(ws: Workspace) -> list[PlannedSink]:
    """File stems: `<table>`; when sinks share a table name, `<table>.<target>`, then
    `<table>.<target>.<database>`, then a `.<n>` counter in declaration order."""
    sinks = collect(ws)
    by_table = Counter(_safe(r.table) for r, _ in sinks)
    by_target = Counter((_safe(r.table), r.target) for r, _ in sinks)
    stems: list[str] = []
    for r, _ in sinks:
        stem = _safe(r.table)
        if by_table[stem] > 1:
            if by_target[(stem, r.target)] > 1:
                stem = f"{stem}.{r.target}.{_safe(r.database)}"
            else:
                stem = f"{stem}.{r.target}"
        stems.append(stem)
    counts = Counter(stems)
    seen: Counter[str] = Counter()
    out: list[PlannedSink] = []
    for (r, source), stem in zip(sinks, stems, strict=True):
        if counts[stem] > 1:
            seen[stem] += 1
            stem = f"{stem}.{seen[stem]}"
        out.append(PlannedSink(r, source, stem))
    return out


class SinkGenerator:
    name = "sink"
    description = "SQL DDL per target and a Flink SQL pipeline per sink (sink/<table>_*.sql)"

    def generate(self, ws: Workspace, options: GenerateOptions) -> list[OutputFile]:
        files: list[OutputFile] = []
        for p in plan(ws):
            header = SQL_HEADER.format(source=p.source)
            files.append(
                OutputFile(
                    f"sink/{p.stem}_ddl.sql", header + render_ddl(p.resolved), p.resolved.path
                )
            )
            if flink_unsupported(p.resolved) is None:
                body = render_flink(p.resolved, options)
                files.append(OutputFile(f"sink/{p.stem}_flink.sql", header + body, p.resolved.path))
        return files


register("sink", SinkGenerator)
