"""The loader: reads a workspace of .proto files into one immutable model, incrementally.

Files are parsed chunk by chunk (see syntax/chunks.py) and each chunk's nodes are cached, so an
edit re-parses and re-builds only what changed. Imports resolve against the include roots, then
against the IDL and well-known types shipped in the package. The loader never raises on input.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from eventapi.generators.diagnostics import Diagnostic, Severity
from eventapi.generators.model import nodes as n
from eventapi.generators.model.build import ChunkBuilder
from eventapi.generators.model.schema import builtin_schema, builtin_sources
from eventapi.generators.model.workspace import FileNode, Workspace
from eventapi.generators.syntax import ast
from eventapi.generators.syntax.chunks import ChunkCache, split
from eventapi.generators.syntax.tokens import Span

BUILTIN_PREFIX = "<builtin>/"
_SKIP_DIRS = frozenset({".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", "build"})


def discover(paths: Iterable[str]) -> list[str]:
    """Every .proto file under the given files and folders, as absolute paths, sorted."""
    found: set[str] = set()
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
                found.update(str(Path(root, f).resolve()) for f in files if f.endswith(".proto"))
        elif path.is_file():
            found.add(str(path.resolve()))
    return sorted(found)


@dataclass(slots=True)
class _FileState:
    text: str
    node: FileNode
    parts: frozenset[tuple[int, str, str]]


@dataclass
class Loader:
    """Stateful and incremental: call `load` for a fresh snapshot after any change."""

    include_paths: list[str] = field(default_factory=list)
    chunks: ChunkCache = field(default_factory=ChunkCache)
    _parts: dict[tuple[int, str, str], tuple[ast.Chunk, n.Part]] = field(default_factory=dict)
    _files: dict[str, _FileState] = field(default_factory=dict)
    _builtin: dict[str, FileNode] = field(default_factory=dict)
    _disk: dict[str, tuple[int, int, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.include_paths = [str(Path(p).resolve()) for p in self.include_paths]

    # -- single files ----------------------------------------------------------------------------

    def file(self, path: str, text: str, import_name: str, builtin: bool = False) -> FileNode:
        """The model of one file's text, reusing every unchanged chunk."""
        state = self._files.get(path)
        if state is not None and state.text == text and state.node.import_name == import_name:
            return state.node
        schema = builtin_schema()
        pieces = split(text)
        parsed = [self.chunks.get(line, piece) for line, piece in pieces]
        package, package_span = "", None
        imports: list[ast.Import] = []
        diagnostics: list[Diagnostic] = []
        for chunk in parsed:
            for d in chunk.decls:
                if isinstance(d, ast.Header) and d.package is not None:
                    if package_span is not None:
                        diagnostics.append(
                            Diagnostic(
                                "EA001",
                                Severity.ERROR,
                                path,
                                d.package_span or Span(0, 0, 0, 0),
                                "a file declares one package; remove this second declaration",
                            )
                        )
                        continue
                    package, package_span = d.package, d.package_span
                elif isinstance(d, ast.Import):
                    imports.append(d)
            diagnostics.extend(
                Diagnostic("EA001", Severity.ERROR, path, e.span, e.message) for e in chunk.errors
            )
        messages: list[n.MessageNode] = []
        enums: list[n.EnumNode] = []
        services: list[n.ServiceNode] = []
        extensions: list[n.ExtensionDecl] = []
        foreign: list[n.ForeignOption] = []
        live: set[tuple[int, str, str]] = set()
        for chunk in parsed:
            key = (id(chunk), package, path)
            live.add(key)
            cached = self._parts.get(key)
            if cached is None or cached[0] is not chunk:
                cached = (chunk, ChunkBuilder(schema, path, package).build(chunk))
                self._parts[key] = cached
            part = cached[1]
            messages.extend(part.messages)
            enums.extend(part.enums)
            services.extend(part.services)
            extensions.extend(part.extensions)
            foreign.extend(part.foreign)
            diagnostics.extend(part.diagnostics)
        if state is not None:
            # Forget the parts of this file's previous version that the new one no longer uses.
            for key in state.parts - live:
                self._parts.pop(key, None)
        node = FileNode(
            path,
            import_name,
            text,
            package,
            package_span,
            tuple(imports),
            tuple(messages),
            tuple(enums),
            tuple(services),
            tuple(extensions),
            tuple(foreign),
            tuple(diagnostics),
            builtin,
        )
        self._files[path] = _FileState(text, node, frozenset(live))
        return node

    def builtin(self, import_name: str) -> FileNode | None:
        node = self._builtin.get(import_name)
        if node is None:
            text = builtin_sources().get(import_name)
            if text is None:
                return None
            node = self.file(BUILTIN_PREFIX + import_name, text, import_name, builtin=True)
            self._builtin[import_name] = node
        return node

    # -- workspaces ------------------------------------------------------------------------------

    def import_name(self, path: str) -> str:
        """How other files import `path`: relative to the deepest include root containing it."""
        roots = [r for r in self.include_paths if path.startswith(r.rstrip(os.sep) + os.sep)]
        if roots:
            return os.path.relpath(path, max(roots, key=len)).replace(os.sep, "/")
        return os.path.basename(path)

    def resolve_import(self, name: str, overlay: dict[str, str]) -> str | None:
        if name in builtin_sources():
            return BUILTIN_PREFIX + name
        for root in self.include_paths:
            candidate = os.path.normpath(os.path.join(root, name))
            if candidate in overlay or os.path.isfile(candidate):
                return candidate
        return None

    def load(
        self, targets: Iterable[str], overlay: dict[str, str] | None = None
    ) -> tuple[Workspace, list[Diagnostic]]:
        """Load `targets` (absolute .proto paths) and everything they import.

        `overlay` maps paths to unsaved editor text that wins over the disk. Returns the
        snapshot and I/O diagnostics (unreadable files).
        """
        # Parsing allocates many small acyclic objects; the cyclic collector's full passes over
        # a growing heap made large loads superlinear (200 files: 2.9 s -> 1.7 s without them).
        paused = gc.isenabled()
        gc.disable()
        try:
            return self._load(targets, overlay or {})
        finally:
            if paused:
                gc.enable()

    def _load(
        self, targets: Iterable[str], overlay: dict[str, str]
    ) -> tuple[Workspace, list[Diagnostic]]:
        files: dict[str, FileNode] = {}
        imports: dict[str, dict[str, str | None]] = {}
        problems: list[Diagnostic] = []
        ordered = list(dict.fromkeys(targets))
        queue = list(ordered)
        seen: set[str] = set()
        while queue:
            path = queue.pop()
            if path in seen:
                continue
            seen.add(path)
            if path.startswith(BUILTIN_PREFIX):
                node = self.builtin(path[len(BUILTIN_PREFIX) :])
                if node is None:
                    continue
            else:
                text = overlay.get(path)
                if text is None:
                    read, problem = self._read_cached(path)
                    if problem is not None:
                        problems.append(problem)
                    if read is None:
                        continue
                    text = read
                node = self.file(path, text, self.import_name(path))
            files[path] = node
            resolved: dict[str, str | None] = {}
            for imp in node.imports:
                target = self.resolve_import(imp.path, overlay)
                resolved[imp.path] = target
                if target is not None and target not in seen:
                    queue.append(target)
            imports[path] = resolved
        targets_present = tuple(p for p in ordered if p in files)
        return Workspace(files, targets_present, imports), problems

    def _read_cached(self, path: str) -> tuple[str | None, Diagnostic | None]:
        """Disk text, re-read only when the file's mtime or size changed."""
        try:
            st = os.stat(path)
        except OSError:
            return _read(path)
        cached = self._disk.get(path)
        if cached is not None and cached[0] == st.st_mtime_ns and cached[1] == st.st_size:
            return cached[2], None
        text, problem = _read(path)
        if text is not None and problem is None:
            self._disk[path] = (st.st_mtime_ns, st.st_size, text)
        return text, problem

    def forget(self, path: str) -> None:
        """Drop a file's cached state (closed in the editor, deleted on disk)."""
        self._files.pop(path, None)
        self._disk.pop(path, None)


def _read(path: str) -> tuple[str | None, Diagnostic | None]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return None, Diagnostic(
            "EA002", Severity.ERROR, path, Span(0, 0, 0, 0), f"cannot read file: {reason}"
        )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        line = data[: exc.start].count(b"\n")
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1)
        return text, Diagnostic(
            "EA001",
            Severity.ERROR,
            path,
            Span(line, col, line, col + 1),
            "file is not valid UTF-8; save it as UTF-8",
        )
