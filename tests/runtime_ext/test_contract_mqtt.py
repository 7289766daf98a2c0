"""The broker-agnostic transport contract on MQTT 5 against the Mosquitto service."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from runtime.suite import TransportContract

from .backends import MqttBackend


@pytest.fixture
async def backend(mosquitto: tuple[str, int]) -> AsyncIterator[MqttBackend]:
    backend = MqttBackend(*mosquitto)
    yield backend
    await backend.close()


class TestMqttTransport(TransportContract):
    pass
