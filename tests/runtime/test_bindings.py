"""Bindings against the CloudEvents spec examples: headers per protocol, both content modes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from eventapi.runtime.bindings import amqp, kafka, mqtt, nats, rocketmq, structured
from eventapi.runtime.cloudevent import CloudEvent, attribute_string, extension_name, format_time
from eventapi.runtime.errors import BindingError, CloudEventError

TIME = datetime(2026, 12, 4, 19, 39, 20, 123456, tzinfo=UTC)
EVENT = CloudEvent(
    id="1234-1234-1234",
    source="/mycontext/subcontext",
    type="com.example.someevent",
    time=TIME,
    subject="user 42",
    datacontenttype="application/json",
    extensions={"comexampleextension1": "value", "tenant": 'a "b" 100%', "n": 7, "ok": True},
    data=b'{"x":1}',
)


def expected_attrs() -> dict[str, str]:
    return {
        "specversion": "1.0",
        "id": "1234-1234-1234",
        "source": "/mycontext/subcontext",
        "type": "com.example.someevent",
        "subject": "user 42",
        "time": "2026-12-04T19:39:20.123Z",
        "comexampleextension1": "value",
        "tenant": 'a "b" 100%',
        "n": "7",
        "ok": "true",
    }


def same_event(back: CloudEvent) -> None:
    assert back.id == EVENT.id and back.source == EVENT.source and back.type == EVENT.type
    assert back.subject == EVENT.subject and back.datacontenttype == EVENT.datacontenttype
    assert back.time == TIME.replace(microsecond=123000)  # millisecond precision on the wire
    assert back.data == EVENT.data
    assert {k: attribute_string(v) for k, v in back.extensions.items()} == {
        "comexampleextension1": "value",
        "tenant": 'a "b" 100%',
        "n": "7",
        "ok": "true",
    }


def test_kafka_binary_headers_and_key() -> None:
    msg = kafka.to_binary(EVENT, key="user-42")
    headers = dict(msg.headers)
    assert headers.pop("content-type") == b"application/json"
    assert {k: v.decode() for k, v in headers.items()} == {
        f"ce_{k}": v for k, v in expected_attrs().items()
    }
    assert msg.key == b"user-42" and msg.value == b'{"x":1}'
    same_event(kafka.from_kafka(msg))
    assert kafka.to_binary(EVENT).key is None  # no key unless the binding names one


def test_kafka_structured_and_partitionkey() -> None:
    msg = kafka.to_structured(EVENT)
    assert msg.headers == (("content-type", b"application/cloudevents+json"),)
    doc = json.loads(msg.value or b"")
    assert doc["data"] == {"x": 1} and doc["time"] == "2026-12-04T19:39:20.123Z"
    same_event(kafka.from_kafka(msg))
    keyed = CloudEvent.create(type="t.v1", source="/s", extensions={"partitionkey": "p1"})
    assert kafka.partitionkey(keyed) == b"p1"
    # Upper-case header names from other producers are read too.
    back = kafka.from_message(
        b"{}",
        [("CE_SPECVERSION", b"1.0"), ("ce_id", b"1"), ("ce_source", b"/s"), ("ce_type", b"t.v1")],
    )
    assert back.id == "1" and back.datacontenttype is None


def test_amqp_binary_and_alternative_prefixes() -> None:
    msg = amqp.to_binary(EVENT)
    assert msg.content_type == "application/json"
    assert dict(msg.headers) == {f"ce-{k}": v for k, v in expected_attrs().items()}
    same_event(amqp.from_amqp(msg))
    for prefix in ("cloudEvents_", "cloudEvents:", "CE-"):
        headers = {prefix + k: v for k, v in expected_attrs().items()}
        same_event(amqp.from_message(b'{"x":1}', "application/json", headers))
    # AMQP table values arrive typed: bytes, ints, bools and timestamps are normalised.
    typed = {
        "ce-specversion": b"1.0",
        "ce-id": "i",
        "ce-source": "/s",
        "ce-type": "t.v1",
        "ce-time": TIME,
        "ce-count": 3,
        "ce-flag": False,
    }
    back = amqp.from_message(b"", None, typed)
    assert back.time == TIME.replace(microsecond=123000)
    assert back.extensions == {"count": 3, "flag": False}


def test_amqp_structured() -> None:
    msg = amqp.to_structured(EVENT)
    assert msg.content_type == "application/cloudevents+json" and not msg.headers
    same_event(amqp.from_amqp(msg))
    same_event(amqp.from_message(msg.body, "Application/CloudEvents+JSON; charset=utf-8", None))


def test_mqtt5_binary_and_311_structured() -> None:
    msg = mqtt.to_binary(EVENT)
    assert msg.content_type == "application/json"
    assert dict(msg.user_properties) == expected_attrs()  # bare attribute names
    same_event(mqtt.from_mqtt(msg))
    structured_msg = mqtt.to_structured(EVENT)
    same_event(mqtt.from_mqtt(structured_msg))
    # MQTT 3.1.1 has no properties at all: the payload alone is a structured event.
    same_event(mqtt.from_message(structured_msg.payload, None, None))


def test_nats_percent_encoding() -> None:
    msg = nats.to_binary(EVENT)
    assert msg.headers["ce-tenant"] == "a%20%22b%22%20100%25"
    assert msg.headers["ce-subject"] == "user%2042"
    assert msg.headers["ce-datacontenttype"] == "application/json"
    assert msg.headers["ce-id"] == "1234-1234-1234"  # nothing to encode
    same_event(nats.from_nats(msg))
    assert nats.percent_encode("Euro € \x01") == "Euro%20%E2%82%AC%20%01"
    assert nats.percent_decode("Euro%20%E2%82%AC%20%01") == "Euro € \x01"
    with pytest.raises(BindingError, match="not percent-encoded UTF-8"):
        nats.percent_decode("%FF%FE")
    same_event(nats.from_nats(nats.to_structured(EVENT)))


def test_rocketmq_properties() -> None:
    msg = rocketmq.to_binary(EVENT, tag="created", keys=["k1"], message_group="order-1")
    props = dict(msg.properties)
    assert props.pop("CE_contenttype") == "application/json"
    assert props == {f"CE_{k}": v for k, v in expected_attrs().items()}
    assert (msg.tag, msg.keys, msg.message_group) == ("created", ("k1",), "order-1")
    same_event(rocketmq.from_rocketmq(msg))
    same_event(rocketmq.from_rocketmq(rocketmq.to_structured(EVENT)))


def test_non_json_data_uses_data_base64_in_structured_mode() -> None:
    event = CloudEvent.create(
        type="t.v1", source="/s", data=b"\x00\x01", datacontenttype="application/protobuf"
    )
    doc = json.loads(structured.to_json(event))
    assert doc["data_base64"] == "AAE=" and "data" not in doc
    assert structured.from_json(structured.to_json(event)).data == b"\x00\x01"


@pytest.mark.parametrize(
    ("headers", "problem"),
    [
        ({"ce_specversion": b"1.0"}, "missing required attribute 'id'"),
        (
            {"ce_specversion": b"0.3", "ce_id": b"1", "ce_source": b"/s", "ce_type": b"t"},
            "specversion must be '1.0'",
        ),
        (
            {
                "ce_specversion": b"1.0",
                "ce_id": b"1",
                "ce_source": b"/s",
                "ce_type": b"t",
                "ce_time": b"yesterday",
            },
            "not an RFC 3339 timestamp",
        ),
        ({"ce_specversion": b"1.0", "ce_id": b"\xff"}, "not UTF-8"),
    ],
)
def test_bad_messages_raise_binding_errors(headers: dict[str, bytes], problem: str) -> None:
    with pytest.raises(BindingError, match=problem):
        kafka.from_message(b"", list(headers.items()))


def test_bad_structured_bodies() -> None:
    for body, problem in [
        (b"[1]", "JSON object"),
        (b"{", "not JSON"),
        (b'{"specversion":"1.0","data_base64":"***"}', "base64"),
    ]:
        with pytest.raises(BindingError, match=problem):
            structured.from_json(body)


def test_cloudevent_validation_reports_every_problem() -> None:
    with pytest.raises(CloudEventError) as info:
        CloudEvent(
            id="",
            source="",
            type="t",
            specversion="0.3",
            time=datetime(2026, 1, 1),
            extensions={"Bad-Name": 1, "big": 2**40, "data": "x"},
        )
    problems = info.value.problems
    assert len(problems) == 7, problems
    assert any("lowercase" in p for p in problems) and any("32-bit" in p for p in problems)


def test_canonical_forms() -> None:
    assert format_time(datetime(2026, 12, 4, 20, 39, 20, 999999, tzinfo=UTC)) == (
        "2026-12-04T20:39:20.999Z"
    )
    assert attribute_string(b"\x00") == "AA==" and attribute_string(False) == "false"
    assert extension_name("Tenant_ID") == "tenantid"
