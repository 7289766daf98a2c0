"""Code lens: "Generate" above each event-bus service (runs eventapi.generate for the file)."""

from __future__ import annotations

from lsprotocol import types

from eventapi.server.app import EventApiServer
from eventapi.server.generate import COMMAND
from eventapi.server.guard import guarded


def register(server: EventApiServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_CODE_LENS)
    @guarded([])
    async def code_lens(ls: EventApiServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return []
        snap = await ls.scheduler.current()
        f = snap.workspace.files.get(doc.path)
        if f is None:
            return []
        ranges = ls.ranges(snap)
        argument: dict[str, object] = {
            "uri": doc.uri,
            "scope": "file",
            "kinds": list(ls.analysis.settings.generators),
        }
        return [
            types.CodeLens(
                ranges.range(doc.path, s.name_span),
                types.Command("Generate", COMMAND, arguments=[argument]),
            )
            for s in f.services
            if s.is_event_bus
        ]
