"""gRPC servicer of the RocketMQ test proxy: apache.rocketmq.v2.MessagingService over Broker.

Speaks the same protocol a RocketMQ 5 proxy speaks to the official clients (routes, telemetry
settings echo, send, long-polling receive as a server stream, ack, invisible duration, transactions
with check-back pushed over the telemetry stream, dead-letter forwarding). Used only by tests; see
broker.py for the semantics it keeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from rocketmq.grpc_protocol import definition_pb2 as d
from rocketmq.grpc_protocol import service_pb2 as s
from rocketmq.grpc_protocol import service_pb2_grpc

from .broker import Broker, Delivery, StoredMessage

OK = d.Code.OK
ALL_TYPES = (
    d.MessageType.NORMAL,
    d.MessageType.FIFO,
    d.MessageType.DELAY,
    d.MessageType.TRANSACTION,
)


def _status(code: int = OK, message: str = "OK") -> d.Status:
    return d.Status(code=code, message=message)


def _client_id(context: grpc.aio.ServicerContext[Any, Any]) -> str:
    for key, value in context.invocation_metadata() or ():
        if key == "x-mq-client-id":
            return str(value)
    return ""


@dataclass
class TelemetryPeer:
    """One client's open telemetry stream: where transaction checks can be pushed."""

    client_type: int
    topics: set[str]
    outbox: asyncio.Queue[s.TelemetryCommand] = field(default_factory=asyncio.Queue)


