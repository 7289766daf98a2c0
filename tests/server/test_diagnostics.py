"""Diagnostics: identical to `eventapi-lsp --check`, per file, versioned, cleared, re-published for dependents."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types

from tests.server.conftest import TESTDATA, copy_testdata, position_of, session

CORE_FIXTURES = Path(__file__).parents[1] / "core" / "testdata" / "diagnostics"


def cli_check(folder: Path) -> list[dict[str, object]]:
    """What `eventapi-lsp --check --format json` reports for the folder (1-based code points)."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "eventapi.generators.cli",
            "--check",
            "--format",
            "json",
            str(folder),
        ],
        capture_output=True,
        text=True,
        cwd=folder,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def utf16_col(line: str, col: int) -> int:
    return len(line[:col].encode("utf-16-le")) // 2


def expected_from_cli(folder: Path) -> dict[str, list[tuple[object, ...]]]:
    """CLI diagnostics keyed by resolved path, converted to LSP UTF-16 ranges."""
    out: dict[str, list[tuple[object, ...]]] = {}
    for d in cli_check(folder):
        path = (folder / str(d["path"])).resolve()
        lines = path.read_text(encoding="utf-8").split("\n")

        def pos(line: object, col: object, lines: list[str] = lines) -> tuple[int, int]:
            ln, c = int(str(line)) - 1, int(str(col)) - 1
            return ln, utf16_col(lines[ln], c) if ln < len(lines) else c

        out.setdefault(str(path), []).append(
            (
                d["code"],
                {"error": 1, "warning": 2, "information": 3, "hint": 4}[str(d["severity"])],
                pos(d["line"], d["column"]),
                pos(d["endLine"], d["endColumn"]),
                d["message"],
            )
        )
    return out


def as_tuples(diags: list[types.Diagnostic]) -> list[tuple[object, ...]]:
    return [
        (
            d.code,
            int(d.severity or 0),
            (d.range.start.line, d.range.start.character),
            (d.range.end.line, d.range.end.character),
            d.message,
        )
        for d in diags
    ]


def fixture_folders() -> list[Path]:
    folders = [TESTDATA / "diagnostics"]
    if CORE_FIXTURES.is_dir():
        folders.append(CORE_FIXTURES)
    return folders


@pytest.mark.parametrize("folder", fixture_folders(), ids=lambda p: p.parent.parent.name)
async def test_workspace_diagnostics_equal_cli_check(folder: Path) -> None:
    expected = expected_from_cli(folder)
    async with session(folder) as client:
        targets = sorted(str(p.resolve()) for p in folder.rglob("*.proto"))
        got: dict[str, list[tuple[object, ...]]] = {}
        for path in targets:
            params = await client.diagnostics_for(client.uri(path))
            if params.diagnostics:
                got[path] = as_tuples(list(params.diagnostics))
        assert got == expected
        assert expected, "the fixtures must trigger diagnostics"


async def test_fixture_codes_match_file_names() -> None:
    folder = TESTDATA / "diagnostics"
    async with session(folder) as client:
        for path in sorted(folder.glob("EA*.proto")):
            code = path.name.split("_")[0]
            params = await client.diagnostics_for(client.uri(path))
            assert code in {d.code for d in params.diagnostics}, path.name


async def test_open_edit_clear_and_version(tmp_path: Path) -> None:
    folder = copy_testdata("diagnostics", tmp_path)
    path = folder / "EA406_unknown_data_path.proto"
    text = path.read_text()
    async with session(folder) as client:
        uri = await client.open(path)
        first = await client.diagnostics_for(uri, version=1)
        assert [d.code for d in first.diagnostics] == ["EA406"]
        d = first.diagnostics[0]
        assert d.range.start == position_of(text, '"$.customer.emial"')
        assert d.source == "eventapi"
        # Fix the typo in the buffer only: the list clears, with the new version.
        start = position_of(text, "emial")
        end = types.Position(start.line, start.character + len("emial"))
        version = client.edit(uri, types.Range(start, end), "email")
        fixed = await client.diagnostics_for(uri, version=version)
        assert list(fixed.diagnostics) == []


async def test_import_change_republishes_dependents(tmp_path: Path) -> None:
    folder = copy_testdata("diagnostics", tmp_path)
    events = folder / "events.proto"
    bus = folder / "EA406_unknown_data_path.proto"
    async with session(folder) as client:
        bus_uri = client.uri(bus)
        await client.diagnostics_for(bus_uri)
        before = len(client.published[bus_uri])
        uri = await client.open(events)
        # Rename Customer.email -> emial in the imported file (unsaved): the bus file's path now resolves.
        text = events.read_text().replace("string email = 2;", "string emial = 2;")
        client.replace_all(uri, text)
        # The bus file is not open and did not change, yet it is re-published, now clean.
        params = await client.diagnostics_for(bus_uri, after=before)
        assert list(params.diagnostics) == []
        assert params.version is None


async def test_utf8_and_utf32_encodings_are_preferred() -> None:
    folder = TESTDATA / "diagnostics"
    path = folder / "EA004_unknown_option_field.proto"
    line = path.read_text().split("\n")[17]
    async with session(folder, encodings=["utf-16", "utf-32"]) as client:
        params = await client.diagnostics_for(client.uri(path))
        ea003 = next(d for d in params.diagnostics if d.code == "EA003")
        # UTF-32 columns are code points: the emoji before the option counts 1, not 2.
        assert ea003.range.start.character == line.index("(eventapi.v1.is_event_subjct)")
    async with session(folder, encodings=["utf-16", "utf-8"]) as client:
        params = await client.diagnostics_for(client.uri(path))
        ea003 = next(d for d in params.diagnostics if d.code == "EA003")
        prefix = line[: line.index("(eventapi.v1.is_event_subjct)")]
        assert ea003.range.start.character == len(prefix.encode("utf-8"))


async def test_severity_settings_and_invalid_values_warn(tmp_path: Path) -> None:
    folder = TESTDATA / "diagnostics"
    path = folder / "EA406_unknown_data_path.proto"
    config = {"severities": {"EA406": "hint", "EA999": "off"}, "flinkVersion": 7}
    async with session(folder, config=config) as client:
        uri = client.uri(path)
        params = await client.diagnostics_for(
            uri, where=lambda p: any(d.code == "EA406" for d in p.diagnostics)
        )
        assert [d.severity for d in params.diagnostics] == [types.DiagnosticSeverity.Hint]
        logs = " ".join(m.message for m in client.log_messages)
        assert "EA999" in logs and "flinkVersion" in logs
