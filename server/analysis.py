"""The workspace the server checks: folders, include roots, severity config and the loader.

LSP-agnostic: given the open documents' text (an overlay), `analyze` produces a `Snapshot` the
same way `eventapi-lsp --check` does (same loader, same rules, same config lookup), so the
editor and the CLI report identical diagnostics. Only the worker thread calls `analyze`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from eventapi.generators.diagnostics import Diagnostic, Severity
from eventapi.generators.loader import Loader, discover
from eventapi.generators.model.workspace import Workspace
from eventapi.generators.pipeline import Checked, default_includes
from eventapi.generators.rules.engine import Config, check, find_config, load_config
from eventapi.server.settings import Settings


@dataclass(frozen=True)
class Snapshot:
    """One consistent view: the model, every diagnostic, and the texts/versions it was made from."""

    generation: int
    checked: Checked
    versions: Mapping[str, int | None]  # open document path -> version analysed
    by_path: Mapping[str, tuple[Diagnostic, ...]] = field(default_factory=dict)

    @property
    def workspace(self) -> Workspace:
        return self.checked.workspace

    def diagnostics(self, path: str) -> tuple[Diagnostic, ...]:
        return self.by_path.get(path, ())

    def dependents(self, path: str) -> set[str]:
        """Target files that see `path` through their imports (not counting `path` itself)."""
        ws = self.workspace
        return {t for t in ws.targets if t != path and path in ws.visible_paths(t)}


class Analysis:
    """Folders + settings -> include roots, targets and config; runs the core on demand."""

    def __init__(self) -> None:
        self.folders: list[str] = []
        self.settings = Settings()
        self.config_problems: list[str] = []
        self._lock = threading.Lock()
        self._loader: Loader | None = None
        self._targets: list[str] | None = None
        self._config: Config | None = None
        self._includes: list[str] = []

    # -- configuration (event loop thread) -------------------------------------------------------

    def configure(self, folders: list[str] | None = None, settings: Settings | None = None) -> None:
        with self._lock:
            if folders is not None:
                self.folders = list(dict.fromkeys(str(Path(f).resolve()) for f in folders))
            if settings is not None:
                self.settings = settings
            self._loader = None
            self._targets = None
            self._config = None

    def files_changed(self) -> None:
        """Files were created or deleted on disk: discover the targets again."""
        with self._lock:
            self._targets = None

    @property
    def root(self) -> str | None:
        return self.folders[0] if self.folders else None

    def resolve(self, path: str) -> str:
        """A settings path, relative to the first workspace folder."""
        p = Path(os.path.expanduser(path))
        if not p.is_absolute() and self.root:
            p = Path(self.root) / p
        return str(p.resolve())

    def output_dir(self) -> str:
        return self.resolve(self.settings.output_dir)

    def includes(self, open_paths: list[str]) -> list[str]:
        explicit = [self.resolve(p) for p in self.settings.include_paths]
        base = self.folders or sorted({str(Path(p).parent) for p in open_paths})
        return default_includes(base, explicit)

    # -- worker thread ---------------------------------------------------------------------------

    def _config_now(self) -> Config:
        if self._config is None:
            base, problems = Config(), list[str]()
            found = find_config(Path(self.root)) if self.root else None
            if found is not None:
                base, problems = load_config(found)
            # Editor settings win over eventapi.toml, code by code.
            merged: dict[str, Severity | None] = dict(base.severities)
            overrides, more = Config.from_mapping(dict(self.settings.severities))
            merged.update(overrides.severities)
            self.config_problems = problems + more
            self._config = Config(merged, base.source)
        return self._config

    def analyze(
        self, generation: int, overlay: dict[str, str], versions: dict[str, int | None]
    ) -> Snapshot:
        with self._lock:
            open_paths = sorted(overlay)
            includes = self.includes(open_paths)
            if self._loader is None or self._includes != includes:
                # Include roots decide import names, so a change needs a fresh loader.
                self._loader = Loader(includes)
                self._includes = includes
            if self._targets is None:
                self._targets = discover(self.folders) if self.folders else []
            loader = self._loader
            targets = list(dict.fromkeys([*self._targets, *open_paths]))
            config = self._config_now()
        ws, problems = loader.load(targets, overlay)
        diagnostics = sorted([*problems, *check(ws, config)], key=Diagnostic.sort_key)
        by_path: dict[str, list[Diagnostic]] = {t: [] for t in ws.targets}
        for d in diagnostics:
            by_path.setdefault(d.path, []).append(d)
        return Snapshot(
            generation,
            Checked(ws, diagnostics),
            dict(versions),
            {p: tuple(ds) for p, ds in by_path.items()},
        )
