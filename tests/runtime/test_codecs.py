"""Codec round trips: proto3 JSON mapping details, and binary protobuf through protoc's classes."""

from __future__ import annotations

import importlib
import json
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from google.protobuf import json_format
from grpc_tools import protoc
from hypothesis import given, settings
from hypothesis import strategies as st

from eventapi.runtime.codecs.schema import ContentType, EventSchema, FieldSpec, Kind, MessageSchema
from eventapi.runtime.errors import CodecError, SchemaError

TESTDATA = Path(__file__).parent / "testdata"


class Color(IntEnum):
    COLOR_UNSPECIFIED = 0
    COLOR_RED = 1
    COLOR_BLUE = 2


@dataclass(frozen=True, kw_only=True)
class Item:
    sku: str = ""
    qty: int = 0


@dataclass(frozen=True, kw_only=True)
class Everything:
    id: str = ""
    tenant: str = ""
    i32: int = 0
    i64: int = 0
    u64: int = 0
    s32: int = 0
    f64: int = 0
    dbl: float = 0.0
    flt: float = 0.0
    flag: bool = False
    blob: bytes = b""
    color: Color = Color.COLOR_UNSPECIFIED
    at: datetime | None = None
    took: timedelta | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    maybe_count: int | None = None
    maybe_note: str | None = None
    items: list[Item] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    by_sku: dict[str, Item] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)
    nickname: str | None = None
    card: str | None = None
    iban: str | None = None
    main: Item | None = None


