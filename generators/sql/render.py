"""Per-sink render entry points shared by the generator and the language server's previews."""

from __future__ import annotations

from eventapi.generators.model.sinks import ResolvedSink
from eventapi.generators.sql.dialect import dialect
from eventapi.generators.sql.flink import render_flink
from eventapi.generators.sql.targets import _Renderer


def render_ddl(resolved: ResolvedSink) -> str:
    """The target's DDL for one resolved sink (without the generated-file header)."""
    d = dialect(resolved.target)
    assert isinstance(d, _Renderer)
    return d.render(resolved)


__all__ = ["render_ddl", "render_flink"]
