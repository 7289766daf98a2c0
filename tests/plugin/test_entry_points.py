"""Plugin parameters, the request dump switch, --replay and bad input: clear messages, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf.compiler import plugin_pb2

from eventapi.generators.protoc_plugin import parse_params, run

from .conftest import CaseFactory
from .helpers import PLUGINS, protoc, tool


def plugin(*args: str, data: bytes = b"", name: str = "sdk") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [tool(PLUGINS[name]), *args], input=data, capture_output=True, check=False, timeout=120
    )


@pytest.mark.parametrize(
    ("parameter", "problem"),
    [
        ("flink_version=1.18", "flink_version=1.18 is not supported; use 2.0 or 2.3"),
        ("flink=2.0", "unknown parameter 'flink'"),
        ("flink_version", "parameter 'flink_version' needs a value"),
        ("config=/no/such/eventapi.toml", "config=/no/such/eventapi.toml: no such file"),
    ],
)
def test_bad_parameters_are_reported(make_case: CaseFactory, parameter: str, problem: str) -> None:
    request = plugin_pb2.CodeGeneratorRequest()
    request.CopyFrom(make_case("user_event_bus").request)
    request.parameter = parameter
    response = run(request, "sink").response
    assert problem in response.error
    assert not response.file


def test_parameters_parse() -> None:
    params, problems = parse_params(" flink_version=2.0 , config=eventapi.toml ")
    assert problems == []
    assert (params.flink_version, params.config) == ("2.0", "eventapi.toml")


def test_config_parameter_changes_severities(make_case: CaseFactory, tmp_path: Path) -> None:
    case = make_case("errors")
    config = tmp_path / "eventapi.toml"
    config.write_text(
        '[severity]\nEA207 = "off"\nEA206 = "off"\nEA406 = "off"\nEA303 = "warning"\n'
    )
    request = plugin_pb2.CodeGeneratorRequest()
    request.CopyFrom(case.request)
    request.parameter = f"config={config}"
    result = run(request, "sink")
    assert not result.response.error
    assert any(f.name.endswith("_ddl.sql") for f in result.response.file)
    assert any("warning EA303" in w for w in result.warnings)


def test_dump_to_a_folder_then_replay(make_case: CaseFactory, tmp_path: Path) -> None:
    case = make_case("commerce")
    dump = tmp_path / "dumps"
    dump.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    done = protoc(
        [
            f"-I{case.root}",
            f"--plugin=protoc-gen-eventapi-sink={tool(PLUGINS['sink'])}",
            f"--eventapi-sink_out={out}",
            *case.files,
        ],
        env={"EVENTAPI_PLUGIN_DUMP": str(dump)},
    )
    assert done.returncode == 0, done.stderr
    saved = dump / "protoc-gen-eventapi-sink.request.bin"
    assert saved.is_file()
    # The dump is a plain request, and replaying it reproduces protoc's output exactly.
    replayed = tmp_path / "replayed"
    shown = plugin("--replay", str(saved), "--only", "sink", "--out", str(replayed), "--sources")
    stdout = shown.stdout.decode()
    assert shown.returncode == 0, shown.stderr.decode()
    assert "generate: commerce/v1/orders.proto, commerce/v1/shipping.proto" in stdout
    assert "----- commerce/v1/orders.proto (re-created) -----" in stdout
    assert "7 file(s) from generator sink:" in stdout
    want = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    got = {p.relative_to(replayed): p.read_bytes() for p in replayed.rglob("*") if p.is_file()}
    assert got == want


def test_replay_with_python_m_and_an_error_request(make_case: CaseFactory, tmp_path: Path) -> None:
    saved = tmp_path / "bad.bin"
    saved.write_bytes(make_case("errors").request.SerializeToString())
    done = subprocess.run(
        [sys.executable, "-m", "eventapi.generators.protoc_plugin", "--replay", str(saved)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1
    assert "error:" in done.stdout
    assert "orders_bad.proto:40:55: error EA303" in done.stdout


def test_replay_of_a_missing_file(tmp_path: Path) -> None:
    done = plugin("--replay", str(tmp_path / "nope.bin"))
    assert done.returncode == 2
    assert b"cannot read" in done.stderr
    assert b"Traceback" not in done.stderr


def test_garbage_on_stdin_is_a_clear_error() -> None:
    done = plugin(data=b"\xff\xff\xff this is not a protobuf")
    assert done.returncode == 1
    assert b"is not a CodeGeneratorRequest" in done.stderr
    assert b"Traceback" not in done.stderr
    assert done.stdout == b""


def test_empty_request_generates_nothing() -> None:
    done = plugin(data=plugin_pb2.CodeGeneratorRequest().SerializeToString())
    assert done.returncode == 0
    response = plugin_pb2.CodeGeneratorResponse.FromString(done.stdout)
    assert not response.error
    assert not response.file
    assert response.supported_features & plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL


def test_proto2_groups_are_refused_clearly(tmp_path: Path) -> None:
    (tmp_path / "legacy.proto").write_text(
        'syntax = "proto2";\npackage legacy;\nmessage Old {\n'
        "  optional group Inner = 1 { optional string x = 2; }\n}\n"
    )
    done = protoc(
        [
            f"-I{tmp_path}",
            f"--plugin=protoc-gen-eventapi-python={tool(PLUGINS['sdk'])}",
            f"--eventapi-python_out={tmp_path}",
            "legacy.proto",
        ]
    )
    assert done.returncode != 0
    assert "legacy.proto: field inner is a proto2 group" in done.stderr
    assert "Traceback" not in done.stderr
