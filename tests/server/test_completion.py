"""Completion by context: option names, literal keys, enum values, protocols, paths and key columns."""

from __future__ import annotations

from lsprotocol import types

from tests.server.conftest import TESTDATA, Client, position_of, session

FOLDER = TESTDATA / "completion"
PROTO = FOLDER / "orders.proto"
TEXT = PROTO.read_text()


async def labels(client: Client, uri: str, position: types.Position) -> list[str]:
    result = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), position)
    )
    items = result.items if isinstance(result, types.CompletionList) else result or []
    return [i.label for i in items]


async def test_values_and_keys_in_a_clean_file() -> None:
    async with session(FOLDER) as client:
        uri = await client.open(PROTO)

        async def at(needle: str, offset: int) -> list[str]:
            return await labels(client, uri, position_of(TEXT, needle, offset))

        assert set(await at("action: SEND", len("action: "))) == {"UNSPECIFIED", "SEND", "RECEIVE"}
        assert "SINK_TYPE_STARROCKS" in await at("SINK_TYPE_POSTGRESQL", 0)
        assert await at('name: "kafka"', len('name: "')) == [
            "kafka",
            "amqp",
            "rocketmq",
            "mqtt",
            "nats",
        ]
        assert await at('"$.customer.email"', len('"$.customer.')) == ["id", "email"]
        top = await at('"$.customer.email"', len('"$.'))
        assert "customer" in top and "tenant_id" not in top  # header fields are not data
        headers = await at('"ce_id"', 1)
        assert {"ce_id", "ce_time", "raw:", "tenant_id"} <= set(headers)
        columns = await at('["event_id"]', 2)
        assert {"event_id", "customer_email", "tenant", "amount_cents"} <= set(columns)
        sink_keys = await at("      database:", 6)
        assert {"target", "database", "table", "mapping", "primary_key"} <= set(sink_keys)
        mapping_keys = await at("{ data_path", 2)
        assert {"data_path", "header_path", "target_column", "type", "not_null"} <= set(
            mapping_keys
        )


async def test_option_names_by_element_while_typing() -> None:
    async with session(FOLDER) as client:
        uri = await client.open(PROTO)
        anchor = position_of(TEXT, "  // Consume order-placed events.")
        client.edit(uri, types.Range(anchor, anchor), "  option (\n")
        service = await labels(client, uri, types.Position(anchor.line, len("  option (")))
        assert service == ["(eventapi.v1.server)"]
        inside_rpc = position_of(TEXT, "    option (eventapi.v1.sink)")
        text = (
            TEXT[: TEXT.index("  // Consume")] + "  option (\n" + TEXT[TEXT.index("  // Consume") :]
        )
        client.replace_all(
            uri,
            text.replace(
                "    option (eventapi.v1.sink)", "    option (ev\n    option (eventapi.v1.sink)", 1
            ),
        )
        method = await labels(client, uri, types.Position(inside_rpc.line, len("    option (ev")))
        assert method == ["(eventapi.v1.operation)", "(eventapi.v1.sink)", "(eventapi.v1.sinks)"]


async def test_completion_outside_any_context_is_empty() -> None:
    async with session(FOLDER) as client:
        uri = await client.open(PROTO)
        assert await labels(client, uri, types.Position(0, 0)) == []
