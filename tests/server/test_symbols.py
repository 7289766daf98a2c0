"""Document symbols: services -> operations -> sinks, messages -> fields, enums -> values."""

from __future__ import annotations

from lsprotocol import types

from tests.server.conftest import TESTDATA, session

FOLDER = TESTDATA / "hover"


async def test_outline_of_an_event_bus_file() -> None:
    path = FOLDER / "orders.proto"
    async with session(FOLDER) as client:
        uri = await client.open(path)
        result = await client.text_document_document_symbol_async(
            types.DocumentSymbolParams(types.TextDocumentIdentifier(uri))
        )
    symbols = [s for s in result or [] if isinstance(s, types.DocumentSymbol)]
    assert [(s.name, s.kind) for s in symbols] == [
        ("OrderEventBus", types.SymbolKind.Interface),
        ("OrderPlaced", types.SymbolKind.Struct),
        ("Customer", types.SymbolKind.Struct),
        ("Status", types.SymbolKind.Enum),
    ]
    bus = symbols[0]
    assert bus.detail == "kafka, nats"
    ops = bus.children or []
    assert [(o.name, o.detail) for o in ops] == [
        ("SendOrderPlaced", "SEND orders.placed"),
        ("ReceiveOrderPlaced", "RECEIVE orders.placed"),
    ]
    assert [(s.name, s.detail) for s in ops[0].children or []] == [("sink orders", "postgresql")]
    event = symbols[1]
    assert event.detail == "acme.order.placed.v1"
    assert [c.name for c in event.children or []] == [
        "order_id",
        "tenant_id",
        "amount_cents",
        "customer",
        "placed_at",
        "status",
    ]
    assert [c.name for c in symbols[3].children or []] == ["STATUS_UNSPECIFIED", "STATUS_NEW"]
