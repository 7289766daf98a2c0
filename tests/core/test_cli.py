"""The headless CLI: output format, exit codes, SARIF, config, suppression and safe writing."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from eventapi.generators import registry
from eventapi.generators.cli import main
from eventapi.generators.model.workspace import Workspace
from eventapi.generators.registry import GenerateOptions, OutputFile

ROOT = Path(__file__).resolve().parents[2]
DIAG = ROOT / "tests" / "core" / "testdata" / "diagnostics"
BIN = Path(sys.executable).parent / "eventapi-lsp"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *args], check=False, capture_output=True, text=True, cwd=cwd or ROOT, timeout=120
    )


def test_clean_examples_exit_zero() -> None:
    r = run("--check", "examples/")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip() == "0 errors, 0 warnings in 3 files"


def test_errors_print_path_line_col_and_exit_one() -> None:
    r = run("--check", "tests/core/testdata/diagnostics/EA406_unknown_data_path.proto")
    assert r.returncode == 1
    first = next(line for line in r.stdout.splitlines() if " EA406: " in line)
    assert first.startswith("tests/core/testdata/diagnostics/EA406_unknown_data_path.proto:")
    _path, line, col, rest = first.split(":", 3)
    assert (int(line), int(col)) == (22, 35)
    assert rest.startswith(" error EA406: data path '$.inner.town'")
    assert rest.endswith("its fields are city")
    assert (
        r.stdout.splitlines()[-1] == "1 error, 1 warning in 1 file"
    )  # "inner" is reserved (EA411)


def test_warnings_only_exit_zero() -> None:
    r = run("--check", "tests/core/testdata/diagnostics/EA404_source_topic_differs.proto")
    assert r.returncode == 0
    assert " warning EA404: " in r.stdout


def test_usage_and_io_errors_exit_two(tmp_path: Path) -> None:
    assert run("--check").returncode == 2
    assert run("--check", "does/not/exist.proto").returncode == 2
    assert run("--check", "--bogus", "examples").returncode == 2
    assert run("--check", str(tmp_path)).returncode == 2  # no .proto files
    unreadable = tmp_path / "x.proto"
    unreadable.mkdir()  # a folder named like a proto cannot be read
    assert run("--check", str(tmp_path / "y.proto")).returncode == 2


def test_json_format_carries_fixes() -> None:
    r = run(
        "--check",
        "--format",
        "json",
        "tests/core/testdata/diagnostics/EA404_source_topic_differs.proto",
    )
    items = json.loads(r.stdout)
    item = next(i for i in items if i["code"] == "EA404")
    assert item["severity"] == "warning"
    edit = item["fixes"][0]["edits"][0]
    assert edit["newText"] == '"things"'


def test_sarif_is_2_1_0_with_rules_and_regions() -> None:
    r = run("--check", "--format", "sarif", str(DIAG / "EA102_unknown_protocol.proto"))
    doc = json.loads(r.stdout)
    assert doc["version"] == "2.1.0"
    run_ = doc["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    result = next(x for x in run_["results"] if x["ruleId"] == "EA102")
    assert rules[result["ruleIndex"]]["id"] == "EA102"
    assert result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1 and region["startColumn"] >= 1


def test_config_file_changes_and_silences_severities(tmp_path: Path) -> None:
    proto = tmp_path / "t.proto"
    proto.write_text((DIAG / "EA404_source_topic_differs.proto").read_text())
    (tmp_path / "eventapi.toml").write_text('[severity]\nEA404 = "error"\nEA209 = "off"\n')
    r = run("--check", str(proto))
    assert r.returncode == 1 and " error EA404: " in r.stdout
    (tmp_path / "eventapi.toml").write_text('[severity]\nEA404 = "off"\n')
    r = run("--check", str(proto))
    assert r.returncode == 0 and "EA404" not in r.stdout
    (tmp_path / "eventapi.toml").write_text('[severity]\nEA999 = "off"\n')
    r = run("--check", str(proto))
    assert r.returncode == 2 and "unknown diagnostic code" in r.stderr


def test_inline_suppression(tmp_path: Path) -> None:
    text = (DIAG / "EA404_source_topic_differs.proto").read_text()
    proto = tmp_path / "t.proto"
    proto.write_text(text.replace("source_topic:", "// eventapi:ignore EA404\n      source_topic:"))
    r = run("--check", str(proto))
    assert "EA404" not in r.stdout
    proto.write_text(text.replace("source_topic:", "// eventapi:ignore EA401\n      source_topic:"))
    assert "EA404" in run("--check", str(proto)).stdout


class _Fake:
    """A stand-in generator: the real ones are tested in their own suites."""

    name = "fake"
    description = "writes one file per target proto"

    def generate(self, ws: Workspace, options: GenerateOptions) -> list[OutputFile]:
        return [
            OutputFile(
                f"fake/{Path(f.path).stem}.txt",
                registry.SQL_HEADER.format(source=f.import_name) + "x\n",
                f.path,
            )
            for f in ws.target_files()
        ]


@pytest.fixture
def fake_generator() -> Iterator[None]:
    registry.register("fake", _Fake)
    yield
    registry._REGISTRY.pop("fake")


def test_generate_writes_checks_staleness_and_refuses_foreign_files(
    tmp_path: Path, fake_generator: None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "gen"
    seed = str(ROOT / "examples" / "user_event_bus")
    assert main(["--generate", "--only", "fake", "--out", str(out), seed]) == 0
    written = out / "fake" / "user_event_bus.txt"
    assert written.read_text().startswith(
        "-- Code generated by eventapi-lsp from user_event_bus.proto"
    )
    assert main(["--check", "--only", "fake", "--out", str(out), seed]) == 0
    written.write_text(written.read_text() + "drift\n")
    capsys.readouterr()
    assert main(["--check", "--only", "fake", "--out", str(out), seed]) == 1
    assert "EA902" in capsys.readouterr().out
    (out / "fake" / "orphan.txt").write_text(
        "-- Code generated by eventapi-lsp from gone.proto. DO NOT EDIT.\n"
    )
    written.write_text("hand-written, no header\n")
    capsys.readouterr()
    assert main(["--generate", "--only", "fake", "--out", str(out), seed]) == 1
    output = capsys.readouterr().out
    assert "EA901" in output and "refusing to overwrite" in output
    assert written.read_text() == "hand-written, no header\n"  # never lost
    assert not (out / "fake" / "orphan.txt").exists()  # our own stale file is pruned


def test_generate_skips_files_with_errors(tmp_path: Path, fake_generator: None) -> None:
    out = tmp_path / "gen"
    code = main(
        [
            "--generate",
            "--only",
            "fake",
            "--out",
            str(out),
            str(DIAG / "EA406_unknown_data_path.proto"),
        ]
    )
    assert code == 1
    assert not (out / "fake").exists()


def test_unknown_generator_is_a_usage_error(tmp_path: Path) -> None:
    r = run("--generate", "--only", "nope", "--out", str(tmp_path), "examples")
    assert r.returncode == 2 and "unknown generator" in r.stderr
