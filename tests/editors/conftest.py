"""Fixtures for the headless editor tests: the server command, the workspace, an isolated environment."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from .support import FIXTURE


@pytest.fixture(scope="session")
def server_command() -> list[str]:
    """`eventapi-lsp` of this environment, or the one named by $EVENTAPI_LSP."""
    override = os.environ.get("EVENTAPI_LSP")
    candidate = Path(override) if override else Path(sys.executable).parent / "eventapi-lsp"
    if not (candidate.is_file() and os.access(candidate, os.X_OK)):
        pytest.fail(
            f"no language server at {candidate}: install the package "
            "(.venv/bin/pip install -e '.[dev]') or set EVENTAPI_LSP",
            pytrace=False,
        )
    return [str(candidate)]


def make_workspace(base: Path) -> Path:
    """A project folder holding only the fixture, so the server scans nothing else."""
    project = base / "project"
    project.mkdir()
    shutil.copy(FIXTURE, project / FIXTURE.name)
    return project


def isolated_env(base: Path) -> dict[str, str]:
    """The environment without the user's editor configuration, state or packages."""
    home = base / "home"
    home.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NVIM", "VIM", "EMACS", "XDG_"))
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        TERM="dumb",
    )
    return env
