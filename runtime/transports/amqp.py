"""AMQP 0-9-1 (RabbitMQ) transport over aio-pika, with reconnects, confirms and dead-lettering.

Topology (declared unless ``declare=False``): sends go to ``exchange`` (default ``eventapi``, a
durable topic exchange; ``""`` is the default exchange) with routing key = the binding's routing key
or the channel address. A subscription's queue is ``<channel>.<group>`` bound to the exchange with
the channel address (groups behave like Kafka consumer groups: each group gets every event,
consumers of one group share them); ``group=None`` gets a private auto-delete queue. Each queue has
a dead-letter exchange ``<queue>.dlx`` routed to ``<queue>.dlq``.

Delivery: publisher confirms (a send returns once RabbitMQ has the message); sends retry through
connection loss with backoff until ``send_timeout``. Consumers use manual acks and ``prefetch``
messages in flight. A failed handler's message is republished to its queue with the header
``x-eventapi-attempt`` incremented, then the original is acked (so attempts survive restarts and
other consumers); after ``max_attempts``, or when it cannot be decoded, the message is rejected
without requeue and RabbitMQ moves it to the dead-letter queue (with its ``x-death`` record).
``connect_robust`` reconnects and restores channels, queues and consumers; unacked messages of a
lost connection are redelivered by RabbitMQ (at-least-once).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from eventapi.runtime.bindings import amqp as binding
from eventapi.runtime.cloudevent import CloudEvent
from eventapi.runtime.errors import BindingError, CodecError, EventApiError, TransportError
from eventapi.runtime.transports.base import (
    Received,
    SendOptions,
    Subscription,
    Transport,
    TransportConfig,
    log,
    require,
)

aio_pika: Any = require("aio_pika", "amqp")

ATTEMPT_HEADER = "x-eventapi-attempt"


@dataclass(frozen=True, kw_only=True)
class AmqpConfig(TransportConfig):
    """RabbitMQ settings."""

    url: str = "amqp://guest:guest@127.0.0.1:5672/"
    exchange: str = "eventapi"
    exchange_type: str = "topic"
    #: Declare exchanges and queues (turn off when the topology is managed elsewhere).
    declare: bool = True
    #: Unacked messages per subscription (handlers run concurrently up to this many).
    prefetch: int = 256
    queue_arguments: Mapping[str, Any] = field(default_factory=dict)
    #: Delete declared queues (and their DLQs) after this long unused (``x-expires``); for tests.
    queue_expires_ms: int | None = None
    connection_name: str = "eventapi"


@dataclass(frozen=True, slots=True, kw_only=True)
class AmqpSendOptions(SendOptions):
    """The operation's AMQP binding: exchange, routing key; plus priority and persistence."""

    exchange: str | None = None
    routing_key: str | None = None
    priority: int | None = None
    persistent: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class AmqpSubscribeOptions:
    """Override the queue name, the exchange or the binding key of a subscription."""

    queue: str | None = None
    exchange: str | None = None
    routing_key: str | None = None


class AmqpReceived(Received[Any]):
    """A delivered message: ``ack()``, ``nack(requeue=…)``, ``delivery_tag``, ``redelivered``."""

    def __init__(self, event: Any, cloudevent: CloudEvent, sub: Subscription, message: Any) -> None:
        headers = message.headers or {}
        attempt = headers.get(ATTEMPT_HEADER, 1)
        super().__init__(event, cloudevent, sub.channel, attempt if isinstance(attempt, int) else 1)
        self._sub = sub
        self.message = message
        self.delivery_tag: int = message.delivery_tag
        self.redelivered: bool = bool(message.redelivered)

    async def _ack(self) -> None:
        await _settle(self.message.ack())

    async def nack(self, requeue: bool = True) -> None:
        """Settle as failed: back to the queue (``requeue``) or to the dead-letter queue."""
        if not self.settled:
            self.settled = True
            await _settle(self.message.nack(requeue=requeue))

    async def _requeue(self) -> None:
        transport: AmqpTransport = self._sub.transport  # type: ignore[assignment]
        msg = self.message
        headers = {**(msg.headers or {}), ATTEMPT_HEADER: self.attempt + 1}
        copy = aio_pika.Message(
            body=msg.body,
            headers=headers,
            content_type=msg.content_type,
            delivery_mode=msg.delivery_mode,
            priority=msg.priority,
            message_id=msg.message_id,
        )
        await transport._publish_message("", self._sub.state.queue_name, copy)
        await _settle(msg.ack())

    async def _dead_letter(self, reason: str) -> None:
        await _settle(self.message.reject(requeue=False))

    def details(self) -> dict[str, object]:
        return {"queue": self._sub.state.queue_name, "delivery_tag": self.delivery_tag}


