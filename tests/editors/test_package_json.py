"""The VS Code extension's contributed settings agree with the language server's defaults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eventapi.generators.registry import FLINK_VERSIONS
from eventapi.server.settings import DEFAULTS

PACKAGE_JSON = Path(__file__).resolve().parents[2] / "vscode-extension" / "package.json"
CLIENT_ONLY = {"eventapi.server.path", "eventapi.server.pythonPath", "eventapi.trace.server"}


def _properties() -> dict[str, dict[str, Any]]:
    manifest = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))
    properties: dict[str, dict[str, Any]] = manifest["contributes"]["configuration"]["properties"]
    return properties


def test_every_server_default_is_contributed_with_the_same_value() -> None:
    properties = _properties()
    for key, default in DEFAULTS.items():
        name = f"eventapi.{key}"
        assert name in properties, f"package.json does not contribute {name}"
        assert properties[name]["default"] == default, f"default of {name}"


def test_package_json_contributes_no_setting_the_server_lacks() -> None:
    server_side = set(_properties()) - CLIENT_ONLY
    assert server_side == {f"eventapi.{key}" for key in DEFAULTS}


def test_flink_version_choices_match_the_generators() -> None:
    assert _properties()["eventapi.flinkVersion"]["enum"] == list(FLINK_VERSIONS)


def test_client_only_settings_default_to_searching_for_the_server() -> None:
    properties = _properties()
    assert properties["eventapi.server.path"]["default"] == ""
    assert properties["eventapi.server.pythonPath"]["default"] == ""
    assert properties["eventapi.trace.server"]["enum"] == ["off", "messages", "verbose"]
