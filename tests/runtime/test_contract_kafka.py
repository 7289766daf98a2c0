"""The transport contract on Kafka: the Tansu broker and librdkafka's own mock cluster.

The mock cluster (``test.mock.num.brokers``) is librdkafka's in-process Kafka protocol
implementation: three brokers, consumer groups and offsets, topics created on first metadata
request. It has no CreateTopics, so on it the suite's channels and dead-letter topics are
auto-created. Tansu remains the backend of the fault tests.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Iterator
from typing import Any

import confluent_kafka as ck
import pytest

from eventapi.runtime.transports.kafka import KafkaConfig, KafkaTransport

from .conftest import KAFKA_CONSUMER
from .suite import TransportContract

_names = itertools.count()
#: The mock's group coordinator never completes a join under a 2 s session timeout.
MOCK_CONSUMER = {**KAFKA_CONSUMER, "session.timeout.ms": 6000, "heartbeat.interval.ms": 500}


class KafkaBackend:
    name = "kafka"

    def __init__(self, bootstrap: str, *, mock: bool = False) -> None:
        self.bootstrap = bootstrap
        self.mock = mock

    def make(self, **config: Any) -> KafkaTransport:
        consumer = KAFKA_CONSUMER
        if self.mock:
            config.setdefault("create_dlq_topics", False)
            consumer = MOCK_CONSUMER
        return KafkaTransport(
            KafkaConfig(bootstrap_servers=self.bootstrap, consumer=consumer, **config)
        )

    async def channel(self) -> str:
        name = f"contract.{uuid.uuid4().hex[:8]}.{next(_names)}"
        if self.mock:
            await asyncio.to_thread(auto_create, self.bootstrap, name)
        else:
            await self.make().create_topics([name], partitions=3)
        return name

    async def publish_raw(self, channel: str, body: bytes, headers: dict[str, str]) -> None:
        # The suite writes AMQP/NATS-style names; Kafka's binding wants ce_.
        kafka_headers = [(k.replace("ce-", "ce_", 1), v.encode()) for k, v in headers.items()]

        def produce() -> None:
            producer = ck.Producer({"bootstrap.servers": self.bootstrap})
            producer.produce(channel, value=body, headers=kafka_headers)
            producer.flush(10)

        await asyncio.to_thread(produce)

    async def dead_letters(self, channel: str, group: str) -> list[bytes]:
        return await asyncio.to_thread(read_topic, self.bootstrap, channel + ".dlq")


def auto_create(bootstrap: str, topic: str) -> None:
    """Create ``topic`` through a metadata request (the mock cluster's auto-creation)."""
    client = ck.Producer({"bootstrap.servers": bootstrap, "allow.auto.create.topics": True})
    meta = client.list_topics(topic, timeout=10).topics[topic]
    assert meta.error is None and meta.partitions, f"mock cluster did not create {topic}"


def read_topic(bootstrap: str, topic: str, timeout: float = 1.0) -> list[bytes]:
    """Every record value on ``topic`` (assign, no group: no join delay)."""
    consumer = ck.Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "reader", "enable.auto.commit": False}
    )
    try:
        meta = consumer.list_topics(topic, timeout=5).topics.get(topic)
        if meta is None or meta.error is not None:
            return []
        parts = [ck.TopicPartition(topic, p, ck.OFFSET_BEGINNING) for p in meta.partitions]
        ends = {
            p: consumer.get_watermark_offsets(ck.TopicPartition(topic, p), timeout=5)[1]
            for p in meta.partitions
        }
        consumer.assign(parts)
        out: list[bytes] = []
        remaining = sum(ends.values())
        import time

        deadline = time.monotonic() + max(timeout, 5)
        while remaining > 0 and time.monotonic() < deadline:
            for record in consumer.consume(500, 0.2):
                if record.error() is None:
                    out.append(record.value() or b"")
                    remaining -= 1
        return out
    finally:
        consumer.close()


@pytest.fixture(scope="session")
def kafka_mock_bootstrap() -> Iterator[str]:
    """librdkafka's mock cluster, alive as long as the client that owns it."""
    owner = ck.Producer({"bootstrap.servers": "", "test.mock.num.brokers": 3, "log_level": 3})
    brokers = owner.list_topics(timeout=10).brokers.values()
    yield ",".join(f"{broker.host}:{broker.port}" for broker in brokers)
    owner.flush(5)


@pytest.fixture(params=["tansu", "librdkafka-mock"])
def backend(request: pytest.FixtureRequest) -> KafkaBackend:
    if request.param == "tansu":
        return KafkaBackend(request.getfixturevalue("kafka_bootstrap"))
    return KafkaBackend(request.getfixturevalue("kafka_mock_bootstrap"), mock=True)


class TestKafkaTransport(TransportContract):
    pass
