"""Loader benchmark: cold load+validate and one-line edit -> diagnostics, beside protoc (grpcio-tools).

Run: .venv/bin/python -m bench.loader   (prints a table; the README quotes its latest figures)
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.protogen import edit_lines, make_proto

EDITS = 50
_COLD = """
import json, sys, time
t0 = time.perf_counter()
from eventapi.generators.loader import Loader
from eventapi.generators.rules.engine import check
t1 = time.perf_counter()
path = sys.argv[1]
ws, _ = Loader([sys.argv[2]]).load([path])
diags = check(ws)
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "cold": t2 - t1, "diagnostics": len(diags)}))
"""


def ours_cold(path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _COLD, str(path), str(path.parent)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def ours_edits(path: Path, text: str) -> list[float]:
    from eventapi.generators.loader import Loader
    from eventapi.generators.rules.engine import check

    loader = Loader([str(path.parent)])
    ws, _ = loader.load([str(path)], overlay={str(path): text})
    check(ws)
    lines = text.splitlines(keepends=True)
    rng = random.Random(7)
    times: list[float] = []
    for i in range(EDITS):
        n = rng.choice(edit_lines(text))
        lines[n] = f"  string name{i} = 2;\n"
        edited = "".join(lines)
        t0 = time.perf_counter()
        ws, _ = loader.load([str(path)], overlay={str(path): edited})
        check(ws)
        times.append(time.perf_counter() - t0)
    return times


def protoc_times(path: Path) -> tuple[float, list[float]]:
    """protoc in-process (grpcio-tools) with source info: no incremental mode, so each edit is a compile."""
    from grpc_tools import protoc

    from eventapi.generators.model.schema import idl_root

    wkt = Path(protoc.__file__).parent / "_proto"
    out = tempfile.mkdtemp()

    def compile_once() -> float:
        args = [
            "protoc",
            f"-I{path.parent}",
            f"-I{idl_root()}",
            f"-I{wkt}",
            "--include_source_info",
            f"--descriptor_set_out={out}/d.pb",
            path.name,
        ]
        t0 = time.perf_counter()
        cwd = os.getcwd()
        os.chdir(path.parent)
        try:
            code = protoc.main(args)
        finally:
            os.chdir(cwd)
        if code != 0:
            raise SystemExit(f"protoc failed ({code})")
        return time.perf_counter() - t0

    cold = compile_once()
    return cold, [compile_once() for _ in range(EDITS)]


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    text = make_proto(300)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.proto"
        path.write_text(text)
        cold = ours_cold(path)
        edits = ours_edits(path, text)
        p_cold, p_edits = protoc_times(path)
    ms = 1000.0
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"input: {text.count(chr(10))} lines, 300 events, 300 SEND operations with sinks; {EDITS} one-line edits"
    )
    print(f"{'measure':34} {'eventapi':>10} {'protoc':>10} {'ratio':>7}")
    rows = [
        ("cold load + validate (ms)", cold["cold"] * ms, p_cold * ms),
        ("edit -> diagnostics p50 (ms)", pct(edits, 50) * ms, pct(p_edits, 50) * ms),
        ("edit -> diagnostics p95 (ms)", pct(edits, 95) * ms, pct(p_edits, 95) * ms),
    ]
    for name, ours, theirs in rows:
        print(f"{name:34} {ours:10.1f} {theirs:10.1f} {ours / theirs:7.2f}")
    print(
        f"(import of the package: {cold['import'] * ms:.0f} ms; bars: cold <= 400 ms, edit p50 <= 40 ms)"
    )


if __name__ == "__main__":
    main()
