"""The loader: tolerant on any text, incremental across edits, positions for every element."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventapi.generators.loader import Loader, discover
from eventapi.generators.pipeline import load_and_check
from eventapi.generators.rules.engine import check
from eventapi.generators.syntax.chunks import split

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SEED = EXAMPLES / "user_event_bus" / "user_event_bus.proto"


def _check_text(loader: Loader, path: str, text: str) -> None:
    ws, _ = loader.load([path], overlay={path: text})
    for d in check(ws):
        lines = text.count("\n") + 1
        assert 0 <= d.span.start_line <= d.span.end_line <= lines, d.format()
        assert d.code.startswith("EA") and d.message


def test_examples_have_no_errors() -> None:
    checked = load_and_check([str(EXAMPLES)], [])
    assert len(checked.workspace.targets) == 3
    assert [d.format() for d in checked.diagnostics] == []


def test_every_truncation_never_raises(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    path = str(tmp_path / "x.proto")
    loader = Loader([str(tmp_path)])
    for cut in range(len(text) + 1):
        _check_text(loader, path, text[:cut])


def test_every_single_character_deletion_never_raises(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    path = str(tmp_path / "x.proto")
    loader = Loader([str(tmp_path)])
    for i in range(len(text)):
        _check_text(loader, path, text[:i] + text[i + 1 :])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\x01\x02",
        "message {",
        "message A { string a = ; }",
        'option (eventapi.v1.server) = { protocols: [ { name: "kafka" ',
        "service S { rpc A(",
        "}}}}}{{{{",
        '"unterminated',
        "/* unterminated comment",
        "message A { " * 400,
        "syntax = 3; package ; import ; enum E { A = -; }",
    ],
)
def test_garbage_gives_positioned_syntax_errors(tmp_path: Path, text: str) -> None:
    path = str(tmp_path / "g.proto")
    loader = Loader([str(tmp_path)])
    ws, _ = loader.load([path], overlay={path: text})
    found = check(ws)
    if text:
        assert any(d.code == "EA001" for d in found), [d.format() for d in found]


def test_edit_reparses_only_the_changed_chunk(tmp_path: Path) -> None:
    text = (EXAMPLES / "commerce" / "commerce" / "v1" / "orders.proto").read_text(encoding="utf-8")
    path = str(tmp_path / "orders.proto")
    loader = Loader([str(tmp_path)])
    loader.load([path], overlay={path: text})
    misses = loader.chunks.misses
    edited = text.replace("string city = 2;", "string city = 2; // edited")
    ws, _ = loader.load([path], overlay={path: edited})
    assert loader.chunks.misses == misses + 1
    assert len(split(text)) > 5
    city = next(m for m in ws.files[path].all_messages() if m.name == "Address").field("city")
    assert city is not None


def test_unchanged_nodes_are_reused(tmp_path: Path) -> None:
    text = (EXAMPLES / "commerce" / "commerce" / "v1" / "orders.proto").read_text(encoding="utf-8")
    path = str(tmp_path / "orders.proto")
    loader = Loader([str(tmp_path)])
    ws1, _ = loader.load([path], overlay={path: text})
    ws2, _ = loader.load(
        [path], overlay={path: text.replace("string sku = 1;", "string sku = 1; ")}
    )
    m1 = {m.name: m for m in ws1.files[path].all_messages()}
    m2 = {m.name: m for m in ws2.files[path].all_messages()}
    assert m1["OrderPlaced"] is m2["OrderPlaced"]
    assert m1["OrderLine"] is not m2["OrderLine"]


def test_option_literal_positions_down_to_entries() -> None:
    checked = load_and_check([str(SEED)], [])
    f = checked.workspace.files[str(SEED)]
    sink = f.services[0].operations[0].sinks[0]
    lines = f.text.splitlines()
    pk = sink.primary_key[1]
    assert lines[pk.span.start_line][pk.span.start_col : pk.span.end_col] == '"event_time"'
    m = sink.mappings[5]
    assert m.header_path is not None
    hp = m.header_path.span
    assert lines[hp.start_line][hp.start_col : hp.end_col] == '"$.ce_source.tenant"'
    entry = lines[m.span.start_line][m.span.start_col : m.span.end_col]
    assert entry.startswith("{ header_path") and entry.endswith("}")


def test_unclosed_block_does_not_swallow_later_declarations(tmp_path: Path) -> None:
    text = 'syntax = "proto3";\nmessage A {\n  string a = 1;\n\nmessage B {\n  string b = 1;\n}\n'
    path = str(tmp_path / "u.proto")
    ws, _ = Loader([str(tmp_path)]).load([path], overlay={path: text})
    names = [m.full_name for m in ws.files[path].messages]
    assert names == ["A", "B"]


def test_discover_finds_nested_protos() -> None:
    found = discover([str(EXAMPLES)])
    assert [Path(p).name for p in found] == [
        "orders.proto",
        "shipping.proto",
        "user_event_bus.proto",
    ]


def _fields(tmp_path: Path, text: str) -> dict[str, str]:
    path = str(tmp_path / "c.proto")
    ws, _ = Loader([str(tmp_path)]).load([path], overlay={path: text})
    assert [d.format() for d in ws.files[path].diagnostics] == []
    return {f.name: f.comment for m in ws.files[path].all_messages() for f in m.fields}


def test_inline_block_comment_leads_the_code_after_it(tmp_path: Path) -> None:
    text = 'syntax = "proto3";\nmessage M {\n  /* about x */ string x = 1;\n  string y = 2;\n}\n'
    assert _fields(tmp_path, text) == {"x": "about x", "y": ""}


def test_leading_comments_and_trailing_fallback(tmp_path: Path) -> None:
    text = (
        'syntax = "proto3";\nmessage M {\n  // first\n  // second\n  string a = 1;\n\n'
        "  string b = 2; // after b\n}\n"
    )
    assert _fields(tmp_path, text) == {"a": "first\nsecond", "b": "after b"}


def test_fully_qualified_field_type_with_leading_dot(tmp_path: Path) -> None:
    text = 'syntax = "proto3";\npackage p;\nmessage A {}\nmessage M {\n  .p.A a = 1;\n}\n'
    path = str(tmp_path / "d.proto")
    ws, _ = Loader([str(tmp_path)]).load([path], overlay={path: text})
    assert [d.format() for d in check(ws)] == []
    m = next(m for m in ws.files[path].messages if m.name == "M")
    assert m.fields[0].type_name == ".p.A"
