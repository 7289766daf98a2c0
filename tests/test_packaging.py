"""Packaging: every package folder is listed in pyproject.toml, so the wheel ships all of it."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPED = {
    "server": "eventapi.server",
    "generators": "eventapi.generators",
    "runtime": "eventapi.runtime",
}


def test_every_package_folder_is_listed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = set()
    for folder, name in MAPPED.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([name, *rel.parts]) if rel.parts else name)
    assert sorted(found - listed) == []
    assert "eventapi.proto" in listed


def test_no_bare_top_level_names() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert all(p.startswith("eventapi.") for p in config["tool"]["setuptools"]["packages"])
