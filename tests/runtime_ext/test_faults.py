"""Fault tests on RocketMQ, MQTT and NATS: failing handlers at volume, restarts, dropped links.

Each test counts every handled event by sequence number: nothing may be missing, and duplicates
(which at-least-once allows after a restart or a lost connection) are counted and reported.
Server-side connection drops go through a TCP proxy the test controls (MQTT, NATS) or restart the
RocketMQ test proxy, so the shared services stay untouched.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from runtime.events import USER_CREATED, user
from runtime.suite import eventually

from eventapi.runtime.transports.base import DeliveryFailure, Received, Transport

from .backends import RUN, MqttBackend, NatsBackend, RocketMQBackend
from .conftest import MOSQUITTO, NATS, require_service
from .rocketmq_proxy import RocketMQTestProxy
from .tcp_proxy import TcpProxy

# Mosquitto queues at most max_queued_messages (1000) per session; stay well below it.
MQTT_WINDOW = 400


@dataclass
class Env:
    """One broker under test: how to make transports and how to break the connection."""

    name: str
    backend: Any
    drop: Callable[[], Awaitable[None]]
    #: True once clients came back after the last drop (checked after a drop test).
    reconnected: Callable[[], bool] = lambda: True
    window: int | None = None
    overrides: dict[str, Any] = field(default_factory=dict)

    def make(self, **config: Any) -> Transport:
        return self.backend.make(**{**self.overrides, **config})  # type: ignore[no-any-return]


@pytest.fixture(params=["rocketmq", "mqtt", "nats"])
async def env(request: pytest.FixtureRequest) -> AsyncIterator[Env]:
    name = request.param
    if name == "rocketmq":
        proxy = RocketMQTestProxy().start()

        async def restart() -> None:
            await asyncio.to_thread(proxy.restart, 0.5)

        # Short invisibility so acks lost with the connection come back quickly.
        yield Env(name, RocketMQBackend(proxy), restart, overrides={"invisible_duration": 3})
        proxy.stop()
        return
    address = MOSQUITTO if name == "mqtt" else NATS
    require_service(address, "Mosquitto" if name == "mqtt" else "NATS")
    tcp = await TcpProxy(*address).start()

    async def cut() -> None:
        await tcp.cut(down_for=0.3)

    def reconnected() -> bool:
        return tcp.cuts == 2 and tcp.accepted > tcp.accepted_before_cut

    if name == "mqtt":
        mqtt = MqttBackend(tcp.host, tcp.port)
        overrides = {"timeout": 2.0, "concurrency": 8}
        yield Env(name, mqtt, cut, reconnected, window=MQTT_WINDOW, overrides=overrides)
        await mqtt.close()
    else:
        nats_backend = NatsBackend(f"nats://{tcp.host}:{tcp.port}")
        await nats_backend.connect()
        yield Env(name, nats_backend, cut, reconnected, overrides={"ack_wait": 3.0})
        await nats_backend.close()
    await tcp.close()


class Tally:
    """Handler that records handled sequence numbers and fails a chosen set of first attempts."""

    def __init__(self, fail_first: set[int] | None = None) -> None:
        self.handled: Counter[int] = Counter()
        self.fail_first = fail_first or set()
        self.failed: Counter[int] = Counter()

    async def __call__(self, received: Received[Any]) -> None:
        seq = received.event.seq
        if received.attempt == 1 and seq in self.fail_first:
            self.failed[seq] += 1
            raise RuntimeError(f"planned failure of {seq}")
        self.handled[seq] += 1

    @property
    def duplicates(self) -> int:
        return sum(self.handled.values()) - len(self.handled)


async def produce(env: Env, producer: Transport, channel: str, count: int, tally: Tally) -> None:
    """Send ``count`` events, 50 at a time; with a window, never get further ahead than that."""
    seq = 0
    while seq < count:
        if env.window is not None:
            await eventually(lambda s=seq: s - len(tally.handled) < env.window, 120)  # type: ignore[misc]
        batch = range(seq, min(seq + 50, count))
        await asyncio.gather(*(producer.send_event(user(i), USER_CREATED, channel) for i in batch))
        seq = batch[-1] + 1


async def test_ten_thousand_events_with_five_percent_failing_first_attempts(env: Env) -> None:
    total = 10_000
    fail_first = set(random.Random(5).sample(range(total), total // 20))
    tally = Tally(fail_first)
    failures: list[DeliveryFailure] = []
    channel = await env.backend.channel()
    async with env.make() as producer, env.make(error_hook=failures.append) as consumer:
        sub = await consumer.subscribe(channel, tally, group="bulk", schema=USER_CREATED)
        await sub.wait_ready()
        await produce(env, producer, channel, total, tally)
        await eventually(lambda: len(tally.handled) == total, 180)
    assert set(tally.handled) == set(range(total)), "events lost"
    assert set(tally.failed) == fail_first
    assert [f.outcome for f in failures] == ["retry"] * len(fail_first)
    assert await env.backend.dead_letters(channel, "bulk") == []
    print(f"{env.name}: {total} events, {len(fail_first)} retried, {tally.duplicates} duplicates")


async def test_consumer_restarted_mid_stream_resumes_without_loss(env: Env) -> None:
    total = 2_000
    tally = Tally()
    channel = await env.backend.channel()
    # A stable client id lets the MQTT session (and what it queued) outlive the first consumer.
    consumer_config = {"client_id": f"restart-{RUN}-{env.name}"} if env.name == "mqtt" else {}
    async with env.make() as producer:
        first = env.make(**consumer_config)
        await first.start()
        sub = await first.subscribe(channel, tally, group="restart", schema=USER_CREATED)
        await sub.wait_ready()
        sending = asyncio.create_task(produce(env, producer, channel, total, tally))
        await eventually(lambda: len(tally.handled) >= 700, 60)
        await first.close()  # mid-stream: the producer keeps going
        stopped_at = len(tally.handled)
        async with env.make(**consumer_config) as second:
            sub = await second.subscribe(channel, tally, group="restart", schema=USER_CREATED)
            await sub.wait_ready()
            await sending
            await eventually(lambda: len(tally.handled) == total, 120)
    assert stopped_at < total
    assert set(tally.handled) == set(range(total)), "events lost across the restart"
    print(f"{env.name}: restarted after {stopped_at}, {tally.duplicates} duplicates")


async def test_server_side_connection_drops_lose_nothing(env: Env) -> None:
    total = 2_000
    tally = Tally()
    channel = await env.backend.channel()
    consumer_config = {"client_id": f"drop-{RUN}-{env.name}"} if env.name == "mqtt" else {}
    async with env.make() as producer, env.make(**consumer_config) as consumer:
        sub = await consumer.subscribe(channel, tally, group="drop", schema=USER_CREATED)
        await sub.wait_ready()
        sending = asyncio.create_task(produce(env, producer, channel, total, tally))
        for threshold in (500, 1200):
            await eventually(lambda t=threshold: len(tally.handled) >= t, 120)  # type: ignore[misc]
            await env.drop()
        await sending
        await eventually(lambda: len(tally.handled) == total, 120)
    assert set(tally.handled) == set(range(total)), "events lost across connection drops"
    assert env.reconnected(), "the clients did not reconnect through the proxy"
    print(f"{env.name}: 2 drops, {tally.duplicates} duplicates")
