"""End to end on the real brokers: generated client -> broker -> generated client.

For each protocol of the commerce example: the decoded event equals the one sent, the headers on
the wire are the ones WIRE.md lists (read with the protocol's own client), binding defaults
(key, routing key, QoS, tag/keys/group) are applied, and on Kafka the headers the generated Flink
pipeline reads (the sinks' resolved header columns) are all on the record.
"""

from __future__ import annotations

import asyncio
import importlib
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from eventapi.generators.model.sinks import HeaderSource, resolve_sinks
from eventapi.generators.pipeline import load_and_check

from .calling import announce_and_receive, place_and_receive
from .conftest import EXAMPLES, KAFKA_CONSUMER
from .wire import Wire, amqp_tap, kafka_tap, mqtt_tap, nats_tap, rocketmq_find

RUN = uuid.uuid4().hex[:8]
CORE = ("specversion", "id", "source", "type", "time", "subject")


def expected_headers(
    protocol: str, extensions: tuple[str, ...], dataschema: bool = False
) -> set[str]:
    """WIRE.md's binary-mode carriers for the attributes a generated client sends."""
    attrs = [*CORE, *extensions, *(["dataschema"] if dataschema else [])]
    return {
        "kafka": {f"ce_{a}" for a in attrs} | {"content-type"},
        "amqp": {f"ce-{a}" for a in attrs},
        "mqtt": set(attrs),
        "nats": {f"ce-{a}" for a in [*attrs, "datacontenttype"]},
        "rocketmq": {f"CE_{a}" for a in attrs} | {"CE_contenttype"},
    }[protocol]


def sql_headers(example: Path, rpc: str) -> set[str]:
    """Kafka headers the generated Flink SQL reads for `rpc`: its sinks' header columns."""
    checked = load_and_check([str(example)], [])
    ws = checked.workspace
    out: set[str] = set()
    for file, service in ws.services():
        for op in service.operations:
            if op.name != rpc:
                continue
            sinks, _ = resolve_sinks(ws, file.path, service, op)
            for sink in sinks:
                for column in sink.columns:
                    if isinstance(column.source, HeaderSource) and column.source.kind != "raw":
                        out.add(column.source.kafka_header)
    assert out, f"{rpc} has no sink header columns"
    return out


def order(sdk: ModuleType, n: int) -> Any:
    return sdk.OrderPlaced(
        order_id=f"o-{RUN}-{n}",
        tenant="acme-eu",
        customer_id="c-42",
        lines=[
            sdk.OrderLine(
                sku="sku-1", quantity=2, unit_price=sdk.Money(currency="EUR", amount="12.50")
            ),
            sdk.OrderLine(sku="sku-2", quantity=1),
        ],
        total=sdk.Money(currency="EUR", amount="25.00"),
        shipping_address=sdk.Address(street='1 "Main" St', city="Köln", country="DE"),
        payment_method=sdk.PaymentMethod.PAYMENT_METHOD_CARD,
        placed_at=datetime(2026, 12, 4, 19, 39, 20, 123000, tzinfo=UTC),
        loyalty_points=2**40 + 1,
        attributes={"channel": "web", "coupon": ""},
    )


def sdk_for(generated: Path, service: str, protocol: str) -> ModuleType:
    assert generated.is_dir()
    return importlib.import_module(f"{service}.{protocol}")


def check_roundtrip(sent_event: Any, sent: Any, received: Any) -> None:
    assert received.event == sent_event
    assert type(received.event) is type(sent_event)
    assert received.cloudevent.id == sent.id
    assert received.cloudevent.subject == sent_event.order_id
    assert received.cloudevent.type == "com.example.commerce.order.placed.v1"
    assert received.cloudevent.source == "tests/sdk"
    assert received.cloudevent.extensions["tenant"] == "acme-eu"
    assert received.attempt == 1
    assert received.settled is False or received.settled is True


