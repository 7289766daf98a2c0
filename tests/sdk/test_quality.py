"""The generated code passes ruff check, ruff format --check and mypy --strict as generated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import REPO

PACKAGES = ("user_event_bus", "order_event_bus", "shipping_event_bus", "kinds_bus")
# Calling code a user writes: mypy must accept the first and reject the second.
GOOD_USE = """
from order_event_bus.kafka import Client, Config, Money, OrderPlaced, ReceivedOrderPlaced


async def main() -> None:
    async with Client(Config(bootstrap_servers="127.0.0.1:9092"), source="shop") as client:
        await client.send_order_placed(OrderPlaced(order_id="1", total=Money(amount="1")))

        async def handle(received: ReceivedOrderPlaced) -> None:
            order: OrderPlaced = received.event
            print(order.order_id, received.partition, received.offset)
            await received.commit()

        sub = await client.receive_order_placed(handle, group="g")
        await sub.stop()
        async for item in client.receive_order_placed_iter(group="g"):
            print(item.event.total)
"""
BAD_USE = """
from order_event_bus.kafka import Client, OrderCancelled


async def main(client: Client) -> None:
    await client.send_order_placed(OrderCancelled(order_id="1"))
    await client.send_order_placed(order_id="1")
"""
BIN = Path(sys.executable).parent


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, check=False, env=env, timeout=300
    )
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_ruff_check_passes_with_the_project_rules_and_the_defaults(generated: Path) -> None:
    config = str(REPO / "pyproject.toml")
    _run([str(BIN / "ruff"), "check", "--no-cache", "--config", config, *PACKAGES], generated)
    _run([str(BIN / "ruff"), "check", "--no-cache", "--isolated", *PACKAGES], generated)


def test_ruff_format_leaves_every_file_unchanged(generated: Path) -> None:
    config = str(REPO / "pyproject.toml")  # line length 100
    _run([str(BIN / "ruff"), "format", "--check", "--config", config, *PACKAGES], generated)
    # ruff's defaults (line length 88): generated code is laid out for both.
    _run([str(BIN / "ruff"), "format", "--check", "--isolated", *PACKAGES], generated)


def test_mypy_strict_passes(generated: Path, tmp_path: Path) -> None:
    # mypy cannot follow the editable install's import hook: give it the installed layout.
    stubs = tmp_path / "path" / "eventapi"
    stubs.mkdir(parents=True)
    (stubs / "runtime").symlink_to(REPO / "runtime")
    env = {"MYPYPATH": str(stubs.parent), "PATH": str(BIN)}
    args = [str(BIN / "mypy"), "--strict", "--no-incremental", "--python-version", "3.11"]
    for package in PACKAGES:
        args += ["-p", package]
    out = _run(args, generated, env)
    assert "Success" in out


def test_mypy_checks_calling_code_against_the_generated_types(
    generated: Path, tmp_path: Path
) -> None:
    stubs = tmp_path / "path" / "eventapi"
    stubs.mkdir(parents=True)
    (stubs / "runtime").symlink_to(REPO / "runtime")
    env = {"MYPYPATH": f"{stubs.parent}:{generated}", "PATH": str(BIN)}
    (tmp_path / "good_use.py").write_text(GOOD_USE, encoding="utf-8")
    (tmp_path / "bad_use.py").write_text(BAD_USE, encoding="utf-8")
    mypy = [str(BIN / "mypy"), "--strict", "--no-incremental"]
    _run([*mypy, "good_use.py"], tmp_path, env)
    proc = subprocess.run(
        [*mypy, "bad_use.py"], cwd=tmp_path, capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 1
    assert 'incompatible type "OrderCancelled"; expected "OrderPlaced"' in proc.stdout
    assert 'Unexpected keyword argument "order_id"' in proc.stdout
