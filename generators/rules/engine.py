"""Runs every rule over a workspace snapshot; applies severities and inline suppressions.

`check(ws)` is what the CLI, the language server and the protoc plugins call: one engine, one
result. Rules report with their catalogue severity; the config maps codes to another severity or
"off"; `// eventapi:ignore EA209` on a line (or the line above) silences codes there.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from eventapi.generators.diagnostics import Diagnostic, Severity
from eventapi.generators.model.workspace import FileNode, Workspace
from eventapi.generators.rules.catalog import CATALOG

Rule = Callable[[Workspace], Iterable[Diagnostic]]
_RULES: list[Rule] = []
_IGNORE = re.compile(r"eventapi:ignore\b([^\n]*)")
_CODE = re.compile(r"EA\d{3}")
CONFIG_NAMES = ("eventapi.toml", ".eventapi.toml")


def rule(fn: Rule) -> Rule:
    """Register a workspace rule."""
    _RULES.append(fn)
    return fn


@dataclass(frozen=True)
class Config:
    """Severity overrides: code -> severity, or None for off."""

    severities: Mapping[str, Severity | None] = field(default_factory=dict)
    source: str = ""

    @staticmethod
    def from_mapping(raw: Mapping[str, object], source: str = "") -> tuple[Config, list[str]]:
        """Build from {"EA209": "off", ...}; returns the config and problems found."""
        out: dict[str, Severity | None] = {}
        problems: list[str] = []
        for code, value in raw.items():
            if code not in CATALOG:
                problems.append(f"unknown diagnostic code {code!r}")
                continue
            try:
                out[code] = Severity.parse(str(value))
            except ValueError as exc:
                problems.append(f"{code}: {exc}")
        return Config(out, source), problems


def find_config(start: Path) -> Path | None:
    """The nearest eventapi.toml (or pyproject.toml with [tool.eventapi]) at or above `start`."""
    here = start if start.is_dir() else start.parent
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        py = folder / "pyproject.toml"
        if py.is_file() and "[tool.eventapi" in py.read_text(encoding="utf-8", errors="replace"):
            return py
    return None


def load_config(path: Path) -> tuple[Config, list[str]]:
    """Read `[severity]` (or `[tool.eventapi.severity]`) from a TOML file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return Config(), [f"{path}: {exc}"]
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("eventapi", {})
    table = data.get("severity", {})
    if not isinstance(table, dict):
        return Config(), [f'{path}: [severity] must be a table of CODE = "severity"']
    config, problems = Config.from_mapping(table, str(path))
    return config, [f"{path}: {p}" for p in problems]


def _suppressed(f: FileNode) -> dict[int, frozenset[str]]:
    """Line -> codes silenced there ("*" for all), from eventapi:ignore comments."""
    if "eventapi:ignore" not in f.text:
        return {}
    out: dict[int, frozenset[str]] = {}
    for lineno, line in enumerate(f.text.splitlines()):
        m = _IGNORE.search(line)
        if m is None:
            continue
        codes = frozenset(_CODE.findall(m.group(1))) or frozenset({"*"})
        for target in (lineno, lineno + 1):
            out[target] = out.get(target, frozenset()) | codes
    return out


def load_rules() -> None:
    """Import the rule modules (they register themselves), the SQL dialects they consult and the
    option schema. Cheap after the first call; a server calls it at start so that the first
    analysis does not pay for imports."""
    from eventapi.generators.model.schema import builtin_schema
    from eventapi.generators.rules import events, operations, services, sinks, types
    from eventapi.generators.sql.dialect import dialect_names

    del events, operations, services, sinks, types
    dialect_names()
    builtin_schema()


def check(ws: Workspace, config: Config | None = None) -> list[Diagnostic]:
    """All diagnostics for the workspace's target files, sorted, severities applied."""
    load_rules()
    config = config or Config()
    targets = set(ws.targets)
    found: list[Diagnostic] = []
    for f in ws.target_files():
        found.extend(f.diagnostics)
    for r in _RULES:
        found.extend(d for d in r(ws) if d.path in targets)
    out: list[Diagnostic] = []
    silenced = {p: _suppressed(ws.files[p]) for p in targets}
    seen: set[tuple[str, str, int, int, str]] = set()
    for d in found:
        key = (d.path, d.code, d.span.start_line, d.span.start_col, d.message)
        if key in seen:
            continue
        seen.add(key)
        codes = silenced.get(d.path, {}).get(d.span.start_line)
        if codes and (d.code in codes or "*" in codes):
            continue
        if d.code in config.severities:
            sev = config.severities[d.code]
            if sev is None:
                continue
            if sev != d.severity:
                d = Diagnostic(d.code, sev, d.path, d.span, d.message, d.fixes, d.related)
        out.append(d)
    out.sort(key=Diagnostic.sort_key)
    return out
