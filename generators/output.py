"""Writing generated files safely: atomic, only under the output root, never over foreign files."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from eventapi.generators.diagnostics import Diagnostic, Severity
from eventapi.generators.registry import GENERATED_MARKER, OutputFile
from eventapi.generators.syntax.tokens import Span

_HEAD_BYTES = 512
_ORIGIN = Span(0, 0, 0, 0)


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)


def is_generated(path: Path) -> bool:
    """True when the file starts with our generated-file header."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return False
    return any(GENERATED_MARKER in line for line in head.split("\n")[:2])


def _target(root: Path, rel: str) -> Path | None:
    """The absolute path for `rel`, or None when it would leave the output root."""
    candidate = (root / rel).resolve()
    return candidate if candidate.is_relative_to(root) and candidate != root else None


def _problem(path: str, message: str, code: str = "EA901") -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, path, _ORIGIN, message)


def _existing_generated(root: Path) -> set[Path]:
    found: set[Path] = set()
    if not root.is_dir():
        return found
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath, name)
            if not name.startswith(".") and is_generated(p):
                found.add(p.resolve())
    return found


def write_outputs(root_dir: str, files: list[OutputFile], prune: bool = True) -> WriteReport:
    """Write `files` under `root_dir` atomically; remove our own files no longer generated."""
    report = WriteReport()
    root = Path(root_dir).resolve()
    planned: set[Path] = set()
    for out in files:
        target = _target(root, out.path)
        if target is None:
            report.problems.append(
                _problem(out.source, f"refusing to write {out.path!r}: outside {root_dir}")
            )
            continue
        planned.add(target)
        data = out.content.encode("utf-8")
        if target.exists():
            if not target.is_file() or not is_generated(target):
                report.problems.append(
                    _problem(
                        str(target),
                        "refusing to overwrite a file without the generated-file header; move it away or delete it",
                    )
                )
                continue
            if target.read_bytes() == data:
                report.unchanged.append(str(target))
                continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".eventapi-", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            report.problems.append(_problem(str(target), f"cannot write: {exc.strerror or exc}"))
            continue
        report.written.append(str(target))
    if prune:
        for orphan in sorted(_existing_generated(root) - planned):
            try:
                orphan.unlink()
                report.removed.append(str(orphan))
            except OSError as exc:
                report.problems.append(
                    _problem(str(orphan), f"cannot remove stale file: {exc.strerror or exc}")
                )
    return report


def stale_outputs(root_dir: str, files: list[OutputFile]) -> list[Diagnostic]:
    """Generated files that are missing, different, or no longer generated (for --check --out)."""
    root = Path(root_dir).resolve()
    problems: list[Diagnostic] = []
    planned: set[Path] = set()
    for out in files:
        target = _target(root, out.path)
        if target is None:
            continue
        planned.add(target)
        if not target.is_file():
            problems.append(
                _problem(
                    str(target), "generated file is missing; run eventapi-lsp --generate", "EA902"
                )
            )
        elif target.read_bytes() != out.content.encode("utf-8"):
            problems.append(
                _problem(
                    str(target), "generated file is stale; run eventapi-lsp --generate", "EA902"
                )
            )
    for orphan in sorted(_existing_generated(root) - planned):
        problems.append(
            _problem(
                str(orphan),
                "generated file is no longer produced by any proto; run eventapi-lsp --generate",
                "EA902",
            )
        )
    return problems
