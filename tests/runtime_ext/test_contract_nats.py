"""The broker-agnostic transport contract on NATS JetStream against the NATS service."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from runtime.suite import TransportContract

from .backends import NatsBackend


@pytest.fixture
async def backend(nats_server: tuple[str, int]) -> AsyncIterator[NatsBackend]:
    backend = NatsBackend(f"nats://{nats_server[0]}:{nats_server[1]}")
    await backend.connect()
    yield backend
    await backend.close()


class TestNatsTransport(TransportContract):
    pass
