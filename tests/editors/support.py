"""Helpers for the headless editor tests: fixture positions and the editors' presence."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TESTDATA = Path(__file__).resolve().parent / "testdata"
EDITORS = REPO / "editors"
FIXTURE = TESTDATA / "EA003_unknown_option.proto"
MISSPELLED = "operatoin"


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
