"""Golden files: the SDK generated for each example, byte for byte, and generation is stable.

Regenerate after an intended change with `EVENTAPI_UPDATE_GOLDEN=1 pytest tests/sdk/test_golden.py`
and review the diff. The `_pb` files embed the protoc version of grpcio-tools.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eventapi.generators.loader import Loader, discover
from eventapi.generators.model.schema import builtin_sources
from eventapi.generators.pipeline import Checked, render
from eventapi.generators.registry import GENERATED_MARKER, PY_HEADER

from .conftest import EXAMPLES, GOLDEN, generate

EXAMPLE_NAMES = ("user_event_bus", "commerce")


def _golden_files(name: str) -> dict[str, str]:
    root = GOLDEN / name
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_generated_sdk_matches_golden_files(name: str) -> None:
    outputs = generate([EXAMPLES / name])
    produced = {o.path: o.content for o in outputs}
    if os.environ.get("EVENTAPI_UPDATE_GOLDEN"):
        root = GOLDEN / name
        for old in root.rglob("*") if root.exists() else ():
            if old.is_file():
                old.unlink()
        for rel, text in produced.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    golden = _golden_files(name)
    assert sorted(produced) == sorted(golden), "file list differs from tests/sdk/golden/" + name
    for rel, text in produced.items():
        assert text == golden[rel], f"{rel} differs from its golden file"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_regenerating_is_stable(name: str) -> None:
    first = generate([EXAMPLES / name])
    second = generate([EXAMPLES / name])
    assert [(o.path, o.content) for o in first] == [(o.path, o.content) for o in second]


def test_every_file_starts_with_the_generated_header() -> None:
    for o in generate([EXAMPLES / "commerce"]):
        first = o.content.split("\n", 1)[0] + "\n"
        assert GENERATED_MARKER in first, o.path
        assert first.startswith(PY_HEADER.split("{source}")[0]), o.path


def test_output_does_not_depend_on_where_the_files_are(tmp_path: Path) -> None:
    # Same proto texts under another folder and through editor overlays: identical bytes.
    copy = tmp_path / "elsewhere"
    for src in (EXAMPLES / "commerce").rglob("*.proto"):
        target = copy / src.relative_to(EXAMPLES / "commerce")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("// placeholder, replaced by the overlay\n", encoding="utf-8")
    overlay = {
        str(copy / src.relative_to(EXAMPLES / "commerce")): src.read_text(encoding="utf-8")
        for src in (EXAMPLES / "commerce").rglob("*.proto")
    }
    loader = Loader([str(copy)])
    ws, problems = loader.load(discover([str(copy)]), overlay)
    assert not problems
    outputs, _ = render(Checked(ws, []), only=("sdk",))
    original = generate([EXAMPLES / "commerce"])
    assert [(o.path, o.content) for o in outputs] == [(o.path, o.content) for o in original]
    for o in outputs:
        assert str(tmp_path) not in o.content and str(EXAMPLES) not in o.content


def test_idl_files_are_compiled_from_the_workspace_texts() -> None:
    # The _pb copies of eventapi/v1/*.proto come from the shipped IDL, named by import path.
    outputs = {o.path: o.content for o in generate([EXAMPLES / "commerce"])}
    for rel in builtin_sources():
        if not rel.startswith("eventapi/"):
            continue
        module = rel.removesuffix(".proto").replace("/", "_") + "_pb2.py"
        text = outputs[f"shipping_event_bus/_pb/{module}"]
        assert text.startswith(PY_HEADER.format(source=rel))
        assert f"# source: {rel}" in text
