"""Hover: SQL on a sink and SDK methods on an operation (same text as the generated files),
CloudEvent attributes on a message, column facts on paths and keys, operations on a channel."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from tests.server.conftest import TESTDATA, Client, generate_with_cli, position_of, session

FOLDER = TESTDATA / "hover"
PROTO = FOLDER / "orders.proto"
TEXT = PROTO.read_text()


async def hover_at(client: Client, needle: str, offset: int = 1) -> str:
    result = await client.text_document_hover_async(
        types.HoverParams(
            types.TextDocumentIdentifier(client.uri(PROTO)), position_of(TEXT, needle, offset)
        )
    )
    assert result is not None, needle
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


def generated(tmp_path: Path) -> dict[str, str]:
    out = generate_with_cli(FOLDER, tmp_path / "gen")
    return {str(p.relative_to(out)): p.read_text() for p in out.rglob("*") if p.is_file()}


def body(text: str) -> str:
    """A generated file without its one-line header."""
    return text.split("\n", 1)[1].rstrip()


async def test_sink_hover_shows_the_generated_ddl_and_flink_sql(tmp_path: Path) -> None:
    files = generated(tmp_path)
    async with session(FOLDER) as client:
        await client.open(PROTO)
        text = await hover_at(client, "(eventapi.v1.sink)")
    assert body(files["sink/orders_ddl.sql"]) in text
    assert body(files["sink/orders_flink.sql"]) in text
    assert "Flink SQL (2.3)" in text


async def test_flink_version_setting_changes_the_hover() -> None:
    async with session(FOLDER, options={"flinkVersion": "2.0"}) as client:
        await client.open(PROTO)
        text = await hover_at(client, "(eventapi.v1.sink)")
    assert "Flink SQL (2.0)" in text
    assert "ON CONFLICT DO DEDUPLICATE" not in text


async def test_operation_hover_shows_methods_per_protocol() -> None:
    async with session(FOLDER) as client:
        await client.open(PROTO)
        send = await hover_at(client, "SendOrderPlaced")
        receive = await hover_at(client, "ReceiveOrderPlaced")
    assert "kafka:" in send and "nats:" in send
    assert "send_order_placed" in send
    assert "async with Client(" in send
    assert "receive_order_placed" in receive


async def test_message_hover_lists_cloudevent_attributes() -> None:
    async with session(FOLDER) as client:
        await client.open(PROTO)
        text = await hover_at(client, "message OrderPlaced", len("message "))
        via_rpc = await hover_at(client, "(OrderPlaced)")
    for expected in (
        "`type`: `acme.order.placed.v1`",
        "`subject`: field `order_id`",
        "extension `tenantid` (header `ce_tenantid`): field `tenant_id`",
        "CONTENT_TYPE_JSON (default)",
    ):
        assert expected in text
    assert via_rpc == text


async def test_path_and_key_hover_show_source_column_and_target_type() -> None:
    async with session(FOLDER) as client:
        await client.open(PROTO)
        data = await hover_at(client, '"$.customer.email"')
        header = await hover_at(client, '"ce_id"')
        key = await hover_at(client, '["event_id"]', 2)
    assert "`customer_email`" in data and "proto type `string`" in data
    assert "postgresql type: `TEXT`" in data or "postgresql type: `VARCHAR" in data
    assert "header `ce_id`" in header and "`event_id`" in header
    assert "NOT NULL" in key and "Flink type" in key


async def test_address_hover_lists_every_operation_on_the_channel() -> None:
    async with session(FOLDER) as client:
        await client.open(PROTO)
        text = await hover_at(client, '"orders.placed"')
    assert "SEND `OrderEventBus.SendOrderPlaced(OrderPlaced)`" in text
    assert "RECEIVE `OrderEventBus.ReceiveOrderPlaced(OrderPlaced)`" in text


async def test_hover_on_nothing_answers_null() -> None:
    async with session(FOLDER) as client:
        await client.open(PROTO)
        result = await client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(client.uri(PROTO)), types.Position(0, 0))
        )
    assert result is None
