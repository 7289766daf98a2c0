"""NATS transport on nats-py: core publish/subscribe with queue groups, and JetStream consumers.

Sending: binary mode puts every attribute in a ``ce-<attr>`` header, percent-encoded
(bindings/nats.py). With ``jetstream=True`` a send returns once the stream stored the message
(a missing stream for the subject is created when ``auto_create_streams``), and it is retried
through reconnects until ``send_timeout``; core sends are fire-and-forget.

Receiving with JetStream (the default): each subscription is a durable pull consumer named after
the consumer group, with explicit acks. A handled message is acked; a failed one is nak'ed with the
retry backoff as delay and comes back with ``num_delivered`` + 1; after ``max_attempts`` deliveries
it is published to ``<dead_letter_prefix><subject>`` (in a JetStream stream too) and terminated,
and so is a message that cannot be decoded. The server's own ``max_deliver`` is set a little
higher as a backstop, and its MAX_DELIVERIES advisory is followed, so a message whose consumer
died on its last attempts still reaches the dead-letter subject. Unacked messages come back after
``ack_wait`` (a crashed consumer) or at once (a stopping consumer naks what it has not started).

Core NATS (``jetstream=False``) has no acknowledgements, so delivery is at most once: handlers are
retried in place and the dead-letter subject gets what still fails; a group is a queue group.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass
from typing import Any, ClassVar

from eventapi.runtime.bindings import nats as binding
from eventapi.runtime.cloudevent import CloudEvent
from eventapi.runtime.errors import TransportError
from eventapi.runtime.transports.base import (
    Received,
    SendOptions,
    Subscription,
    Transport,
    TransportConfig,
    cancel_quietly,
    log,
    require,
)

nats = require("nats", "nats")
nats_errors = require("nats.errors", "nats")
js_api = require("nats.js.api", "nats")
js_errors = require("nats.js.errors", "nats")

_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
REASON_HEADER = "eventapi-dead-letter-reason"
ADVISORY = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES"


@dataclass(frozen=True, kw_only=True)
class NatsConfig(TransportConfig):
    """Servers, JetStream switch and consumer settings (durations in seconds)."""

    servers: tuple[str, ...] = ("nats://127.0.0.1:4222",)
    name: str | None = None
    user: str | None = None
    password: str | None = None
    token: str | None = None
    jetstream: bool = True
    auto_create_streams: bool = True
    #: How long the server waits for an ack before redelivering (a crashed consumer).
    ack_wait: float = 30.0
    #: Messages one pull request asks for; also the most a stopping consumer has to nak.
    batch_size: int = 64
    #: Long-poll time of one pull request.
    fetch_timeout: float = 1.0
    concurrency: int = 64
    dead_letter_prefix: str = "dlq."
    reconnect_time_wait: float = 0.25


@dataclass(frozen=True, slots=True, kw_only=True)
class NatsSendOptions(SendOptions):
    """NATS has no per-message binding options beyond the subject (the channel)."""


class NatsReceived(Received[Any]):
    """A JetStream message: ``subject``, ``stream_sequence``; ``ack``/``nak``/``term``."""

    def __init__(self, event: Any, cloudevent: CloudEvent, sub: Subscription, msg: Any) -> None:
        super().__init__(event, cloudevent, sub.channel, attempt=_delivered(msg))
        self.msg = msg
        self._sub = sub

    @property
    def subject(self) -> str:
        return str(self.msg.subject)

    @property
    def stream_sequence(self) -> int:
        return int(self.msg.metadata.sequence.stream)

    async def nak(self, delay: float | None = None) -> None:
        """Settle as failed: the server redelivers after ``delay`` seconds."""
        if not self.settled:
            self.settled = True
            await self.msg.nak(delay=delay)

    async def term(self) -> None:
        """Settle as never to be redelivered (no dead-letter copy)."""
        if not self.settled:
            self.settled = True
            await self.msg.term()

    async def _ack(self) -> None:
        await self.msg.ack()

    async def _requeue(self) -> None:
        transport = self._sub.transport
        await self.msg.nak(delay=transport.config.retry_backoff.delay(self.attempt))

    async def _dead_letter(self, reason: str) -> None:
        await _state(self._sub).dead_letter(
            self.msg.subject, self.msg.data, self.msg.headers, reason
        )
        await self.msg.term()

    def details(self) -> dict[str, object]:
        return {"subject": self.subject, "stream_sequence": self.stream_sequence}


class NatsCoreReceived(Received[Any]):
    """A core NATS message: nothing to acknowledge; failures retry in place."""

    retry_in_place: ClassVar[bool] = True

    def __init__(self, event: Any, cloudevent: CloudEvent, sub: Subscription, msg: Any) -> None:
        super().__init__(event, cloudevent, sub.channel)
        self.msg = msg
        self._sub = sub

    async def _ack(self) -> None:
        return None

    async def _dead_letter(self, reason: str) -> None:
        await _state(self._sub).dead_letter(
            self.msg.subject, self.msg.data, self.msg.headers, reason
        )

    def details(self) -> dict[str, object]:
        return {"subject": str(self.msg.subject)}


def _delivered(msg: Any) -> int:
    """The delivery count from a JetStream reply subject, ``$JS.ACK.<stream>.<consumer>.<n>…``
    (9 tokens) or ``$JS.ACK.<domain>.<account>.<stream>.<consumer>.<n>…`` (11 or more), read
    directly: nats-py's ``msg.metadata`` builds the whole record, a datetime included, per message.
    """
    tokens = (msg.reply or "").split(".")
    count = len(tokens)
    if count < 9 or tokens[0] != "$JS" or tokens[1] != "ACK":
        return 1
    try:
        return int(tokens[4] if count == 9 else tokens[6])
    except ValueError:
        return 1


def _state(sub: Subscription) -> _Consumer:
    state = sub.state
    assert isinstance(state, _Consumer)
    return state


class _Consumer:
    """One subscription: a durable pull consumer (JetStream) or a core (queue) subscription."""

    def __init__(self, transport: NatsTransport, sub: Subscription) -> None:
        self.transport = transport
        self.sub = sub
        self.durable = _NAME_UNSAFE.sub("_", sub.group or transport.default_group(sub.channel))
        self.slots = asyncio.Semaphore(transport.config.concurrency)
        self.pull: Any = None
        self.core: Any = None
        self.advisory: Any = None
        self.stream: str | None = None
        self.task: asyncio.Task[None] | None = None
        self.queue: asyncio.Queue[Any] | None = None
        self.workers: list[asyncio.Task[None]] = []

    async def dead_letter(
        self, subject: str, data: bytes, headers: dict[str, str] | None, reason: str
    ) -> None:
        copy = dict(headers or {})
        copy[REASON_HEADER] = reason[:1024] or "dead-lettered"
        await self.transport.publish_raw(
            self.transport.config.dead_letter_prefix + subject, data, copy
        )

    async def start(self) -> None:
        transport, config = self.transport, self.transport.config
        if not config.jetstream:
            self.core = await transport.nc.subscribe(
                self.sub.channel, queue=self.sub.group or "", cb=self._on_core
            )
            self.sub.ready.set()
            return
        self.stream = await transport.ensure_stream(self.sub.channel)
        consumer = js_api.ConsumerConfig(
            durable_name=self.durable,
            ack_policy=js_api.AckPolicy.EXPLICIT,
            ack_wait=config.ack_wait,
            # Backstop only: the transport dead-letters at max_attempts itself.
            max_deliver=config.max_attempts + 2,
            max_ack_pending=max(config.concurrency, config.batch_size) * 4,
            filter_subject=self.sub.channel,
        )
        self.pull = await transport.js.pull_subscribe(
            self.sub.channel, durable=self.durable, stream=self.stream, config=consumer
        )
        self.advisory = await transport.nc.subscribe(
            f"{ADVISORY}.{self.stream}.{self.durable}", cb=self._on_max_deliveries
        )
        # JetStream deliveries go to ``concurrency`` long-lived workers through a bounded queue:
        # a task per message cost more than the handling of a small event.
        self.queue = asyncio.Queue(config.concurrency)
        self.workers = [asyncio.create_task(self._work()) for _ in range(config.concurrency)]
        self.task = asyncio.create_task(self._fetch_loop())
        self.sub.ready.set()

    async def stop(self) -> None:
        await cancel_quietly(self.task)
        if self.queue is not None:
            # Not started yet: back to the server at once. Started: finish within drain_timeout.
            waiting = []
            while not self.queue.empty():
                waiting.append(self.queue.get_nowait())
                self.queue.task_done()
            await self._nak_all(waiting)
            try:
                await asyncio.wait_for(self.queue.join(), self.transport.config.drain_timeout)
            except TimeoutError:
                log.warning("nats handlers on %r still running after drain", self.sub.channel)
            for worker in self.workers:
                await cancel_quietly(worker)
        await self.sub.drain(self.transport.config.drain_timeout)
        for sub in (self.pull, self.core, self.advisory):
            if sub is not None:
                try:
                    await sub.unsubscribe()
                except Exception as exc:  # connection already closed
                    log.debug("nats unsubscribe: %s", exc)

    async def _fetch_loop(self) -> None:
        config = self.transport.config
        attempt = 0
        while not self.sub.stopping:
            try:
                msgs = await self.pull.fetch(config.batch_size, timeout=config.fetch_timeout)
                attempt = 0
            except nats_errors.TimeoutError:
                continue
            except Exception as exc:  # reconnecting, server restarting
                attempt += 1
                log.warning("nats fetch on %r failed: %s", self.sub.channel, exc)
                await asyncio.sleep(config.reconnect_backoff.delay(attempt))
                continue
            queue = self.queue
            assert queue is not None
            for index, msg in enumerate(msgs):
                try:
                    await queue.put(msg)
                except asyncio.CancelledError:
                    # Stopping while these wait for a worker: hand them back at once.
                    await asyncio.shield(self._nak_all(msgs[index:]))
                    raise

    async def _work(self) -> None:
        queue = self.queue
        assert queue is not None
        while True:
            msg = await queue.get()
            try:
                await self._deliver(msg)
            except Exception as exc:  # _deliver reports everything itself; keep the worker
                log.error("nats delivery on %r failed: %r", self.sub.channel, exc)
            finally:
                queue.task_done()

    async def _nak_all(self, msgs: list[Any]) -> None:
        for msg in msgs:
            try:
                await msg.nak()
            except Exception as exc:
                log.debug("nats nak on stop: %s", exc)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.sub.inflight.discard(task)
        self.slots.release()

    async def _on_core(self, msg: Any) -> None:
        await self.slots.acquire()
        task = asyncio.ensure_future(self._deliver(msg))
        self.sub.inflight.add(task)
        task.add_done_callback(self._done)

    async def _deliver(self, msg: Any) -> None:
        try:
            cloudevent = binding.from_message(msg.data, msg.headers)
            event = self.sub.decode(cloudevent)
        except Exception as exc:
            details = {"subject": str(msg.subject)}

            async def dead_letter(reason: str) -> None:
                await self.dead_letter(msg.subject, msg.data, msg.headers, reason)
                if self.core is None:
                    await msg.term()

            await self.transport._undecodable(self.sub.channel, exc, dead_letter, details)
            return
        received: Received[Any]
        if self.core is not None:
            received = NatsCoreReceived(event, cloudevent, self.sub, msg)
        else:
            received = NatsReceived(event, cloudevent, self.sub, msg)
        try:
            await self.transport._dispatch(self.sub, received)
        except Exception as exc:  # settling failed: the server redelivers after ack_wait
            log.warning("nats settle on %s failed: %s", msg.subject, exc)

    async def _on_max_deliveries(self, advisory: Any) -> None:
        """The server gave up on a message (consumer died on it repeatedly): dead-letter it."""
        try:
            sequence = int(json.loads(advisory.data)["stream_seq"])
            raw = await self.transport.js.get_msg(self.stream, sequence)
            headers = dict(raw.headers or {})
            reason = f"server max_deliver reached for stream sequence {sequence}"
            await self.dead_letter(raw.subject, raw.data or b"", headers, reason)
        except Exception as exc:
            log.warning("nats max-deliveries advisory not dead-lettered: %s", exc)


class NatsTransport(Transport):
    """NATS (core or JetStream) over nats-py; see the module docstring for the semantics."""

    protocol: ClassVar[str] = "nats"
    config: NatsConfig

    def __init__(self, config: NatsConfig | None = None) -> None:
        super().__init__(config or NatsConfig())
        self._nc: Any = None
        self._js: Any = None
        self._streams: dict[str, str] = {}

    @property
    def nc(self) -> Any:
        if self._nc is None:
            raise TransportError("nats transport is not started")
        return self._nc

    @property
    def js(self) -> Any:
        if self._js is None:
            raise TransportError("nats transport is not started (or JetStream is off)")
        return self._js

    def default_options(self) -> NatsSendOptions:
        return NatsSendOptions()

    def default_group(self, channel: str) -> str:
        return f"{self.config.source}-{channel}"

    # -- lifecycle -------------------------------------------------------------------------
    async def _connect(self) -> None:
        config = self.config

        async def on_error(exc: Exception) -> None:
            log.warning("nats connection: %s", exc)

        try:
            self._nc = await nats.connect(
                list(config.servers),
                name=config.name,
                user=config.user,
                password=config.password,
                token=config.token,
                error_cb=on_error,
                allow_reconnect=True,
                max_reconnect_attempts=-1,
                reconnect_time_wait=config.reconnect_time_wait,
                connect_timeout=5,
            )
        except Exception as exc:
            raise TransportError(f"nats servers {config.servers} are not reachable: {exc}") from exc
        if config.jetstream:
            self._js = self._nc.jetstream()

    async def _disconnect(self) -> None:
        nc, self._nc, self._js = self._nc, None, None
        if nc is not None:
            try:
                await nc.drain()
            except Exception as exc:  # already closed
                log.debug("nats drain: %s", exc)

    async def ensure_stream(self, subject: str) -> str:
        """The stream that stores ``subject``; created (named after it) when missing and allowed."""
        if subject in self._streams:
            return self._streams[subject]
        try:
            name = str(await self.js.find_stream_name_by_subject(subject))
        except js_errors.NotFoundError:
            if not self.config.auto_create_streams:
                raise TransportError(f"no JetStream stream stores {subject!r}") from None
            name = _NAME_UNSAFE.sub("_", subject.replace(".", "_").replace(">", "all"))
            name = name.replace("*", "any").upper()
            try:
                await self.js.add_stream(name=name, subjects=[subject])
            except js_errors.BadRequestError as exc:
                raise TransportError(f"cannot create a stream for {subject!r}: {exc}") from exc
        self._streams[subject] = name
        return name

    # -- sending ---------------------------------------------------------------------------
    async def _publish(self, event: CloudEvent, channel: str, options: SendOptions) -> None:
        value = (
            binding.to_structured(event)
            if self.is_structured(options)
            else binding.to_binary(event)
        )
        await self.publish_raw(channel, value.data, dict(value.headers))

    async def publish_raw(self, subject: str, data: bytes, headers: dict[str, str]) -> None:
        """Publish bound data; JetStream: wait for the stream's ack, retrying until send_timeout."""
        if not self.config.jetstream:
            try:
                await self.nc.publish(subject, data, headers=headers)
            except Exception as exc:
                raise TransportError(f"nats publish to {subject!r} failed: {exc}") from exc
            return
        await self.ensure_stream(subject)
        deadline = time.monotonic() + self.config.send_timeout
        attempt = 0
        while True:
            try:
                await self.js.publish(subject, data, headers=headers)
                return
            except (nats_errors.TimeoutError, nats_errors.NoRespondersError,
                    nats_errors.ConnectionReconnectingError) as exc:  # fmt: skip
                attempt += 1
                if time.monotonic() >= deadline:
                    raise TransportError(f"nats publish to {subject!r} failed: {exc}") from exc
                await asyncio.sleep(self.config.reconnect_backoff.delay(attempt))
            except Exception as exc:
                raise TransportError(f"nats publish to {subject!r} failed: {exc}") from exc

    # -- receiving -------------------------------------------------------------------------
    async def _start_subscription(self, sub: Subscription) -> None:
        consumer = _Consumer(self, sub)
        sub.state = consumer
        try:
            await consumer.start()
        except TransportError:
            raise
        except Exception as exc:
            raise TransportError(f"nats subscription to {sub.channel!r} failed: {exc}") from exc

    async def _stop_subscription(self, sub: Subscription) -> None:
        consumer = sub.state
        if isinstance(consumer, _Consumer):
            await consumer.stop()
        sub.state = None


__all__ = [
    "NatsConfig",
    "NatsCoreReceived",
    "NatsReceived",
    "NatsSendOptions",
    "NatsTransport",
]
