"""The receive hot path's shortcuts agree with the reference code they bypass.

Each shortcut (the stdlib JSON scanner called directly, generated straight-line decoders, the
string-attribute CloudEvent builder, the Kafka header cache, the NATS reply-subject parser) may
decline and hand over to the reference path, but when it answers, its answer must be the reference
answer: never accepting what the reference rejects, never a different value.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nats.aio.msg import Msg

from eventapi.runtime.bindings import amqp, kafka, nats, structured
from eventapi.runtime.cloudevent import CloudEvent, format_time, from_text_attributes, new_id
from eventapi.runtime.codecs import jsontext, proto_json, straight
from eventapi.runtime.errors import BindingError, CodecError
from eventapi.runtime.transports.nats import _delivered
from tests.runtime.test_codecs import Color, Everything, Item, schemas

# -- JSON text ---------------------------------------------------------------------------------
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


def _outcome(fn: Any, arg: Any) -> Any:
    try:
        return ("ok", fn(arg))
    except ValueError as exc:
        return ("error", str(exc))


@settings(max_examples=300, deadline=None)
@given(
    value=json_values,
    indent=st.sampled_from([None, 0, 2]),
    ascii_only=st.booleans(),
    around=st.sampled_from(["", " ", "\n", "\ufeff"]),
    tail=st.sampled_from(["", " ", "x", "]", "{}"]),
    encoding=st.sampled_from(["utf-8", "utf-16", "str"]),
)
def test_json_text_loads_is_json_loads(
    value: Any, indent: int | None, ascii_only: bool, around: str, tail: str, encoding: str
) -> None:
    text = around + json.dumps(value, indent=indent, ensure_ascii=ascii_only) + tail
    data: bytes | str = text if encoding == "str" else text.encode(encoding)
    assert _outcome(jsontext.loads, data) == _outcome(json.loads, data)


def test_json_text_loads_rejects_what_json_rejects() -> None:
    for bad in [b"", b"{", b'{"a":1} x', b"\xff", b"nul", b"[1,]"]:
        with pytest.raises(ValueError) as ours:
            jsontext.loads(bad)
        with pytest.raises(ValueError) as theirs:
            json.loads(bad)
        assert str(ours.value) == str(theirs.value)


# -- straight-line decoders -------------------------------------------------------------------
SCHEMA = schemas()
COMPILED = proto_json.compile_message(SCHEMA.message, frozenset(SCHEMA.header_fields))
FAST = straight.build(COMPILED.dec, COMPILED.specs, COMPILED.checked_kwargs)

odd = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
int_text = st.integers(-(2**64), 2**64).map(str)
item = st.fixed_dictionaries(
    {}, optional={"sku": st.text(max_size=3) | odd, "qty": st.integers(-1, 2**32) | odd}
)
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "id": st.text(max_size=5),
    "i32": st.integers(-(2**32), 2**32) | int_text,
    "i64": int_text | st.integers(-(2**64), 2**64) | st.just("٣") | st.just(" 1"),
    "u64": int_text | st.just("-0") | st.just("1e3"),
    "s32": st.integers(-(2**31) - 1, 2**31),
    "f64": int_text,
    "dbl": st.floats(allow_nan=False) | st.sampled_from(["NaN", "Infinity", "1.5"]),
    "flag": st.booleans(),
    "blob": st.sampled_from(["AAE=", "AAE", "-_8", "***"]),
    "color": st.sampled_from([*Color.__members__, "COLOR_GREEN", 1, 7, -1]),
    "at": st.sampled_from(["2026-12-04T19:39:20Z", "2026-12-04T19:39:20.5+01:00", "today"]),
    "took": st.sampled_from(["1.5s", "-2s", "3"]),
    "meta": st.dictionaries(st.text(max_size=3), odd, max_size=2),
    "maybeCount": int_text,
    "maybe_note": st.text(max_size=3),
    "items": st.lists(item, max_size=3),
    "numbers": st.lists(int_text | st.integers(), max_size=3),
    "by_sku": st.dictionaries(st.text(max_size=2), item, max_size=2),
    "labels": st.dictionaries(int_text | st.just("x"), st.text(max_size=2), max_size=2),
    "nickname": st.text(max_size=3),
    "card": st.text(max_size=3),
    "main": item,
}
docs = st.fixed_dictionaries(
    {}, optional={key: values | odd for key, values in FIELD_VALUES.items()}
) | st.sampled_from([[], "x", 1, None])


def _decoded(fn: Any, doc: Any) -> Any:
    """The outcome, compared by repr (NaN is a valid double and unequal to itself)."""
    try:
        return ("ok", repr(fn(doc)))
    except CodecError as exc:
        return ("error", str(exc))
    except (TypeError, ValueError) as exc:
        return ("declined", type(exc).__name__)


@settings(max_examples=600, deadline=None)
@given(doc=docs)
def test_straight_decoder_answers_as_the_reference(doc: Any) -> None:
    fast = _decoded(FAST, doc)
    reference = _decoded(COMPILED.checked_kwargs, doc)
    if fast[0] == "ok":
        assert reference == fast
    # Through the public entry point, a declined shortcut gives the reference answer.
    assert _decoded(COMPILED.decode_kwargs, doc) == reference


@settings(max_examples=300, deadline=None)
@given(doc=docs, tenant=st.none() | st.text(max_size=3), raw=st.sampled_from([None, b"{", b" "]))
def test_event_shortcut_answers_as_the_reference(doc: Any, tenant: str | None, raw: Any) -> None:
    data = raw if raw is not None else json.dumps(doc).encode()
    event = CloudEvent.create(
        type=SCHEMA.event_type,
        source="/s",
        data=data,
        datacontenttype="application/json",
        extensions=None if tenant is None else {"tenant": tenant},
    )
    codec = SCHEMA.codec
    try:
        fast = ("ok", repr(codec.fast_decoder()(event.data, event.extensions)))
    except Exception:
        fast = ("declined", None)
    reference = _decoded(codec.checked_from_cloudevent, event)
    if fast[0] == "ok":
        assert reference == fast
    assert _decoded(codec.from_cloudevent, event) == reference


ENCODE = straight.build_encoder(COMPILED.enc, COMPILED.specs, COMPILED._check_oneofs)
item_objects = st.builds(Item, sku=st.text(max_size=2) | odd, qty=st.integers(-1, 2**32) | odd)
objects = st.builds(
    Everything,
    id=st.text(max_size=3) | odd,
    i32=st.sampled_from([-(2**31) - 1, -(2**31), 2**31 - 1, 2**31]) | st.integers() | odd,
    i64=st.sampled_from([-(2**63) - 1, -(2**63), 2**63 - 1, 2**63]) | st.integers() | odd,
    u64=st.sampled_from([-1, 0, 2**64 - 1, 2**64]) | odd,
    f64=st.integers(-1, 2**64),
    flag=st.booleans() | odd,
    color=st.sampled_from(Color) | st.integers(-1, 5) | odd,
    maybe_count=st.none() | st.integers(),
    maybe_note=st.none() | st.text(max_size=2) | odd,
    items=st.lists(item_objects, max_size=2),
    numbers=st.lists(st.integers(), max_size=2),
    nickname=st.none() | st.text(max_size=2),
    card=st.none() | st.text(max_size=2),
    iban=st.none() | st.text(max_size=2),
    main=st.none() | item_objects | odd,
) | st.sampled_from([None, "x", Item()])


@settings(max_examples=500, deadline=None)
@given(obj=objects)
def test_straight_encoder_answers_as_the_reference(obj: Any) -> None:
    reference = _decoded(COMPILED.checked_encode, obj)
    try:
        fast = ("ok", repr(ENCODE(obj)))
    except Exception:
        fast = ("declined", None)
    if fast[0] == "ok":
        assert reference == fast
    assert _decoded(COMPILED.encode, obj) == reference


# -- CloudEvent from string attributes --------------------------------------------------------
attribute_text = st.sampled_from(["", "1.0", "0.3", "x", "2026-12-04T19:39:20.123Z", "1999-01-01"])
cores = st.fixed_dictionaries(
    {},
    optional={
        name: attribute_text | st.text(max_size=3)
        for name in ("specversion", "id", "source", "type", "subject", "time")
    }
    | {"datacontenttype": attribute_text, "dataschema": attribute_text},
)
extension_sets = st.dictionaries(
    st.sampled_from(["tenantid", "traceparent", "Bad", "data", "x_y"]), st.text(max_size=3)
)


def _event_outcome(fn: Any, *args: Any) -> Any:
    try:
        return ("ok", fn(*args))
    except BindingError as exc:
        return ("error", str(exc))


@settings(max_examples=400, deadline=None)
@given(core=cores, extensions=extension_sets, data=st.none() | st.just(b"{}"))
def test_text_attribute_builder_answers_as_the_checked_path(
    core: dict[str, str], extensions: dict[str, str], data: bytes | None
) -> None:
    # Valid names must be known for the shortcut to take them: check them once the slow way.
    for name in extensions:
        _event_outcome(structured.event_from_attributes, {**_minimal(), name: "v"}, None)
    checked = _event_outcome(structured.event_from_attributes, {**core, **extensions}, data)
    fast = from_text_attributes(core, extensions, data)
    if fast is not None:
        assert checked == ("ok", fast)
    assert _event_outcome(structured.event_from_parts, core, extensions, data) == checked


def _minimal() -> dict[str, str]:
    return {"specversion": "1.0", "id": "1", "source": "/s", "type": "t"}


# -- Kafka headers ----------------------------------------------------------------------------
header_names = st.sampled_from(
    [
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "ce_tenantid",
        "CE_ID",
        "Ce_Source",
        "content-type",
        "Content-Type",
        "ce_datacontenttype",
        "traceparent",
        "ce_Bad",
    ]
)
header_values = st.sampled_from(
    [b"1.0", b"1", b"/s", b"t", b"2026-12-04T19:39:20Z", b"application/json", b"", b"\xff", None]
) | st.just("text")


def _reference_kafka(value: bytes | None, headers: list[tuple[str, Any]]) -> CloudEvent:
    """The Kafka binding as the spec reads: ``ce_`` headers (any case) are attributes,
    ``content-type`` is datacontenttype, the last of duplicates wins."""
    attrs: dict[str, Any] = {}
    for name, raw in headers:
        lower = name.lower()
        if lower != "content-type" and not lower.startswith("ce_"):
            continue
        try:
            text = "" if raw is None else raw if isinstance(raw, str) else raw.decode()
        except UnicodeDecodeError:
            raise BindingError("a ce_ or content-type header is not UTF-8") from None
        attrs["datacontenttype" if lower == "content-type" else lower[3:]] = text
    content_type = attrs.get("datacontenttype")
    if isinstance(content_type, str) and structured.is_structured(content_type):
        return structured.from_json(value or b"")
    return structured.event_from_attributes(attrs, value)


@settings(max_examples=500, deadline=None)
@given(
    headers=st.lists(st.tuples(header_names, header_values), max_size=10),
    valid_first=st.booleans(),
)
def test_kafka_header_reader_answers_as_the_spec_reading(
    headers: list[tuple[str, Any]], valid_first: bool
) -> None:
    if valid_first:
        headers = [(f"ce_{k}", v.encode()) for k, v in _minimal().items()] + headers
    expected = _event_outcome(_reference_kafka, b"{}", headers)
    # Twice: the first call may teach the header cache new names; the second goes through it.
    assert _event_outcome(kafka.from_message, b"{}", headers) == expected
    assert _event_outcome(kafka.from_message, b"{}", headers) == expected


amqp_names = st.sampled_from(
    [
        "ce-specversion",
        "ce-id",
        "ce-source",
        "cloudEvents_type",
        "cloudEvents:time",
        "CE-tenantid",
        "ce-datacontenttype",
        "x-eventapi-attempt",
        "ce-count",
    ]
)
amqp_values = st.sampled_from(
    ["1.0", "1", "/s", "t", "2026-12-04T19:39:20Z", "", b"/s", b"\xff", 7, True, 2**40]
) | st.just(datetime(2026, 1, 1, tzinfo=UTC))


def _reference_amqp(body: bytes, content_type: str | None, headers: dict[str, Any]) -> CloudEvent:
    """The AMQP binding as documented: three accepted prefixes (any case), table values as
    attribute values, the content_type property over a ce-datacontenttype header."""
    if structured.is_structured(content_type):
        return structured.from_json(body)
    attrs: dict[str, Any] = {}
    for name, raw in headers.items():
        lower = name.lower()
        prefix = next((p for p in amqp.ACCEPTED_PREFIXES if lower.startswith(p)), None)
        if prefix is not None:
            attrs[lower[len(prefix) :]] = amqp._attribute_value(name, raw)
    if content_type:
        attrs["datacontenttype"] = content_type
    return structured.event_from_attributes(attrs, body)


@settings(max_examples=500, deadline=None)
@given(
    headers=st.dictionaries(amqp_names, amqp_values, max_size=9),
    content_type=st.sampled_from([None, "", "application/json", "application/cloudevents+json"]),
    valid_first=st.booleans(),
)
def test_amqp_header_reader_answers_as_the_documented_reading(
    headers: dict[str, Any], content_type: str | None, valid_first: bool
) -> None:
    if valid_first:
        headers = {**{f"ce-{k}": v for k, v in _minimal().items()}, **headers}
    body = b'{"specversion":"1.0","id":"1","source":"/s","type":"t"}'
    expected = _event_outcome(_reference_amqp, body, content_type, headers)
    assert _event_outcome(amqp.from_message, body, content_type, headers) == expected
    assert _event_outcome(amqp.from_message, body, content_type, headers) == expected


nats_names = st.sampled_from(
    ["ce-specversion", "ce-id", "CE-Source", "ce-type", "ce-time", "ce-tenantid", "Content-Type"]
)
nats_values = st.sampled_from(
    [
        "1.0",
        "1",
        "/s",
        "t",
        "2026-12-04T19:39:20Z",
        "a%20b",
        "%C3%BC",
        "%FF",
        "",
        "application/json",
    ]
) | st.text(max_size=4)


def _reference_nats(data: bytes, headers: dict[str, str]) -> CloudEvent:
    """The NATS binding as documented: ``ce-`` headers (any case) percent-decoded; structured
    when content-type says so or when there is no ce-specversion."""
    attrs: dict[str, Any] = {}
    content_type = None
    for name, value in headers.items():
        lower = name.lower()
        if lower.startswith("ce-"):
            attrs[lower[3:]] = nats.percent_decode(value)
        elif lower == "content-type":
            content_type = value
    if structured.is_structured(content_type) or "specversion" not in attrs:
        return structured.from_json(data)
    return structured.event_from_attributes(attrs, data)


@settings(max_examples=500, deadline=None)
@given(headers=st.dictionaries(nats_names, nats_values, max_size=7), valid_first=st.booleans())
def test_nats_header_reader_answers_as_the_documented_reading(
    headers: dict[str, str], valid_first: bool
) -> None:
    if valid_first:
        headers = {**{f"ce-{k}": v for k, v in _minimal().items()}, **headers}
    data = b'{"specversion":"1.0","id":"1","source":"/s","type":"t"}'
    expected = _event_outcome(_reference_nats, data, headers)
    assert _event_outcome(nats.from_message, data, headers) == expected
    assert _event_outcome(nats.from_message, data, headers) == expected


@given(value=st.text(max_size=8))
def test_nats_percent_encoding_keeps_exactly_the_safe_characters(value: str) -> None:
    safe = all(0x21 <= ord(ch) < 0x7F and ch not in '"%' for ch in value)
    assert (nats.percent_encode(value) == value) == safe
    assert nats.percent_decode(nats.percent_encode(value)) == value


# -- NATS reply subjects ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "reply",
    [
        "$JS.ACK.STREAM.durable.3.10.9.1733340000000000000.0",
        "$JS.ACK.hub.ACCOUNTHASH.STREAM.durable.4.10.9.1733340000000000000.2",
        "$JS.ACK.hub.ACCOUNTHASH.STREAM.durable.5.10.9.1733340000000000000.2.random",
    ],
)
def test_nats_delivery_count_is_nats_pys(reply: str) -> None:
    msg = Msg(_client=None, subject="s", reply=reply)  # type: ignore[arg-type]
    assert _delivered(msg) == msg.metadata.num_delivered > 1


@pytest.mark.parametrize("reply", ["", "_INBOX.abc", "$JS.ACK.S.d.x.1.1.1.0", "$JS.ACK.S.d.2"])
def test_nats_delivery_count_defaults_to_one(reply: str) -> None:
    assert _delivered(Msg(_client=None, subject="s", reply=reply)) == 1  # type: ignore[arg-type]


# -- canonical time ---------------------------------------------------------------------------
def test_time_is_rfc3339_with_four_digit_years_and_truncated_milliseconds() -> None:
    east = timezone(timedelta(hours=2))
    assert format_time(datetime(999, 1, 2, 3, 4, 5, 678901, tzinfo=east)) == (
        "0999-01-02T01:04:05.678Z"
    )
    assert format_time(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00.000Z"


def test_new_ids_are_canonical_random_uuids() -> None:
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for text in ids[:200]:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