@pytest.fixture(scope="module")
def pb2(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """protoc-generated classes for testdata/sample.proto (real protobuf, not a mock)."""
    out = tmp_path_factory.mktemp("pb2")
    include = Path(protoc.__file__).parent / "_proto"
    code = protoc.main(
        ["protoc", f"-I{TESTDATA}", f"-I{include}", f"--python_out={out}", "sample.proto"]
    )
    assert code == 0, "protoc failed on testdata/sample.proto"
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("sample_pb2")
    finally:
        sys.path.remove(str(out))


def schemas(pb2: Any = None) -> EventSchema[Everything]:
    item = MessageSchema(
        "sample.v1.Item",
        Item,
        (FieldSpec("sku", Kind.STRING, 1), FieldSpec("qty", Kind.UINT32, 2)),
        protobuf=None if pb2 is None else pb2.Item,
    )
    fields = (
        FieldSpec("id", Kind.STRING, 1),
        FieldSpec("tenant", Kind.STRING, 2),
        FieldSpec("i32", Kind.INT32, 3),
        FieldSpec("i64", Kind.INT64, 4),
        FieldSpec("u64", Kind.UINT64, 5),
        FieldSpec("s32", Kind.SINT32, 6),
        FieldSpec("f64", Kind.FIXED64, 7),
        FieldSpec("dbl", Kind.DOUBLE, 8),
        FieldSpec("flt", Kind.FLOAT, 9),
        FieldSpec("flag", Kind.BOOL, 10),
        FieldSpec("blob", Kind.BYTES, 11),
        FieldSpec("color", Kind.ENUM, 12, enum=Color),
        FieldSpec("at", Kind.TIMESTAMP, 13),
        FieldSpec("took", Kind.DURATION, 14),
        FieldSpec("meta", Kind.STRUCT, 15),
        FieldSpec("maybe_count", Kind.INT64_VALUE, 16),
        FieldSpec("maybe_note", Kind.STRING_VALUE, 17),
        FieldSpec("items", Kind.MESSAGE, 18, repeated=True, message=item),
        FieldSpec("numbers", Kind.INT64, 19, repeated=True),
        FieldSpec("by_sku", Kind.MESSAGE, 20, map_key=Kind.STRING, message=item),
        FieldSpec("labels", Kind.STRING, 21, map_key=Kind.INT32),
        FieldSpec("nickname", Kind.STRING, 22, optional=True),
        FieldSpec("card", Kind.STRING, 23, oneof="payment"),
        FieldSpec("iban", Kind.STRING, 24, oneof="payment"),
        FieldSpec("main", Kind.MESSAGE, 25, message=item),
    )
    message = MessageSchema(
        "sample.v1.Everything", Everything, fields, protobuf=None if pb2 is None else pb2.Everything
    )
    return EventSchema(
        message,
        "sample.everything.v1",
        ContentType.JSON if pb2 is None else ContentType.PROTOBUF,
        subject_field="id",
        header_fields=("tenant",),
    )


FULL = Everything(
    id="e1",
    tenant="acme",
    i32=-5,
    i64=-(2**62),
    u64=2**64 - 1,
    s32=-7,
    f64=2**63,
    dbl=1.25,
    flt=0.5,
    flag=True,
    blob=b"\x00\xffhi",
    color=Color.COLOR_BLUE,
    at=datetime(2026, 12, 4, 19, 39, 20, 123456, tzinfo=UTC),
    took=timedelta(seconds=1, milliseconds=500),
    meta={"a": [1, "x", None, True], "b": {"c": 2.5}},
    maybe_count=0,
    maybe_note="n",
    items=[Item(sku="s1", qty=2), Item(sku="s2", qty=0)],
    numbers=[1, -2, 2**60],
    by_sku={"s1": Item(sku="s1", qty=2)},
    labels={1: "one", -3: "minus three"},
    nickname="nick",
    iban="DE00",
    main=Item(sku="m", qty=1),
)


def test_json_round_trip_and_mapping_details() -> None:
    schema = schemas()
    ce = schema.codec.to_cloudevent(FULL, source="/t")
    doc = json.loads(ce.data or b"")
    assert "tenant" not in doc  # header field travels as an extension
    assert ce.extensions == {"tenant": "acme"}
    assert ce.subject == "e1"
    assert doc["i64"] == str(-(2**62)) and doc["u64"] == str(2**64 - 1)  # 64-bit as strings
    assert doc["f64"] == str(2**63) and doc["numbers"] == ["1", "-2", str(2**60)]
    assert doc["i32"] == -5  # 32-bit as numbers
    assert doc["blob"] == "AP9oaQ=="
    assert doc["color"] == "COLOR_BLUE"
    assert doc["at"] == "2026-12-04T19:39:20.123456Z"
    assert doc["took"] == "1.500s"
    assert doc["maybe_count"] == "0" and doc["maybe_note"] == "n"
    assert doc["labels"] == {"1": "one", "-3": "minus three"}
    assert doc["iban"] == "DE00" and "card" not in doc
    assert doc["by_sku"] == {"s1": {"sku": "s1", "qty": 2}}
    assert schema.codec.from_cloudevent(ce) == FULL


def test_json_defaults_are_written_and_absent_fields_decode_to_defaults() -> None:
    schema = schemas()
    doc = json.loads(schema.codec.encode_data(Everything()))
    assert doc["i64"] == "0" and doc["flag"] is False and doc["color"] == "COLOR_UNSPECIFIED"
    assert doc["items"] == [] and doc["labels"] == {}
    assert "at" not in doc and "nickname" not in doc and "main" not in doc
    kwargs = schema.codec.decode_data(b"{}")
    assert "tenant" not in kwargs  # header fields come from extensions, not data
    assert Everything(**kwargs) == Everything()


def test_json_input_leniency() -> None:
    codec = schemas().codec
    kwargs = codec.decode_data(
        json.dumps(
            {
                "i64": 12,  # numbers accepted for 64-bit
                "u64": "18446744073709551615",
                "i32": "7",  # strings accepted for 32-bit
                "dbl": "NaN",
                "flt": "-Infinity",
                "color": 1,  # numbers accepted for enums
                "blob": "AP9oaQ",  # unpadded / URL-safe base64
                "at": "2026-12-04T20:39:20.5+01:00",
                "took": "-0.000001s",
                "maybeCount": "3",  # lowerCamel accepted
                "main": None,  # null means absent
                "unknown_field": 1,
            }
        ).encode()
    )
    assert kwargs["i64"] == 12 and kwargs["u64"] == 2**64 - 1 and kwargs["i32"] == 7
    assert math.isnan(kwargs["dbl"]) and kwargs["flt"] == -math.inf
    assert kwargs["color"] is Color.COLOR_RED
    assert kwargs["blob"] == b"\x00\xffhi"
    assert kwargs["at"] == datetime(2026, 12, 4, 19, 39, 20, 500000, tzinfo=UTC)
    assert kwargs["took"] == timedelta(microseconds=-1)
    assert kwargs["maybe_count"] == 3 and kwargs["main"] is None


@pytest.mark.parametrize(
    ("doc", "path", "message"),
    [
        ({"i32": 2**31}, "$.i32", "out of range"),
        ({"u64": "-1"}, "$.u64", "out of range"),
        ({"items": [{"sku": "a"}, {"qty": "x"}]}, "$.items[1].qty", "not an integer"),
        ({"color": "COLOR_GREEN"}, "$.color", "not a value of Color"),
        ({"at": "yesterday"}, "$.at", "RFC 3339"),
        ({"took": "5 minutes"}, "$.took", "duration"),
        ({"flag": "true"}, "$.flag", "true or false"),
        ({"labels": {"x": "y"}}, "$.labels['x']", "not an integer"),
        ({"blob": "***"}, "$.blob", "base64"),
    ],
)
def test_json_errors_name_the_path(doc: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(CodecError) as info:
        schemas().codec.decode_data(json.dumps(doc).encode())
    assert info.value.path == path
    assert message in str(info.value)


def test_encode_errors_are_clear() -> None:
    codec = schemas().codec
    with pytest.raises(CodecError, match=r"\$\.i32: expected int"):
        codec.encode_data(Everything(i32="1"))  # type: ignore[arg-type]
    with pytest.raises(CodecError, match="oneof 'payment' has more than one member set"):
        codec.encode_data(Everything(card="c", iban="i"))
    with pytest.raises(CodecError, match="timezone-aware"):
        codec.encode_data(Everything(at=datetime(2026, 1, 1)))
    with pytest.raises(CodecError, match="event type"):
        ce = codec.to_cloudevent(FULL, source="/t")
        from dataclasses import replace

        codec.from_cloudevent(replace(ce, type="other.v1"))


def test_schema_problems_are_reported_together() -> None:
    with pytest.raises(SchemaError) as info:
        MessageSchema(
            "x.Bad",
            Item,
            (
                FieldSpec("a", Kind.ENUM),
                FieldSpec("a", Kind.MESSAGE),
                FieldSpec("m", Kind.STRING, map_key=Kind.DOUBLE),
            ),
        )
    text = str(info.value)
    assert "needs enum=" in text and "duplicate field" in text and "invalid key kind" in text
    with pytest.raises(SchemaError, match="subject field 'nope'"):
        EventSchema(schemas().message, "t.v1", subject_field="nope", header_fields=("items",))


def test_protobuf_round_trip_through_protoc_classes(pb2: ModuleType) -> None:
    schema = schemas(pb2)
    ce = schema.codec.to_cloudevent(FULL, source="/t")
    assert ce.datacontenttype == "application/protobuf"
    assert ce.dataschema == "sample.v1.Everything"
    parsed = pb2.Everything.FromString(ce.data)
    assert parsed.tenant == ""  # header field not in the data
    assert parsed.u64 == 2**64 - 1 and parsed.color == 2 and parsed.WhichOneof("payment") == "iban"
    assert parsed.maybe_count.value == 0 and parsed.HasField("maybe_count")
    assert parsed.maybe_note.value == "n"
    assert parsed.at.ToDatetime(tzinfo=UTC) == FULL.at
    assert schema.codec.from_cloudevent(ce) == FULL


def test_protobuf_and_json_agree(pb2: ModuleType) -> None:
    """Our JSON equals protobuf's own JSON printer for the same message (names as in the proto)."""
    pb_ce = schemas(pb2).codec.to_cloudevent(FULL, source="/t")
    theirs = json_format.MessageToDict(
        pb2.Everything.FromString(pb_ce.data),
        preserving_proto_field_name=True,
        always_print_fields_with_no_presence=True,
    )
    ours = json.loads(schemas().codec.encode_data(FULL))
    assert theirs.pop("tenant") == ""
    assert ours == theirs
    # Our JSON is accepted by protobuf's parser, and a JSON event decodes with a protobuf schema.
    json_format.ParseDict(ours, pb2.Everything())
    json_ce = schemas().codec.to_cloudevent(FULL, source="/t")
    assert schemas(pb2).codec.from_cloudevent(json_ce) == FULL


def test_protobuf_bad_bytes_are_a_codec_error(pb2: ModuleType) -> None:
    with pytest.raises(CodecError, match=r"not a valid sample\.v1\.Everything"):
        schemas(pb2).codec.decode_data(b"\xff\xff\xff", "application/protobuf")


@settings(max_examples=200, deadline=None)
@given(
    i64=st.integers(-(2**63), 2**63 - 1),
    u64=st.integers(0, 2**64 - 1),
    text=st.text(),
    blob=st.binary(),
    dbl=st.floats(allow_nan=False),
    numbers=st.lists(st.integers(-(2**63), 2**63 - 1), max_size=5),
    micros=st.integers(0, 10**15),
)
def test_json_round_trip_property(
    i64: int, u64: int, text: str, blob: bytes, dbl: float, numbers: list[int], micros: int
) -> None:
    event = Everything(
        id=text,
        i64=i64,
        u64=u64,
        blob=blob,
        dbl=dbl,
        numbers=numbers,
        at=datetime(2000, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros),
        took=timedelta(microseconds=micros),
        nickname=text,
    )
    codec = schemas().codec
    back = Everything(**codec.decode_data(codec.encode_data(event)))
    assert back == event


def test_header_fields_win_over_extensions_of_the_same_name() -> None:
    """The receiver reads a header field back from its extension, so a provider's or caller's
    extension of that name must not replace it (it would change the event)."""
    codec = schemas().codec
    event = codec.to_cloudevent(FULL, source="/s", extensions={"tenant": "other", "trace": "t1"})
    assert event.extensions["tenant"] == "acme" and event.extensions["trace"] == "t1"
    assert codec.from_cloudevent(event).tenant == "acme"
