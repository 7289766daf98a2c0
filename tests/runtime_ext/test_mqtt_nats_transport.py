"""MQTT- and NATS-specific behaviour: wire format, 3.1.1 fallback, retain, shared/queue groups."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiomqtt
import pytest
from runtime.events import USER_CREATED, user
from runtime.suite import Collector, eventually

from eventapi.runtime.cloudevent import CloudEvent
from eventapi.runtime.errors import TransportError
from eventapi.runtime.transports.base import Received
from eventapi.runtime.transports.mqtt import MqttConfig, MqttSendOptions, MqttTransport
from eventapi.runtime.transports.nats import NatsConfig, NatsTransport

from .backends import MqttBackend, NatsBackend

QUOTED = 'a "quoted" 100% café'


def _event(**extensions: Any) -> CloudEvent:
    return CloudEvent.create(
        type="acme.raw.v1",
        source="/tests/wire",
        data=b'{"x":1}',
        datacontenttype="application/json",
        extensions=extensions,
    )


@pytest.fixture
async def mqtt_backend(mosquitto: tuple[str, int]) -> AsyncIterator[MqttBackend]:
    backend = MqttBackend(*mosquitto)
    yield backend
    await backend.close()


@pytest.fixture
async def nats_backend(nats_server: tuple[str, int]) -> AsyncIterator[NatsBackend]:
    backend = NatsBackend(f"nats://{nats_server[0]}:{nats_server[1]}")
    await backend.connect()
    yield backend
    await backend.close()


async def _raw_mqtt(
    host: str, port: int, topic: str, version: int
) -> tuple[Any, asyncio.Task[Any]]:
    protocol = aiomqtt.ProtocolVersion.V5 if version == 5 else aiomqtt.ProtocolVersion.V311
    client = aiomqtt.Client(host, port, protocol=protocol)
    await client.__aenter__()
    await client.subscribe(topic, qos=1)

    async def first() -> Any:
        async for message in client.messages:
            return message

    return client, asyncio.create_task(first())


async def test_mqtt5_binary_mode_on_the_wire(mqtt_backend: MqttBackend) -> None:
    channel = await mqtt_backend.channel()
    client, first = await _raw_mqtt(mqtt_backend.host, mqtt_backend.port, channel, 5)
    try:
        async with mqtt_backend.make(source="/tests/wire") as transport:
            await transport.send(_event(note=QUOTED), channel)
        message = await asyncio.wait_for(first, 10)
    finally:
        await client.__aexit__(None, None, None)
    props = dict(message.properties.UserProperty)
    assert message.properties.ContentType == "application/json"
    assert props["specversion"] == "1.0" and props["type"] == "acme.raw.v1"
    assert props["note"] == QUOTED and "datacontenttype" not in props
    assert message.payload == b'{"x":1}' and message.qos == 1


async def test_mqtt311_falls_back_to_structured_mode(mosquitto: tuple[str, int]) -> None:
    backend = MqttBackend(*mosquitto, version=3)
    channel = await backend.channel()
    client, first = await _raw_mqtt(backend.host, backend.port, channel, 3)
    got = Collector()
    try:
        async with backend.make(source="/tests/wire") as transport:
            sub = await transport.subscribe(channel, got, group="v3", schema=USER_CREATED)
            await sub.wait_ready()
            await transport.send_event(user(3), USER_CREATED, channel)
            await got.wait_for(1)
        message = await asyncio.wait_for(first, 10)
    finally:
        await client.__aexit__(None, None, None)
        await backend.close()
    body = json.loads(message.payload)
    assert body["specversion"] == "1.0" and body["type"] == "acme.user.created.v1"
    assert body["data"]["seq"] == "3"
    assert got.items[0].event == user(3)


async def test_mqtt_retained_event_reaches_a_late_subscriber(mqtt_backend: MqttBackend) -> None:
    channel = await mqtt_backend.channel()
    got = Collector()
    async with mqtt_backend.make() as transport:
        await transport.send_event(
            user(5), USER_CREATED, channel, MqttSendOptions(qos=1, retain=True)
        )
        sub = await transport.subscribe(channel, got, schema=USER_CREATED)
        await sub.wait_ready()
        await got.wait_for(1)
        assert got.items[0].retain and got.items[0].qos == 1
        # Clear the retained message so the broker does not keep it.
        await transport.publish_message(channel, b"", qos=1, retain=True, properties=None)


async def test_mqtt_shared_subscription_splits_a_group(mqtt_backend: MqttBackend) -> None:
    channel = await mqtt_backend.channel()
    first, second = Collector(), Collector()
    async with mqtt_backend.make() as one, mqtt_backend.make() as two:
        for transport, got in ((one, first), (two, second)):
            sub = await transport.subscribe(channel, got, group="split", schema=USER_CREATED)
            await sub.wait_ready()
        for i in range(20):
            await one.send_event(user(i), USER_CREATED, channel)
        await eventually(lambda: len(first.items) + len(second.items) >= 20, 15)
    seqs = [r.event.seq for r in first.items + second.items]
    assert sorted(seqs) == list(range(20))  # each event once across the group
    assert first.items and second.items  # and both members got some


def test_mqtt_rejects_unknown_protocol_versions() -> None:
    with pytest.raises(TransportError, match="MQTT version"):
        MqttTransport(MqttConfig(version=4))


async def test_nats_headers_are_percent_encoded(nats_backend: NatsBackend) -> None:
    channel = await nats_backend.channel()
    received: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    async def on_message(msg: Any) -> None:
        if not received.done():
            received.set_result(msg)

    sub = await nats_backend.nc.subscribe(channel, cb=on_message)
    async with nats_backend.make(source="/tests/wire") as transport:
        await transport.send(_event(note=QUOTED), channel)
        msg = await asyncio.wait_for(received, 10)
    await sub.unsubscribe()
    assert msg.headers["ce-note"] == "a%20%22quoted%22%20100%25%20caf%C3%A9"
    assert msg.headers["ce-datacontenttype"] == "application/json"
    assert msg.headers["ce-specversion"] == "1.0"


async def test_nats_core_queue_group_splits_and_retries_in_place(
    nats_server: tuple[str, int],
) -> None:
    url = f"nats://{nats_server[0]}:{nats_server[1]}"
    config = NatsConfig(servers=(url,), jetstream=False, max_attempts=3)
    subject = "eventapi.core.queue"
    attempts: list[tuple[int, int]] = []
    first, second = Collector(), Collector()

    def flaky(got: Collector) -> Any:
        async def handler(received: Received[Any]) -> None:
            attempts.append((received.event.seq, received.attempt))
            if received.event.seq == 7 and received.attempt == 1:
                raise RuntimeError("once")
            await got(received)

        return handler

    async with NatsTransport(config) as one, NatsTransport(config) as two:
        for transport, got in ((one, first), (two, second)):
            sub = await transport.subscribe(subject, flaky(got), group="q", schema=USER_CREATED)
            await sub.wait_ready()
        for i in range(20):
            await one.send_event(user(i), USER_CREATED, subject)
        await eventually(lambda: len(first.items) + len(second.items) >= 20, 10)
    assert sorted(r.event.seq for r in first.items + second.items) == list(range(20))
    assert first.items and second.items
    assert (7, 2) in attempts  # retried in place: core NATS has no redelivery


async def test_nats_max_deliveries_advisory_dead_letters(nats_backend: NatsBackend) -> None:
    """A consumer that never settles (stuck or dying) still ends in the dead-letter subject."""
    channel = await nats_backend.channel()
    stuck = asyncio.Event()

    async def never(received: Received[Any]) -> None:
        await stuck.wait()

    transport = nats_backend.make(max_attempts=1, ack_wait=0.5, drain_timeout=0.2)
    async with transport:
        sub = await transport.subscribe(channel, never, group="stuck", schema=USER_CREATED)
        await sub.wait_ready()
        await transport.send_event(user(42), USER_CREATED, channel)

        async def dead() -> bool:
            return len(await nats_backend.dead_letters(channel, "stuck")) == 1

        deadline = asyncio.get_running_loop().time() + 15
        while not await dead():
            assert asyncio.get_running_loop().time() < deadline, "no dead letter"
            await asyncio.sleep(0.2)
    [body] = await nats_backend.dead_letters(channel, "stuck")
    assert b'"seq":"42"' in body
