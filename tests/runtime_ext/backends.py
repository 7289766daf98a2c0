"""Contract-suite backends for RocketMQ (test proxy), MQTT (Mosquitto) and NATS (JetStream).

Each backend makes unstarted transports, fresh channels, injects raw messages with the protocol's
own client (translating the suite's ``ce-`` headers to the binding's carrier) and reads the
dead-letter path: ``%DLQ%<group>`` on RocketMQ, ``dlq/<topic>`` on MQTT, ``dlq.<subject>`` on NATS.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import uuid
from typing import Any

import aiomqtt
import nats
from nats.js.errors import NotFoundError
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from eventapi.runtime.transports.mqtt import MqttConfig, MqttTransport
from eventapi.runtime.transports.nats import NatsConfig, NatsTransport
from eventapi.runtime.transports.rocketmq import RocketMQConfig, RocketMQTransport

from .rocketmq_proxy import RocketMQTestProxy

_names = itertools.count()
RUN = uuid.uuid4().hex[:8]  # keeps names unique across runs on the shared brokers


def _attr(header: str) -> str:
    return header[3:] if header.lower().startswith("ce-") else header


class RocketMQBackend:
    name = "rocketmq"

    def __init__(self, proxy: RocketMQTestProxy) -> None:
        self.proxy = proxy

    def make(self, **config: Any) -> RocketMQTransport:
        config.setdefault("await_duration", 1)
        return RocketMQTransport(RocketMQConfig(endpoints=self.proxy.endpoint, **config))

    async def channel(self) -> str:
        return f"rmq_{RUN}_{next(_names)}"

    async def publish_raw(self, channel: str, body: bytes, headers: dict[str, str]) -> None:
        properties = {f"CE_{_attr(name)}": value for name, value in headers.items()}
        await asyncio.to_thread(self.proxy.inject, channel, body, properties)

    async def dead_letters(self, channel: str, group: str) -> list[bytes]:
        letters = await asyncio.to_thread(self.proxy.dead_letters, group)
        return [m.body for m in letters if m.user_properties.get("DLQ_ORIGIN_TOPIC") == channel]


class MqttBackend:
    """Mosquitto; a collector subscribed to ``dlq/<channel>`` records what is dead-lettered."""

    name = "mqtt"

    def __init__(self, host: str, port: int, version: int = 5) -> None:
        self.host, self.port, self.version = host, port, version
        self.letters: dict[str, list[bytes]] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def make(self, **config: Any) -> MqttTransport:
        config.setdefault("session_expiry", 120)
        return MqttTransport(
            MqttConfig(host=self.host, port=self.port, version=self.version, **config)
        )

    def _protocol(self) -> Any:
        return aiomqtt.ProtocolVersion.V5 if self.version == 5 else aiomqtt.ProtocolVersion.V311

    async def channel(self) -> str:
        channel = f"eventapi/{RUN}/{next(_names)}"
        letters: list[bytes] = []
        self.letters[channel] = letters
        ready = asyncio.Event()

        async def collect() -> None:
            async with aiomqtt.Client(self.host, self.port, protocol=self._protocol()) as client:
                await client.subscribe(f"dlq/{channel}", qos=1)
                ready.set()
                async for message in client.messages:
                    letters.append(bytes(message.payload))

        self._tasks.append(asyncio.create_task(collect()))
        await asyncio.wait_for(ready.wait(), 10)
        return channel

    async def publish_raw(self, channel: str, body: bytes, headers: dict[str, str]) -> None:
        properties = None
        if self.version == 5:
            properties = Properties(PacketTypes.PUBLISH)
            properties.UserProperty = [(_attr(name), value) for name, value in headers.items()]
        async with aiomqtt.Client(self.host, self.port, protocol=self._protocol()) as client:
            await client.publish(channel, body, qos=1, properties=properties)

    async def dead_letters(self, channel: str, group: str) -> list[bytes]:
        return list(self.letters.get(channel, []))

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


class NatsBackend:
    """NATS JetStream; dead letters are read back from the stream the transport created."""

    name = "nats"

    def __init__(self, url: str) -> None:
        self.url = url
        self.subjects: list[str] = []
        self.nc: Any = None

    async def connect(self) -> None:
        self.nc = await nats.connect(self.url)

    def make(self, **config: Any) -> NatsTransport:
        config.setdefault("servers", (self.url,))
        return NatsTransport(NatsConfig(**config))

    async def channel(self) -> str:
        subject = f"eventapi.{RUN}.c{next(_names)}"
        self.subjects += [subject, f"dlq.{subject}"]
        return subject

    async def publish_raw(self, channel: str, body: bytes, headers: dict[str, str]) -> None:
        await self.nc.jetstream().publish(channel, body, headers=headers)

    async def dead_letters(self, channel: str, group: str) -> list[bytes]:
        js = self.nc.jetstream()
        try:
            stream = await js.find_stream_name_by_subject(f"dlq.{channel}")
        except NotFoundError:
            return []
        info = await js.stream_info(stream)
        bodies = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            with contextlib.suppress(NotFoundError):
                bodies.append((await js.get_msg(stream, seq)).data or b"")
        return bodies

    async def close(self) -> None:
        """Delete the streams the tests created on the shared server."""
        js = self.nc.jetstream()
        for subject in self.subjects:
            with contextlib.suppress(Exception):
                await js.delete_stream(await js.find_stream_name_by_subject(subject))
        await self.nc.close()
