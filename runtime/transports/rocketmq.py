"""RocketMQ 5 transport on the official gRPC client (``rocketmq-python-client``).

Sending: binary mode puts attributes in ``CE_<attr>`` user properties (bindings/rocketmq.py); tag,
keys and message group come from :class:`RocketMQSendOptions`. A message group makes it a FIFO
message; ``delay_level`` (1..18, RocketMQ's documented levels), ``delay`` or ``deliver_at`` make it
a delay message; :meth:`RocketMQTransport.send_transactional` sends a half message, runs the local
transaction and commits or rolls back, and the broker's check-back is answered by
``RocketMQConfig.transaction_checker``.

Receiving: one ``SimpleConsumer`` per subscription (consumer group = ``group``), long polling
with ``receive``; each message stays invisible for ``invisible_duration`` while its handler runs.
A handled message is acked; a failed one comes back after the retry backoff
(``ChangeInvisibleDuration``) with its delivery attempt counted by the broker; after
``max_attempts`` deliveries (or when it cannot be decoded) it is re-published to
``%DLQ%<group>`` (RocketMQ's dead-letter topic name, with the ``DLQ_ORIGIN_TOPIC`` /
``DLQ_ORIGIN_MESSAGE_ID`` properties the broker sets) and acked. The broker's own dead-lettering
(its ``max_delivery_attempts``) remains the backstop if a consumer dies repeatedly.

The client is blocking and runs its own I/O thread; sends and receives are awaited through its
futures, the blocking calls (start, ack, shutdown) through worker threads.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from eventapi.runtime.bindings import rocketmq as binding
from eventapi.runtime.cloudevent import CloudEvent
from eventapi.runtime.errors import TransportError
from eventapi.runtime.transports.base import (
    Received,
    SendOptions,
    Subscription,
    Transport,
    TransportConfig,
    log,
    require,
)

rmq = require("rocketmq", "rocketmq")

#: RocketMQ's 18 delay levels (messageDelayLevel default), in seconds; level 1 is 1 s, 18 is 2 h.
DELAY_LEVELS: tuple[int, ...] = (
    1, 5, 10, 30, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600, 1200, 1800, 3600, 7200,
)  # fmt: skip
DLQ_PREFIX = "%DLQ%"
#: Answer of a transaction check or local transaction: commit, roll back, or "ask me later".
TransactionOutcome = bool | None
TransactionChecker = Callable[[CloudEvent], TransactionOutcome | Awaitable[TransactionOutcome]]


@dataclass(frozen=True, kw_only=True)
class RocketMQConfig(TransportConfig):
    """Connection and consumption settings (durations in whole seconds, as the protocol takes)."""

    endpoints: str = "127.0.0.1:8081"
    namespace: str = ""
    access_key: str = ""
    secret_key: str = ""
    request_timeout: int = 3
    #: How long a received message stays hidden from the group while its handler runs.
    invisible_duration: int = 30
    #: Long-polling time of one receive; also bounds how long stopping a consumer takes.
    await_duration: int = 2
    batch_size: int = 32
    #: Handlers running at once per subscription.
    concurrency: int = 64
    #: Answers the broker's check-back for half messages left unresolved (None: unknown).
    transaction_checker: TransactionChecker | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RocketMQSendOptions(SendOptions):
    """The binding's tag, keys and message group, plus delay for DELAY messages."""

    tag: str | None = None
    keys: tuple[str, ...] = ()
    #: FIFO: messages of one group are consumed in send order.
    message_group: str | None = None
    #: 1..18, mapped to :data:`DELAY_LEVELS`.
    delay_level: int | None = None
    delay: timedelta | None = None
    deliver_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RocketMQSubscribeOptions:
    """Tag filter of a subscription (RocketMQ TAG expression, e.g. ``"created||paid"``)."""

    tag_expression: str = "*"


