"""The transport contract every broker implements, and the delivery logic they all share.

Skeleton of a transport module ``runtime/transports/<broker>.py`` (kafka, amqp, mqtt, nats,
rocketmq, memory), faststream-style, so every broker reads the same:

* ``<Broker>Config(TransportConfig)``: connection settings on top of the common ones below.
* ``<Broker>SendOptions(SendOptions)``: the operation's binding options (Kafka key/partition, AMQP
  exchange/routing key/priority, MQTT qos/retain, RocketMQ tag/keys/group/delay, …).
* ``<Broker>Received(Received[T])``: the decoded event plus the protocol's own controls (Kafka
  ``commit()``/partition/offset, AMQP ``ack()``/``nack(requeue=…)``, …). It implements
  ``_ack``/``_requeue``/``_dead_letter``; ``retry_in_place`` says how a failed delivery comes back.
* ``<Broker>Transport(Transport)``: implements ``_connect``, ``_disconnect``, ``_publish``,
  ``_start_subscription`` and ``_stop_subscription``. Everything else lives here: the enabled
  switch, source/extension filling, middleware chains, typed encode/decode, retries, dead-lettering,
  error hooks, async iteration.
* The broker client is imported at module top through :func:`require`, so a missing extra fails at
  import with ``pip install 'eventapi[<extra>]'``; bindings never import clients.

Delivery contract (at-least-once), implemented by :meth:`Transport._dispatch`:

1. The transport reads a raw message, turns it into a CloudEvent with its binding and decodes the
   data with the subscription's decoder. Any failure there calls :meth:`Transport._undecodable`:
   the error hook hears about it and the message goes to the dead-letter path; consuming goes on.
2. Receive middleware then the handler run. If the handler returns without settling, the message
   is acked (committed). If it raises, the error hook hears about it and: after
   ``max_attempts`` attempts the message is dead-lettered; otherwise it comes back, either in place
   (``retry_in_place``, e.g. Kafka, after ``retry_backoff``) or from the broker (``_requeue``).
3. A handler may settle itself (``ack``/``nack``/``commit``); the dispatcher then does nothing more.
4. ``close()`` stops fetching, waits up to ``drain_timeout`` for in-flight handlers, settles what
   completed and only then disconnects; anything not settled comes back on the next start.

Handlers are ``async def handler(received) -> None``. Generated code passes ``schema=`` so that
``received.event`` is the typed dataclass; without it, ``received.event`` is the CloudEvent.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import random
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import ModuleType, TracebackType
from typing import Any, ClassVar, Generic, Literal, Self, TypeVar

from eventapi.runtime.cloudevent import CloudEvent, ExtensionValue
from eventapi.runtime.codecs.schema import EventSchema
from eventapi.runtime.errors import TransportError

log = logging.getLogger("eventapi.runtime")
T = TypeVar("T")


def require(module: str, extra: str) -> ModuleType:
    """Import a broker client or fail with an install hint naming the extra."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"the {extra} transport needs {module!r}: pip install 'eventapi[{extra}]'"
        ) from exc


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with jitter: ``initial * factor**(attempt-1)`` capped at ``maximum``."""

    initial: float = 0.05
    maximum: float = 5.0
    factor: float = 2.0
    jitter: float = 0.2

    def delay(self, attempt: int) -> float:
        base = min(self.maximum, self.initial * self.factor ** max(0, attempt - 1))
        return base * (1 + self.jitter * random.random())


@dataclass(frozen=True, slots=True)
class Failure:
    """Marks an event as reporting a failure (the original's ``WithFailure(code, message)``).

    Sent as the extensions ``failurecode`` and ``failuremessage``.
    """

    code: str | int
    message: str

    def extensions(self) -> dict[str, ExtensionValue]:
        return {"failurecode": str(self.code), "failuremessage": self.message}


@dataclass(frozen=True, slots=True, kw_only=True)
class SendOptions:
    """Per-send options common to all protocols; each transport subclasses it with its binding's."""

    #: Structured content mode for this send (None: the transport's default, binary).
    structured: bool | None = None


@dataclass(frozen=True, slots=True)
class SendContext:
    """What send middleware sees and may replace (``dataclasses.replace``) before calling on."""

    event: CloudEvent
    channel: str
    options: SendOptions


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    """Passed to the error hook: what failed, where, and what happens to the message next."""

    stage: Literal["decode", "handler", "dead_letter"]
    channel: str
    error: BaseException
    #: "dead_letter", "retry" or "dropped" (dead-lettering disabled or itself failed).
    outcome: str
    attempt: int = 1
    cloudevent: CloudEvent | None = None
    #: Protocol details of the raw message (partition/offset, delivery tag, headers, …).
    details: Mapping[str, object] = field(default_factory=dict)


SendNext = Callable[[SendContext], Awaitable[None]]
SendMiddleware = Callable[[SendContext, SendNext], Awaitable[None]]
ReceiveNext = Callable[["Received[Any]"], Awaitable[None]]
ReceiveMiddleware = Callable[["Received[Any]", ReceiveNext], Awaitable[None]]
ErrorHook = Callable[[DeliveryFailure], Awaitable[None] | None]
ExtensionsProvider = Callable[[], Mapping[str, ExtensionValue]]
Decoder = Callable[[CloudEvent], Any]


@dataclass(frozen=True, kw_only=True)
class TransportConfig:
    """Settings shared by every transport (broker configs subclass this)."""

    #: CloudEvent ``source`` of sent events.
    source: str = "eventapi"
    #: Disabled: sends are no-ops, receivers never start, nothing connects.
    enabled: bool = True
    #: Called on every send; its extensions go under the event's own (e.g. trace ids).
    extensions_provider: ExtensionsProvider | None = None
    send_middleware: Sequence[SendMiddleware] = ()
    receive_middleware: Sequence[ReceiveMiddleware] = ()
    #: Default content mode for sends.
    structured: bool = False
    #: Deliveries of one message (first try included) before it is dead-lettered.
    max_attempts: int = 5
    retry_backoff: Backoff = Backoff(initial=0.01, maximum=1.0)
    #: False: exhausted and undecodable messages are reported and then dropped.
    dead_letter: bool = True
    error_hook: ErrorHook | None = None
    reconnect_backoff: Backoff = Backoff(initial=0.1, maximum=5.0)
    #: How long ``close()`` waits for in-flight handlers.
    drain_timeout: float = 30.0
    #: How long a send keeps retrying through connection loss before raising.
    send_timeout: float = 60.0


class Received(ABC, Generic[T]):
    """One delivered message: the decoded ``event``, its ``cloudevent`` and settlement controls."""

    # Slots for what every delivery sets (one object per message); ``__dict__`` keeps
    # middleware free to attach its own attributes.
    __slots__ = ("__dict__", "attempt", "channel", "cloudevent", "event", "settled")

    #: True when a failed delivery is retried by the consumer (no broker-side redelivery).
    retry_in_place: ClassVar[bool] = False

    def __init__(self, event: T, cloudevent: CloudEvent, channel: str, attempt: int = 1) -> None:
        self.event = event
        self.cloudevent = cloudevent
        self.channel = channel
        #: 1 for the first delivery; counts redeliveries the transport can see.
        self.attempt = attempt
        self.settled = False

    async def ack(self) -> None:
        """Settle as handled (idempotent)."""
        if not self.settled:
            self.settled = True
            await self._ack()

    @abstractmethod
    async def _ack(self) -> None: ...

    async def _requeue(self) -> None:
        """Hand the message back to the broker for redelivery (not used when retry_in_place)."""
        raise NotImplementedError

    @abstractmethod
    async def _dead_letter(self, reason: str) -> None:
        """Move to the dead-letter path and settle the original."""

    def details(self) -> dict[str, object]:
        """Protocol details for error reports."""
        return {}


class Subscription:
    """A running (or registered) consumer of one channel for one consumer group."""

    def __init__(
        self,
        transport: Transport,
        channel: str,
        *,
        group: str | None,
        handler: Callable[[Received[Any]], Awaitable[None]],
        decoder: Decoder | None,
        options: object,
    ) -> None:
        self.transport = transport
        self.channel = channel
        self.group = group
        self.decoder = decoder
        self.options = options
        self.chain = _receive_chain(transport.config.receive_middleware, handler)
        self.ready = asyncio.Event()
        self.stopping = False
        self.inflight: set[asyncio.Task[None]] = set()
        self.state: Any = None  # the transport's own per-subscription state

    async def wait_ready(self, timeout: float = 30.0) -> None:
        """Wait until the consumer receives (e.g. Kafka partitions assigned)."""
        if not self.transport.config.enabled:
            return
        try:
            await asyncio.wait_for(self.ready.wait(), timeout)
        except TimeoutError:
            msg = f"subscription to {self.channel!r} not ready after {timeout}s"
            raise TransportError(msg) from None

    def decode(self, event: CloudEvent) -> Any:
        return event if self.decoder is None else self.decoder(event)

    async def drain(self, timeout: float) -> None:
        """Wait for in-flight handlers (used by transports on stop)."""
        if self.inflight:
            await asyncio.wait(set(self.inflight), timeout=timeout)

    async def stop(self) -> None:
        """Stop consuming; in-flight handlers finish and are settled first."""
        await self.transport.unsubscribe(self)


def _receive_chain(
    middleware: Sequence[ReceiveMiddleware], handler: Callable[[Received[Any]], Awaitable[None]]
) -> ReceiveNext:
    chain: ReceiveNext = handler
    for mw in reversed(middleware):

        def bind(mw: ReceiveMiddleware, nxt: ReceiveNext) -> ReceiveNext:
            return lambda received: mw(received, nxt)

        chain = bind(mw, chain)
    return chain


class Transport(ABC):
    """Asyncio transport: ``async with`` it, ``send``/``send_event``, ``subscribe``/``iterate``."""

    #: Protocol name as in ``server.protocols`` (kafka, amqp, mqtt, nats, rocketmq, memory).
    protocol: ClassVar[str]

    def __init__(self, config: TransportConfig) -> None:
        self.config = config
        self.started = False
        self.subscriptions: list[Subscription] = []
        self._send_chain: SendNext = self._send_leaf
        for mw in reversed(config.send_middleware):
            self._send_chain = _bind_send(mw, self._send_chain)

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        """Connect and start every registered subscription (no-op when disabled)."""
        if self.started or not self.config.enabled:
            return
        await self._connect()
        self.started = True
        for sub in self.subscriptions:
            await self._start_subscription(sub)

    async def close(self) -> None:
        """Graceful shutdown: drain subscriptions, flush sends, disconnect."""
        if not self.started:
            return
        for sub in list(self.subscriptions):
            await self.unsubscribe(sub)
        self.started = False
        await self._disconnect()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- sending ---------------------------------------------------------------------------
    async def send(
        self, event: CloudEvent, channel: str, options: SendOptions | None = None
    ) -> None:
        """Send a CloudEvent through the send middleware; returns once the broker has it."""
        if not self.config.enabled:
            return
        if not self.started:
            raise TransportError(f"{self.protocol} transport is not started")
        await self._send_chain(SendContext(event, channel, options or self.default_options()))

    async def send_event(
        self,
        event: T,
        schema: EventSchema[T],
        channel: str,
        options: SendOptions | None = None,
        *,
        subject: str | None = None,
        extensions: Mapping[str, ExtensionValue] | None = None,
        failure: Failure | None = None,
        id: str | None = None,
        time: datetime | None = None,
    ) -> CloudEvent:
        """Encode a typed event with its schema, fill the envelope and send it.

        Extensions, lowest precedence first: the provider, ``extensions``, ``failure``; the
        event's own header fields win over all of them. ``subject`` overrides the subject field.
        Returns the CloudEvent sent.
        """
        extra: dict[str, ExtensionValue] = {}
        if self.config.extensions_provider is not None:
            extra.update(self.config.extensions_provider())
        if extensions:
            extra.update(extensions)
        if failure is not None:
            extra.update(failure.extensions())
        cloudevent = schema.codec.to_cloudevent(
            event, source=self.config.source, subject=subject, extensions=extra, id=id, time=time
        )
        await self.send(cloudevent, channel, options)
        return cloudevent

    async def send_batch(
        self, events: Sequence[CloudEvent], channel: str, options: SendOptions | None = None
    ) -> None:
        """Send many events concurrently; returns once the broker has all of them.

        Without send middleware each goes straight to :meth:`_publish` (no context per event).
        """
        if self.config.send_middleware or not self.config.enabled:
            await asyncio.gather(*(self.send(event, channel, options) for event in events))
            return
        if not self.started:
            raise TransportError(f"{self.protocol} transport is not started")
        opts = options or self.default_options()
        await asyncio.gather(*(self._publish(event, channel, opts) for event in events))

    async def send_events(
        self,
        events: Iterable[T],
        schema: EventSchema[T],
        channel: str,
        options: SendOptions | None = None,
    ) -> list[CloudEvent]:
        """Bulk :meth:`send_event` (provider extensions and header fields apply per event)."""
        provider = self.config.extensions_provider
        codec, source = schema.codec, self.config.source
        cloudevents = [
            codec.to_cloudevent(e, source=source, extensions=provider() if provider else None)
            for e in events
        ]
        await self.send_batch(cloudevents, channel, options)
        return cloudevents

    def default_options(self) -> SendOptions:
        """The options used when a send passes none (subclasses return their own type)."""
        return SendOptions()

    def is_structured(self, options: SendOptions) -> bool:
        return self.config.structured if options.structured is None else options.structured

    async def _send_leaf(self, ctx: SendContext) -> None:
        await self._publish(ctx.event, ctx.channel, ctx.options)

    # -- receiving -------------------------------------------------------------------------
    async def subscribe(
        self,
        channel: str,
        handler: Callable[[Any], Awaitable[None]],
        *,
        group: str | None = None,
        schema: EventSchema[Any] | None = None,
        options: object = None,
    ) -> Subscription:
        """Register a handler for ``channel`` in consumer ``group``; starts now if started.

        ``schema`` makes ``received.event`` the typed event; ``options`` are transport specific.
        """
        decoder = None if schema is None else schema.codec.from_cloudevent
        sub = Subscription(
            self, channel, group=group, handler=handler, decoder=decoder, options=options
        )
        self.subscriptions.append(sub)
        if self.started:
            await self._start_subscription(sub)
        return sub

    async def unsubscribe(self, sub: Subscription) -> None:
        if sub in self.subscriptions:
            self.subscriptions.remove(sub)
            sub.stopping = True
            if self.started:
                await self._stop_subscription(sub)

    async def iterate(
        self,
        channel: str,
        *,
        group: str | None = None,
        schema: EventSchema[Any] | None = None,
        options: object = None,
    ) -> AsyncIterator[Received[Any]]:
        """Async iteration instead of a handler: leaving an item acks it, raising fails it."""
        queue: asyncio.Queue[tuple[Received[Any], asyncio.Future[None]]] = asyncio.Queue(1)

        async def handler(received: Received[Any]) -> None:
            done = asyncio.get_running_loop().create_future()
            await queue.put((received, done))
            await done

        sub = await self.subscribe(channel, handler, group=group, schema=schema, options=options)
        try:
            while True:
                received, done = await queue.get()
                try:
                    yield received
                except Exception as exc:
                    done.set_exception(exc)
                    raise
                except BaseException:
                    done.set_exception(TransportError("iteration stopped"))
                    raise
                else:
                    done.set_result(None)
        finally:
            await sub.stop()

    # -- shared delivery logic (see the module docstring) ------------------------------------
    def _spawn(self, sub: Subscription, received: Received[Any]) -> asyncio.Task[None]:
        """Run one delivery as a tracked task (for transports that dispatch concurrently)."""
        task = asyncio.ensure_future(self._dispatch(sub, received))
        sub.inflight.add(task)
        task.add_done_callback(sub.inflight.discard)
        return task

    async def _dispatch(self, sub: Subscription, received: Received[Any]) -> None:
        try:
            await sub.chain(received)
        except Exception as exc:
            await self._handler_failed(sub, received, exc)
            return
        await received.ack()  # a no-op when the handler settled it itself

    async def _handler_failed(
        self, sub: Subscription, received: Received[Any], exc: Exception
    ) -> None:
        """The handler raised ``exc``: retry in place, hand back or dead-letter (step 2 above).

        Split from :meth:`_dispatch` so a transport's hot loop can run the handler inline and come
        here only on failure.
        """
        while True:
            if received.settled:
                await self._report(_failure("handler", sub, received, exc, "settled"))
                return
            if received.attempt >= self.config.max_attempts:
                reason = f"handler failed {received.attempt} times: {exc!r}"
                outcome = "dead_letter" if self.config.dead_letter else "dropped"
                await self._report(_failure("handler", sub, received, exc, outcome))
                await self._settle_dead(received, reason, sub)
                return
            await self._report(_failure("handler", sub, received, exc, "retry"))
            if not received.retry_in_place:
                received.settled = True
                await received._requeue()
                return
            await asyncio.sleep(self.config.retry_backoff.delay(received.attempt))
            received.attempt += 1
            try:
                await sub.chain(received)
            except Exception as again:
                exc = again
                continue
            await received.ack()
            return

    async def _settle_dead(self, received: Received[Any], reason: str, sub: Subscription) -> None:
        received.settled = True
        if not self.config.dead_letter:
            await received._ack()
            return
        try:
            await received._dead_letter(reason)
        except Exception as exc:
            # The original stays unsettled, so the broker (or a restart) delivers it again.
            await self._report(_failure("dead_letter", sub, received, exc, "retry"))
            raise

    async def _undecodable(
        self,
        channel: str,
        error: Exception,
        dead_letter: Callable[[str], Awaitable[None]],
        details: Mapping[str, object],
    ) -> None:
        """A message that cannot be read: report it, then dead-letter (or drop) it."""
        outcome = "dead_letter" if self.config.dead_letter else "dropped"
        await self._report(DeliveryFailure("decode", channel, error, outcome, details=details))
        await dead_letter(f"undecodable: {error}")

    async def _report(self, failure: DeliveryFailure) -> None:
        hook = self.config.error_hook
        if hook is None:
            log.warning(
                "%s %s failure on %r: %s (%s)",
                self.protocol,
                failure.stage,
                failure.channel,
                failure.error,
                failure.outcome,
            )
            return
        try:
            result = hook(failure)
            if result is not None:
                await result
        except Exception:
            log.exception("error hook failed")

    # -- what each broker implements ---------------------------------------------------------
    @abstractmethod
    async def _connect(self) -> None: ...

    @abstractmethod
    async def _disconnect(self) -> None: ...

    @abstractmethod
    async def _publish(self, event: CloudEvent, channel: str, options: SendOptions) -> None: ...

    @abstractmethod
    async def _start_subscription(self, sub: Subscription) -> None:
        """Start consuming; set ``sub.ready`` once messages can arrive."""

    @abstractmethod
    async def _stop_subscription(self, sub: Subscription) -> None:
        """Stop fetching, ``await sub.drain(config.drain_timeout)``, settle, release."""


def _bind_send(mw: SendMiddleware, nxt: SendNext) -> SendNext:
    return lambda ctx: mw(ctx, nxt)


def _failure(
    stage: Literal["decode", "handler", "dead_letter"],
    sub: Subscription,
    received: Received[Any],
    exc: BaseException,
    outcome: str,
) -> DeliveryFailure:
    return DeliveryFailure(
        stage,
        sub.channel,
        exc,
        outcome,
        attempt=received.attempt,
        cloudevent=received.cloudevent,
        details=received.details(),
    )


def with_options(ctx: SendContext, **changes: Any) -> SendContext:
    """Helper for middleware: a copy of ``ctx.options`` with ``changes`` applied."""
    return replace(ctx, options=replace(ctx.options, **changes))


async def cancel_quietly(task: asyncio.Task[Any] | None) -> None:
    """Cancel a background task and wait for it, swallowing its cancellation."""
    if task is None or task.done():
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
