"""MQTT transport on aiomqtt (paho-mqtt): MQTT 5 binary mode, MQTT 3.1.1 structured mode.

Sending: MQTT 5 puts attributes in user properties and ``datacontenttype`` in the Content Type
property (bindings/mqtt.py); MQTT 3.1.1 has no properties, so it always sends structured JSON. QoS
and retain come from :class:`MqttSendOptions` (the operation's binding); a QoS ≥ 1 send returns once
the broker acknowledged it, and is retried through reconnects until ``send_timeout``.

Receiving: each subscription has its own connection with a stable client id
(``<client_id>-<group>-<channel>``) and a persistent session (MQTT 5: ``clean_start=False`` plus a
session expiry interval; 3.1.1: ``clean_session=False``). Acknowledgements are manual: PUBACK goes
out only after the handler settled the message, so a message whose handler did not finish — the
connection dropped, the process died — is redelivered by the broker when the session resumes.
MQTT has no negative acknowledgement, so a failed handler is retried in place (with backoff); after
``max_attempts`` it is re-published to ``<dead_letter_prefix><topic>`` and acked, and so is a
message that cannot be decoded. With a ``group`` the subscription is shared
(``$share/<group>/<topic>``; Mosquitto ≥ 1.6 supports it in both versions), so a group's members
split the messages. Give ``client_id`` for sessions that outlive the process; without it a random
one is used and sessions only survive reconnects.

Broker limits apply: Mosquitto keeps at most ``max_queued_messages`` (default 1000) per session
beyond the in-flight window and drops QoS 1 messages past that, so producers must not outrun a
consumer by more than that.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, ClassVar

from eventapi.runtime.bindings import mqtt as binding
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

aiomqtt = require("aiomqtt", "mqtt")
paho_properties = require("paho.mqtt.properties", "mqtt")
paho_packettypes = require("paho.mqtt.packettypes", "mqtt")

_CLIENT_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True, kw_only=True)
class MqttConfig(TransportConfig):
    """Broker address, protocol version and session settings."""

    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = None
    #: 5 (binary mode, properties) or 3 (3.1.1: structured mode only).
    version: int = 5
    #: Prefix of the stable client ids; None: random per transport instance.
    client_id: str | None = None
    #: Seconds the broker keeps a subscription's session while it is disconnected (MQTT 5).
    session_expiry: int = 3600
    keepalive: int = 30
    #: Seconds a single broker operation may take before the connection counts as lost.
    timeout: float = 10.0
    #: Consumer groups become shared subscriptions ``$share/<group>/<topic>``.
    shared_subscriptions: bool = True
    dead_letter_prefix: str = "dlq/"
    #: Handlers running at once per subscription; 1 keeps the broker's per-topic order.
    concurrency: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class MqttSendOptions(SendOptions):
    """The binding's QoS and retain flag."""

    qos: int = 1
    retain: bool = False


@dataclass(frozen=True, slots=True)
class MqttSubscribeOptions:
    """Subscription QoS (the broker delivers at min(publish QoS, this))."""

    qos: int = 1


class MqttReceived(Received[Any]):
    """A received PUBLISH: ``topic``, ``qos``, ``retain``, ``duplicate``; ``ack()`` sends PUBACK."""

    retry_in_place: ClassVar[bool] = True

    def __init__(
        self, event: Any, cloudevent: CloudEvent, sub: Subscription, message: Any, generation: int
    ) -> None:
        super().__init__(event, cloudevent, sub.channel)
        self.message = message
        self._sub = sub
        self._generation = generation

    @property
    def topic(self) -> str:
        return str(self.message.topic)

    @property
    def qos(self) -> int:
        return int(self.message.qos)

    @property
    def retain(self) -> bool:
        return bool(self.message.retain)

    async def _ack(self) -> None:
        _state(self._sub).ack(self.message, self._generation)

    async def _dead_letter(self, reason: str) -> None:
        await _state(self._sub).dead_letter(self.message, self._generation)

    def details(self) -> dict[str, object]:
        return {"topic": self.topic, "mid": self.message.mid, "qos": self.qos}


def _state(sub: Subscription) -> _Subscriber:
    state = sub.state
    assert isinstance(state, _Subscriber)
    return state


