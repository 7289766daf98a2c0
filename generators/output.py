"""Writing generated files safely: atomic, only under the output root, never over foreign files."""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from eventapi.generators.diagnostics import Diagnostic, Severity
from eventapi.generators.registry import GENERATED_MARKER, OutputFile
from eventapi.generators.syntax.tokens import Span

_HEAD_BYTES = 512
_WRITERS = 8
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


class _Targets:
    """Maps output-relative paths to absolute ones, refusing any that would leave the root.

    Each distinct folder is resolved once (a symlinked folder could point outside the root);
    resolving every file was a third of the write time for large runs.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._dirs: dict[Path, bool] = {}

    def __call__(self, rel: str) -> Path | None:
        pure = PurePosixPath(rel)
        if pure.is_absolute() or not pure.parts or ".." in pure.parts:
            return None
        target = self.root.joinpath(*pure.parts)
        inside = self._dirs.get(target.parent)
        if inside is None:
            inside = target.parent.resolve().is_relative_to(self.root)
            self._dirs[target.parent] = inside
        return target if inside else None


def _problem(path: str, message: str, code: str = "EA901") -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, path, _ORIGIN, message)


def _orphans(root: Path, planned: set[Path]) -> set[Path]:
    """Our generated files under `root` that are not in `planned` (only those are read)."""
    found: set[Path] = set()
    if not root.is_dir():
        return found
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath, name)
            if p not in planned and not name.startswith(".") and is_generated(p):
                found.add(p)
    return found


def _write_one(target: Path, data: bytes) -> tuple[str, Diagnostic | None]:
    """Write one file atomically: "written", "unchanged" or "problem"."""
    if target.exists():
        if not target.is_file() or not is_generated(target):
            return "problem", _problem(
                str(target),
                "refusing to overwrite a file without the generated-file header; move it away or delete it",
            )
        if target.read_bytes() == data:
            return "unchanged", None
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
        return "problem", _problem(str(target), f"cannot write: {exc.strerror or exc}")
    return "written", None


def write_outputs(root_dir: str, files: list[OutputFile], prune: bool = True) -> WriteReport:
    """Write `files` under `root_dir` atomically; remove our own files no longer generated.

    The writes run on a few threads: file-system calls release the GIL, and a large run writes
    thousands of small files.
    """
    report = WriteReport()
    root = Path(root_dir).resolve()
    targets = _Targets(root)
    planned: dict[Path, bytes] = {}
    for out in files:
        target = targets(out.path)
        if target is None:
            report.problems.append(
                _problem(out.source, f"refusing to write {out.path!r}: outside {root_dir}")
            )
            continue
        planned[target] = out.content.encode("utf-8")
    with ThreadPoolExecutor(max_workers=_WRITERS) as pool:
        results = list(pool.map(lambda item: _write_one(*item), planned.items()))
    for target, (status, problem) in zip(planned, results, strict=True):
        if status == "written":
            report.written.append(str(target))
        elif status == "unchanged":
            report.unchanged.append(str(target))
        elif problem is not None:
            report.problems.append(problem)
    if prune:
        for orphan in sorted(_orphans(root, set(planned))):
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
    targets = _Targets(root)
    problems: list[Diagnostic] = []
    planned: set[Path] = set()
    for out in files:
        target = targets(out.path)
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
    for orphan in sorted(_orphans(root, planned)):
        problems.append(
            _problem(
                str(orphan),
                "generated file is no longer produced by any proto; run eventapi-lsp --generate",
                "EA902",
            )
        )
    return problems
