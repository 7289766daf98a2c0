"""Runtime vs raw client throughput for RocketMQ (test proxy), MQTT (Mosquitto) and NATS JetStream.

Both sides do the same work per event: send a CloudEvent in binary mode with the broker's delivery
guarantee awaited (RocketMQ send receipt, MQTT QoS 1 PUBACK, JetStream PubAck), in waves of
``WAVE`` concurrent sends; receive every event with the same consumer type and acknowledge it
(RocketMQ ack, MQTT manual PUBACK, JetStream ack), timed from the first to the last event (MQTT:
send and receive together, from the first send). The runtime adds what it always does: binding,
decoding, middleware chain, dispatch. Run: ``python -m bench.runtime_ext [events] [rounds]``;
each side keeps its best of ``rounds`` runs.
"""

# Each side's closures are awaited within their own loop iteration, so late binding is harmless.
# ruff: noqa: B023

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.timing import Clock

WAVE = 50
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Row:
    broker: str
    op: str
    raw: float  # events per second
    runtime: float

    @property
    def ratio(self) -> float:
        return self.runtime / self.raw if self.raw else 0.0


def _event(i: int) -> Any:
    from eventapi.runtime.cloudevent import CloudEvent

    return CloudEvent.create(
        type="bench.v1",
        source="/bench",
        data=b'{"seq":"%d"}' % i,
        datacontenttype="application/json",
    )


async def _timed(n: int, send: Callable[[int], Awaitable[None]]) -> float:
    start = time.perf_counter()
    for base in range(0, n, WAVE):
        await asyncio.gather(*(send(i) for i in range(base, min(base + WAVE, n))))
    return n / (time.perf_counter() - start)


async def _received(clock: Clock, timeout: float = 120) -> float:
    await clock.wait(timeout)
    return clock.rate()


async def _sent_and_received(clock: Clock, start: float, timeout: float = 120) -> float:
    """Events per second from ``start`` (the first send) until the last arrived."""
    await clock.wait(timeout)
    return clock.expected / (time.perf_counter() - start)


# --- NATS JetStream -------------------------------------------------------------------------
async def bench_nats(n: int, url: str = "nats://127.0.0.1:4222") -> list[Row]:
    import nats

    from eventapi.runtime.bindings import nats as binding
    from eventapi.runtime.transports.nats import NatsConfig, NatsTransport

    nc = await nats.connect(url)
    js = nc.jetstream()
    rows: dict[str, list[float]] = {"send": [], "receive": []}
    for side in ("raw", "runtime"):
        subject = f"bench.{side}.{uuid.uuid4().hex[:8]}"
        await js.add_stream(name=subject.replace(".", "_").upper(), subjects=[subject])
        if side == "raw":

            async def send(i: int, subject: str = subject) -> None:
                value = binding.to_binary(_event(i))
                await js.publish(subject, value.data, headers=dict(value.headers))

            rows["send"].append(await _timed(n, send))
            sub = await js.pull_subscribe(subject, durable="raw")
            tally = Clock(n)
            while tally.count < n:
                for msg in await sub.fetch(64, timeout=5):
                    binding.from_message(msg.data, msg.headers)
                    await msg.ack()
                    tally.tick()
            rows["receive"].append(tally.rate())
        else:
            async with NatsTransport(NatsConfig(servers=(url,))) as transport:
                rows["send"].append(
                    await _timed(n, lambda i, s=subject: transport.send(_event(i), s))
                )
                tally = Clock(n)

                async def handler(received: Any) -> None:
                    tally.tick()

                await transport.subscribe(subject, handler, group="runtime")
                rows["receive"].append(await _received(tally))
        await js.delete_stream(subject.replace(".", "_").upper())
    await nc.close()
    return [Row("nats", op, raw, rt) for op, (raw, rt) in rows.items()]