async def test_kafka_order_placed(generated: Path, kafka_bootstrap: str) -> None:
    sdk = sdk_for(generated, "order_event_bus", "kafka")
    config = sdk.Config(bootstrap_servers=kafka_bootstrap, consumer=KAFKA_CONSUMER)
    async with sdk.Client(config) as admin:
        await admin.transport.create_topics(["commerce-order-placed"])
    event = order(sdk, 1)
    async with kafka_tap(kafka_bootstrap, "commerce-order-placed") as tap:
        sent, received = await place_and_receive(sdk, config, event, f"g-{RUN}")
        wire = await tap.find(sent.id)
    check_roundtrip(event, sent, received)
    assert isinstance(received.partition, int) and isinstance(received.offset, int)
    assert received.key == event.order_id.encode()  # binding.kafka.key = order_id
    assert set(wire.headers) == expected_headers("kafka", ("tenant",))
    assert wire.headers["content-type"] == "application/json"
    assert wire.details["key"] == event.order_id.encode()
    read_by_sql = sql_headers(EXAMPLES / "commerce", "SendOrderPlaced")
    assert read_by_sql <= set(wire.headers), read_by_sql - set(wire.headers)


async def test_kafka_user_created_headers_are_what_the_flink_sql_reads(
    generated: Path, kafka_bootstrap: str
) -> None:
    sdk = sdk_for(generated, "user_event_bus", "kafka")
    config = sdk.Config(bootstrap_servers=kafka_bootstrap, consumer=KAFKA_CONSUMER)
    async with sdk.Client(config) as admin:
        await admin.transport.create_topics(["user.events"])
    event = sdk.UserCreatedEvent(user_id=f"u-{RUN}", email="user@example.com")
    async with kafka_tap(kafka_bootstrap, "user.events") as tap:
        sent, received = await announce_and_receive(sdk, config, event, f"u-{RUN}")
        wire = await tap.find(sent.id)
    assert received.event == event
    assert set(wire.headers) == expected_headers("kafka", ())
    read_by_sql = sql_headers(EXAMPLES / "user_event_bus", "SendUserCreated")
    assert read_by_sql == {"ce_id", "ce_type", "ce_source", "ce_time", "ce_subject"}
    assert read_by_sql <= set(wire.headers)
    assert wire.headers["ce_subject"] == event.user_id


async def test_amqp_order_placed(generated: Path, rabbitmq_url: str) -> None:
    sdk = sdk_for(generated, "order_event_bus", "amqp")
    event = order(sdk, 2)
    async with amqp_tap(rabbitmq_url, "commerce", "order.placed") as tap:
        sent, received = await place_and_receive(
            sdk, sdk.Config(url=rabbitmq_url), event, f"g-{RUN}"
        )
        wire = await tap.find(sent.id)
    check_roundtrip(event, sent, received)
    assert isinstance(received.delivery_tag, int) and received.redelivered is False
    assert set(wire.headers) == expected_headers("amqp", ("tenant",))
    assert wire.details == {"content_type": "application/json", "routing_key": "order.placed"}


async def test_mqtt_order_placed(generated: Path, mosquitto: tuple[str, int]) -> None:
    sdk = sdk_for(generated, "order_event_bus", "mqtt")
    host, port = mosquitto
    event = order(sdk, 3)
    async with mqtt_tap(host, port, "commerce-order-placed") as tap:
        await asyncio.sleep(0.2)
        sent, received = await place_and_receive(
            sdk, sdk.Config(host=host, port=port), event, f"g-{RUN}"
        )
        wire = await tap.find(sent.id)
    check_roundtrip(event, sent, received)
    assert received.topic == "commerce-order-placed" and received.qos == 1
    assert set(wire.headers) == expected_headers("mqtt", ("tenant",))
    assert wire.details["content_type"] == "application/json"
    assert wire.details["retain"] is False


async def test_nats_order_placed(generated: Path, nats_server: tuple[str, int]) -> None:
    sdk = sdk_for(generated, "order_event_bus", "nats")
    server = f"nats://{nats_server[0]}:{nats_server[1]}"
    event = order(sdk, 4)
    async with nats_tap(server, "commerce-order-placed") as tap:
        sent, received = await place_and_receive(
            sdk, sdk.Config(servers=(server,)), event, f"g-{RUN}"
        )
        wire = await tap.find(sent.id)
    check_roundtrip(event, sent, received)
    assert received.subject == "commerce-order-placed"
    assert isinstance(received.stream_sequence, int)
    assert set(wire.headers) == expected_headers("nats", ("tenant",))
    assert wire.headers["ce-datacontenttype"] == "application/json"


