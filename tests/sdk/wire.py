"""Raw readers for the e2e tests: what a generated client put on the wire, read with each
protocol's own client library (never through our runtime), as header names plus details."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Wire:
    """One message as the broker holds it: header (or property) names and protocol details."""

    headers: dict[str, str]
    details: dict[str, Any] = field(default_factory=dict)


class Tap:
    """Captures raw messages of one channel; `find(event_id)` waits for the one with that id."""

    def __init__(self, id_of: Any) -> None:
        self.seen: list[Wire] = []
        self._id_of = id_of

    async def find(self, event_id: str, timeout: float = 20.0) -> Wire:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for w in self.seen:
                if self._id_of(w) == event_id:
                    return w
            await asyncio.sleep(0.05)
        raise AssertionError(f"no raw message with id {event_id} within {timeout}s")


@asynccontextmanager
async def kafka_tap(bootstrap: str, topic: str) -> AsyncIterator[Tap]:
    """A separate consumer group reading the topic from the start."""
    import confluent_kafka as ck

    tap = Tap(lambda w: w.headers.get("ce_id"))
    consumer = ck.Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"tap-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "session.timeout.ms": 2000,
            "heartbeat.interval.ms": 300,
        }
    )
    consumer.subscribe([topic])
    stop = False

    def poll() -> None:
        while not stop:
            msg = consumer.poll(0.1)
            if msg is None or msg.error():
                continue
            headers = {k: (v or b"").decode() for k, v in msg.headers() or []}
            tap.seen.append(Wire(headers, {"key": msg.key(), "partition": msg.partition()}))

    task = asyncio.get_running_loop().run_in_executor(None, poll)
    try:
        yield tap
    finally:
        stop = True
        await task
        consumer.close()


@asynccontextmanager
async def amqp_tap(url: str, exchange: str, routing_key: str) -> AsyncIterator[Tap]:
    """A private queue bound like the generated receiver's."""
    import aio_pika

    tap = Tap(lambda w: w.headers.get("ce-id"))
    connection = await aio_pika.connect(url)
    channel = await connection.channel()
    ex = await channel.declare_exchange(exchange, "topic", durable=True)
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(ex, routing_key)

    async def on_message(message: Any) -> None:
        headers = {k: str(v) for k, v in (message.headers or {}).items()}
        details = {"content_type": message.content_type, "routing_key": message.routing_key}
        tap.seen.append(Wire(headers, details))
        await message.ack()

    await queue.consume(on_message)
    try:
        yield tap
    finally:
        await connection.close()


@asynccontextmanager
async def mqtt_tap(host: str, port: int, topic: str) -> AsyncIterator[Tap]:
    import aiomqtt

    tap = Tap(lambda w: w.headers.get("id"))
    client = aiomqtt.Client(host, port, protocol=aiomqtt.ProtocolVersion.V5)
    async with client:
        await client.subscribe(topic, qos=1)

        async def read() -> None:
            async for message in client.messages:
                props = message.properties
                pairs = getattr(props, "UserProperty", []) or []
                details = {
                    "content_type": getattr(props, "ContentType", None),
                    "qos": message.qos,
                    "retain": message.retain,
                }
                tap.seen.append(Wire(dict(pairs), details))

        task = asyncio.create_task(read())
        try:
            yield tap
        finally:
            task.cancel()


@asynccontextmanager
async def nats_tap(server: str, subject: str) -> AsyncIterator[Tap]:
    import nats

    tap = Tap(lambda w: w.headers.get("ce-id"))
    nc = await nats.connect(server)

    async def on_message(msg: Any) -> None:
        tap.seen.append(Wire(dict(msg.headers or {})))

    await nc.subscribe(subject, cb=on_message)
    try:
        yield tap
    finally:
        await nc.close()


async def rocketmq_find(proxy: Any, topic: str, event_id: str, timeout: float = 20.0) -> Wire:
    """The stored message with that id, read from the test proxy's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for m in await asyncio.to_thread(proxy.messages, topic):
            if m.user_properties.get("CE_id") == event_id:
                details = {"tag": m.tag, "keys": list(m.keys), "group": m.message_group}
                return Wire(dict(m.user_properties), details)
        await asyncio.sleep(0.05)
    raise AssertionError(f"no stored RocketMQ message with id {event_id}")
