"""Definition and references: types across imports, channels, data/header paths, key entries."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from tests.server.conftest import TESTDATA, Client, position_of, session

FOLDER = TESTDATA / "navigation"
EVENTS = FOLDER / "events.proto"
CHECKOUT = FOLDER / "checkout.proto"
BILLING = FOLDER / "billing.proto"


def where(client: Client, path: Path, needle: str, offset: int = 0) -> tuple[str, types.Position]:
    return client.uri(path), position_of(path.read_text(), needle, offset)


async def definition(
    client: Client, path: Path, needle: str, offset: int = 1
) -> list[tuple[str, types.Position]]:
    result = await client.text_document_definition_async(
        types.DefinitionParams(
            types.TextDocumentIdentifier(client.uri(path)),
            position_of(path.read_text(), needle, offset),
        )
    )
    assert isinstance(result, list)
    return [(loc.uri, loc.range.start) for loc in result if isinstance(loc, types.Location)]


async def test_type_definition_across_imports() -> None:
    async with session(FOLDER) as client:
        await client.open(CHECKOUT)
        await client.open(BILLING)
        got = await definition(client, CHECKOUT, "(CartCheckedOut)")
        assert got == [where(client, EVENTS, "CartCheckedOut")]
        got = await definition(client, BILLING, "acme.shop.v1.CartCheckedOut", 5)
        assert got == [where(client, EVENTS, "CartCheckedOut")]
        got = await definition(client, EVENTS, "Money total", 0)
        assert got == [where(client, EVENTS, "message Money", len("message "))]


async def test_channel_definition_lists_every_operation() -> None:
    async with session(FOLDER) as client:
        await client.open(CHECKOUT)
        got = await definition(client, CHECKOUT, '"carts.checked_out"')
    assert sorted(got) == sorted(
        [
            where(client, CHECKOUT, '"carts.checked_out"'),
            where(client, BILLING, '"carts.checked_out"'),
        ]
    )


async def test_paths_go_to_the_field_and_keys_to_their_mapping() -> None:
    async with session(FOLDER) as client:
        await client.open(CHECKOUT)
        data = await definition(client, CHECKOUT, '"$.total.units"', 3)
        header = await definition(
            client, CHECKOUT, 'header_path: "region"', len("header_path: ") + 1
        )
        mapped_key = await definition(client, CHECKOUT, '"total_units"]', 1)
        inferred_key = await definition(client, CHECKOUT, '["cart_id"', 2)
    assert data == [where(client, EVENTS, "int64 units", len("int64 "))]
    assert header == [where(client, EVENTS, "string region", len("string "))]
    assert mapped_key == [where(client, CHECKOUT, '{ data_path: "$.total.units"')]
    assert inferred_key == [where(client, EVENTS, "string cart_id", len("string "))]


async def test_references_of_a_type() -> None:
    async with session(FOLDER) as client:
        await client.open(EVENTS)
        result = await client.text_document_references_async(
            types.ReferenceParams(
                context=types.ReferenceContext(include_declaration=True),
                text_document=types.TextDocumentIdentifier(client.uri(EVENTS)),
                position=position_of(EVENTS.read_text(), "CartCheckedOut", 1),
            )
        )
    got = sorted((loc.uri, loc.range.start) for loc in result or [])
    assert got == sorted(
        [
            where(client, EVENTS, "CartCheckedOut"),
            where(client, CHECKOUT, "(CartCheckedOut)", 1),
            where(client, BILLING, "acme.shop.v1.CartCheckedOut"),
        ]
    )
