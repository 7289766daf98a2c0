"""Fuzzing: thousands of random edits through a real server; it never crashes, answers every
request, and its diagnostics always equal a fresh `--check` of the same text."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from eventapi.generators.pipeline import load_and_check
from tests.server.conftest import TESTDATA, Client, session

T = TypeVar("T")
BASE = (TESTDATA / "hover" / "orders.proto").read_text()
SNIPPETS = [
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    ";",
    ":",
    ",",
    '"',
    "'",
    "=",
    "\n",
    "//",
    "/*",
    "*/",
    "$.",
    "option (eventapi.v1.sink) = {",
    "target: SINK_TYPE_MYSQL",
    'mapping: [{ data_path: "$.x" }]',
    "rpc X(Y) returns (google.protobuf.Empty);",
    "message M { string a = 1; }",
    "service S {",
    'import "nope.proto";',
    "package a.b;",
    'syntax = "proto3";',
    "é",
    "注文",
    "🎉",
    "\t",
    "\\",
    "action: SENDD",
    'channel: { address: "a b" }',
    'primary_key: ["zz"]',
    "stream ",
    "map<string, int32> m = 9;",
]


class Loop:
    """An event loop on a thread, so synchronous hypothesis tests can drive the async client."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class Doc:
    """The client's copy of the text; edits are expressed as LSP ranges over it (UTF-32)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def position(self, offset: int) -> types.Position:
        line = self.text.count("\n", 0, offset)
        return types.Position(line, offset - (self.text.rfind("\n", 0, offset) + 1))

    def replace(self, a: int, b: int, new: str) -> types.Range:
        rng = types.Range(self.position(a), self.position(b))
        self.text = self.text[:a] + new + self.text[b:]
        return rng


edit = st.one_of(
    st.tuples(st.just("insert"), st.floats(0, 1), st.floats(0, 1), st.sampled_from(SNIPPETS)),
    st.tuples(st.just("garbage"), st.floats(0, 1), st.floats(0, 1), st.text(max_size=12)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.floats(0, 0.05), st.just("")),
    st.tuples(st.just("truncate"), st.floats(0, 1), st.just(1.0), st.just("")),
)


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Loop, Client, Path]]:
    folder = tmp_path_factory.mktemp("fuzz_ws")
    (folder / "orders.proto").write_text(BASE)
    loop = Loop()
    ctx = session(folder, encodings=["utf-32"])
    client = loop.run(ctx.__aenter__())
    yield loop, client, folder / "orders.proto"
    loop.run(ctx.__aexit__(None, None, None))
    loop.close()


def fresh_check(text: str, folder: Path) -> list[tuple[object, ...]]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "orders.proto").write_text(text, encoding="utf-8")
    checked = load_and_check([str(folder)], [])
    return [
        (
            d.code,
            int(d.severity),
            (d.span.start_line, d.span.start_col),
            (d.span.end_line, d.span.end_col),
            d.message,
        )
        for d in checked.diagnostics
    ]


STATE: dict[str, int] = {"edits": 0, "examples": 0}


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=st.lists(edit, min_size=5, max_size=25), probe=st.floats(0, 1))
def test_random_edits_never_crash_and_match_check(
    fuzz_server: tuple[Loop, Client, Path],
    tmp_path: Path,
    edits: list[tuple[str, float, float, str]],
    probe: float,
) -> None:
    loop, client, path = fuzz_server
    uri = client.uri(path)
    doc = Doc(BASE)
    if uri not in client.versions:
        loop.run(client.open(path, BASE))
    else:
        client.replace_all(uri, BASE)
    for kind, where, length, text in edits:
        a = int(where * len(doc.text))
        b = (
            len(doc.text)
            if kind == "truncate"
            else min(len(doc.text), a + int(length * len(doc.text)))
        )
        if kind in ("insert", "garbage"):
            b = a
        rng = doc.replace(a, b, text)
        client.edit(uri, rng, text)
    STATE["edits"] += len(edits)
    STATE["examples"] += 1
    version = client.versions[uri]
    position = doc.position(int(probe * len(doc.text)))

    async def requests() -> types.PublishDiagnosticsParams:
        # Every request is answered (None or a value, never an error) while edits are in flight.
        tid = types.TextDocumentIdentifier(uri)
        await client.text_document_hover_async(types.HoverParams(tid, position))
        await client.text_document_completion_async(types.CompletionParams(tid, position))
        await client.text_document_document_symbol_async(types.DocumentSymbolParams(tid))
        await client.text_document_definition_async(types.DefinitionParams(tid, position))
        await client.text_document_code_action_async(
            types.CodeActionParams(
                tid, types.Range(position, position), types.CodeActionContext([])
            )
        )
        return await client.diagnostics_for(uri, version=version)

    published = loop.run(requests())
    got = [
        (
            d.code,
            int(d.severity or 0),
            (d.range.start.line, d.range.start.character),
            (d.range.end.line, d.range.end.character),
            d.message,
        )
        for d in published.diagnostics
    ]
    assert got == fresh_check(doc.text, tmp_path / f"check{STATE['examples']}")
    assert client.error is None


def test_fuzz_ran_thousands_of_edits(fuzz_server: tuple[Loop, Client, Path]) -> None:
    assert STATE["examples"] >= 400 and STATE["edits"] >= 2500, STATE
