"""The broker-agnostic transport contract on RocketMQ, through the RocketMQ 5 test proxy."""

from __future__ import annotations

import pytest
from runtime.suite import TransportContract

from .backends import RocketMQBackend
from .rocketmq_proxy import RocketMQTestProxy


@pytest.fixture
def backend(rocketmq_proxy: RocketMQTestProxy) -> RocketMQBackend:
    return RocketMQBackend(rocketmq_proxy)


class TestRocketMQTransport(TransportContract):
    pass