class RocketMQReceived(Received[Any]):
    """A received message: ``ack()``, ``message_id``, ``delivery_attempt``, tag/keys/group."""

    def __init__(self, event: Any, cloudevent: CloudEvent, sub: Subscription, message: Any) -> None:
        super().__init__(event, cloudevent, sub.channel, attempt=message.delivery_attempt or 1)
        self.message = message
        self._sub = sub

    @property
    def message_id(self) -> str:
        return str(self.message.message_id)

    @property
    def delivery_attempt(self) -> int:
        return self.attempt

    @property
    def tag(self) -> str | None:
        tag = self.message.tag
        return None if tag is None else str(tag)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(self.message.keys)

    @property
    def message_group(self) -> str | None:
        group = self.message.message_group
        return None if group is None else str(group)

    async def _ack(self) -> None:
        await _state(self._sub).ack(self.message)

    async def _requeue(self) -> None:
        transport = self._sub.transport
        delay = transport.config.retry_backoff.delay(self.attempt)
        await _state(self._sub).change_invisible(self.message, max(1, math.ceil(delay)))

    async def _dead_letter(self, reason: str) -> None:
        await _state(self._sub).dead_letter(self.message, reason)

    def details(self) -> dict[str, object]:
        return {
            "message_id": self.message_id,
            "delivery_attempt": self.attempt,
            "topic": self.message.topic,
        }


class _Consumer:
    """Per-subscription state: the SimpleConsumer, its receive loop and the handler slots."""

    def __init__(self, transport: RocketMQTransport, sub: Subscription, client: Any) -> None:
        self.transport = transport
        self.sub = sub
        self.client = client
        self.group = sub.group or transport.default_group(sub.channel)
        self.slots = asyncio.Semaphore(transport.config.concurrency)
        self.loop_task: asyncio.Task[None] | None = None

    async def ack(self, message: Any) -> None:
        await asyncio.to_thread(self.client.ack, message)

    async def change_invisible(self, message: Any, seconds: int) -> None:
        await asyncio.to_thread(self.client.change_invisible_duration, message, seconds)

    async def dead_letter(self, message: Any, reason: str) -> None:
        properties = dict(message.properties)
        properties["DLQ_ORIGIN_TOPIC"] = str(message.topic)
        properties["DLQ_ORIGIN_MESSAGE_ID"] = str(message.message_id)
        properties["DLQ_REASON"] = reason[:512] or "dead-lettered"
        dead = binding.RocketMqMessage(
            body=message.body,
            properties=properties,
            tag=message.tag,
            keys=tuple(message.keys),
        )
        await self.transport.publish_raw(DLQ_PREFIX + self.group, dead)
        await self.ack(message)

    async def run(self) -> None:
        """Receive until stopped; reconnect-free: the client retries its gRPC channel itself."""
        config = self.transport.config
        attempt = 0
        self.sub.ready.set()
        while not self.sub.stopping:
            try:
                future = self.client.receive_async(config.batch_size, config.invisible_duration)
                messages = await asyncio.wrap_future(future)
                attempt = 0
            except Exception as exc:  # broker unreachable, restarting, timeouts
                attempt += 1
                log.warning("rocketmq receive on %r failed: %s", self.sub.channel, exc)
                await asyncio.sleep(config.reconnect_backoff.delay(attempt))
                continue
            for message in messages:
                if self.sub.stopping:
                    # Received while stopping: hand it straight back instead of waiting it out.
                    await self._release(message)
                    continue
                await self.slots.acquire()
                task = asyncio.ensure_future(self._deliver(message))
                self.sub.inflight.add(task)
                task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.sub.inflight.discard(task)
        self.slots.release()

    async def _release(self, message: Any) -> None:
        try:
            await self.change_invisible(message, 0)
        except Exception as exc:
            log.warning("rocketmq could not release %s: %s", message.message_id, exc)

    async def _deliver(self, message: Any) -> None:
        try:
            cloudevent = binding.from_message(message.body, dict(message.properties))
            event = self.sub.decode(cloudevent)
        except Exception as exc:
            details = {"message_id": message.message_id, "topic": message.topic}
            await self.transport._undecodable(
                self.sub.channel,
                exc,
                lambda reason: self.dead_letter(message, reason),
                details,
            )
            return
        received = RocketMQReceived(event, cloudevent, self.sub, message)
        try:
            await self.transport._dispatch(self.sub, received)
        except Exception as exc:  # settling failed; the broker redelivers after invisibility
            log.warning("rocketmq settle of %s failed: %s", message.message_id, exc)


def _state(sub: Subscription) -> _Consumer:
    state = sub.state
    assert isinstance(state, _Consumer)
    return state


