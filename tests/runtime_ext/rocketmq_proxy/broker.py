"""In-memory broker state of the RocketMQ test proxy: topics, pop views, delay, FIFO, transactions.

This is a test double, not a broker. It keeps exactly the semantics the RocketMQ 5 documentation
gives for the pop-based (SimpleConsumer / PushConsumer) model, reduced to one process and no
persistence:

* a topic is an append-only log; a consumer group sees every committed message of the topic from the
  beginning (like ``CONSUME_FROM_FIRST_OFFSET``), each group independently;
* a received message stays invisible to its group for the requested invisible duration; it comes
  back with ``delivery_attempt + 1`` unless acked; ``ChangeInvisibleDuration`` moves that deadline
  and issues a new handle;
* a message whose invisibility expires after ``max_delivery_attempts`` deliveries moves to
  ``%DLQ%<group>`` (with the ``DLQ_ORIGIN_TOPIC`` / ``DLQ_ORIGIN_MESSAGE_ID`` properties RocketMQ
  sets);
* a message with ``delivery_timestamp`` is invisible to everyone until then (delay / scheduled
  messages);
* messages with a ``message_group`` are delivered strictly in order per group: only the oldest
  unacked message of a message group can be in flight (FIFO);
* a transactional (half) message becomes visible on COMMIT, disappears on ROLLBACK, and is checked
  back through the producer's telemetry stream when neither arrives in time.

Every method runs on the proxy's single event loop thread; nothing here blocks or locks.
"""

from __future__ import annotations

import heapq
import itertools
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

DLQ_PREFIX = "%DLQ%"


@dataclass
class StoredMessage:
    """One committed message of a topic, as the producer sent it plus broker-assigned fields."""

    topic: str
    message_id: str
    body: bytes
    user_properties: dict[str, str]
    tag: str | None
    keys: list[str]
    message_group: str | None
    message_type: int
    born_host: str
    born_at: float
    queue_id: int
    offset: int = 0
    stored_at: float = 0.0
    deliver_at: float = 0.0  # scheduled delivery time (delay messages); 0 means immediately


@dataclass
class Delivery:
    """A message as one consumer group sees it."""

    message: StoredMessage
    attempts: int = 0
    visible_at: float = 0.0
    handle: str | None = None
    done: bool = False  # acked, filtered out or dead-lettered
    seq: int = 0


@dataclass
class GroupView:
    """Pop state of one consumer group on one topic."""

    cursor: int = 0  # next index of the topic log not yet seen by this group
    ready: dict[int, Delivery] = field(default_factory=dict)  # insertion-ordered, visible now
    waiting: list[tuple[float, int, Delivery]] = field(default_factory=list)  # heap by visible_at
    fifo_heads: dict[str, list[Delivery]] = field(default_factory=dict)  # unacked per message group


@dataclass
class HalfMessage:
    """A transactional message waiting for EndTransaction."""

    message: StoredMessage
    transaction_id: str
    created_at: float
    checks: int = 0
    next_check_at: float = 0.0


@dataclass
class BrokerConfig:
    """Knobs tests turn; defaults follow RocketMQ's documented defaults where one exists."""

    queues_per_topic: int = 4
    max_delivery_attempts: int = 16
    transaction_check_after: float = 6.0  # RocketMQ: transactionTimeOut, 6 s
    transaction_check_interval: float = 6.0
    transaction_max_checks: int = 15


