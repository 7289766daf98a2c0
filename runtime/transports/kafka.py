"""Kafka transport over confluent-kafka (librdkafka), asyncio-first.

Sending: one idempotent-capable ``Producer``; ``send`` resolves once the broker acknowledged the
record (delivery reports are collected by a poll thread and handed to the loop in batches, so many
concurrent sends cost one loop wake-up per poll, not one per record). Key and partition come from
:class:`KafkaSendOptions` (generated code passes the ``binding.kafka.key`` field's value).

Receiving: one ``Consumer`` per subscription (``group`` is the consumer group; ``None`` is a private
group that starts at the end), auto-commit off. Records are fetched in batches; partitions of a
batch are handled concurrently, records of one partition in order. Kafka cannot hand one record
back, so a failed record is retried in place (``retry_in_place``) with backoff, holding its
partition, until it succeeds or reaches ``max_attempts`` and goes to the dead-letter topic
``<topic>.dlq`` (headers kept, plus the reason and origin). Offsets are committed after the records
before them were handled, at the end of each batch, on revocation and on close; a crash replays
from the last commit (at-least-once).
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from eventapi.runtime.bindings import kafka as binding
from eventapi.runtime.cloudevent import CloudEvent
from eventapi.runtime.errors import BindingError, CodecError, TransportError
from eventapi.runtime.transports.base import (
    Received,
    SendOptions,
    Subscription,
    Transport,
    TransportConfig,
    log,
    require,
)

ck: Any = require("confluent_kafka", "kafka")
ck_admin: Any = require("confluent_kafka.admin", "kafka")

REASON_HEADER = "eventapi_dlq_reason"
ORIGIN_HEADER = "eventapi_dlq_origin"


@dataclass(frozen=True, kw_only=True)
class KafkaConfig(TransportConfig):
    """Kafka settings; ``producer``/``consumer`` are passed to librdkafka as they are."""

    bootstrap_servers: str = "127.0.0.1:9092"
    producer: Mapping[str, Any] = field(default_factory=dict)
    consumer: Mapping[str, Any] = field(default_factory=dict)
    dlq_suffix: str = ".dlq"
    #: Create missing dead-letter topics when a subscription starts.
    create_dlq_topics: bool = True
    #: Records fetched per consume call.
    batch_size: int = 500
    poll_timeout: float = 0.1


@dataclass(frozen=True, slots=True, kw_only=True)
class KafkaSendOptions(SendOptions):
    """Record ``key``, a pinned ``partition``, or the opt-in ``partitionkey`` extension mapper."""

    key: bytes | str | None = None
    partition: int | None = None
    key_from_partitionkey: bool = False


class KafkaReceived(Received[Any]):
    """A consumed record: ``partition``, ``offset``, ``key``, ``topic`` and ``commit()``."""

    __slots__ = ("_msg", "_sub", "_tp", "partition", "topic")
    retry_in_place = True

    def __init__(
        self,
        event: Any,
        cloudevent: CloudEvent,
        sub: Subscription,
        msg: Any,
        topic_partition: tuple[str, int],
    ) -> None:
        # Received.__init__ spelled out: one of these is built per record.
        self.event = event
        self.cloudevent = cloudevent
        self.channel = topic_partition[0]
        self.attempt = 1
        self.settled = False
        self._sub = sub
        self._msg = msg
        self._tp = topic_partition
        self.topic: str = topic_partition[0]
        self.partition: int = topic_partition[1]

    @property
    def offset(self) -> int:
        offset: int = self._msg.offset()
        return offset

    @property
    def key(self) -> bytes | None:
        key: bytes | None = self._msg.key()
        return key

    async def _ack(self) -> None:
        state: _SubState = self._sub.state
        state.pending[self._tp] = self._msg.offset() + 1

    async def commit(self) -> None:
        """Mark handled and commit this record's offset now (synchronously)."""
        await self.ack()
        state: _SubState = self._sub.state
        await state.commit(sync=True)

    async def _dead_letter(self, reason: str) -> None:
        transport: KafkaTransport = self._sub.transport  # type: ignore[assignment]
        await transport._dead_letter_record(self._sub, self._msg, reason)
        await self._ack()

    def details(self) -> dict[str, object]:
        return {"topic": self.topic, "partition": self.partition, "offset": self.offset}


