"""Fixtures for the RocketMQ, MQTT and NATS transport tests: the RocketMQ proxy, service checks."""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator

import pytest

# The RocketMQ client creates ~/logs/rocketmq_python on first import; keep it out of $HOME.
os.environ["HOME"] = tempfile.mkdtemp(prefix="eventapi-rmq-home-")

from .rocketmq_proxy import BrokerConfig, RocketMQTestProxy

MOSQUITTO = ("127.0.0.1", 1883)
NATS = ("127.0.0.1", 4222)
RESTART_HINTS = {
    MOSQUITTO: "mosquitto -d -c /etc/mosquitto/mosquitto.conf",
    NATS: "start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- "
    "-a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log",
}


def require_service(address: tuple[str, int], name: str) -> None:
    """Fail (never skip) with a clear message when a service the tests need is down."""
    try:
        with socket.create_connection(address, timeout=2):
            return
    except OSError as exc:
        pytest.fail(
            f"{name} is not reachable at {address[0]}:{address[1]} ({exc}); start it with: "
            f"{RESTART_HINTS[address]}",
            pytrace=False,
        )


@pytest.fixture
def rocketmq_proxy() -> Iterator[RocketMQTestProxy]:
    """A fresh proxy per test; transaction checks come quickly so tests stay short."""
    proxy = RocketMQTestProxy(
        BrokerConfig(transaction_check_after=1.0, transaction_check_interval=0.5)
    ).start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture
def mosquitto() -> tuple[str, int]:
    require_service(MOSQUITTO, "Mosquitto")
    return MOSQUITTO


@pytest.fixture
def nats_server() -> tuple[str, int]:
    require_service(NATS, "NATS")
    return NATS