async def test_rocketmq_order_placed(generated: Path, rocketmq_proxy: Any) -> None:
    sdk = sdk_for(generated, "order_event_bus", "rocketmq")
    event = order(sdk, 5)
    config = sdk.Config(endpoints=rocketmq_proxy.endpoint, await_duration=1)
    sent, received = await place_and_receive(sdk, config, event, f"g-{RUN}")
    check_roundtrip(event, sent, received)
    assert received.tag == "placed" and received.keys == frozenset({event.order_id})
    assert received.message_group == event.order_id  # ORDER: FIFO by the binding key
    wire = await rocketmq_find(rocketmq_proxy, "commerce-order-placed", sent.id)
    assert set(wire.headers) == expected_headers("rocketmq", ("tenant",))
    assert wire.headers["CE_contenttype"] == "application/json"
    assert wire.details == {"tag": "placed", "keys": [event.order_id], "group": event.order_id}


async def test_rocketmq_delay_and_transaction_from_the_binding(
    generated: Path, rocketmq_proxy: Any
) -> None:
    sdk = sdk_for(generated, "order_event_bus", "rocketmq")
    config = sdk.Config(
        endpoints=rocketmq_proxy.endpoint, await_duration=1, transaction_checker=lambda ce: True
    )
    cancelled = sdk.OrderCancelled(order_id=f"o-{RUN}-c", reason='"changed my mind"')
    placed = order(sdk, 6)
    ran: list[str] = []

    async def local_transaction() -> bool:
        ran.append("yes")
        return True

    async with sdk.Client(config) as client:
        delayed = await client.send_order_cancelled(cancelled)  # DELAY, delay_level 3 = 10 s
        committed = await client.send_order_placed(placed, transaction=local_transaction)
    stored = [
        m
        for m in await asyncio.to_thread(rocketmq_proxy.messages, "commerce-order-cancelled")
        if m.user_properties.get("CE_id") == delayed.id
    ]
    assert len(stored) == 1 and stored[0].tag == "cancelled"
    assert 9.0 <= stored[0].deliver_at - stored[0].born_at <= 12.0
    assert ran == ["yes"]
    wire = await rocketmq_find(rocketmq_proxy, "commerce-order-placed", committed.id)
    assert wire.details["group"] is None  # a transactional message is never FIFO


@pytest.mark.parametrize("protocol", ["kafka", "nats"])
async def test_protobuf_events_travel_as_binary_protobuf(
    generated: Path, protocol: str, request: pytest.FixtureRequest
) -> None:
    sdk = sdk_for(generated, "shipping_event_bus", protocol)
    if protocol == "kafka":
        bootstrap = request.getfixturevalue("kafka_bootstrap")
        config = sdk.Config(bootstrap_servers=bootstrap, consumer=KAFKA_CONSUMER)
        async with sdk.Client(config) as admin:
            await admin.transport.create_topics(["commerce.parcel.shipped"])
        tap_cm = kafka_tap(bootstrap, "commerce.parcel.shipped")
    else:
        host, port = request.getfixturevalue("nats_server")
        config = sdk.Config(servers=(f"nats://{host}:{port}",))
        tap_cm = nats_tap(f"nats://{host}:{port}", "commerce.parcel.shipped")
    event = sdk.ParcelShipped(
        parcel_id=f"p-{RUN}-{protocol}",
        order_id="o-1",
        carrier="DHL",
        weight_kg=1.25,
        shipped_at=datetime(2026, 12, 5, 8, 0, 0, 500000, tzinfo=UTC),
        destination=sdk.Address(street="Ring 1", city="Wien", country="AT"),
    )
    got: asyncio.Queue[Any] = asyncio.Queue()

    async def handle(received: Any) -> None:
        if received.event.parcel_id == event.parcel_id:
            await got.put(received)

    async with tap_cm as tap, sdk.Client(config) as client:
        sub = await client.receive_parcel_shipped(handle, group=f"g-{RUN}")
        await sub.wait_ready()
        sent = await client.send_parcel_shipped(event)
        received = await asyncio.wait_for(got.get(), 30)
        wire: Wire = await tap.find(sent.id)
    assert received.event == event
    assert sent.datacontenttype == "application/protobuf"
    assert sent.dataschema == "commerce.v1.ParcelShipped"
    assert set(wire.headers) == expected_headers(protocol, (), dataschema=True)
    pb_module = importlib.import_module("shipping_event_bus._pb.commerce_v1_shipping_pb2")
    decoded = pb_module.ParcelShipped.FromString(sent.data)
    assert decoded.parcel_id == event.parcel_id and decoded.destination.city == "Wien"
