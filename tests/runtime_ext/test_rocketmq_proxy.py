"""The RocketMQ test proxy against the official rocketmq-python-client, no runtime code between.

These pin down that the test double speaks the protocol the way the client expects, so the transport
tests built on it test the transport and not the double.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from rocketmq import (
    ClientConfiguration,
    ConsumeResult,
    Credentials,
    FilterExpression,
    Message,
    MessageListener,
    Producer,
    PushConsumer,
    SimpleConsumer,
    TransactionChecker,
    TransactionResolution,
)

from .rocketmq_proxy import RocketMQTestProxy

TOPIC = "orders"


def _message(body: bytes, **fields: object) -> Message:
    message = Message()
    message.topic = TOPIC
    message.body = body
    for name, value in fields.items():
        setattr(message, name, value)
    return message


class _Checker(TransactionChecker):  # type: ignore[misc]
    def __init__(self, answer: int) -> None:
        self.answer = answer
        self.checked: list[str] = []

    def check(self, message: Message) -> int:
        self.checked.append(message.message_id)
        return self.answer


@pytest.fixture
def config(rocketmq_proxy: RocketMQTestProxy) -> ClientConfiguration:
    return ClientConfiguration(rocketmq_proxy.endpoint, Credentials(), request_timeout=5)


@pytest.fixture
def producer(config: ClientConfiguration) -> Iterator[Producer]:
    client = Producer(config, (TOPIC,), checker=_Checker(TransactionResolution.COMMIT))
    client.startup()
    yield client
    client.shutdown()


def _consumer(
    config: ClientConfiguration, group: str = "g", expression: str = "*"
) -> SimpleConsumer:
    client = SimpleConsumer(config, group, {TOPIC: FilterExpression(expression)}, await_duration=1)
    client.startup()
    return client


@pytest.fixture
def consumer(config: ClientConfiguration) -> Iterator[SimpleConsumer]:
    client = _consumer(config)
    yield client
    client.shutdown()


def test_send_receive_ack_carries_tag_keys_and_properties(
    producer: Producer, consumer: SimpleConsumer, rocketmq_proxy: RocketMQTestProxy
) -> None:
    message = _message(b"payload", tag="created")
    message.keys = "order-1"
    message.add_property("CE_id", "e-1")
    receipt = producer.send(message)

    [got] = consumer.receive(16, 10)
    assert (got.message_id, got.body, got.tag) == (receipt.message_id, b"payload", "created")
    assert got.keys == {"order-1"} and got.properties == {"CE_id": "e-1"}
    assert got.delivery_attempt == 1 and not got.corrupted
    consumer.ack(got)
    assert consumer.receive(16, 10) == []
    assert rocketmq_proxy.stats()["acked"] == 1


def test_unacked_message_comes_back_after_invisible_duration(
    producer: Producer, consumer: SimpleConsumer
) -> None:
    producer.send(_message(b"x"))
    [first] = consumer.receive(16, 2)
    assert consumer.receive(16, 2) == []  # hidden while invisible (this poll lasts 1 s)
    time.sleep(1.1)
    [again] = consumer.receive(16, 5)
    assert again.message_id == first.message_id and again.delivery_attempt == 2
    consumer.change_invisible_duration(again, 0)
    [third] = consumer.receive(16, 5)
    assert third.delivery_attempt == 3
    consumer.ack(third)


def test_groups_consume_independently_and_tag_filters_apply(
    producer: Producer, config: ClientConfiguration
) -> None:
    producer.send(_message(b"a", tag="A"))
    producer.send(_message(b"b", tag="B"))
    only_b = _consumer(config, "only-b", "B")
    everything = _consumer(config, "all")
    try:
        assert [m.body for m in only_b.receive(16, 10)] == [b"b"]
        assert sorted(m.body for m in everything.receive(16, 10)) == [b"a", b"b"]
    finally:
        only_b.shutdown()
        everything.shutdown()


def test_delayed_message_is_hidden_until_its_delivery_time(
    producer: Producer, consumer: SimpleConsumer
) -> None:
    due = int(time.time()) + 2
    producer.send(_message(b"later", delivery_timestamp=due))
    assert consumer.receive(16, 10) == []
    deadline = time.time() + 5
    got: list[Message] = []
    while not got and time.time() < deadline:
        got = consumer.receive(16, 10)
    assert [m.body for m in got] == [b"later"] and time.time() >= due


def test_fifo_group_delivers_in_order_one_at_a_time(
    producer: Producer, consumer: SimpleConsumer
) -> None:
    for i in range(3):
        producer.send(_message(f"a{i}".encode(), message_group="A"))
    producer.send(_message(b"b0", message_group="B"))
    first = consumer.receive(16, 2)
    assert sorted(m.body for m in first) == [b"a0", b"b0"]  # one head per message group
    assert consumer.receive(16, 2) == []  # a1 waits for a0
    a0 = next(m for m in first if m.body == b"a0")
    time.sleep(2.1)  # a0 not acked: it comes back before a1, order is kept
    again = consumer.receive(16, 2)
    assert [m.body for m in again if m.message_group == "A"] == [b"a0"]
    for m in again:
        consumer.ack(m)
    assert a0.message_id == next(m for m in again if m.body == b"a0").message_id
    assert [m.body for m in consumer.receive(16, 2)] == [b"a1"]


def test_transaction_commit_rollback_and_check_back(
    config: ClientConfiguration, consumer: SimpleConsumer, rocketmq_proxy: RocketMQTestProxy
) -> None:
    checker = _Checker(TransactionResolution.ROLLBACK)
    producer = Producer(config, (TOPIC,), checker=checker)
    producer.startup()
    try:
        committed = producer.begin_transaction()
        producer.send(_message(b"commit"), committed)
        rolled_back = producer.begin_transaction()
        producer.send(_message(b"rollback"), rolled_back)
        orphan = producer.begin_transaction()
        orphan_receipt = producer.send(_message(b"orphan"), orphan)
        assert consumer.receive(16, 10) == []  # half messages are invisible
        committed.commit()
        rolled_back.rollback()
        assert [m.body for m in consumer.receive(16, 10)] == [b"commit"]
        deadline = time.time() + 5
        while rocketmq_proxy.half_messages() and time.time() < deadline:
            time.sleep(0.1)
        assert checker.checked == [orphan_receipt.message_id]  # asked once, answered ROLLBACK
        assert rocketmq_proxy.half_messages() == 0
        assert [m.body for m in rocketmq_proxy.messages(TOPIC)] == [b"commit"]
    finally:
        producer.shutdown()


def test_message_goes_to_dead_letter_topic_after_max_attempts(
    producer: Producer, consumer: SimpleConsumer, rocketmq_proxy: RocketMQTestProxy
) -> None:
    rocketmq_proxy.set_max_delivery_attempts("g", 2)
    receipt = producer.send(_message(b"poison"))
    attempts = []
    deadline = time.time() + 5
    while time.time() < deadline and not rocketmq_proxy.dead_letters("g"):
        for m in consumer.receive(16, 1):
            attempts.append(m.delivery_attempt)
        time.sleep(0.05)
    assert attempts == [1, 2]
    [dead] = rocketmq_proxy.dead_letters("g")
    assert dead.message_id == receipt.message_id
    assert dead.user_properties["DLQ_ORIGIN_TOPIC"] == TOPIC


def test_clients_survive_a_proxy_restart_and_state_is_kept(
    producer: Producer, consumer: SimpleConsumer, rocketmq_proxy: RocketMQTestProxy
) -> None:
    producer.send(_message(b"before"))
    rocketmq_proxy.restart(down_for=0.5)
    producer.send(_message(b"after"))
    got = consumer.receive(16, 10)
    assert sorted(m.body for m in got) == [b"after", b"before"]


def test_push_consumer_uses_assignments_and_acks(
    producer: Producer, config: ClientConfiguration, rocketmq_proxy: RocketMQTestProxy
) -> None:
    seen: list[bytes] = []
    done = threading.Event()

    class Listener(MessageListener):  # type: ignore[misc]
        def consume(self, message: Message) -> int:
            seen.append(message.body)
            if len(seen) == 3:
                done.set()
            return ConsumeResult.SUCCESS

    push = PushConsumer(config, "push", Listener(), {TOPIC: FilterExpression()})
    push.startup()
    try:
        for i in range(3):
            producer.send(_message(f"m{i}".encode()))
        assert done.wait(15)
        assert sorted(seen) == [b"m0", b"m1", b"m2"]
        deadline = time.time() + 5
        while rocketmq_proxy.stats()["acked"] < 3 and time.time() < deadline:
            time.sleep(0.1)
        assert rocketmq_proxy.stats()["acked"] == 3
    finally:
        push.shutdown()
