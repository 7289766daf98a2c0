"""The transport contract on RabbitMQ."""

from __future__ import annotations

import uuid
from typing import Any

import aio_pika
import pytest

from eventapi.runtime.transports.amqp import AmqpConfig, AmqpTransport

from .suite import TransportContract


class AmqpBackend:
    name = "amqp"

    def __init__(self, url: str) -> None:
        self.url = url
        self.exchange = f"eventapi.test.{uuid.uuid4().hex[:8]}"

    def make(self, **config: Any) -> AmqpTransport:
        return AmqpTransport(
            AmqpConfig(
                url=self.url,
                exchange=self.exchange,
                connection_name="test",
                queue_expires_ms=60_000,
                **config,
            )
        )

    async def channel(self) -> str:
        return f"contract.{uuid.uuid4().hex[:10]}"

    async def publish_raw(self, channel: str, body: bytes, headers: dict[str, str]) -> None:
        connection = await aio_pika.connect(self.url)
        async with connection:
            ch = await connection.channel()
            exchange = await ch.declare_exchange(self.exchange, "topic", durable=True)
            await exchange.publish(aio_pika.Message(body, headers=dict(headers)), channel)

    async def dead_letters(self, channel: str, group: str) -> list[bytes]:
        """Peek at ``<queue>.dlq``: get every message and requeue them all afterwards."""
        connection = await aio_pika.connect(self.url)
        async with connection:
            ch = await connection.channel()
            try:
                queue = await ch.declare_queue(f"{channel}.{group}.dlq", passive=True)
            except aio_pika.exceptions.ChannelClosed:
                return []
            bodies = []
            while (message := await queue.get(no_ack=False, fail=False)) is not None:
                bodies.append(message.body)
            return bodies  # unacked: closing the connection puts them back


@pytest.fixture
def backend(rabbitmq_url: str) -> AmqpBackend:
    return AmqpBackend(rabbitmq_url)


class TestAmqpTransport(TransportContract):
    pass
