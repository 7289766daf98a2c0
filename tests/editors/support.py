"""Helpers for the headless editor tests: fixture positions and the editors' presence."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
TESTDATA = Path(__file__).resolve().parent / "testdata"
EDITORS = REPO / "editors"
FIXTURE = TESTDATA / "EA003_unknown_option.proto"
MISSPELLED = "operatoin"
#: One headless editor run of a whole scenario.
TIMEOUT_S = 90


@dataclass(frozen=True)
class TokenSpan:
    """Where the misspelled option sits in the fixture (0-based line, byte columns)."""

    line: int
    option_start: int  # the "(" of "(eventapi.v1.operatoin)"
    option_end: int  # just past its ")"
    word_start: int  # "operatoin"
    word_end: int


def misspelled_option_span(text: str) -> TokenSpan:
    for number, line in enumerate(text.splitlines()):
        if MISSPELLED in line and not line.lstrip().startswith("//"):
            option = f"(eventapi.v1.{MISSPELLED})"
            start = line.index(option)
            word = line.index(MISSPELLED)
            return TokenSpan(number, start, start + len(option), word, word + len(MISSPELLED))
    raise AssertionError(f"{FIXTURE} no longer contains the misspelled option")


def require_executable(name: str, package: str) -> str:
    """The editor's path; a missing editor fails the test (CI must install it), it never skips."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} is not installed (Debian package {package}); run scripts/install-editors.sh",
            pytrace=False,
        )
    return found


def run_driver(
    editor: str, argv: list[str], env: dict[str, str], workspace: Path, result_file: Path
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Run a headless editor with its driver script; the process and the record it wrote."""
    completed = subprocess.run(
        argv,
        env=env,
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert result_file.exists(), (
        f"{editor} wrote no result (exit {completed.returncode})\n"
        f"stdout: {completed.stdout}\nstderr: {completed.stderr}"
    )
    result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    return completed, result
