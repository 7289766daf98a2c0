"""The transport contract on Kafka (Tansu broker)."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from typing import Any

import confluent_kafka as ck
import pytest

from eventapi.runtime.transports.kafka import KafkaConfig, KafkaTransport

from .conftest import KAFKA_CONSUMER
from .suite import TransportContract

_names = itertools.count()


class KafkaBackend:
    name = "kafka"

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap

    def make(self, **config: Any) -> KafkaTransport:
        return KafkaTransport(
            KafkaConfig(bootstrap_servers=self.bootstrap, consumer=KAFKA_CONSUMER, **config)
        )

    async def channel(self) -> str:
        name = f"contract.{uuid.uuid4().hex[:8]}.{next(_names)}"
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


@pytest.fixture
def backend(kafka_bootstrap: str) -> KafkaBackend:
    return KafkaBackend(kafka_bootstrap)


class TestKafkaTransport(TransportContract):
    pass
