"""Shared helpers for the protoc plugin tests: real protoc/buf runs and a span-free model view."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import grpc_tools
from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2

from eventapi.generators.model import nodes as n
from eventapi.generators.model.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
TESTDATA = Path(__file__).resolve().parent / "testdata"
EXAMPLES = REPO / "examples"
BIN = Path(sys.executable).parent
WKT = str(Path(grpc_tools.__file__).parent / "_proto")
IDL = str(REPO / "proto")
PLUGINS = {"sdk": "protoc-gen-eventapi-python", "sink": "protoc-gen-eventapi-sink"}


def tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        found = shutil.which(name)
        if found is None:
            raise AssertionError(f"{name} is not installed; run: pip install -e '.[dev]'")
        return found
    return str(path)


def protoc(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "grpc_tools.protoc", f"-I{IDL}", f"-I{WKT}", *args]
    return subprocess.run(
        cmd,
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def protoc_request(root: Path, files: list[str], tmp: Path, parameter: str = "") -> bytes:
    """The CodeGeneratorRequest protoc sends for `files` (relative to `root`), via the dump switch."""
    dump = tmp / "request.bin"
    out = tmp / "protoc-out"
    out.mkdir(exist_ok=True)
    opt = [f"--eventapi-sink_opt={parameter}"] if parameter else []
    done = protoc(
        [
            f"-I{root}",
            f"--plugin=protoc-gen-eventapi-sink={tool(PLUGINS['sink'])}",
            f"--eventapi-sink_out={out}",
            *opt,
            *files,
        ],
        env={"EVENTAPI_PLUGIN_DUMP": str(dump)},
    )
    assert dump.exists(), f"plugin did not dump its request: {done.stderr}"
    return dump.read_bytes()


def request(root: Path, files: list[str], tmp: Path) -> plugin_pb2.CodeGeneratorRequest:
    return plugin_pb2.CodeGeneratorRequest.FromString(protoc_request(root, files, tmp))


def descriptor_set(root: Path, files: list[str], tmp: Path) -> dict[str, bytes]:
    """protoc's own FileDescriptorProtos (no source info) for `files`, serialized, by name."""
    out = tmp / f"set-{len(list(tmp.iterdir()))}.bin"
    done = protoc([f"-I{root}", f"--descriptor_set_out={out}", *files])
    assert done.returncode == 0, done.stderr
    fds = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    return {f.name: f.SerializeToString(deterministic=True) for f in fds.file}


def discover(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.proto"))


# -- a model view without spans -------------------------------------------------------------------


def _loc(x: n.Located[Any] | None) -> Any:
    return None if x is None else x.value


def _opt(x: n.Located[Any] | None) -> Any:
    """An option-literal value; an explicit proto3 default (false, 0, "") reads as unset.

    Descriptors cannot carry `retain: false`: proto3 does not serialize default scalars, so the
    re-created text cannot say it either. Renderers treat both alike.
    """
    value = _loc(x)
    return None if value in (False, 0, "") and not isinstance(value, float) else value


def _resolved(ws: Workspace, name: str, scope: str) -> str:
    found = ws.resolve(name, scope)
    return found[0].full_name if found else f"?{name}"


def _field(ws: Workspace, f: n.FieldNode, scope: str) -> tuple[Any, ...]:
    ft = ws.field_type(f, scope)
    kind = ft.scalar or (ft.symbol.full_name if ft.symbol else f"?{f.type_name}")
    return (
        f.name,
        f.number,
        f.label,
        kind,
        f.map_key,
        f.oneof,
        f.comment,
        _loc(f.subject),
        _loc(f.header),
        f.json_name,
    )


def _enum(e: n.EnumNode) -> tuple[Any, ...]:
    return (e.full_name, e.comment, tuple((v.name, v.number, v.comment) for v in e.values))


def _message(ws: Workspace, m: n.MessageNode) -> tuple[Any, ...]:
    return (
        m.full_name,
        m.comment,
        _loc(m.event_type),
        _loc(m.content_type),
        m.oneofs,
        tuple(_field(ws, f, m.full_name) for f in m.fields),
        tuple(_message(ws, x) for x in m.messages),
        tuple(_enum(e) for e in m.enums),
    )


def _binding(b: Any) -> Any:
    if b is None:
        return None
    return tuple(
        (k, _opt(getattr(b, k)) if isinstance(getattr(b, k), n.Located) else getattr(b, k))
        for k in b.__slots__
        if k != "span"
    )


def _sink(s: n.SinkNode) -> tuple[Any, ...]:
    maps = tuple(tuple(_opt(getattr(m, k)) for k in m.__slots__ if k != "span") for m in s.mappings)
    config = None
    if s.config is not None:
        c = s.config
        config = (
            _loc(c.checkpoint_interval),
            _loc(c.batch_size),
            _loc(c.parallelism),
            tuple((k.value, v.value) for k, v in c.properties),
        )
    return (
        _loc(s.target),
        _loc(s.database),
        _loc(s.table),
        tuple(x.value for x in s.primary_key),
        tuple(x.value for x in s.partition_key),
        maps,
        config,
        _loc(s.source_topic),
        _loc(s.content_type),
        _loc(s.auto_infer),
        _loc(s.auto_map),
    )


def _service(ws: Workspace, s: n.ServiceNode) -> tuple[Any, ...]:
    ops = tuple(
        (
            o.name,
            o.comment,
            o.streaming,
            o.has_operation,
            _loc(o.action),
            _loc(o.address),
            o.description,
            _resolved(ws, o.input.name, s.full_name),
            _resolved(ws, o.output.name, s.full_name),
            tuple(
                (p, _binding(getattr(o.bindings, p)))
                for p in ("kafka", "amqp", "mqtt", "nats", "rocketmq")
            ),
            tuple(_sink(x) for x in o.sinks),
        )
        for o in s.operations
    )
    protocols = tuple((p.name.value, _loc(p.version)) for p in s.protocols)
    return (s.full_name, s.comment, s.is_event_bus, protocols, ops)


def model_view(ws: Workspace, path: str) -> dict[str, Any]:
    """Everything the renderers read from one file, minus positions and type spellings."""
    f = ws.files[path]
    return {
        "import_name": f.import_name,
        "package": f.package,
        "imports": tuple((i.path, i.kind) for i in f.imports),
        "messages": tuple(_message(ws, m) for m in f.messages),
        "enums": tuple(_enum(e) for e in f.enums),
        "services": tuple(_service(ws, s) for s in f.services),
        "extensions": tuple((x.full_name, x.extendee) for x in f.extensions),
        "foreign": tuple(sorted((o.option.dotted, o.scope) for o in f.foreign)),
        "diagnostics": tuple(sorted((d.code, d.message) for d in f.diagnostics)),
    }
