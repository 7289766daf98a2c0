"""eventapi/preview: the exact text of the generated file, for SDK, DDL and Flink SQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.server.conftest import TESTDATA, Client, generate_with_cli, session

FOLDER = TESTDATA / "hover"
PROTO = FOLDER / "orders.proto"


async def preview(client: Client, **params: Any) -> dict[str, str]:
    result = await client.protocol.send_request_async("eventapi/preview", params)
    return {"text": result.text, "language": result.language, "title": result.title}


async def test_previews_equal_the_generated_files(tmp_path: Path) -> None:
    out = generate_with_cli(FOLDER, tmp_path / "gen")
    async with session(FOLDER) as client:
        uri = await client.open(PROTO)
        ddl = await preview(client, uri=uri, kind="ddl")
        flink = await preview(client, uri=uri, kind="flink", target="orders")
        sdk = await preview(client, uri=uri, kind="sdk", target="nats")
        default_sdk = await preview(client, uri=uri, kind="sdk")
        missing = await preview(client, uri=uri, kind="ddl", target="nope")
    assert ddl == {
        "text": (out / "sink/orders_ddl.sql").read_text(),
        "language": "sql",
        "title": "sink/orders_ddl.sql",
    }
    assert flink["text"] == (out / "sink/orders_flink.sql").read_text()
    assert sdk["title"] == "order_event_bus/nats/client.py" and sdk["language"] == "python"
    assert sdk["text"] == (out / sdk["title"]).read_text()
    assert default_sdk["title"] == "order_event_bus/kafka/client.py"
    assert missing["title"] == "nothing generated"


async def test_preview_follows_unsaved_edits() -> None:
    async with session(FOLDER) as client:
        uri = await client.open(PROTO)
        client.replace_all(uri, PROTO.read_text().replace('table: "orders"', 'table: "orders_v2"'))
        ddl = await preview(client, uri=uri, kind="ddl")
    assert ddl["title"] == "sink/orders_v2_ddl.sql"
    assert "orders_v2" in ddl["text"]


async def test_preview_of_a_file_with_errors_lists_them() -> None:
    folder = TESTDATA / "code_actions"
    async with session(folder) as client:
        uri = await client.open(folder / "fixable.proto")
        result = await preview(client, uri=uri, kind="flink")
    assert result["title"] == "errors"
    assert "EA004" in result["text"] and result["text"].startswith("-- Not generated")