class MessagingService(service_pb2_grpc.MessagingServiceServicer):  # type: ignore[misc]
    """Maps each RPC onto the Broker; runs on the proxy's event loop."""

    def __init__(self, broker: Broker, host: str, port: int) -> None:
        self.broker = broker
        self.host = host
        self.port = port
        self.peers: dict[str, TelemetryPeer] = {}
        self._waiters: set[asyncio.Future[None]] = set()

    # --- plumbing -----------------------------------------------------------------------------

    def wake(self) -> None:
        """Tell every long-polling receive that something changed."""
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def _wait_change(self, timeout: float) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter, max(timeout, 0.0))
        self._waiters.discard(waiter)

    def _endpoints(self) -> d.Endpoints:
        return d.Endpoints(
            scheme=d.AddressScheme.IPv4, addresses=[d.Address(host=self.host, port=self.port)]
        )

    def _queues(self, topic: str) -> list[d.MessageQueue]:
        broker = d.Broker(name="proxy-broker-0", id=0, endpoints=self._endpoints())
        return [
            d.MessageQueue(
                topic=d.Resource(name=topic),
                id=queue_id,
                permission=d.Permission.READ_WRITE,
                broker=broker,
                accept_message_types=ALL_TYPES,
            )
            for queue_id in range(self.broker.config.queues_per_topic)
        ]

    def _to_proto(self, delivery: Delivery, invisible_seconds: float) -> d.Message:
        stored = delivery.message
        props = d.SystemProperties(
            message_id=stored.message_id,
            body_digest=d.Digest(
                type=d.DigestType.CRC32, checksum=f"{zlib.crc32(stored.body):08X}"
            ),
            body_encoding=d.Encoding.IDENTITY,
            message_type=stored.message_type,
            born_timestamp=_timestamp(stored.born_at),
            born_host=stored.born_host,
            store_timestamp=_timestamp(stored.stored_at),
            store_host=f"{self.host}:{self.port}",
            queue_id=stored.queue_id,
            queue_offset=stored.offset,
            delivery_attempt=delivery.attempts,
        )
        props.invisible_duration.FromNanoseconds(int(invisible_seconds * 1e9))
        if delivery.handle is not None:
            props.receipt_handle = delivery.handle
        if stored.tag is not None:
            props.tag = stored.tag
        props.keys.extend(stored.keys)
        if stored.message_group:
            props.message_group = stored.message_group
        if stored.deliver_at:
            props.delivery_timestamp.CopyFrom(_timestamp(stored.deliver_at))
        return d.Message(
            topic=d.Resource(name=stored.topic),
            user_properties=stored.user_properties,
            system_properties=props,
            body=stored.body,
        )

    # --- routes, settings, liveness -----------------------------------------------------------

    async def QueryRoute(self, request: s.QueryRouteRequest, context: Any) -> s.QueryRouteResponse:  # noqa: N802
        self.broker.ensure_topic(request.topic.name)
        return s.QueryRouteResponse(
            status=_status(), message_queues=self._queues(request.topic.name)
        )

    async def QueryAssignment(  # noqa: N802
        self, request: s.QueryAssignmentRequest, context: Any
    ) -> s.QueryAssignmentResponse:
        queues = self._queues(request.topic.name)
        return s.QueryAssignmentResponse(
            status=_status(), assignments=[d.Assignment(message_queue=q) for q in queues]
        )

    async def Heartbeat(self, request: s.HeartbeatRequest, context: Any) -> s.HeartbeatResponse:  # noqa: N802
        return s.HeartbeatResponse(status=_status())

    async def NotifyClientTermination(  # noqa: N802
        self, request: s.NotifyClientTerminationRequest, context: Any
    ) -> s.NotifyClientTerminationResponse:
        return s.NotifyClientTerminationResponse(status=_status())

    async def Telemetry(self, request_iterator: Any, context: Any) -> None:  # noqa: N802
        client_id = _client_id(context)
        peer = TelemetryPeer(client_type=0, topics=set())
        self.peers[client_id] = peer

        async def read() -> None:
            while True:
                command = await context.read()
                if command is grpc.aio.EOF:
                    return
                if command.HasField("settings"):
                    await peer.outbox.put(self._settings_reply(peer, command.settings))

        reader = asyncio.create_task(read())
        getter: asyncio.Task[s.TelemetryCommand] | None = None
        try:
            while not reader.done():
                getter = asyncio.create_task(peer.outbox.get())
                await asyncio.wait({reader, getter}, return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    await context.write(getter.result())
                    getter = None
        finally:
            reader.cancel()
            if getter is not None:
                getter.cancel()
            if self.peers.get(client_id) is peer:
                del self.peers[client_id]

    def _settings_reply(self, peer: TelemetryPeer, settings: d.Settings) -> s.TelemetryCommand:
        """Echo the client's settings the way the proxy does, filling in the server-side values."""
        peer.client_type = settings.client_type
        reply = d.Settings()
        reply.CopyFrom(settings)
        if settings.HasField("publishing"):
            peer.topics = {topic.name for topic in settings.publishing.topics}
            reply.publishing.max_body_size = 4 * 1024 * 1024
            reply.publishing.validate_message_type = True
            reply.backoff_policy.max_attempts = 3
            reply.backoff_policy.exponential_backoff.initial.FromMilliseconds(10)
            reply.backoff_policy.exponential_backoff.max.FromMilliseconds(1000)
            reply.backoff_policy.exponential_backoff.multiplier = 2.0
        if settings.HasField("subscription"):
            group = settings.subscription.group.name
            reply.subscription.fifo = False
            if not settings.subscription.HasField("long_polling_timeout"):
                reply.subscription.long_polling_timeout.FromSeconds(2)
            reply.backoff_policy.max_attempts = self.broker.max_attempts(group)
            reply.backoff_policy.customized_backoff.next.add().FromSeconds(1)
        return s.TelemetryCommand(status=_status(), settings=reply)

    # --- sending and transactions -------------------------------------------------------------

    async def SendMessage(  # noqa: N802
        self, request: s.SendMessageRequest, context: Any
    ) -> s.SendMessageResponse:
        entries = []
        for message in request.messages:
            props = message.system_properties
            if props.body_encoding == d.Encoding.GZIP:
                return s.SendMessageResponse(
                    status=_status(d.Code.NOT_IMPLEMENTED, "gzip bodies are not supported")
                )
            stored = StoredMessage(
                topic=message.topic.name,
                message_id=props.message_id,
                body=message.body,
                user_properties=dict(message.user_properties),
                tag=props.tag if props.HasField("tag") else None,
                keys=list(props.keys),
                message_group=props.message_group if props.HasField("message_group") else None,
                message_type=props.message_type,
                born_host=props.born_host,
                born_at=props.born_timestamp.ToNanoseconds() / 1e9,
                queue_id=0,
                deliver_at=(
                    props.delivery_timestamp.ToNanoseconds() / 1e9
                    if props.HasField("delivery_timestamp")
                    else 0.0
                ),
            )
            transaction_id = ""
            if props.message_type == d.MessageType.TRANSACTION:
                transaction_id = self.broker.begin_half(stored)
            else:
                self.broker.store(stored)
            entries.append(
                s.SendResultEntry(
                    status=_status(),
                    message_id=stored.message_id,
                    transaction_id=transaction_id,
                    offset=stored.offset,
                )
            )
        self.wake()
        return s.SendMessageResponse(status=_status(), entries=entries)

    async def EndTransaction(  # noqa: N802
        self, request: s.EndTransactionRequest, context: Any
    ) -> s.EndTransactionResponse:
        resolution = {
            d.TransactionResolution.COMMIT: True,
            d.TransactionResolution.ROLLBACK: False,
        }.get(request.resolution)
        if not self.broker.end_transaction(request.transaction_id, resolution):
            return s.EndTransactionResponse(
                status=_status(d.Code.INVALID_TRANSACTION_ID, "unknown transaction id")
            )
        self.wake()
        return s.EndTransactionResponse(status=_status())

    def push_transaction_checks(self) -> None:
        """Send RecoverOrphanedTransactionCommand for every half message whose check is due."""
        for half in self.broker.due_transaction_checks():
            producers = [p for p in self.peers.values() if p.client_type == d.ClientType.PRODUCER]
            preferred = [p for p in producers if half.message.topic in p.topics] or producers
            if not preferred:
                continue  # nobody to ask now; the next round asks again
            command = s.TelemetryCommand(
                recover_orphaned_transaction_command=s.RecoverOrphanedTransactionCommand(
                    message=self._to_proto(Delivery(half.message), 0),
                    transaction_id=half.transaction_id,
                )
            )
            preferred[0].outbox.put_nowait(command)

    # --- receiving ----------------------------------------------------------------------------

    async def ReceiveMessage(  # noqa: N802
        self, request: s.ReceiveMessageRequest, context: Any
    ) -> AsyncIterator[s.ReceiveMessageResponse]:
        group, topic = request.group.name, request.message_queue.topic.name
        invisible = (
            request.invisible_duration.ToNanoseconds() / 1e9
            if request.HasField("invisible_duration")
            else 30.0
        )
        expression = request.filter_expression
        if expression.type not in (d.FilterType.TAG, d.FilterType.FILTER_TYPE_UNSPECIFIED):
            yield s.ReceiveMessageResponse(
                status=_status(d.Code.NOT_IMPLEMENTED, "only TAG filters are supported")
            )
            return
        text = expression.expression.strip()
        tags = None if text in ("", "*") else frozenset(t.strip() for t in text.split("||"))
        poll = (
            request.long_polling_timeout.ToNanoseconds() / 1e9
            if request.HasField("long_polling_timeout")
            else 0.0
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + poll
        batch = max(request.batch_size, 1)
        while True:
            taken = self.broker.pop(group, topic, batch, invisible, tags)
            remaining = deadline - loop.time()
            if taken or remaining <= 0:
                break
            wakeup = self.broker.next_wakeup(group, topic)
            if wakeup is not None:
                remaining = min(remaining, wakeup - self.broker.clock() + 0.001)
            await self._wait_change(remaining)
        if not taken:
            yield s.ReceiveMessageResponse(
                status=_status(d.Code.MESSAGE_NOT_FOUND, "no new message")
            )
            return
        yield s.ReceiveMessageResponse(status=_status())
        # The push consumer measures delivery latency from this (and fails without it).
        yield s.ReceiveMessageResponse(delivery_timestamp=_timestamp(self.broker.clock()))
        for delivery in taken:
            yield s.ReceiveMessageResponse(message=self._to_proto(delivery, invisible))

    async def AckMessage(self, request: s.AckMessageRequest, context: Any) -> s.AckMessageResponse:  # noqa: N802
        entries = []
        for entry in request.entries:
            ok = self.broker.ack(entry.receipt_handle)
            code = OK if ok else d.Code.INVALID_RECEIPT_HANDLE
            entries.append(
                s.AckMessageResultEntry(
                    message_id=entry.message_id,
                    receipt_handle=entry.receipt_handle,
                    status=_status(code, "OK" if ok else "receipt handle expired"),
                )
            )
        failed = [e for e in entries if e.status.code != OK]
        self.wake()  # an ack can unblock the next message of a FIFO group
        if failed and len(entries) == 1:
            return s.AckMessageResponse(status=failed[0].status, entries=entries)
        code = d.Code.MULTIPLE_RESULTS if failed else OK
        return s.AckMessageResponse(status=_status(code), entries=entries)

    async def ChangeInvisibleDuration(  # noqa: N802
        self, request: s.ChangeInvisibleDurationRequest, context: Any
    ) -> s.ChangeInvisibleDurationResponse:
        handle = self.broker.change_invisible(
            request.receipt_handle, request.invisible_duration.ToNanoseconds() / 1e9
        )
        self.wake()
        if handle is None:
            return s.ChangeInvisibleDurationResponse(
                status=_status(d.Code.INVALID_RECEIPT_HANDLE, "receipt handle expired")
            )
        return s.ChangeInvisibleDurationResponse(status=_status(), receipt_handle=handle)

    async def ForwardMessageToDeadLetterQueue(  # noqa: N802
        self, request: s.ForwardMessageToDeadLetterQueueRequest, context: Any
    ) -> s.ForwardMessageToDeadLetterQueueResponse:
        if not self.broker.forward_to_dlq(request.group.name, request.receipt_handle):
            return s.ForwardMessageToDeadLetterQueueResponse(
                status=_status(d.Code.INVALID_RECEIPT_HANDLE, "receipt handle expired")
            )
        self.wake()
        return s.ForwardMessageToDeadLetterQueueResponse(status=_status())


def _timestamp(seconds: float) -> Timestamp:
    stamp = Timestamp()
    stamp.FromNanoseconds(int(seconds * 1e9))
    return stamp