async def _settle(operation: Any) -> None:
    try:
        await operation
    except Exception as exc:
        # The channel died: RabbitMQ redelivers the message, which at-least-once allows.
        log.warning("amqp settle failed (message will be redelivered): %r", exc)


@dataclass
class _SubState:
    queue_name: str
    channel: Any = None
    queue: Any = None
    tag: str | None = None


class AmqpTransport(Transport):
    """Transport over RabbitMQ (aio-pika)."""

    protocol = "amqp"
    config: AmqpConfig

    def __init__(self, config: AmqpConfig) -> None:
        super().__init__(config)
        self._connection: Any = None
        self._channel: Any = None
        self._exchanges: dict[str, Any] = {}
        #: How often the connection was re-established after a loss (for metrics and tests).
        self.reconnects = 0

    def default_options(self) -> SendOptions:
        return AmqpSendOptions()

    async def _connect(self) -> None:
        deadline = time.monotonic() + self.config.send_timeout
        attempt = 0
        while True:
            attempt += 1
            try:
                self._connection = await aio_pika.connect_robust(
                    self.config.url,
                    client_properties={"connection_name": self.config.connection_name},
                    reconnect_interval=self.config.reconnect_backoff.initial,
                )
                break
            except Exception as exc:
                if time.monotonic() > deadline:
                    raise TransportError(f"cannot connect to {self.config.url}: {exc}") from None
                await asyncio.sleep(self.config.reconnect_backoff.delay(attempt))
        self._connection.reconnect_callbacks.add(self._on_reconnect)
        self._channel = await self._connection.channel(publisher_confirms=True)

    def _on_reconnect(self, *_: Any) -> None:
        self.reconnects += 1
        self._exchanges.clear()
        log.warning("amqp connection to %s re-established", self.config.url)

    async def _disconnect(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        self._connection = self._channel = None
        self._exchanges.clear()

    async def _exchange(self, name: str) -> Any:
        exchange = self._exchanges.get(name)
        if exchange is None:
            if name == "":
                exchange = self._channel.default_exchange
            elif self.config.declare:
                exchange = await self._channel.declare_exchange(
                    name, self.config.exchange_type, durable=True
                )
            else:
                exchange = await self._channel.get_exchange(name, ensure=False)
            self._exchanges[name] = exchange
        return exchange

    async def _publish(self, event: CloudEvent, channel: str, options: SendOptions) -> None:
        opts = options if isinstance(options, AmqpSendOptions) else AmqpSendOptions()
        msg = (
            binding.to_structured(event)
            if self.is_structured(options)
            else binding.to_binary(event)
        )
        message = aio_pika.Message(
            body=msg.body,
            headers=dict(msg.headers),
            content_type=msg.content_type,
            delivery_mode=(
                aio_pika.DeliveryMode.PERSISTENT
                if opts.persistent
                else aio_pika.DeliveryMode.NOT_PERSISTENT
            ),
            priority=opts.priority,
            message_id=event.id,
        )
        exchange = self.config.exchange if opts.exchange is None else opts.exchange
        await self._publish_message(exchange, opts.routing_key or channel, message)

    async def _publish_message(self, exchange_name: str, routing_key: str, message: Any) -> None:
        """Publish with confirm, retrying through connection loss until ``send_timeout``."""
        if self._channel is None:
            raise TransportError("amqp transport is not started")
        deadline = time.monotonic() + self.config.send_timeout
        attempt = 0
        while True:
            attempt += 1
            try:
                exchange = self._exchanges.get(exchange_name) or await self._exchange(exchange_name)
                await exchange.publish(message, routing_key=routing_key)
                return
            except EventApiError:
                raise
            except Exception as exc:
                if time.monotonic() > deadline or self._connection is None:
                    raise TransportError(f"amqp publish failed: {exc!r}") from exc
                self._exchanges.pop(exchange_name, None)
                await asyncio.sleep(self.config.reconnect_backoff.delay(attempt))

    async def _start_subscription(self, sub: Subscription) -> None:
        opts = sub.options if isinstance(sub.options, AmqpSubscribeOptions) else None
        exchange_name = self.config.exchange
        if opts is not None and opts.exchange is not None:
            exchange_name = opts.exchange
        routing_key = (opts.routing_key if opts else None) or sub.channel
        queue_name = (opts.queue if opts else None) or (
            f"{sub.channel}.{sub.group}" if sub.group else f"{sub.channel}.private-{uuid.uuid4()}"
        )
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=self.config.prefetch)
        if self.config.declare:
            queue = await self._declare_queue(channel, queue_name, sub.group is None)
            if exchange_name:
                exchange = await channel.declare_exchange(
                    exchange_name, self.config.exchange_type, durable=True
                )
                await queue.bind(exchange, routing_key)
        else:
            queue = await channel.get_queue(queue_name, ensure=False)
        state = _SubState(queue.name, channel, queue)
        sub.state = state

        async def on_message(message: Any) -> None:
            await self._on_message(sub, message)

        state.tag = await queue.consume(on_message)
        sub.ready.set()

    async def _declare_queue(self, channel: Any, name: str, private: bool) -> Any:
        durable = not private
        dlx = await channel.declare_exchange(
            f"{name}.dlx", "fanout", durable=durable, auto_delete=private
        )
        expires = self.config.queue_expires_ms
        dlq = await channel.declare_queue(
            f"{name}.dlq",
            durable=durable,
            auto_delete=private,
            arguments={"x-expires": expires} if expires else None,
        )
        await dlq.bind(dlx)
        arguments = {"x-dead-letter-exchange": f"{name}.dlx", **self.config.queue_arguments}
        if expires:
            arguments["x-expires"] = expires
        if private:
            return await channel.declare_queue(
                name, exclusive=True, auto_delete=True, arguments=arguments
            )
        return await channel.declare_queue(name, durable=True, arguments=arguments)

    async def _on_message(self, sub: Subscription, message: Any) -> None:
        if sub.stopping:  # arrived while cancelling: give it back untouched
            await _settle(message.nack(requeue=True))
            return
        try:
            cloudevent = binding.from_message(message.body, message.content_type, message.headers)
            event = sub.decode(cloudevent)
        except (BindingError, CodecError) as exc:

            async def dead(reason: str) -> None:
                if self.config.dead_letter:
                    await _settle(message.reject(requeue=False))
                else:
                    await _settle(message.ack())

            details = {"queue": sub.state.queue_name, "delivery_tag": message.delivery_tag}
            await self._undecodable(sub.channel, exc, dead, details)
            return
        # aio-pika already runs each delivery in its own task (up to ``prefetch`` at once), so
        # the handler runs here, tracked for close()'s drain, not in yet another task.
        task = asyncio.current_task()
        inflight = sub.inflight
        if task is not None:
            inflight.add(task)
        try:
            await self._dispatch(sub, AmqpReceived(event, cloudevent, sub, message))
        finally:
            inflight.discard(task)

    async def _stop_subscription(self, sub: Subscription) -> None:
        state: _SubState | None = sub.state
        if state is None:
            return
        try:
            if state.tag is not None:
                await state.queue.cancel(state.tag)
        except Exception as exc:
            log.warning("amqp cancel failed: %r", exc)
        await sub.drain(self.config.drain_timeout)
        # Prefetched but unstarted messages go back to the queue when the channel closes.
        await state.channel.close()