class RocketMQTransport(Transport):
    """RocketMQ 5 over gRPC; see the module docstring for the delivery semantics."""

    protocol: ClassVar[str] = "rocketmq"
    config: RocketMQConfig

    def __init__(self, config: RocketMQConfig | None = None) -> None:
        super().__init__(config or RocketMQConfig())
        self._producer: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def default_options(self) -> RocketMQSendOptions:
        return RocketMQSendOptions()

    def default_group(self, channel: str) -> str:
        return f"{self.config.source}-{channel}".replace("/", "-").replace(":", "-")

    def _client_config(self) -> Any:
        credentials = rmq.Credentials(self.config.access_key, self.config.secret_key)
        return rmq.ClientConfiguration(
            self.config.endpoints,
            credentials,
            namespace=self.config.namespace,
            request_timeout=self.config.request_timeout,
        )

    # -- lifecycle -------------------------------------------------------------------------
    async def _connect(self) -> None:
        self._loop = asyncio.get_running_loop()
        producer = rmq.Producer(self._client_config(), checker=_Checker(self))
        try:
            await asyncio.to_thread(producer.startup)
        except Exception as exc:
            raise TransportError(f"rocketmq producer could not start: {exc}") from exc
        self._producer = producer

    async def _disconnect(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await asyncio.to_thread(producer.shutdown)

    # -- sending ---------------------------------------------------------------------------
    def _to_message(self, event: CloudEvent, channel: str, options: SendOptions) -> Any:
        opts = options if isinstance(options, RocketMQSendOptions) else RocketMQSendOptions()
        # RocketMQ refuses empty bodies: an event without data travels structured.
        structured = self.is_structured(options) or not event.data
        encode = binding.to_structured if structured else binding.to_binary
        value = encode(event, tag=opts.tag, keys=opts.keys, message_group=opts.message_group)
        message = _message(channel, value)
        deliver_at = _deliver_at(opts)
        if deliver_at is not None:
            if opts.message_group:
                raise TransportError("a RocketMQ message cannot be both FIFO and delayed")
            # The protocol takes whole seconds; round up so a message is never early.
            message.delivery_timestamp = math.ceil(deliver_at)
        return message

    async def _publish(self, event: CloudEvent, channel: str, options: SendOptions) -> None:
        await self._send_message(self._to_message(event, channel, options))

    async def publish_raw(self, topic: str, value: binding.RocketMqMessage) -> None:
        """Send an already bound message (dead-lettering re-publishes what it received)."""
        await self._send_message(_message(topic, value))

    async def _send_message(self, message: Any) -> None:
        producer = self._require_producer()
        deadline = time.monotonic() + self.config.send_timeout
        attempt = 0
        while True:
            try:
                await asyncio.wrap_future(producer.send_async(message))
                return
            except Exception as exc:
                attempt += 1
                if time.monotonic() >= deadline or _is_permanent(exc):
                    raise TransportError(
                        f"rocketmq send to {message.topic!r} failed: {exc}"
                    ) from exc
                await asyncio.sleep(self.config.reconnect_backoff.delay(attempt))

    async def send_transactional(
        self,
        event: CloudEvent,
        channel: str,
        local_transaction: Callable[[], Awaitable[TransactionOutcome]],
        options: RocketMQSendOptions | None = None,
    ) -> TransactionOutcome:
        """Send a half message, run ``local_transaction``, then commit (True) or roll back (False).

        ``None`` leaves the outcome open: the broker asks ``transaction_checker`` later. If the
        local transaction raises, the half message is rolled back and the error propagates.
        """
        if not self.config.enabled:
            return None
        if self.config.transaction_checker is None:
            raise TransportError("transactional sends need RocketMQConfig.transaction_checker")
        opts = options or RocketMQSendOptions()
        if opts.message_group or _deliver_at(opts) is not None:
            raise TransportError("a transactional message cannot be FIFO or delayed")
        producer = self._require_producer()
        message = self._to_message(event, channel, opts)
        transaction = producer.begin_transaction()
        try:
            await asyncio.to_thread(producer.send, message, transaction)
        except Exception as exc:
            raise TransportError(f"rocketmq half message to {channel!r} failed: {exc}") from exc
        try:
            outcome = await local_transaction()
        except BaseException:
            await asyncio.to_thread(transaction.rollback)
            raise
        if outcome is True:
            await asyncio.to_thread(transaction.commit)
        elif outcome is False:
            await asyncio.to_thread(transaction.rollback)
        return outcome

    def _require_producer(self) -> Any:
        if self._producer is None:
            raise TransportError("rocketmq transport is not started")
        return self._producer

    # -- receiving -------------------------------------------------------------------------
    async def _start_subscription(self, sub: Subscription) -> None:
        options = sub.options if isinstance(sub.options, RocketMQSubscribeOptions) else None
        expression = (options or RocketMQSubscribeOptions()).tag_expression
        group = sub.group or self.default_group(sub.channel)
        subscription = {sub.channel: rmq.FilterExpression(expression)}
        client = rmq.SimpleConsumer(
            self._client_config(), group, subscription, await_duration=self.config.await_duration
        )
        try:
            await asyncio.to_thread(client.startup)
        except Exception as exc:
            raise TransportError(f"rocketmq consumer {group!r} could not start: {exc}") from exc
        state = _Consumer(self, sub, client)
        sub.state = state
        state.loop_task = asyncio.create_task(state.run())

    async def _stop_subscription(self, sub: Subscription) -> None:
        state = sub.state
        if not isinstance(state, _Consumer):
            return
        sub.stopping = True
        if state.loop_task is not None:
            # The pending long poll returns within await_duration; what it brings is released.
            limit = self.config.await_duration + self.config.request_timeout + 1
            done, _ = await asyncio.wait({state.loop_task}, timeout=limit)
            if not done:
                state.loop_task.cancel()
        await sub.drain(self.config.drain_timeout)
        await asyncio.to_thread(state.client.shutdown)
        sub.state = None


class _Checker(rmq.TransactionChecker):  # type: ignore[misc,name-defined]
    """Adapts the client's check-back callback (on its own thread) to the configured checker."""

    def __init__(self, transport: RocketMQTransport) -> None:
        self.transport = transport

    def check(self, message: Any) -> Any:
        checker = self.transport.config.transaction_checker
        resolution = rmq.TransactionResolution
        if checker is None:
            return resolution.TRANSACTION_RESOLUTION_UNSPECIFIED
        try:
            cloudevent = binding.from_message(message.body, dict(message.properties))
            outcome = checker(cloudevent)
            if isinstance(outcome, Awaitable):
                loop = self.transport._loop
                assert loop is not None
                outcome = asyncio.run_coroutine_threadsafe(_await(outcome), loop).result(30)
        except Exception:
            log.exception("rocketmq transaction checker failed; the broker will ask again")
            return resolution.TRANSACTION_RESOLUTION_UNSPECIFIED
        if outcome is True:
            return resolution.COMMIT
        if outcome is False:
            return resolution.ROLLBACK
        return resolution.TRANSACTION_RESOLUTION_UNSPECIFIED


async def _await(outcome: Awaitable[TransactionOutcome]) -> TransactionOutcome:
    return await outcome


def _message(topic: str, value: binding.RocketMqMessage) -> Any:
    try:
        message = rmq.Message()
        message.topic = topic
        message.body = value.body
        if value.tag:
            message.tag = value.tag
        for key in value.keys:
            message.keys = key
        if value.message_group:
            message.message_group = value.message_group
        for name, text in value.properties.items():
            message.add_property(name, text)
    except Exception as exc:  # the client's IllegalArgumentException names the problem
        raise TransportError(f"cannot build a RocketMQ message for {topic!r}: {exc}") from exc
    return message


def _deliver_at(options: RocketMQSendOptions) -> float | None:
    """Epoch seconds at which a delayed message becomes visible, or None."""
    given = [
        options.delay_level is not None,
        options.delay is not None,
        options.deliver_at is not None,
    ]
    if sum(given) > 1:
        raise TransportError("give only one of delay_level, delay and deliver_at")
    if options.delay_level is not None:
        if not 1 <= options.delay_level <= len(DELAY_LEVELS):
            raise TransportError(f"delay_level must be 1..18, got {options.delay_level}")
        return time.time() + DELAY_LEVELS[options.delay_level - 1]
    if options.delay is not None:
        return time.time() + options.delay.total_seconds()
    if options.deliver_at is not None:
        if options.deliver_at.tzinfo is None:
            raise TransportError("deliver_at must be timezone-aware")
        return options.deliver_at.timestamp()
    return None


def _is_permanent(exc: Exception) -> bool:
    """Errors that retrying cannot fix (bad request, forbidden, illegal argument)."""
    name = type(exc).__name__
    return name in {
        "BadRequestException",
        "ForbiddenException",
        "UnauthorizedException",
        "IllegalArgumentException",
        "PayloadTooLargeException",
        "NotFoundException",
    }


__all__ = [
    "DELAY_LEVELS",
    "DLQ_PREFIX",
    "RocketMQConfig",
    "RocketMQReceived",
    "RocketMQSendOptions",
    "RocketMQSubscribeOptions",
    "RocketMQTransport",
    "TransactionChecker",
]
