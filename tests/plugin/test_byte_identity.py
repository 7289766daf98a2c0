"""The plugins under real `buf generate` and protoc write the same bytes as `eventapi-lsp --generate`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from google.protobuf.compiler import plugin_pb2

from eventapi.generators.protoc_plugin import recreate_request

from .conftest import CASES
from .helpers import BIN, IDL, PLUGINS, TESTDATA, discover, protoc, tool

# The error fixture generates nothing by design (test_errors.py covers it). Under buf, option map
# entries come sorted by key (see test_buf_sorts_option_map_entries_by_key), so map_order runs
# through protoc only.
GENERATING = sorted(set(CASES) - {"errors"})
BUF_CASES = sorted(set(GENERATING) - {"map_order"})


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def cli(root: Path, out: Path, only: str, *extra: str) -> dict[str, bytes]:
    done = subprocess.run(
        [tool("eventapi-lsp"), "--generate", "-q", "--only", only, "--out", str(out), *extra],
        check=False,
        capture_output=True,
        text=True,
        cwd=root,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return tree(out)


def assert_same(got: dict[str, bytes], want: dict[str, bytes], what: str) -> None:
    assert sorted(got) == sorted(want), f"{what}: different file lists"
    for name, data in want.items():
        assert got[name] == data, f"{what}: {name} differs"


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict[str, bytes]]:
    """The CLI's outputs per (case, generator): the reference bytes."""
    out: dict[tuple[str, str], dict[str, bytes]] = {}
    for name in GENERATING:
        tmp = tmp_path_factory.mktemp(f"cli-{name}")
        for only in ("sdk", "sink"):
            out[name, only] = cli(CASES[name], tmp / only, only, ".")
        assert out[name, "sdk"] or out[name, "sink"], f"{name}: the CLI generated nothing"
    return out


def buf_workspace(case: str, ws: Path) -> Path:
    """A buf v2 workspace: the case's protos in example/, the IDL vendored in idl/."""
    root = CASES[case]
    for name in discover(root):
        target = ws / "example" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / name, target)
    shutil.copytree(Path(IDL) / "eventapi", ws / "idl" / "eventapi", ignore=_only_protos)
    for name in ("buf.yaml", "buf.gen.yaml"):
        shutil.copyfile(TESTDATA / "buf" / name, ws / name)
    return ws


def _only_protos(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if not n.endswith(".proto") and not Path(folder, n).is_dir()]


def run_buf(ws: Path, tmp_path: Path, **env_extra: str) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **env_extra}
    env["BUF_CACHE_DIR"] = str(tmp_path / "buf-cache")
    done = subprocess.run(
        [tool("buf"), "generate"],
        check=False,
        cwd=ws,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("case", BUF_CASES)
def test_buf_generate_is_byte_identical_to_the_cli(case: str, expected, tmp_path: Path) -> None:
    ws = buf_workspace(case, tmp_path / "ws")
    run_buf(ws, tmp_path)
    for only in ("sdk", "sink"):
        assert_same(tree(ws / "gen" / only), expected[case, only], f"buf {case} {only}")


@pytest.mark.parametrize("case", GENERATING)
def test_protoc_is_byte_identical_to_the_cli(case: str, expected, tmp_path: Path) -> None:
    root = CASES[case]
    outs = {only: tmp_path / only for only in ("sdk", "sink")}
    for out in outs.values():
        out.mkdir()
    done = protoc(
        [
            f"-I{root}",
            f"--plugin=protoc-gen-eventapi-python={tool(PLUGINS['sdk'])}",
            f"--plugin=protoc-gen-eventapi-sink={tool(PLUGINS['sink'])}",
            f"--eventapi-python_out={outs['sdk']}",
            f"--eventapi-sink_out={outs['sink']}",
            *discover(root),
        ]
    )
    assert done.returncode == 0, done.stderr
    for only, out in outs.items():
        assert_same(tree(out), expected[case, only], f"protoc {case} {only}")


def test_flink_version_parameter_matches_the_cli_flag(expected, tmp_path: Path) -> None:
    root = CASES["commerce"]
    want = cli(root, tmp_path / "cli", "sink", "--flink-version", "2.0", ".")
    assert want != expected["commerce", "sink"], "flink 2.0 and 2.3 pipelines should differ"
    out = tmp_path / "plugin"
    out.mkdir()
    done = protoc(
        [
            f"-I{root}",
            f"--plugin=protoc-gen-eventapi-sink={tool(PLUGINS['sink'])}",
            f"--eventapi-sink_out={out}",
            "--eventapi-sink_opt=flink_version=2.0",
            *discover(root),
        ]
    )
    assert done.returncode == 0, done.stderr
    assert_same(tree(out), want, "protoc commerce sink flink 2.0")


def test_option_map_order_does_not_change_the_output(tmp_path: Path) -> None:
    # buf serializes option maps in no fixed order (Go map iteration), protoc in source order;
    # the core sorts sink properties by key, so every host produces the CLI's bytes.
    ws = buf_workspace("map_order", tmp_path / "ws")
    dump = tmp_path / "dump"
    dump.mkdir()
    run_buf(ws, tmp_path, EVENTAPI_PLUGIN_DUMP=str(dump))
    request = plugin_pb2.CodeGeneratorRequest.FromString(
        (dump / f"{PLUGINS['sink']}.request.bin").read_bytes()
    )
    text = recreate_request(request)["settings.proto"].text
    for key in ("bloom_filter_columns", "compression", "replication_num"):
        assert key in text
    want = cli(CASES["map_order"], tmp_path / "cli", "sink", ".")
    assert_same(tree(ws / "gen" / "sink"), want, "buf map order")


def test_one_file_of_several_matches_the_cli_on_that_file(tmp_path: Path) -> None:
    # shipping.proto imports orders.proto: only shipping is generated, orders is a dependency
    # (re-created, loaded, not a target), exactly like the CLI given one file and -I.
    root = CASES["commerce"]
    target = "commerce/v1/shipping.proto"
    want = cli(root, tmp_path / "cli", "sdk", "-I", ".", target)
    assert any(name.startswith("shipping_event_bus/") for name in want)
    assert not any(name.startswith("order_event_bus/") for name in want)
    out = tmp_path / "plugin"
    out.mkdir()
    done = protoc(
        [
            f"-I{root}",
            f"--plugin=protoc-gen-eventapi-python={tool(PLUGINS['sdk'])}",
            f"--eventapi-python_out={out}",
            target,
        ]
    )
    assert done.returncode == 0, done.stderr
    assert_same(tree(out), want, "protoc commerce shipping.proto only")
