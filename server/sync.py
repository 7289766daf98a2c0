"""Text synchronisation: open, incremental change, close; every change schedules an analysis."""

from __future__ import annotations

from lsprotocol import types

from eventapi.server.app import EventApiServer
from eventapi.server.guard import guarded


def register(server: EventApiServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @guarded(None)
    async def did_open(ls: EventApiServer, params: types.DidOpenTextDocumentParams) -> None:
        doc = ls.documents.open(
            params.text_document.uri, params.text_document.text, params.text_document.version
        )
        if doc is not None:
            ls.analysis.files_changed()  # an open file outside the folders becomes a target
            ls.scheduler.touch(doc.path, delay=0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @guarded(None)
    async def did_change(ls: EventApiServer, params: types.DidChangeTextDocumentParams) -> None:
        doc = ls.documents.change(
            params.text_document.uri, params.text_document.version, params.content_changes
        )
        if doc is not None:
            ls.scheduler.touch(doc.path)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @guarded(None)
    async def did_close(ls: EventApiServer, params: types.DidCloseTextDocumentParams) -> None:
        doc = ls.documents.close(params.text_document.uri)
        if doc is not None:
            ls.scheduler.touch(doc.path, delay=0)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    @guarded(None)
    async def did_save(ls: EventApiServer, params: types.DidSaveTextDocumentParams) -> None:
        return None
