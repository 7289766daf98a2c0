"""The language server object: state (documents, analysis, scheduler) and feature registration.

Each LSP feature lives in its own module with a `register(server)` function; handlers stay thin
and call the core through `Analysis` snapshots.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method

from eventapi.generators.cli import version
from eventapi.generators.model.workspace import FileNode
from eventapi.server.analysis import Analysis, Snapshot
from eventapi.server.convert import Ranges
from eventapi.server.documents import DocumentManager, uri_to_path
from eventapi.server.positions import Converter
from eventapi.server.scheduler import Scheduler

log = logging.getLogger("eventapi.server")
# Our spans count code points: UTF-32 needs no conversion, UTF-8 is cheap; UTF-16 is the default.
_PREFERRED = (
    types.PositionEncodingKind.Utf32,
    types.PositionEncodingKind.Utf8,
    types.PositionEncodingKind.Utf16,
)


class EventApiProtocol(LanguageServerProtocol):
    """Prefers UTF-32, then UTF-8, whenever the client offers them (pygls picks client order)."""

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Any:
        general = params.capabilities.general
        if general is not None and general.position_encodings:
            offered = list(general.position_encodings)
            general.position_encodings = [e for e in _PREFERRED if e in offered] + [
                e for e in offered if e not in _PREFERRED
            ]
        return (yield from super().lsp_initialize(params))

    @lsp_method(types.WORKSPACE_EXECUTE_COMMAND)
    def lsp_workspace__execute_command(self, params: types.ExecuteCommandParams) -> Any:
        # A client's workDoneToken is part of the request, not of the arguments pygls hands the
        # command; carry it inside the argument object so the command reports progress on it.
        token = params.work_done_token
        args = list(params.arguments or [])
        if token is not None and args and isinstance(args[0], dict):
            args[0] = {**args[0], "workDoneToken": token}
            params = types.ExecuteCommandParams(params.command, args, token)
        return (yield from super().lsp_workspace__execute_command(params))

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        # The DocumentManager owns the text. pygls's own incremental update is skipped: it costs a
        # second copy per edit and clamps the change's positions in place (it splits lines on
        # '\r' too), so our handler would see altered ranges.
        handler = self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)
        if handler is not None:
            yield handler, (params,), None


@dataclass(frozen=True)
class FileContext:
    snap: Snapshot
    file: FileNode
    ranges: Ranges
    converter: Converter

    @property
    def path(self) -> str:
        return self.file.path


class EventApiServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("eventapi-lsp", version(), protocol_cls=EventApiProtocol)
        self.documents = DocumentManager()
        self.analysis = Analysis()
        self.scheduler = Scheduler(self.analysis, self.documents, self._on_result)
        self.published: dict[str, tuple[int | None, tuple[types.Diagnostic, ...]]] = {}
        self.supports_config_pull = False
        self.supports_progress = False

    @property
    def encoding(self) -> str:
        return self.documents.encoding

    def ranges(self, snap: Snapshot) -> Ranges:
        return Ranges(snap.workspace, self.documents)

    async def file_context(self, uri: str) -> FileContext | None:
        """The current snapshot, the file's model and its position converter (open or not)."""
        path = uri_to_path(uri)
        if path is None:
            return None
        snap = await self.scheduler.current()
        f = snap.workspace.files.get(path)
        if f is None:
            return None
        ranges = self.ranges(snap)
        return FileContext(snap, f, ranges, ranges.converter(path))

    def log_message(
        self, message: str, kind: types.MessageType = types.MessageType.Warning
    ) -> None:
        try:
            self.window_log_message(types.LogMessageParams(kind, message))
        except Exception:  # not connected (tests driving the object directly)
            log.warning("%s", message)

    def _on_result(self, snap: Snapshot, previous: Snapshot | None, changed: set[str]) -> None:
        from eventapi.server.diagnostics import publish

        publish(self, snap, previous, changed)


def create_server() -> EventApiServer:
    from eventapi.server import (
        code_actions,
        code_lens,
        completion,
        configuration,
        diagnostics,
        generate,
        hover,
        navigation,
        preview,
        symbols,
        sync,
    )

    server = EventApiServer()
    for module in (
        configuration,
        sync,
        diagnostics,
        hover,
        code_actions,
        code_lens,
        generate,
        preview,
        completion,
        navigation,
        symbols,
    ):
        module.register(server)
    return server