class _Subscriber:
    """One subscription's connection: reconnects with the same session, acks manually."""

    def __init__(self, transport: MqttTransport, sub: Subscription) -> None:
        self.transport = transport
        self.sub = sub
        config = transport.config
        options = sub.options if isinstance(sub.options, MqttSubscribeOptions) else None
        self.qos = (options or MqttSubscribeOptions()).qos
        if sub.group and config.shared_subscriptions:
            self.topic_filter = f"$share/{sub.group}/{sub.channel}"
        else:
            self.topic_filter = sub.channel
        self.client_id = transport.client_id(f"{sub.group or 'solo'}-{sub.channel}")
        self.client: Any = None
        self.generation = 0
        self.slots = asyncio.Semaphore(config.concurrency)
        self.task: asyncio.Task[None] | None = None
        self.stop = asyncio.Event()

    def ack(self, message: Any, generation: int) -> None:
        if message.qos == 0:
            return
        if generation != self.generation or self.client is None:
            # That connection is gone; the resumed session redelivers the message.
            return
        self.client._client.ack(message.mid, message.qos)

    async def dead_letter(self, message: Any, generation: int) -> None:
        topic = self.transport.config.dead_letter_prefix + str(message.topic)
        await self.transport.publish_message(
            topic, message.payload, qos=1, retain=False, properties=message.properties
        )
        self.ack(message, generation)

    async def run(self) -> None:
        attempt = 0
        while not self.sub.stopping:
            client = self.transport.new_client(self.client_id, persistent=True)
            # PUBACK only after the handler: aiomqtt has no switch, so set it on paho's client.
            client._client.manual_ack_set(True)
            try:
                async with client:
                    self.generation += 1
                    self.client = client
                    await client.subscribe(self.topic_filter, qos=self.qos)
                    attempt = 0
                    self.sub.ready.set()
                    reader = asyncio.create_task(self._read(client))
                    stop = asyncio.create_task(self.stop.wait())
                    await asyncio.wait({reader, stop}, return_when=asyncio.FIRST_COMPLETED)
                    await cancel_quietly(stop)
                    if reader.done():
                        reader.result()  # raises the connection error
                        continue
                    # Stopping: read no more, let running handlers ack on this connection,
                    # then disconnect; unread messages stay with the session.
                    await cancel_quietly(reader)
                    await self.sub.drain(self.transport.config.drain_timeout)
                    if self.transport.config.client_id is None:
                        # Nobody can resume a random-id session: leave the (shared) group
                        # instead of staying a member that queues messages for no one.
                        await client.unsubscribe(self.topic_filter)
                    return
            except aiomqtt.MqttError as exc:
                attempt += 1
                log.warning("mqtt subscriber %s lost its connection: %s", self.client_id, exc)
            finally:
                self.client = None
            await asyncio.sleep(self.transport.config.reconnect_backoff.delay(attempt))

    async def _read(self, client: Any) -> None:
        async for message in client.messages:
            await self.slots.acquire()
            task = asyncio.ensure_future(self._deliver(message, self.generation))
            self.sub.inflight.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.sub.inflight.discard(task)
        self.slots.release()

    async def _deliver(self, message: Any, generation: int) -> None:
        try:
            props = message.properties
            content_type = getattr(props, "ContentType", None) if props is not None else None
            user = getattr(props, "UserProperty", None) if props is not None else None
            cloudevent = binding.from_message(bytes(message.payload), content_type, user)
            event = self.sub.decode(cloudevent)
        except Exception as exc:
            details = {"topic": str(message.topic), "mid": message.mid}
            await self.transport._undecodable(
                self.sub.channel, exc, lambda _: self.dead_letter(message, generation), details
            )
            return
        received = MqttReceived(event, cloudevent, self.sub, message, generation)
        try:
            await self.transport._dispatch(self.sub, received)
        except Exception as exc:  # dead-lettering failed: no PUBACK, the session redelivers
            log.warning("mqtt settle on %s failed: %s", message.topic, exc)