class Broker:
    """All topics, groups and half messages of the proxy."""

    def __init__(
        self, config: BrokerConfig | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.config = config or BrokerConfig()
        self.clock = clock
        self.logs: dict[str, list[StoredMessage]] = {}
        self.views: dict[tuple[str, str], GroupView] = {}
        self.handles: dict[str, tuple[GroupView, Delivery]] = {}
        self.half: dict[str, HalfMessage] = {}
        self.group_max_attempts: dict[str, int] = {}
        self.stats: dict[str, int] = {"sent": 0, "received": 0, "acked": 0, "dead_lettered": 0}
        self._seq = itertools.count()
        self._round_robin = itertools.count()

    # --- topics and sending -------------------------------------------------------------------

    def ensure_topic(self, topic: str) -> None:
        self.logs.setdefault(topic, [])

    def store(self, message: StoredMessage) -> None:
        """Append a committed message to its topic log."""
        log = self.logs.setdefault(message.topic, [])
        message.offset = len(log)
        message.stored_at = self.clock()
        if message.message_group:
            message.queue_id = hash(message.message_group) % self.config.queues_per_topic
        else:
            message.queue_id = next(self._round_robin) % self.config.queues_per_topic
        log.append(message)
        self.stats["sent"] += 1

    def begin_half(self, message: StoredMessage) -> str:
        transaction_id = uuid.uuid4().hex
        now = self.clock()
        self.half[transaction_id] = HalfMessage(
            message, transaction_id, now, next_check_at=now + self.config.transaction_check_after
        )
        return transaction_id

    def end_transaction(self, transaction_id: str, commit: bool | None) -> bool:
        """Resolve a half message; ``commit=None`` (unknown) keeps it for the next check."""
        half = self.half.get(transaction_id)
        if half is None:
            return False
        if commit is None:
            return True
        del self.half[transaction_id]
        if commit:
            self.store(half.message)
        return True

    def due_transaction_checks(self) -> list[HalfMessage]:
        """Half messages whose check-back is due; drops those out of checks, as RocketMQ does."""
        now = self.clock()
        due: list[HalfMessage] = []
        for transaction_id, half in list(self.half.items()):
            if half.next_check_at > now:
                continue
            if half.checks >= self.config.transaction_max_checks:
                del self.half[transaction_id]
                continue
            half.checks += 1
            half.next_check_at = now + self.config.transaction_check_interval
            due.append(half)
        return due

    # --- receiving ----------------------------------------------------------------------------

    def view(self, group: str, topic: str) -> GroupView:
        key = (group, topic)
        if key not in self.views:
            self.views[key] = GroupView()
        return self.views[key]

    def max_attempts(self, group: str) -> int:
        return self.group_max_attempts.get(group, self.config.max_delivery_attempts)

    def _refresh(self, group: str, topic: str, view: GroupView) -> None:
        """Pull new log entries into the view and release messages whose invisibility ended."""
        now = self.clock()
        log = self.logs.get(topic, [])
        while view.cursor < len(log):
            message = log[view.cursor]
            view.cursor += 1
            delivery = Delivery(message, visible_at=message.deliver_at)
            if message.message_group:
                view.fifo_heads.setdefault(message.message_group, []).append(delivery)
            self._park_or_ready(view, delivery, now)
        while view.waiting and view.waiting[0][0] <= now:
            _, _, delivery = heapq.heappop(view.waiting)
            if delivery.done or delivery.visible_at > now:
                continue  # acked meanwhile, or a newer deadline re-parked it
            if delivery.attempts >= self.max_attempts(group):
                self._dead_letter(group, view, delivery)
                continue
            self._make_ready(view, delivery)

    def _park_or_ready(self, view: GroupView, delivery: Delivery, now: float) -> None:
        if delivery.visible_at > now:
            heapq.heappush(view.waiting, (delivery.visible_at, next(self._seq), delivery))
        else:
            self._make_ready(view, delivery)

    def _make_ready(self, view: GroupView, delivery: Delivery) -> None:
        if view.ready.get(delivery.seq) is delivery:
            return  # a stale deadline of a message already waiting in line
        delivery.seq = next(self._seq)
        view.ready[delivery.seq] = delivery

    def _finish(self, view: GroupView, delivery: Delivery) -> None:
        delivery.done = True
        if delivery.handle is not None:
            self.handles.pop(delivery.handle, None)
            delivery.handle = None
        view.ready.pop(delivery.seq, None)
        group = delivery.message.message_group
        if group and group in view.fifo_heads:
            pending = view.fifo_heads[group]
            if delivery in pending:
                pending.remove(delivery)
            if not pending:
                del view.fifo_heads[group]

    def _dead_letter(self, group: str, view: GroupView, delivery: Delivery) -> None:
        original = delivery.message
        properties = dict(original.user_properties)
        properties["DLQ_ORIGIN_TOPIC"] = original.topic
        properties["DLQ_ORIGIN_MESSAGE_ID"] = original.message_id
        self.store(
            StoredMessage(
                topic=DLQ_PREFIX + group,
                message_id=original.message_id,
                body=original.body,
                user_properties=properties,
                tag=original.tag,
                keys=list(original.keys),
                message_group=None,
                message_type=original.message_type,
                born_host=original.born_host,
                born_at=original.born_at,
                queue_id=0,
            )
        )
        self.stats["sent"] -= 1  # a move, not a send
        self.stats["dead_lettered"] += 1
        self._finish(view, delivery)

    def pop(
        self,
        group: str,
        topic: str,
        batch_size: int,
        invisible_duration: float,
        tags: frozenset[str] | None,
    ) -> list[Delivery]:
        """Take up to ``batch_size`` visible messages and hide them for ``invisible_duration``."""
        view = self.view(group, topic)
        self._refresh(group, topic, view)
        now = self.clock()
        taken: list[Delivery] = []
        for delivery in list(view.ready.values()):
            if len(taken) >= batch_size:
                break
            message = delivery.message
            if tags is not None and message.tag not in tags:
                self._finish(view, delivery)  # filtered out for this group, as the broker does
                continue
            if message.message_group:
                head = view.fifo_heads[message.message_group][0]
                if head is not delivery:
                    continue  # an older message of this message group is still unacked
            del view.ready[delivery.seq]
            delivery.attempts += 1
            delivery.visible_at = now + invisible_duration
            self._new_handle(view, delivery)
            heapq.heappush(view.waiting, (delivery.visible_at, next(self._seq), delivery))
            taken.append(delivery)
        self.stats["received"] += len(taken)
        return taken

    def _new_handle(self, view: GroupView, delivery: Delivery) -> str:
        if delivery.handle is not None:
            self.handles.pop(delivery.handle, None)
        delivery.handle = uuid.uuid4().hex
        self.handles[delivery.handle] = (view, delivery)
        return delivery.handle

    def ack(self, handle: str) -> bool:
        found = self.handles.get(handle)
        if found is None:
            return False  # expired (redelivered since) or unknown
        view, delivery = found
        self._finish(view, delivery)
        self.stats["acked"] += 1
        return True

    def change_invisible(self, handle: str, duration: float) -> str | None:
        found = self.handles.get(handle)
        if found is None:
            return None
        view, delivery = found
        delivery.visible_at = self.clock() + duration
        heapq.heappush(view.waiting, (delivery.visible_at, next(self._seq), delivery))
        return self._new_handle(view, delivery)

    def forward_to_dlq(self, group: str, handle: str) -> bool:
        found = self.handles.get(handle)
        if found is None:
            return False
        view, delivery = found
        self._dead_letter(group, view, delivery)
        return True

    def next_wakeup(self, group: str, topic: str) -> float | None:
        """Earliest time at which something may become visible to the group (for long polling)."""
        view = self.views.get((group, topic))
        return view.waiting[0][0] if view is not None and view.waiting else None
