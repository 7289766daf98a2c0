"""In-memory transport: the full delivery contract without a broker, for users' own tests.

Like faststream's TestBroker, but it runs the same code path as the real transports: events go
through the AMQP-style binding (``ce-`` headers), are decoded, dispatched with retries, and end in
:attr:`MemoryBroker.dead_letters` when exhausted or undecodable. Channels behave like Kafka topics
with consumer groups: every group sees every event; subscribers of one group share the events.
A named group that joins late starts from the beginning of the channel; ``group=None`` is a private
group that sees only events sent after it subscribed. Several transports can share one broker
(``MemoryConfig(broker=...)``) to test producer and consumer services together.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from eventapi.runtime.bindings import amqp as binding
from eventapi.runtime.cloudevent import CloudEvent
from eventapi.runtime.errors import BindingError, CodecError, TransportError
from eventapi.runtime.transports.base import (
    Received,
    SendOptions,
    Subscription,
    Transport,
    TransportConfig,
)

_anonymous = itertools.count(1)


@dataclass(frozen=True, slots=True)
class MemoryMessage:
    """A stored message: ``ce-`` headers, content type and body, plus its delivery attempt."""

    body: bytes
    content_type: str | None
    headers: dict[str, str]
    attempt: int = 1


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A dead-lettered message and why (``reason``)."""

    channel: str
    group: str
    message: MemoryMessage
    reason: str


class MemoryBroker:
    """Channels (append-only logs), consumer groups (queues) and dead letters, in process."""

    def __init__(self) -> None:
        self.logs: dict[str, list[MemoryMessage]] = defaultdict(list)
        self.groups: dict[tuple[str, str], asyncio.Queue[MemoryMessage]] = {}
        self.dead_letters: list[DeadLetter] = []

    def group_queue(self, channel: str, group: str, *, from_start: bool) -> asyncio.Queue[Any]:
        key = (channel, group)
        queue = self.groups.get(key)
        if queue is None:
            queue = asyncio.Queue()
            if from_start:
                for message in self.logs[channel]:
                    queue.put_nowait(message)
            self.groups[key] = queue
        return queue

    def publish(self, channel: str, message: MemoryMessage) -> None:
        """Append to the channel and hand to every group subscribed to it."""
        self.logs[channel].append(message)
        for (name, _group), queue in self.groups.items():
            if name == channel:
                queue.put_nowait(message)

    def publish_raw(
        self, channel: str, body: bytes, headers: dict[str, str], content_type: str | None = None
    ) -> None:
        """Put arbitrary bytes on a channel, bypassing the binding (for poison-message tests)."""
        self.publish(channel, MemoryMessage(body, content_type, dict(headers)))

    def dead(self, channel: str) -> list[DeadLetter]:
        return [d for d in self.dead_letters if d.channel == channel]


@dataclass(frozen=True, kw_only=True)
class MemoryConfig(TransportConfig):
    """``broker``: share one to connect several transports; default is a private broker."""

    broker: MemoryBroker = field(default_factory=MemoryBroker)
    #: Handlers running at once per subscription.
    concurrency: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class MemorySendOptions(SendOptions):
    """No protocol options; exists so every transport has a SendOptions subclass."""


class MemoryReceived(Received[Any]):
    """A delivered in-memory message; a failed delivery is requeued with ``attempt + 1``."""

    def __init__(
        self, event: Any, cloudevent: CloudEvent, sub: Subscription, message: MemoryMessage
    ) -> None:
        super().__init__(event, cloudevent, sub.channel, message.attempt)
        self.message = message
        self._sub = sub

    async def _ack(self) -> None:
        return None

    async def nack(self, requeue: bool = True) -> None:
        """Settle as failed: redeliver (``requeue``) or dead-letter."""
        if self.settled:
            return
        self.settled = True
        await (self._requeue() if requeue else self._dead_letter("nack without requeue"))

    async def _requeue(self) -> None:
        state: _SubState = self._sub.state
        msg = self.message
        state.queue.put_nowait(
            MemoryMessage(msg.body, msg.content_type, msg.headers, self.attempt + 1)
        )

    async def _dead_letter(self, reason: str) -> None:
        state: _SubState = self._sub.state
        state.broker.dead_letters.append(
            DeadLetter(self.channel, state.group, self.message, reason)
        )

    def details(self) -> dict[str, object]:
        return {"group": self._sub.state.group}


@dataclass
class _SubState:
    broker: MemoryBroker
    group: str
    queue: asyncio.Queue[MemoryMessage]
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class MemoryTransport(Transport):
    """Transport over a :class:`MemoryBroker`."""

    protocol = "memory"
    config: MemoryConfig

    def __init__(self, config: MemoryConfig | None = None) -> None:
        super().__init__(config or MemoryConfig())

    @property
    def broker(self) -> MemoryBroker:
        return self.config.broker

    def default_options(self) -> SendOptions:
        return MemorySendOptions()

    async def _connect(self) -> None:
        return None

    async def _disconnect(self) -> None:
        return None

    async def _publish(self, event: CloudEvent, channel: str, options: SendOptions) -> None:
        msg = (
            binding.to_structured(event)
            if self.is_structured(options)
            else binding.to_binary(event)
        )
        self.broker.publish(channel, MemoryMessage(msg.body, msg.content_type, dict(msg.headers)))

    async def _start_subscription(self, sub: Subscription) -> None:
        group = sub.group or f"anonymous-{next(_anonymous)}"
        queue = self.broker.group_queue(sub.channel, group, from_start=sub.group is not None)
        sub.state = _SubState(self.broker, group, queue)
        for _ in range(max(1, self.config.concurrency)):
            sub.state.tasks.append(asyncio.create_task(self._consume(sub)))
        sub.ready.set()

    async def _consume(self, sub: Subscription) -> None:
        state: _SubState = sub.state
        while not sub.stopping:
            message = await state.queue.get()
            if sub.stopping:  # raced with stop: give it back for the next subscriber
                state.queue.put_nowait(message)
                return
            try:
                cloudevent = binding.from_message(
                    message.body, message.content_type, message.headers
                )
                event = sub.decode(cloudevent)
            except (BindingError, CodecError) as exc:

                async def dead(reason: str, message: MemoryMessage = message) -> None:
                    if self.config.dead_letter:
                        state.broker.dead_letters.append(
                            DeadLetter(sub.channel, state.group, message, reason)
                        )

                await self._undecodable(sub.channel, exc, dead, {"group": state.group})
                continue
            task = self._spawn(sub, MemoryReceived(event, cloudevent, sub, message))
            await asyncio.wait({task})

    async def _stop_subscription(self, sub: Subscription) -> None:
        state: _SubState | None = sub.state
        if state is None:
            return
        await sub.drain(self.config.drain_timeout)
        for task in state.tasks:
            task.cancel()
        await asyncio.gather(*state.tasks, return_exceptions=True)
        if sub.group is None:  # a private group ends with its subscriber
            self.broker.groups.pop((sub.channel, state.group), None)
        if sub.inflight:
            raise TransportError(f"handlers on {sub.channel!r} did not finish in time")
