"""Fault tests on real brokers: 10,000 events with failing handlers, poison messages, killed
consumers and (RabbitMQ) connections closed under load. Nothing may be lost; duplicates are counted
and only allowed where at-least-once allows them (a crash or a lost connection)."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import aio_pika
import confluent_kafka as ck

from eventapi.runtime.transports.amqp import AmqpConfig, AmqpTransport
from eventapi.runtime.transports.base import Backoff, DeliveryFailure, Received, Transport
from eventapi.runtime.transports.kafka import KafkaConfig, KafkaTransport

from .conftest import KAFKA_CONSUMER
from .events import USER_CREATED, user
from .suite import eventually, eventually_async
from .test_contract_kafka import read_topic

N = 10_000
POISON = 20
HERE = Path(__file__).parent


def fails_first(seq: int) -> bool:
    """About 5% of events fail on their first attempt (deterministic per event)."""
    return random.Random(seq).random() < 0.05


class Tally:
    def __init__(self, *, fail: bool = True) -> None:
        self.handled: Counter[int] = Counter()
        self.failed: set[int] = set()
        self.fail = fail

    async def __call__(self, received: Received[Any]) -> None:
        seq = received.event.seq
        if self.fail and received.attempt == 1 and fails_first(seq):
            self.failed.add(seq)
            raise RuntimeError(f"planned failure of {seq}")
        self.handled[seq] += 1

    @property
    def duplicates(self) -> int:
        return sum(self.handled.values()) - len(self.handled)


async def send_all(transport: Transport, channel: str, seqs: range, chunk: int = 1000) -> None:
    for start in range(seqs.start, seqs.stop, chunk):
        batch = range(start, min(start + chunk, seqs.stop))
        await asyncio.gather(*(transport.send_event(user(s), USER_CREATED, channel) for s in batch))


def expect_about_5_percent(tally: Tally) -> None:
    expected = sum(fails_first(s) for s in range(N))
    assert len(tally.failed) == expected
    assert 350 < expected < 650


# -- Kafka -------------------------------------------------------------------------------------
def kafka(bootstrap: str, **config: Any) -> KafkaTransport:
    return KafkaTransport(
        KafkaConfig(bootstrap_servers=bootstrap, consumer=KAFKA_CONSUMER, **config)
    )


async def test_kafka_10k_failing_handlers_and_poison(kafka_bootstrap: str) -> None:
    topic = f"fault.{uuid.uuid4().hex[:8]}"
    producer = kafka(kafka_bootstrap)
    await producer.create_topics([topic], partitions=4)
    tally = Tally()
    failures: list[DeliveryFailure] = []
    consumer = kafka(
        kafka_bootstrap, retry_backoff=Backoff(0.001, 0.01), error_hook=failures.append
    )
    async with producer, consumer:
        sub = await consumer.subscribe(topic, tally, group="fault", schema=USER_CREATED)
        await sub.wait_ready()
        await send_all(producer, topic, range(N // 2))
        raw = ck.Producer({"bootstrap.servers": kafka_bootstrap})
        for i in range(POISON):
            raw.produce(topic, value=b"\xff poison %d" % i, headers=[("ce_specversion", b"1.0")])
        raw.flush(10)
        await send_all(producer, topic, range(N // 2, N))
        await eventually(lambda: len(tally.handled) == N, timeout=120)
    dead = await asyncio.to_thread(read_topic, kafka_bootstrap, topic + ".dlq")
    assert sorted(dead) == sorted(b"\xff poison %d" % i for i in range(POISON))
    assert set(tally.handled) == set(range(N))
    expect_about_5_percent(tally)
    assert tally.duplicates == 0  # no crash: in-place retries never redeliver a handled record
    assert Counter(f.stage for f in failures) == {"handler": len(tally.failed), "decode": POISON}
    print(f"\nkafka: {N} handled, {len(tally.failed)} retried, {POISON} dead-lettered, 0 dup")


def spawn_consumer(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, str(HERE / "consumer_proc.py"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )


async def kill_after(proc: subprocess.Popen[str], count: int) -> set[int]:
    """Read handled seqs until ``count`` arrived, then SIGKILL the process (no clean shutdown)."""

    def read() -> set[int]:
        assert proc.stdout is not None
        seen: set[int] = set()
        for line in proc.stdout:
            if line.strip().isdigit():
                seen.add(int(line))
                if len(seen) >= count:
                    break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # Handlers kept running until the kill landed: what they printed (each prints before its
        # ack) is still in the pipe, and without it an acked event would look lost.
        seen.update(int(line) for line in proc.stdout if line.strip().isdigit())
        return seen

    return await asyncio.wait_for(asyncio.to_thread(read), 120)


async def test_kafka_consumer_killed_mid_stream_resumes_from_commit(kafka_bootstrap: str) -> None:
    topic = f"kill.{uuid.uuid4().hex[:8]}"
    producer = kafka(kafka_bootstrap)
    await producer.create_topics([topic], partitions=4)
    async with producer:
        await send_all(producer, topic, range(N))
    proc = spawn_consumer("kafka", kafka_bootstrap, topic, "killed")
    first = await kill_after(proc, 3000)
    tally = Tally(fail=False)
    async with kafka(kafka_bootstrap) as consumer:
        await consumer.subscribe(topic, tally, group="killed", schema=USER_CREATED)
        await eventually(lambda: first | set(tally.handled) == set(range(N)), timeout=240)
        await asyncio.sleep(0.5)
    replayed = first & set(tally.handled)
    assert first | set(tally.handled) == set(range(N))
    # Resumed from the last commit, not from the start: most of the first run is not replayed.
    assert len(tally.handled) < N
    assert len(replayed) < len(first)
    print(f"\nkafka kill: {len(first)} before kill, {len(replayed)} replayed after restart")


# -- RabbitMQ ----------------------------------------------------------------------------------
def amqp(url: str, exchange: str, **config: Any) -> AmqpTransport:
    return AmqpTransport(
        AmqpConfig(
            url=url,
            exchange=exchange,
            connection_name="test",
            prefetch=200,
            queue_expires_ms=600_000,
            **config,
        )
    )


async def close_all_connections() -> None:
    proc = await asyncio.create_subprocess_exec(
        "rabbitmqctl",
        "close_all_connections",
        "test",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await proc.communicate()
    assert proc.returncode == 0, f"rabbitmqctl failed: {err.decode()}"


async def dlq_count(url: str, queue: str) -> int:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return int(declared.declaration_result.message_count or 0)


async def test_amqp_10k_failing_handlers_poison_and_connection_loss(rabbitmq_url: str) -> None:
    exchange = channel = f"fault.{uuid.uuid4().hex[:8]}"
    tally = Tally()
    producer = amqp(rabbitmq_url, exchange)
    consumer = amqp(rabbitmq_url, exchange, retry_backoff=Backoff(0.001, 0.01))
    async with producer, consumer:
        sub = await consumer.subscribe(channel, tally, group="fault", schema=USER_CREATED)
        await sub.wait_ready()
        sending = asyncio.create_task(send_all(producer, channel, range(N), chunk=500))
        await eventually(lambda: len(tally.handled) > 2000, timeout=60)
        await close_all_connections()  # under load: both connections drop mid-stream
        await sending  # every send returned: each one was confirmed by RabbitMQ
        connection = await aio_pika.connect(rabbitmq_url)
        async with connection:
            ch = await connection.channel()
            ex = await ch.declare_exchange(exchange, "topic", durable=True)
            for i in range(POISON):
                await ex.publish(aio_pika.Message(b"poison %d" % i), routing_key=channel)
        await eventually(lambda: len(tally.handled) == N, timeout=120)
        await eventually_async(
            lambda: _equals(dlq_count(rabbitmq_url, f"{channel}.fault.dlq"), POISON), 30
        )
    assert producer.reconnects >= 1 and consumer.reconnects >= 1
    assert set(tally.handled) == set(range(N))
    expect_about_5_percent(tally)
    print(
        f"\namqp: {N} handled, {len(tally.failed)} retried, {POISON} dead-lettered, "
        f"{tally.duplicates} duplicates after the connection drop"
    )
    assert tally.duplicates <= 2 * 200  # at most what was in flight (prefetch) when it dropped


async def test_amqp_consumer_killed_mid_stream_loses_nothing(rabbitmq_url: str) -> None:
    exchange = channel = f"kill.{uuid.uuid4().hex[:8]}"
    # Declare the group's queue first so nothing sent before the consumer starts is lost.
    async with amqp(rabbitmq_url, exchange) as setup:
        sub = await setup.subscribe(channel, Tally(fail=False), group="killed", schema=USER_CREATED)
        await sub.stop()
        await send_all(setup, channel, range(N))
    proc = spawn_consumer("amqp", rabbitmq_url, exchange, channel, "killed")
    first = await kill_after(proc, 3000)
    tally = Tally(fail=False)
    async with amqp(rabbitmq_url, exchange) as consumer:
        await consumer.subscribe(channel, tally, group="killed", schema=USER_CREATED)
        await eventually(lambda: first | set(tally.handled) == set(range(N)), timeout=240)
    replayed = first & set(tally.handled)
    assert len(tally.handled) < N
    print(f"\namqp kill: {len(first)} before kill, {len(replayed)} redelivered after restart")


async def _equals(pending: Any, expected: int) -> bool:
    return bool(await pending == expected)