class _SubState:
    """A subscription's consumer, its single worker thread and the offsets ready to commit."""

    def __init__(self, consumer: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.consumer = consumer
        self.loop = loop
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="eventapi-kafka-consumer")
        self.pending: dict[tuple[str, int], int] = {}
        self.task: asyncio.Task[None] | None = None

    async def call(self, fn: Any, *args: Any) -> Any:
        return await self.loop.run_in_executor(self.executor, fn, *args)

    def take_offsets(self, only: set[tuple[str, int]] | None = None) -> list[Any]:
        keys = [k for k in self.pending if only is None or k in only]
        offsets = [ck.TopicPartition(t, p, self.pending.pop((t, p))) for t, p in keys]
        return offsets

    async def commit(self, *, sync: bool) -> None:
        offsets = self.take_offsets()
        if not offsets:
            return
        if sync:
            await self.call(lambda: self.consumer.commit(offsets=offsets, asynchronous=False))
        else:
            self.consumer.commit(offsets=offsets, asynchronous=True)  # only queues a request

    async def fetch(self, size: int, timeout: float) -> list[Any]:
        """The next records: what librdkafka already prefetched is taken on the loop's thread
        (no thread hop per batch); only an empty queue waits, on the consumer's own thread."""
        records: list[Any] = self.consumer.consume(size, 0)
        if records:
            await asyncio.sleep(0)  # let other tasks run between batches
            return records
        waited: list[Any] = await self.call(self.consumer.consume, size, timeout)
        return waited


