"""Typed editor settings with defaults; invalid values warn and fall back to the default.

Settings arrive as `initializationOptions` and as the `eventapi` section of
`workspace/configuration`, both with the camelCase keys of `DEFAULTS`. The VS Code extension's
package.json defaults are tested against `DEFAULTS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from eventapi.generators.registry import FLINK_VERSIONS
from eventapi.generators.rules.catalog import CATALOG

DEFAULTS: dict[str, object] = {
    "includePaths": [],
    "outputDir": "gen",
    "generators": ["sdk", "sink"],
    "flinkVersion": "2.3",
    "severities": {},
}
GENERATORS = ("sdk", "sink")
SEVERITY_NAMES = ("error", "warning", "information", "hint", "off")


@dataclass(frozen=True)
class Settings:
    include_paths: tuple[str, ...] = ()
    output_dir: str = "gen"
    generators: tuple[str, ...] = GENERATORS
    flink_version: str = "2.3"
    severities: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def _str_list(value: object) -> list[str] | None:
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def parse_settings(raw: object) -> tuple[Settings, list[str]]:
    """Settings from a client object; unknown keys are ignored, invalid values reported."""
    if raw is None:
        return Settings(), []
    if not isinstance(raw, Mapping):
        return Settings(), [f"eventapi settings must be an object, not {type(raw).__name__}"]
    warnings: list[str] = []

    def bad(key: str, why: str) -> None:
        warnings.append(f"eventapi.{key}: {why}; using the default {DEFAULTS[key]!r}")

    include: tuple[str, ...] = ()
    if "includePaths" in raw:
        items = _str_list(raw["includePaths"])
        if items is None:
            bad("includePaths", "expected a list of folder paths")
        else:
            include = tuple(i for i in items if i.strip())
    output_dir = "gen"
    if "outputDir" in raw:
        value = raw["outputDir"]
        if isinstance(value, str) and value.strip():
            output_dir = value
        else:
            bad("outputDir", "expected a non-empty folder path")
    gens: tuple[str, ...] = GENERATORS
    if "generators" in raw:
        items = _str_list(raw["generators"])
        if items is None or any(i not in GENERATORS for i in items):
            bad("generators", f"expected a list of {', '.join(GENERATORS)}")
        else:
            gens = tuple(dict.fromkeys(items))
    flink = "2.3"
    if "flinkVersion" in raw:
        value = raw["flinkVersion"]
        if isinstance(value, str) and value in FLINK_VERSIONS:
            flink = value
        else:
            bad("flinkVersion", f"expected one of {', '.join(FLINK_VERSIONS)}")
    severities: dict[str, str] = {}
    if "severities" in raw:
        table = raw["severities"]
        if not isinstance(table, Mapping):
            bad("severities", 'expected an object of "EAxxx": "error"|"warning"|...')
        else:
            for code, value in table.items():
                if code not in CATALOG:
                    warnings.append(
                        f"eventapi.severities: unknown diagnostic code {code!r}; ignored"
                    )
                elif not isinstance(value, str) or value not in SEVERITY_NAMES:
                    warnings.append(
                        f"eventapi.severities.{code}: expected one of {', '.join(SEVERITY_NAMES)}; ignored"
                    )
                else:
                    severities[code] = value
    return Settings(include, output_dir, gens, flink, MappingProxyType(severities)), warnings
