"""Code lens: one "Generate" above each event-bus service, running eventapi.generate for the file."""

from __future__ import annotations

from lsprotocol import types

from tests.server.conftest import TESTDATA, position_of, session

FOLDER = TESTDATA / "hover"


async def test_generate_lens_above_each_event_bus_service() -> None:
    path = FOLDER / "orders.proto"
    text = path.read_text()
    async with session(FOLDER, options={"generators": ["sink"]}) as client:
        uri = await client.open(path)
        lenses = await client.text_document_code_lens_async(
            types.CodeLensParams(types.TextDocumentIdentifier(uri))
        )
    assert lenses is not None and len(lenses) == 1
    lens = lenses[0]
    assert lens.range.start == position_of(text, "OrderEventBus")
    assert lens.command is not None
    assert (lens.command.title, lens.command.command) == ("Generate", "eventapi.generate")
    assert list(lens.command.arguments or []) == [{"uri": uri, "scope": "file", "kinds": ["sink"]}]


async def test_no_lens_without_event_bus() -> None:
    path = TESTDATA / "diagnostics" / "events.proto"
    async with session(path.parent) as client:
        uri = await client.open(path)
        lenses = await client.text_document_code_lens_async(
            types.CodeLensParams(types.TextDocumentIdentifier(uri))
        )
    assert not lenses