class KafkaTransport(Transport):
    """Transport over Kafka (confluent-kafka)."""

    protocol = "kafka"
    config: KafkaConfig

    def __init__(self, config: KafkaConfig) -> None:
        super().__init__(config)
        self._producer: Any = None
        self._poller: threading.Thread | None = None
        self._closing = threading.Event()
        self._done: list[tuple[_Waiter, Any]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    def default_options(self) -> SendOptions:
        return KafkaSendOptions()

    # -- admin helpers -----------------------------------------------------------------------
    async def create_topics(self, names: list[str], partitions: int = 1) -> None:
        """Create topics that do not exist yet (already existing ones are fine)."""
        admin = ck_admin.AdminClient({"bootstrap.servers": self.config.bootstrap_servers})
        new = [ck_admin.NewTopic(name, num_partitions=partitions) for name in names]
        futures = admin.create_topics(new, operation_timeout=10)
        for name, future in futures.items():
            try:
                await asyncio.wrap_future(future)
            except ck.KafkaException as exc:
                if exc.args[0].code() != ck.KafkaError.TOPIC_ALREADY_EXISTS:
                    raise TransportError(f"cannot create topic {name!r}: {exc}") from None

    # -- producer ----------------------------------------------------------------------------
    async def _connect(self) -> None:
        self._loop = asyncio.get_running_loop()
        settings = {
            "bootstrap.servers": self.config.bootstrap_servers,
            "linger.ms": 5,
            "acks": "all",
            "message.timeout.ms": int(self.config.send_timeout * 1000),
            **self.config.producer,
        }
        self._producer = ck.Producer(settings)
        self._closing.clear()
        self._poller = threading.Thread(target=self._poll, name="eventapi-kafka-poll", daemon=True)
        self._poller.start()

    def _poll(self) -> None:
        loop = self._loop
        assert loop is not None
        while not self._closing.is_set():
            self._producer.poll(0.05)
            self._hand_over(loop)

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        # Only the thread running poll()/flush() appends to _done, so swapping here is safe.
        if self._done:
            batch, self._done = self._done, []
            loop.call_soon_threadsafe(_resolve, batch)

    async def _disconnect(self) -> None:
        self._closing.set()
        if self._poller is not None:
            await asyncio.to_thread(self._poller.join)
        if self._producer is not None:
            loop = asyncio.get_running_loop()
            await asyncio.to_thread(self._producer.flush, self.config.send_timeout)
            self._hand_over(loop)
            await asyncio.sleep(0)
        self._producer = None

    async def _publish(self, event: CloudEvent, channel: str, options: SendOptions) -> None:
        waiter = _Waiter(self, 1)
        await self._enqueue(event, channel, options, waiter)
        await waiter.future

    async def send_batch(
        self, events: Sequence[CloudEvent], channel: str, options: SendOptions | None = None
    ) -> None:
        """Produce all, then wait for all acknowledgements (one waiter, no task per event)."""
        if self.config.send_middleware or not self.config.enabled:
            await super().send_batch(events, channel, options)
            return
        if not self.started:
            raise TransportError("kafka transport is not started")
        if not events:
            return
        opts = options or self.default_options()
        waiter = _Waiter(self, len(events))
        produce = self._producer.produce
        report = waiter.report
        for event in events:
            message, partition = self._record(event, opts)
            headers = list(message.headers)
            try:  # the common case without a coroutine per record
                if partition is None:
                    produce(
                        channel, message.value, message.key, headers=headers, on_delivery=report
                    )
                    continue
            except BufferError:
                pass
            await self._produce(channel, message.value, message.key, headers, waiter, partition)
        await waiter.future

    async def _enqueue(
        self, event: CloudEvent, channel: str, options: SendOptions, waiter: _Waiter
    ) -> None:
        message, partition = self._record(event, options)
        headers = list(message.headers)
        await self._produce(channel, message.value, message.key, headers, waiter, partition)

    def _record(
        self, event: CloudEvent, options: SendOptions
    ) -> tuple[binding.KafkaMessage, int | None]:
        """The record for ``event`` (binding, key) and its pinned partition, if any."""
        opts = options if isinstance(options, KafkaSendOptions) else KafkaSendOptions()
        key = opts.key
        if key is None and opts.key_from_partitionkey:
            key = binding.partitionkey(event)
        if self.is_structured(options):
            return binding.to_structured(event, key), opts.partition
        return binding.to_binary(event, key), opts.partition

    async def _produce(
        self,
        topic: str,
        value: bytes | None,
        key: bytes | None,
        headers: list[tuple[str, bytes]],
        waiter: _Waiter,
        partition: int | None = None,
    ) -> None:
        """Hand a record to librdkafka; ``waiter`` hears of the broker's acknowledgement."""
        if self._producer is None:
            raise TransportError("kafka transport is not started")
        extra = {} if partition is None else {"partition": partition}
        while True:
            try:
                self._producer.produce(
                    topic, value=value, key=key, headers=headers, on_delivery=waiter.report, **extra
                )
                return
            except BufferError:  # local queue full: let the poll thread drain it
                await asyncio.sleep(0.01)

    # -- consumer ----------------------------------------------------------------------------
    async def _start_subscription(self, sub: Subscription) -> None:
        loop = asyncio.get_running_loop()
        if self.config.create_dlq_topics and self.config.dead_letter:
            await self.create_topics([sub.channel + self.config.dlq_suffix])
        settings = {
            "bootstrap.servers": self.config.bootstrap_servers,
            "group.id": sub.group or f"eventapi-private-{uuid.uuid4()}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest" if sub.group else "latest",
            "enable.partition.eof": False,
            **self.config.consumer,
        }
        state = _SubState(ck.Consumer(settings), loop)
        sub.state = state

        def on_assign(consumer: Any, partitions: list[Any]) -> None:
            loop.call_soon_threadsafe(sub.ready.set)

        def on_revoke(consumer: Any, partitions: list[Any]) -> None:
            # Runs inside consume(), between batches: everything handled so far is committed.
            offsets = state.take_offsets({(p.topic, p.partition) for p in partitions})
            if offsets:
                try:
                    consumer.commit(offsets=offsets, asynchronous=False)
                except ck.KafkaException as exc:
                    log.warning("commit on revoke failed: %s", exc)

        await state.call(lambda: state.consumer.subscribe([sub.channel], on_assign, on_revoke))
        state.task = asyncio.create_task(self._consume(sub, state))

    async def _consume(self, sub: Subscription, state: _SubState) -> None:
        size, timeout = self.config.batch_size, self.config.poll_timeout
        while not sub.stopping:
            try:
                records = await state.fetch(size, timeout)
            except ck.KafkaException as exc:
                log.warning("kafka consume failed on %r: %s", sub.channel, exc)
                await asyncio.sleep(self.config.reconnect_backoff.initial)
                continue
            if not records:
                continue
            # The subscription is to one topic, so records group by partition number.
            partitions: dict[int, list[Any]] = {}
            for record in records:
                if record.error() is not None:
                    log.warning("kafka error on %r: %s", sub.channel, record.error())
                    continue
                partition = record.partition()
                found = partitions.get(partition)
                if found is None:
                    partitions[partition] = [record]
                else:
                    found.append(record)
            channel = sub.channel
            if len(partitions) == 1:
                [(partition, batch)] = partitions.items()
                await self._handle(sub, state, (channel, partition), batch)
            else:
                await asyncio.gather(
                    *(self._handle(sub, state, (channel, p), rs) for p, rs in partitions.items())
                )
            await state.commit(sync=False)

    async def _handle(
        self, sub: Subscription, state: _SubState, tp: tuple[str, int], records: list[Any]
    ) -> None:
        """Handle one partition's records in order (the hot path: one iteration per record)."""
        read, decoder, chain, pending = binding.from_message, sub.decoder, sub.chain, state.pending
        for record in records:
            if sub.stopping:
                return  # not handled, not committed: the next consumer gets it
            try:
                try:
                    cloudevent = read(record.value(), record.headers())
                    event = cloudevent if decoder is None else decoder(cloudevent)
                except (BindingError, CodecError) as exc:
                    await self._undecodable_record(sub, state, tp, record, exc)
                    continue
                # Transport._dispatch inlined. Awaited directly, not as a task: records of a
                # partition are handled one after another, and close() drains by waiting for
                # the consume loop itself.
                received = KafkaReceived(event, cloudevent, sub, record, tp)
                try:
                    await chain(received)
                except Exception as exc:
                    await self._handler_failed(sub, received, exc)
                    continue
                if not received.settled:
                    received.settled = True
                    pending[tp] = record.offset() + 1
            except Exception as exc:
                # Could not settle (e.g. the dead-letter topic refused it): rewind so the record
                # is fetched again instead of being skipped by a later commit.
                log.error("kafka record %s/%s failed: %r", tp[1], record.offset(), exc)
                await state.call(state.consumer.seek, ck.TopicPartition(*tp, record.offset()))
                await asyncio.sleep(self.config.reconnect_backoff.initial)
                return

    async def _undecodable_record(
        self,
        sub: Subscription,
        state: _SubState,
        tp: tuple[str, int],
        record: Any,
        exc: Exception,
    ) -> None:
        async def dead(reason: str) -> None:
            if self.config.dead_letter:
                await self._dead_letter_record(sub, record, reason)
            state.pending[tp] = record.offset() + 1

        details = {"partition": tp[1], "offset": record.offset()}
        await self._undecodable(sub.channel, exc, dead, details)

    async def _dead_letter_record(self, sub: Subscription, record: Any, reason: str) -> None:
        headers = [(k, v or b"") for k, v in record.headers() or ()]
        origin = f"{record.topic()}/{record.partition()}/{record.offset()}"
        headers += [(REASON_HEADER, reason.encode()), (ORIGIN_HEADER, origin.encode())]
        topic = sub.channel + self.config.dlq_suffix
        waiter = _Waiter(self, 1)
        await self._produce(topic, record.value(), record.key(), headers, waiter)
        await waiter.future

    async def _stop_subscription(self, sub: Subscription) -> None:
        state: _SubState | None = sub.state
        if state is None:
            return
        if state.task is not None:
            done, _ = await asyncio.wait({state.task}, timeout=self.config.drain_timeout)
            if not done:
                state.task.cancel()
        try:
            await state.commit(sync=True)
        finally:
            await state.call(state.consumer.close)
            state.executor.shutdown(wait=False)


class _Waiter:
    """Waits for ``count`` delivery reports; fails with the first delivery error."""

    __slots__ = ("error", "future", "remaining", "transport")

    def __init__(self, transport: KafkaTransport, count: int) -> None:
        self.transport = transport
        self.future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.remaining = count
        self.error: Any = None

    def report(self, err: Any, _msg: Any) -> None:
        # Called by the poll thread inside poll()/flush(); see KafkaTransport._hand_over.
        self.transport._done.append((self, err))

    def settle(self, err: Any) -> None:
        if err is not None and self.error is None:
            self.error = err
        self.remaining -= 1
        if self.remaining <= 0 and not self.future.done():
            if self.error is None:
                self.future.set_result(None)
            else:
                self.future.set_exception(TransportError(f"kafka delivery failed: {self.error}"))


def _resolve(batch: list[tuple[_Waiter, Any]]) -> None:
    for waiter, err in batch:
        waiter.settle(err)