# --- MQTT -----------------------------------------------------------------------------------
async def bench_mqtt(n: int, host: str = "127.0.0.1", port: int = 1883) -> list[Row]:
    import aiomqtt
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    from eventapi.runtime.bindings import mqtt as binding
    from eventapi.runtime.transports.mqtt import MqttConfig, MqttTransport

    # Send and receive run together (Mosquitto drops QoS 1 beyond 1000 queued per session);
    # the figure is end-to-end events per second with both ends acknowledging.
    results: dict[str, float] = {}
    for side in ("raw", "runtime"):
        topic = f"bench/{side}/{uuid.uuid4().hex[:8]}"
        clock = Clock(n)
        v5 = aiomqtt.ProtocolVersion.V5
        if side == "raw":
            consumer = aiomqtt.Client(host, port, protocol=v5, identifier=f"raw-{topic}")
            consumer._client.manual_ack_set(True)
            producer = aiomqtt.Client(host, port, protocol=v5)
            producer.pending_calls_threshold = 10_000
            async with consumer, producer:
                await consumer.subscribe(topic, qos=1)

                async def read() -> None:
                    async for message in consumer.messages:
                        props = message.properties
                        binding.from_message(
                            bytes(message.payload), props.ContentType, props.UserProperty
                        )
                        consumer._client.ack(message.mid, message.qos)
                        clock.tick()

                reader = asyncio.create_task(read())

                async def send(i: int) -> None:
                    value = binding.to_binary(_event(i))
                    props = Properties(PacketTypes.PUBLISH)
                    props.ContentType = value.content_type
                    props.UserProperty = list(value.user_properties)
                    await producer.publish(topic, value.payload, qos=1, properties=props)

                start = time.perf_counter()
                results["raw_send"] = await _timed(n, send)
                results["raw"] = await _sent_and_received(clock, start)
                reader.cancel()
        else:
            async with MqttTransport(MqttConfig(host=host, port=port)) as transport:

                async def handler(received: Any) -> None:
                    clock.tick()

                sub = await transport.subscribe(topic, handler)
                await sub.wait_ready()
                start = time.perf_counter()
                results["runtime_send"] = await _timed(
                    n, lambda i, t=topic: transport.send(_event(i), t)
                )
                results["runtime"] = await _sent_and_received(clock, start)
    return [
        Row("mqtt", "send", results["raw_send"], results["runtime_send"]),
        Row("mqtt", "send+receive", results["raw"], results["runtime"]),
    ]


# --- RocketMQ (through the RocketMQ 5 test proxy) -------------------------------------------
async def bench_rocketmq(n: int) -> list[Row]:
    os.environ.setdefault("HOME", tempfile.mkdtemp())
    sys.path.insert(0, str(ROOT / "tests" / "runtime_ext"))
    import rocketmq as rmq
    from rocketmq_proxy import RocketMQTestProxy  # the protocol test double

    from eventapi.runtime.bindings import rocketmq as binding
    from eventapi.runtime.transports.rocketmq import RocketMQConfig, RocketMQTransport, _message

    proxy = RocketMQTestProxy().start()
    rows: dict[str, list[float]] = {"send": [], "receive": []}
    try:
        config = rmq.ClientConfiguration(proxy.endpoint, rmq.Credentials())
        for side in ("raw", "runtime"):
            topic = f"bench_{side}"
            if side == "raw":
                producer = rmq.Producer(config)
                await asyncio.to_thread(producer.startup)

                async def send(i: int) -> None:
                    message = _message(topic, binding.to_binary(_event(i)))
                    await asyncio.wrap_future(producer.send_async(message))

                rows["send"].append(await _timed(n, send))
                await asyncio.to_thread(producer.shutdown)
                consumer = rmq.SimpleConsumer(
                    config, "raw", {topic: rmq.FilterExpression()}, await_duration=1
                )
                await asyncio.to_thread(consumer.startup)
                tally = Clock(n)
                while tally.count < n:
                    batch = await asyncio.wrap_future(consumer.receive_async(32, 30))

                    async def ack(message: Any) -> None:
                        binding.from_message(message.body, dict(message.properties))
                        await asyncio.to_thread(consumer.ack, message)
                        tally.tick()

                    await asyncio.gather(*(ack(m) for m in batch))
                rows["receive"].append(tally.rate())
                await asyncio.to_thread(consumer.shutdown)
            else:
                transport = RocketMQTransport(RocketMQConfig(endpoints=proxy.endpoint))
                async with transport:
                    rows["send"].append(
                        await _timed(n, lambda i, t=topic: transport.send(_event(i), t))
                    )
                    tally = Clock(n)

                    async def handler(received: Any) -> None:
                        tally.tick()

                    await transport.subscribe(topic, handler, group="runtime")
                    rows["receive"].append(await _received(tally))
    finally:
        proxy.stop()
    return [Row("rocketmq", op, raw, rt) for op, (raw, rt) in rows.items()]


async def run_all(n: int = 5000, rounds: int = 3) -> list[Row]:
    """Each broker's bench ``rounds`` times; every side keeps its best figure (2 shared cores:
    single runs swing by ±30 %)."""
    rows = []
    for bench in (bench_rocketmq, bench_mqtt, bench_nats):
        runs = [await bench(n) for _ in range(rounds)]
        for same in zip(*runs, strict=True):
            first = same[0]
            raw, runtime = max(r.raw for r in same), max(r.runtime for r in same)
            rows.append(Row(first.broker, first.op, raw, runtime))
    return rows


def format_rows(rows: list[Row]) -> str:
    lines = [f"{'broker':<10}{'operation':<14}{'raw ev/s':>10}{'runtime ev/s':>14}{'ratio':>8}"]
    for row in rows:
        lines.append(
            f"{row.broker:<10}{row.op:<14}{row.raw:>10.0f}{row.runtime:>14.0f}{row.ratio:>8.2f}"
        )
    return "\n".join(lines)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(f"{n} events per run, best of {rounds} runs per side, {os.cpu_count()} cores")
    print(format_rows(asyncio.run(run_all(n, rounds))))


if __name__ == "__main__":
    main()
