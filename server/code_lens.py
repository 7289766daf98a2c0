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
        ctx = await ls.file_context(params.text_document.uri)
        if ctx is None:
            return []
        argument: dict[str, object] = {
            "uri": params.text_document.uri,
            "scope": "file",
            "kinds": list(ls.analysis.settings.generators),
        }
        return [
            types.CodeLens(
                ctx.ranges.range(ctx.path, s.name_span),
                types.Command("Generate", COMMAND, arguments=[argument]),
            )
            for s in ctx.file.services
            if s.is_event_bus
        ]
