"""The generated code passes ruff check, ruff format --check and mypy --strict as generated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import REPO

PACKAGES = ("user_event_bus", "order_event_bus", "shipping_event_bus")
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
