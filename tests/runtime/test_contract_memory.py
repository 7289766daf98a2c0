"""The transport contract on the in-memory transport."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from eventapi.runtime.transports.memory import MemoryBroker, MemoryConfig, MemoryTransport

from .suite import TransportContract

_names = itertools.count()


class MemoryBackend:
    name = "memory"

    def __init__(self) -> None:
        self.broker = MemoryBroker()

    def make(self, **config: Any) -> MemoryTransport:
        return MemoryTransport(MemoryConfig(broker=self.broker, **config))

    async def channel(self) -> str:
        return f"memory.{next(_names)}"

    async def publish_raw(self, channel: str, body: bytes, headers: dict[str, str]) -> None:
        self.broker.publish_raw(channel, body, headers)

    async def dead_letters(self, channel: str, group: str) -> list[bytes]:
        return [d.message.body for d in self.broker.dead(channel) if d.group == group]


@pytest.fixture
def backend() -> MemoryBackend:
    return MemoryBackend()


class TestMemoryTransport(TransportContract):
    pass
