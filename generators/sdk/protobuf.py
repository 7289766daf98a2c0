"""protoc's Python classes (`_pb2.py` + `.pyi`) for PROTOBUF events, placed inside the SDK package.

protoc (grpcio-tools) runs in a subprocess on copies of the workspace's own texts (so unsaved
editor buffers and the protoc plugin see the same input), in a temporary folder; only its output
text comes back. Each `_pb2` goes flat into `<service>/_pb/` and its imports of sibling files are
rewritten to relative ones, so the SDK needs nothing on sys.path but the output root. The
`eventapi/v1/*.proto` and user files keep their own descriptor file names, so the same file
loaded by two generated packages is the same descriptor (protobuf accepts identical re-adds).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from eventapi.generators.model.workspace import Workspace
from eventapi.generators.registry import PY_HEADER
from eventapi.generators.sdk.messages import SdkError

_WKT_PREFIX = "google/protobuf/"
# protoc's Python output is not ours to reformat; linters skip it, mypy reads the stub leniently.
_PY_PREAMBLE = "# ruff: noqa\n# fmt: off\n"
_PYI_PREAMBLE = "# ruff: noqa\n# fmt: off\n# mypy: ignore-errors\n"


@dataclass(frozen=True, slots=True)
class PbFile:
    name: str  # file name inside _pb/, e.g. commerce_v1_orders_pb2.py
    content: str
    source: str  # path of the proto file


def closure(ws: Workspace, paths: list[str]) -> list[str]:
    """`paths` and everything they import, except the well-known types protobuf ships."""
    seen: list[str] = []
    stack = list(reversed(paths))
    while stack:
        p = stack.pop()
        f = ws.files.get(p)
        if p in seen or f is None or f.import_name.startswith(_WKT_PREFIX):
            continue
        seen.append(p)
        stack.extend(reversed([t for t in ws.imports.get(p, {}).values() if t]))
    return sorted(seen, key=lambda p: ws.files[p].import_name)


def module_of(import_name: str) -> str:
    """protoc's Python module for a proto import path: `a/b-c.proto` -> `a.b_c_pb2`."""
    return import_name.removesuffix(".proto").replace("-", "_").replace("/", ".") + "_pb2"


def module_names(ws: Workspace, paths: list[str]) -> dict[str, str]:
    """Proto path -> flat module name inside _pb/ (unique)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for p in paths:
        flat = module_of(ws.files[p].import_name).replace(".", "_")
        name, i = flat, 2
        while name in taken:
            name = f"{flat.removesuffix('_pb2')}{i}_pb2"
            i += 1
        taken.add(name)
        out[p] = name
    return out


def _wkt_include() -> str:
    import grpc_tools  # type: ignore[import-untyped]

    return str(Path(grpc_tools.__file__).parent / "_proto")


def run_protoc(ws: Workspace, paths: list[str], modules: dict[str, str]) -> list[PbFile]:
    """Compile `paths` (a closure) with protoc; the rewritten `_pb2.py`/`.pyi` texts."""
    try:
        include = _wkt_include()
    except ImportError:
        raise SdkError(
            "PROTOBUF events need protoc from grpcio-tools: pip install 'eventapi[protobuf]'"
        ) from None
    by_module = {module_of(ws.files[p].import_name): modules[p] for p in paths}
    with tempfile.TemporaryDirectory(prefix="eventapi-protoc-") as tmp:
        src, out = Path(tmp, "src"), Path(tmp, "out")
        out.mkdir()
        for p in paths:
            f = ws.files[p]
            target = src / f.import_name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f.text, encoding="utf-8")
        names = [ws.files[p].import_name for p in paths]
        cmd = [sys.executable, "-m", "grpc_tools.protoc", f"-I{src}", f"-I{include}"]
        cmd += [f"--python_out={out}", f"--pyi_out={out}", *names]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            detail = proc.stderr.replace(str(src) + "/", "").strip()
            raise SdkError(f"protoc failed on {', '.join(names)}:\n{detail}")
        files: list[PbFile] = []
        for p in paths:
            f = ws.files[p]
            base = module_of(f.import_name).replace(".", "/")
            header = PY_HEADER.format(source=f.import_name)
            for ext, preamble in (("py", _PY_PREAMBLE), ("pyi", _PYI_PREAMBLE)):
                text = Path(out, f"{base}.{ext}").read_text(encoding="utf-8")
                body = _relative_imports(text, by_module)
                files.append(PbFile(f"{modules[p]}.{ext}", header + preamble + body, p))
    return files


_FROM = re.compile(r"^from ([\w.]+) import (\w+_pb2) as (\w+)$", re.MULTILINE)
_PLAIN = re.compile(r"^import (\w+_pb2) as (\w+)$", re.MULTILINE)


def _relative_imports(text: str, by_module: dict[str, str]) -> str:
    def from_(m: re.Match[str]) -> str:
        flat = by_module.get(f"{m.group(1)}.{m.group(2)}")
        return f"from . import {flat} as {m.group(3)}" if flat else m.group(0)

    def plain(m: re.Match[str]) -> str:
        flat = by_module.get(m.group(1))
        return f"from . import {flat} as {m.group(2)}" if flat else m.group(0)

    return _PLAIN.sub(plain, _FROM.sub(from_, text))
