"""Fixtures for runtime tests: a Tansu Kafka broker per session, the RabbitMQ service check."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from . import tansu
from .tansu import free_port, wait_port

RABBITMQ = ("127.0.0.1", 5672)
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
#: Group joins with the classic protocol take about session.timeout.ms / 2 (ENVIRONMENT.md).
KAFKA_CONSUMER = {
    "session.timeout.ms": 2000,
    "heartbeat.interval.ms": 300,
    "fetch.wait.max.ms": 50,
    "topic.metadata.refresh.interval.ms": 1000,
}


def start_tansu(port: int) -> subprocess.Popen[bytes]:
    try:
        return tansu.start_tansu(port)[0]
    except tansu.TansuError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """A Tansu broker (in-memory storage) on a free port for the whole session."""
    port = free_port()
    proc = start_tansu(port)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    """The RabbitMQ service; a clear failure (never a skip) when it is down."""
    if not wait_port(*RABBITMQ, timeout=2):
        pytest.fail(
            "RabbitMQ is not reachable at 127.0.0.1:5672; start it with: rabbitmq-server -detached",
            pytrace=False,
        )
    return RABBITMQ_URL