class MqttTransport(Transport):
    """MQTT 3.1.1 / 5 over aiomqtt; see the module docstring for the delivery semantics."""

    protocol: ClassVar[str] = "mqtt"
    config: MqttConfig

    def __init__(self, config: MqttConfig | None = None) -> None:
        config = config or MqttConfig()
        if config.version not in (3, 5):
            raise TransportError(f"MQTT version must be 3 (3.1.1) or 5, got {config.version}")
        super().__init__(config)
        self._prefix = config.client_id or f"eventapi-{uuid.uuid4().hex[:12]}"
        self._publisher: Any = None
        self._publisher_lock = asyncio.Lock()

    def default_options(self) -> MqttSendOptions:
        return MqttSendOptions()

    def client_id(self, suffix: str) -> str:
        return _CLIENT_ID_UNSAFE.sub("_", f"{self._prefix}-{suffix}")

    def new_client(self, identifier: str, *, persistent: bool) -> Any:
        config = self.config
        common: dict[str, Any] = {
            "identifier": identifier,
            "username": config.username,
            "password": config.password,
            "keepalive": config.keepalive,
            "timeout": config.timeout,
        }
        client = self._build_client(identifier, persistent, common)
        # Concurrent QoS 1 sends are normal here; aiomqtt warns from 10 pending calls on.
        client.pending_calls_threshold = 10_000
        return client

    def _build_client(self, identifier: str, persistent: bool, common: dict[str, Any]) -> Any:
        config = self.config
        if config.version == 3:
            return aiomqtt.Client(
                config.host,
                config.port,
                protocol=aiomqtt.ProtocolVersion.V311,
                clean_session=not persistent,
                **common,
            )
        properties = None
        if persistent:
            properties = paho_properties.Properties(paho_packettypes.PacketTypes.CONNECT)
            properties.SessionExpiryInterval = config.session_expiry
        return aiomqtt.Client(
            config.host,
            config.port,
            protocol=aiomqtt.ProtocolVersion.V5,
            clean_start=not persistent,
            properties=properties,
            **common,
        )

    # -- lifecycle -------------------------------------------------------------------------
    async def _connect(self) -> None:
        try:
            await self._reconnect_publisher()
        except aiomqtt.MqttError as exc:
            raise TransportError(
                f"mqtt broker {self.config.host}:{self.config.port} is not reachable: {exc}"
            ) from exc

    async def _reconnect_publisher(self) -> None:
        old, self._publisher = self._publisher, None
        if old is not None:
            await _close_quietly(old)
        client = self.new_client(self.client_id("pub"), persistent=False)
        await client.__aenter__()
        self._publisher = client

    async def _disconnect(self) -> None:
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            await _close_quietly(publisher)

    # -- sending ---------------------------------------------------------------------------
    async def _publish(self, event: CloudEvent, channel: str, options: SendOptions) -> None:
        opts = options if isinstance(options, MqttSendOptions) else MqttSendOptions()
        structured = self.config.version == 3 or self.is_structured(options)
        value = binding.to_structured(event) if structured else binding.to_binary(event)
        properties = None
        if self.config.version == 5:
            properties = paho_properties.Properties(paho_packettypes.PacketTypes.PUBLISH)
            if value.content_type is not None:
                properties.ContentType = value.content_type
            if value.user_properties:
                properties.UserProperty = list(value.user_properties)
        await self.publish_message(
            channel, value.payload, qos=opts.qos, retain=opts.retain, properties=properties
        )

    async def publish_message(
        self, topic: str, payload: bytes, *, qos: int, retain: bool, properties: Any
    ) -> None:
        """Publish, reconnecting the publisher until ``send_timeout`` when the broker is away."""
        if self.config.version == 3:
            properties = None
        deadline = time.monotonic() + self.config.send_timeout
        attempt = 0
        while True:
            publisher = self._publisher
            try:
                if publisher is None:
                    raise aiomqtt.MqttError("publisher is not connected")
                await publisher.publish(
                    topic, payload, qos=qos, retain=retain, properties=properties
                )
                return
            except aiomqtt.MqttError as exc:
                attempt += 1
                if time.monotonic() >= deadline or not self.started:
                    raise TransportError(f"mqtt publish to {topic!r} failed: {exc}") from exc
                await asyncio.sleep(self.config.reconnect_backoff.delay(attempt))
                async with self._publisher_lock:
                    if self._publisher is publisher:
                        try:
                            await self._reconnect_publisher()
                        except aiomqtt.MqttError as again:
                            log.warning("mqtt publisher reconnect failed: %s", again)

    # -- receiving -------------------------------------------------------------------------
    async def _start_subscription(self, sub: Subscription) -> None:
        subscriber = _Subscriber(self, sub)
        sub.state = subscriber
        subscriber.task = asyncio.create_task(subscriber.run())

    async def _stop_subscription(self, sub: Subscription) -> None:
        subscriber = sub.state
        if not isinstance(subscriber, _Subscriber):
            return
        subscriber.stop.set()
        if subscriber.task is not None:
            limit = self.config.drain_timeout + self.config.timeout
            done, _ = await asyncio.wait({subscriber.task}, timeout=limit)
            if not done:
                await cancel_quietly(subscriber.task)
        sub.state = None


async def _close_quietly(client: Any) -> None:
    try:
        await client.__aexit__(None, None, None)
    except Exception as exc:  # already disconnected
        log.debug("mqtt disconnect: %s", exc)


__all__ = [
    "MqttConfig",
    "MqttReceived",
    "MqttSendOptions",
    "MqttSubscribeOptions",
    "MqttTransport",
]
