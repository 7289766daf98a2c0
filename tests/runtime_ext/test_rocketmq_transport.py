"""RocketMQ-specific behaviour of the transport: tag/keys, FIFO groups, delay, transactions."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from runtime.events import USER_CREATED, user
from runtime.suite import Collector, eventually

from eventapi.runtime.cloudevent import CloudEvent
from eventapi.runtime.errors import TransportError
from eventapi.runtime.transports.base import Received
from eventapi.runtime.transports.rocketmq import (
    DELAY_LEVELS,
    RocketMQConfig,
    RocketMQSendOptions,
    RocketMQSubscribeOptions,
    RocketMQTransport,
)

from .rocketmq_proxy import RocketMQTestProxy

TOPIC = "users"


def _transport(proxy: RocketMQTestProxy, **config: Any) -> RocketMQTransport:
    return RocketMQTransport(
        RocketMQConfig(endpoints=proxy.endpoint, source="/tests/rmq", await_duration=1, **config)
    )


async def test_tag_keys_and_message_id_reach_the_consumer_and_filters_apply(
    rocketmq_proxy: RocketMQTestProxy,
) -> None:
    every, only_paid = Collector(), Collector()
    async with _transport(rocketmq_proxy) as transport:
        await (
            await transport.subscribe(TOPIC, every, group="all", schema=USER_CREATED)
        ).wait_ready()
        paid = RocketMQSubscribeOptions(tag_expression="paid")
        sub = await transport.subscribe(
            TOPIC, only_paid, group="paid", schema=USER_CREATED, options=paid
        )
        await sub.wait_ready()
        opts = RocketMQSendOptions(tag="paid", keys=("order-1", "user-7"))
        await transport.send_event(user(1), USER_CREATED, TOPIC, opts)
        await transport.send_event(user(2), USER_CREATED, TOPIC, RocketMQSendOptions(tag="new"))
        await every.wait_for(2)
        await only_paid.wait_for(1)
    [stored, _] = rocketmq_proxy.messages(TOPIC)
    assert stored.tag == "paid" and sorted(stored.keys) == ["order-1", "user-7"]
    assert stored.user_properties["CE_type"] == "acme.user.created.v1"
    assert stored.user_properties["CE_contenttype"] == "application/json"
    got = only_paid.items[0]
    assert [r.event.seq for r in only_paid.items] == [1]
    assert (got.tag, got.keys, got.delivery_attempt) == ("paid", {"order-1", "user-7"}, 1)
    assert got.message_id == stored.message_id


async def test_fifo_message_groups_are_handled_in_send_order_despite_a_failure(
    rocketmq_proxy: RocketMQTestProxy,
) -> None:
    order: list[tuple[str, int]] = []

    async def handler(received: Received[Any]) -> None:
        seq = received.event.seq
        if seq == 1 and received.attempt == 1:
            raise RuntimeError("first attempt of 1 fails")
        order.append((received.message_group, seq))

    async with _transport(rocketmq_proxy, concurrency=8) as transport:
        sub = await transport.subscribe(TOPIC, handler, group="fifo", schema=USER_CREATED)
        await sub.wait_ready()
        for seq in range(6):
            group = "even" if seq % 2 == 0 else "odd"
            opts = RocketMQSendOptions(message_group=group)
            await transport.send_event(user(seq), USER_CREATED, TOPIC, opts)
        await eventually(lambda: len(order) == 6, 20)
    assert [s for g, s in order if g == "odd"] == [1, 3, 5]  # 3 waited for 1's retry
    assert [s for g, s in order if g == "even"] == [0, 2, 4]


async def test_delay_level_and_explicit_delays(rocketmq_proxy: RocketMQTestProxy) -> None:
    assert DELAY_LEVELS[0] == 1 and DELAY_LEVELS[4] == 60 and DELAY_LEVELS[17] == 7200
    seen: dict[int, float] = {}

    async def handler(received: Received[Any]) -> None:
        seen[received.event.seq] = time.time()

    async with _transport(rocketmq_proxy) as transport:
        sub = await transport.subscribe(TOPIC, handler, group="delay", schema=USER_CREATED)
        await sub.wait_ready()
        sent = time.time()
        await transport.send_event(user(0), USER_CREATED, TOPIC)
        await transport.send_event(user(1), USER_CREATED, TOPIC, RocketMQSendOptions(delay_level=1))
        await transport.send_event(
            user(2), USER_CREATED, TOPIC, RocketMQSendOptions(delay=timedelta(seconds=2))
        )
        later = datetime.now(UTC) + timedelta(seconds=5)
        await transport.send_event(
            user(3), USER_CREATED, TOPIC, RocketMQSendOptions(deliver_at=later)
        )
        await eventually(lambda: len(seen) == 3, 10)
        assert 3 not in seen  # still hidden
        for bad in (
            RocketMQSendOptions(delay_level=19),
            RocketMQSendOptions(delay_level=1, delay=timedelta(seconds=1)),
            RocketMQSendOptions(delay_level=1, message_group="g"),
        ):
            with pytest.raises(TransportError):
                await transport.send_event(user(9), USER_CREATED, TOPIC, bad)
    assert seen[0] - sent < 1.0
    assert seen[1] - sent >= 0.9 and seen[2] - sent >= 1.9


async def test_transactions_commit_rollback_and_broker_check_back(
    rocketmq_proxy: RocketMQTestProxy,
) -> None:
    checked: list[str] = []

    def checker(event: CloudEvent) -> bool:
        checked.append(event.subject or "")
        return event.subject == "u2"  # commit u2 on check-back, roll back others

    got = Collector()
    async with _transport(rocketmq_proxy, transaction_checker=checker) as transport:
        sub = await transport.subscribe(TOPIC, got, group="tx", schema=USER_CREATED)
        await sub.wait_ready()

        def event(seq: int) -> CloudEvent:
            return USER_CREATED.codec.to_cloudevent(user(seq), source="/tests/rmq")

        async def commit() -> bool:
            return True

        async def rollback() -> bool:
            return False

        async def unknown() -> None:
            return None

        async def broken() -> bool:
            raise ValueError("local transaction failed")

        assert await transport.send_transactional(event(0), TOPIC, commit) is True
        assert await transport.send_transactional(event(1), TOPIC, rollback) is False
        assert await transport.send_transactional(event(2), TOPIC, unknown) is None
        assert await transport.send_transactional(event(3), TOPIC, unknown) is None
        with pytest.raises(ValueError, match="local transaction failed"):
            await transport.send_transactional(event(4), TOPIC, broken)
        await got.wait_for(2, timeout=15)
        await eventually(lambda: rocketmq_proxy.half_messages() == 0, 15)
        await asyncio.sleep(0.5)
    assert sorted(r.event.seq for r in got.items) == [0, 2]
    assert sorted(checked) == ["u2", "u3"]


async def test_transactional_send_needs_a_checker(rocketmq_proxy: RocketMQTestProxy) -> None:
    async with _transport(rocketmq_proxy) as transport:
        event = USER_CREATED.codec.to_cloudevent(user(1), source="/tests/rmq")

        async def commit() -> bool:
            return True

        with pytest.raises(TransportError, match="transaction_checker"):
            await transport.send_transactional(event, TOPIC, commit)


async def test_bad_topic_and_unreachable_proxy_are_clear_errors() -> None:
    config = RocketMQConfig(endpoints="127.0.0.1:1", request_timeout=1, send_timeout=2)
    event = USER_CREATED.codec.to_cloudevent(user(1), source="/tests/rmq")
    async with RocketMQTransport(config) as transport:
        with pytest.raises(TransportError, match=r"cannot build a RocketMQ message for 'a\.b'"):
            await transport.send(event, "a.b")
        with pytest.raises(TransportError, match="rocketmq send to 'users' failed"):
            await asyncio.wait_for(transport.send(event, TOPIC), 20)
