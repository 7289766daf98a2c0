"""The one path every front end takes: load -> check -> render (files with errors excluded).

The CLI, the language server and the protoc plugins call these functions, so they produce the
same diagnostics and the same bytes.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from eventapi.generators.diagnostics import Diagnostic, Severity
from eventapi.generators.loader import Loader, discover
from eventapi.generators.model.workspace import Workspace
from eventapi.generators.registry import GenerateOptions, OutputFile, generators
from eventapi.generators.rules.engine import Config, check


@dataclass(frozen=True)
class Checked:
    workspace: Workspace
    diagnostics: list[Diagnostic]

    def files_with_errors(self) -> set[str]:
        return {d.path for d in self.diagnostics if d.severity == Severity.ERROR}


_BUF_MODULE_PATH = re.compile(r"^\s*-\s*path:\s*['\"]?([^'\"\s#]+)", re.MULTILINE)


def buf_roots(folder: Path) -> list[str]:
    """Module roots declared by buf.yaml files under `folder` (v1: its folder; v2: `modules`)."""
    roots: list[str] = []
    for dirpath, dirs, files in os.walk(folder):
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and d not in ("node_modules", "gen")
        )
        if "buf.yaml" in files:
            text = Path(dirpath, "buf.yaml").read_text(encoding="utf-8", errors="replace")
            modules = _BUF_MODULE_PATH.findall(text) if "modules:" in text else []
            roots.extend([str(Path(dirpath, m)) for m in modules] or [dirpath])
    return roots


def default_includes(paths: list[str], includes: list[str]) -> list[str]:
    """-I roots, else the given folders (and folders of given files) plus buf module roots."""
    if includes:
        return includes
    roots: list[str] = []
    for p in paths:
        path = Path(p)
        roots.append(str(path if path.is_dir() else path.parent))
        if path.is_dir():
            roots.extend(buf_roots(path))
    return list(dict.fromkeys(roots))


def load_and_check(
    paths: list[str],
    includes: list[str],
    config: Config | None = None,
    loader: Loader | None = None,
) -> Checked:
    """Load every .proto under `paths` and run all rules."""
    loader = loader or Loader(default_includes(paths, includes))
    ws, problems = loader.load(discover(paths))
    return Checked(ws, sorted([*problems, *check(ws, config)], key=Diagnostic.sort_key))


def render(
    checked: Checked, only: tuple[str, ...] = (), options: GenerateOptions | None = None
) -> tuple[list[OutputFile], list[str]]:
    """Outputs of every generator for the files without errors; also the files skipped."""
    bad = checked.files_with_errors()
    ws = checked.workspace
    good = tuple(p for p in ws.targets if p not in bad)
    clean = Workspace(ws.files, good, ws.imports)
    outputs: list[OutputFile] = []
    for gen in generators(only):
        outputs.extend(gen.generate(clean, options or GenerateOptions()))
    outputs.sort(key=lambda o: o.path)
    return outputs, [p for p in ws.targets if p in bad]
