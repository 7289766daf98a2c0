"""Broker-agnostic transport tests: subclass :class:`TransportContract` and provide a ``backend``.

A backend (see :class:`Backend`) makes unstarted transports with common config overrides, creates
fresh channels, injects raw (poison) messages and reads the dead-letter path. The same tests run on
the in-memory transport and on every real broker (``test_contract_<broker>.py``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol

import pytest

from eventapi.runtime.cloudevent import CloudEvent
from eventapi.runtime.middleware import LoggingMiddleware
from eventapi.runtime.transports.base import (
    DeliveryFailure,
    Failure,
    Received,
    SendContext,
    SendNext,
    Transport,
)

from .events import USER_CREATED, user

SOURCE = "/tests/contract"


class Backend(Protocol):
    name: str

    def make(self, **config: Any) -> Transport:
        """A new, unstarted transport; ``config`` overrides TransportConfig fields."""

    async def channel(self) -> str:
        """A fresh channel (topic/queue/subject) that exists on the broker."""

    async def publish_raw(self, channel: str, body: bytes, headers: dict[str, str]) -> None:
        """Put a message on ``channel`` without the binding (for poison messages)."""

    async def dead_letters(self, channel: str, group: str) -> list[bytes]:
        """Bodies currently on the dead-letter path of ``channel`` for ``group``."""


class Collector:
    """A handler that records deliveries and can fail on demand."""

    def __init__(self, fail: Callable[[Received[Any]], bool] | None = None) -> None:
        self.items: list[Received[Any]] = []
        self.attempts: list[tuple[str, int]] = []
        self.fail = fail
        self._changed = asyncio.Event()

    async def __call__(self, received: Received[Any]) -> None:
        self.attempts.append((received.cloudevent.id, received.attempt))
        self._changed.set()
        if self.fail is not None and self.fail(received):
            raise RuntimeError(f"planned failure of {received.cloudevent.id}")
        self.items.append(received)

    async def wait_for(self, count: int, timeout: float = 30.0) -> None:
        await eventually(lambda: len({r.cloudevent.id for r in self.items}) >= count, timeout)


async def eventually(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s")
        await asyncio.sleep(0.02)


async def eventually_async(check: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s")
        await asyncio.sleep(0.1)


def ms(value: Any) -> Any:
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


class TransportContract:
    """What every transport must do; ``backend`` is a fixture the concrete test module defines."""

    async def test_typed_round_trip_keeps_attributes(self, backend: Backend) -> None:
        channel = await backend.channel()
        got = Collector()
        async with backend.make(source=SOURCE) as transport:
            sub = await transport.subscribe(channel, got, group="rt", schema=USER_CREATED)
            await sub.wait_ready()
            sent = [
                await transport.send_event(
                    user(i),
                    USER_CREATED,
                    channel,
                    extensions={"traceid": f"t{i}"},
                    failure=Failure(500, 'boom "quoted" 100%') if i == 0 else None,
                )
                for i in range(10)
            ]
            await got.wait_for(10)
        received = {r.cloudevent.id: r for r in got.items}
        assert set(received) == {ce.id for ce in sent}
        for i, ce in enumerate(sent):
            r = received[ce.id]
            assert r.event == user(i)
            assert r.cloudevent.type == "acme.user.created.v1"
            assert r.cloudevent.source == SOURCE
            assert r.cloudevent.subject == f"u{i}"
            assert r.cloudevent.datacontenttype == "application/json"
            assert r.cloudevent.time == ms(ce.time)
            assert r.cloudevent.extensions["tenantid"] == "acme"
            assert r.cloudevent.extensions["traceid"] == f"t{i}"
            assert r.attempt == 1
        failed = received[sent[0].id].cloudevent.extensions
        assert failed["failurecode"] == "500"
        assert failed["failuremessage"] == 'boom "quoted" 100%'

    async def test_structured_mode_and_raw_cloudevents(self, backend: Backend) -> None:
        channel = await backend.channel()
        got = Collector()
        async with backend.make(source=SOURCE, structured=True) as transport:
            sub = await transport.subscribe(channel, got, group="st")
            await sub.wait_ready()
            event = CloudEvent.create(
                type="acme.raw.v1",
                source=SOURCE,
                data=b'{"x": [1, 2]}',
                datacontenttype="application/json",
                extensions={"flag": True, "n": 7},
            )
            await transport.send(event, channel)
            await got.wait_for(1)
        back = got.items[0].event
        assert isinstance(back, CloudEvent)
        assert back.id == event.id and back.type == "acme.raw.v1"
        assert back.data is not None and back.data.replace(b" ", b"") == b'{"x":[1,2]}'
        assert str(back.extensions["flag"]).lower() == "true"
        assert str(back.extensions["n"]) == "7"

    async def test_failed_handler_gets_the_message_again(self, backend: Backend) -> None:
        channel = await backend.channel()
        failures: list[DeliveryFailure] = []
        got = Collector(fail=lambda r: r.attempt == 1 and r.event.seq % 2 == 0)
        async with backend.make(error_hook=failures.append, max_attempts=3) as transport:
            sub = await transport.subscribe(channel, got, group="retry", schema=USER_CREATED)
            await sub.wait_ready()
            for i in range(6):
                await transport.send_event(user(i), USER_CREATED, channel)
            await got.wait_for(6)
        assert sorted(r.event.seq for r in got.items) == list(range(6))
        assert {r.event.seq: r.attempt for r in got.items} == {0: 2, 1: 1, 2: 2, 3: 1, 4: 2, 5: 1}
        assert [f.outcome for f in failures] == ["retry"] * 3
        assert await backend.dead_letters(channel, "retry") == []

    async def test_exhausted_and_poison_messages_are_dead_lettered(self, backend: Backend) -> None:
        channel = await backend.channel()
        failures: list[DeliveryFailure] = []
        got = Collector(fail=lambda r: r.event.seq == 13)
        async with backend.make(error_hook=failures.append, max_attempts=3) as transport:
            sub = await transport.subscribe(channel, got, group="dlq", schema=USER_CREATED)
            await sub.wait_ready()
            await transport.send_event(user(13), USER_CREATED, channel)
            await backend.publish_raw(channel, b"not json", {"ce-specversion": "1.0"})
            await backend.publish_raw(
                channel,
                b"{broken",
                {
                    "ce-specversion": "1.0",
                    "ce-id": "x",
                    "ce-source": "/s",
                    "ce-type": "acme.user.created.v1",
                },
            )
            await transport.send_event(user(14), USER_CREATED, channel)
            await got.wait_for(1)
            await eventually_async(
                lambda: _has(backend.dead_letters(channel, "dlq"), 3), timeout=30
            )
        assert [r.event.seq for r in got.items] == [14]
        assert [a for (_, a) in got.attempts if _ != got.items[0].cloudevent.id] == [1, 2, 3]
        stages = sorted((f.stage, f.outcome) for f in failures)
        assert stages == [
            ("decode", "dead_letter"),
            ("decode", "dead_letter"),
            ("handler", "dead_letter"),
            ("handler", "retry"),
            ("handler", "retry"),
        ]
        bodies = await backend.dead_letters(channel, "dlq")
        assert b"not json" in bodies and b"{broken" in bodies
        assert any(b'"seq":"13"' in body for body in bodies)

    async def test_disabled_transport_is_a_no_op(self, backend: Backend) -> None:
        channel = await backend.channel()
        got = Collector()
        async with backend.make(enabled=False) as transport:
            sub = await transport.subscribe(channel, got, group="off", schema=USER_CREATED)
            await sub.wait_ready()
            await transport.send_event(user(1), USER_CREATED, channel)
            assert not transport.started
        await asyncio.sleep(0.2)
        assert got.items == []

    async def test_middleware_and_extensions_provider(
        self, backend: Backend, caplog: pytest.LogCaptureFixture
    ) -> None:
        channel = await backend.channel()
        calls = iter(range(1000))
        seen: list[str] = []

        async def stamp(ctx: SendContext, call_next: SendNext) -> None:
            ext = {**ctx.event.extensions, "stamped": "yes"}
            await call_next(SendContext(_replace(ctx.event, ext), ctx.channel, ctx.options))

        async def observe(received: Received[Any], call_next: Any) -> None:
            seen.append(received.cloudevent.id)
            await call_next(received)

        got = Collector()
        config = {
            "extensions_provider": lambda: {"traceid": f"trace{next(calls)}"},
            "send_middleware": [LoggingMiddleware(), stamp],
            "receive_middleware": [LoggingMiddleware(), observe],
        }
        caplog.set_level(logging.DEBUG, logger="eventapi.runtime")
        async with backend.make(**config) as transport:
            sub = await transport.subscribe(channel, got, group="mw", schema=USER_CREATED)
            await sub.wait_ready()
            for i in range(3):
                await transport.send_event(user(i), USER_CREATED, channel)
            await got.wait_for(3)
        traces = sorted(str(r.cloudevent.extensions["traceid"]) for r in got.items)
        assert traces == ["trace0", "trace1", "trace2"]
        assert all(r.cloudevent.extensions["stamped"] == "yes" for r in got.items)
        assert sorted(seen) == sorted(r.cloudevent.id for r in got.items)
        assert "sent acme.user.created.v1" in caplog.text
        assert "handled acme.user.created.v1" in caplog.text

    async def test_async_iteration(self, backend: Backend) -> None:
        channel = await backend.channel()
        async with backend.make() as transport:
            seqs: list[int] = []

            async def consume() -> None:
                async for received in transport.iterate(channel, group="it", schema=USER_CREATED):
                    seqs.append(received.event.seq)
                    if len(seqs) == 4:
                        break

            task = asyncio.create_task(consume())
            await eventually(lambda: bool(transport.subscriptions), 5)
            await transport.subscriptions[0].wait_ready()
            for i in range(4):
                await transport.send_event(user(i), USER_CREATED, channel)
            await asyncio.wait_for(task, 30)
        assert sorted(seqs) == [0, 1, 2, 3]

    async def test_two_groups_each_get_everything(self, backend: Backend) -> None:
        channel = await backend.channel()
        first, second = Collector(), Collector()
        async with backend.make() as transport:
            subs = [
                await transport.subscribe(channel, first, group="g1", schema=USER_CREATED),
                await transport.subscribe(channel, second, group="g2", schema=USER_CREATED),
            ]
            for sub in subs:
                await sub.wait_ready()
            for i in range(5):
                await transport.send_event(user(i), USER_CREATED, channel)
            await first.wait_for(5)
            await second.wait_for(5)
        assert sorted(r.event.seq for r in first.items) == list(range(5))
        assert sorted(r.event.seq for r in second.items) == list(range(5))

    async def test_close_drains_in_flight_handlers(self, backend: Backend) -> None:
        channel = await backend.channel()
        started = asyncio.Event()
        finished: list[int] = []

        async def slow(received: Received[Any]) -> None:
            started.set()
            await asyncio.sleep(0.5)
            finished.append(received.event.seq)

        async with backend.make() as transport:
            sub = await transport.subscribe(channel, slow, group="drain", schema=USER_CREATED)
            await sub.wait_ready()
            await transport.send_event(user(1), USER_CREATED, channel)
            await asyncio.wait_for(started.wait(), 30)
        assert finished == [1]  # close() waited for the handler
        again = Collector()
        async with backend.make() as transport:
            sub = await transport.subscribe(channel, again, group="drain", schema=USER_CREATED)
            await sub.wait_ready()
            await transport.send_event(user(2), USER_CREATED, channel)
            await again.wait_for(1)
            await asyncio.sleep(0.5)
        assert [r.event.seq for r in again.items] == [2]  # 1 was acked before close


async def _has(pending: Awaitable[list[bytes]], count: int) -> bool:
    return len(await pending) >= count


def _replace(event: CloudEvent, extensions: dict[str, Any]) -> CloudEvent:
    from dataclasses import replace

    return replace(event, extensions=extensions)


__all__ = ["Backend", "Collector", "TransportContract", "eventually", "timedelta"]
