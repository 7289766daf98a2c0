"""Event types: every proto field shape maps to the Python value the runtime codecs expect.

Uses tests/sdk/testdata/kinds.proto; encodes through the generated schemas and checks the proto3
JSON mapping (every non-optional field written, int64 as a string, names as in the proto).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest

from .conftest import TESTDATA, generate, import_fresh, write


@pytest.fixture(scope="module")
def kinds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("kinds")
    write(out, generate([TESTDATA / "kinds.proto"]))
    try:
        yield import_fresh(out, "kinds_bus.kafka")
    finally:
        for name in [m for m in sys.modules if m.split(".")[0] == "kinds_bus"]:
            del sys.modules[name]


def test_defaults_are_proto3_zero_values_and_absent_messages_none(kinds: ModuleType) -> None:
    e = kinds.Everything()
    assert (e.id, e.count, e.blob, e.ratio, e.flag) == ("", 0, b"", 0.0, False)
    assert e.level is kinds.EverythingLevel.LEVEL_UNSPECIFIED
    assert (e.note, e.text, e.number, e.at, e.took, e.maybe, e.root) == (None,) * 7
    assert (e.nodes, e.names, e.samples, e.extra) == ({}, {}, [], {})
    assert e.class_ == "" and e.datetime_ == ""


def test_json_has_every_non_optional_field_named_as_in_the_proto(kinds: ModuleType) -> None:
    from kinds_bus.events import EVERYTHING_EVENT

    data = json.loads(EVERYTHING_EVENT.codec.encode_data(kinds.Everything()))
    assert data == {
        "id": "",
        "count": "0",
        "big": "0",
        "blob": "",
        "ratio": 0.0,
        "flag": False,
        "level": "LEVEL_UNSPECIFIED",
        "nodes": {},
        "names": {},
        "samples": [],
        "extra": {},
        "class": "",
        "datetime": "",
    }


def test_every_shape_round_trips_through_a_cloudevent(kinds: ModuleType) -> None:
    from kinds_bus.events import EVERYTHING_EVENT

    node = kinds.Node
    event = kinds.Everything(
        id="e-1",
        count=-(2**62),
        big=2**64 - 1,
        blob=b"\x00\xff",
        ratio=0.5,
        flag=True,
        level=kinds.EverythingLevel.LEVEL_HIGH,
        note="n",
        number=7,
        nodes={"a": node(label="a", children=[node(label="b")])},
        names={1: "one"},
        samples=[1, 2**40],
        at=datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=UTC),
        took=timedelta(seconds=90),
        extra={"k": [1, "x", None]},
        maybe=5,
        class_="c",
        datetime_="d",
        region_code=49,
        root=node(label="root"),
    )
    ce = EVERYTHING_EVENT.codec.to_cloudevent(event, source="tests")
    assert ce.subject == "e-1"
    assert ce.extensions == {"regioncode": 49}  # header field -> extension, not data
    assert "region_code" not in json.loads(ce.data or b"{}")
    assert json.loads(ce.data or b"{}")["count"] == str(-(2**62))
    assert EVERYTHING_EVENT.codec.from_cloudevent(ce) == event


def test_send_method_defaults_come_from_the_binding(kinds: ModuleType) -> None:
    import inspect

    sig = inspect.signature(kinds.Client.send_everything)
    assert sig.parameters["partition"].default == 0
    assert sig.parameters["key"].default is None  # filled from event.count at send time
    source = inspect.getsource(kinds.Client.send_everything)
    assert "key = str(event.count)" in source
    doc = inspect.getdoc(kinds.Client.send_everything) or ""
    assert 'A "quoted" word and a backslash \\ in a comment.' in doc
