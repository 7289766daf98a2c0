"""Whole-process `eventapi-lsp --generate` time for 10/100/200 generated .proto files (~10 events each).

Usage: .venv/bin/python bench/generate.py [--runs 3]. Prints the best-of-N wall time per size and the
ratio time(200)/time(100); the bar is 100 files <= 3 s and a ratio <= 2.1.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EVENTS_PER_FILE = 10
TARGETS = ("STARROCKS", "MYSQL", "POSTGRESQL", "CLICKHOUSE")


def proto_file(i: int) -> str:
    """One contract: a kafka bus with EVENTS_PER_FILE SEND rpcs, each with a sink, and their events."""
    rpcs, messages = [], []
    for j in range(EVENTS_PER_FILE):
        name = f"Thing{j}Happened"
        target = TARGETS[(i + j) % len(TARGETS)]
        rpcs.append(
            f"""  // Publish {name}.
  rpc Send{name}({name}) returns (google.protobuf.Empty) {{
    option (eventapi.v1.operation) = {{ action: SEND channel: {{ address: "bench{i}.thing{j}" }} }};
    option (eventapi.v1.sink) = {{
      target: SINK_TYPE_{target} database: "bench{i}" table: "thing{j}"
      primary_key: ["event_id", "event_time"] partition_key: ["event_time"]
      mapping: [{{ header_path: "ce_type", target_column: "event_type" }}]
    }};
  }}"""
        )
        messages.append(
            f"""// {name} happened.
message {name} {{
  option (eventapi.v1.event_type) = "bench{i}.thing{j}.v1";
  // The id.
  string id = 1 [(eventapi.v1.is_event_subject) = true];
  int64 count = 2;
  double amount = 3;
  bool ok = 4;
  google.protobuf.Timestamp at = 5;
  map<string, string> labels = 6;
  optional string note = 7;
}}"""
        )
    return (
        f"""syntax = "proto3";
package bench{i}.v1;
import "eventapi/v1/eventapi.proto";
import "eventapi/v1/cloudevent.proto";
import "eventapi/v1/sink.proto";
import "google/protobuf/empty.proto";
import "google/protobuf/timestamp.proto";

service Bus{i} {{
  option (eventapi.v1.server) = {{ protocols: [{{ name: "kafka" }}] }};
"""
        + "\n".join(rpcs)
        + "\n}\n\n"
        + "\n\n".join(messages)
        + "\n"
    )


def measure(cli: Path, files: int, runs: int) -> float:
    root = Path(tempfile.mkdtemp(prefix=f"eventapi-bench-{files}-"))
    try:
        src = root / "protos"
        src.mkdir()
        for i in range(files):
            (src / f"bench{i}.proto").write_text(proto_file(i), encoding="utf-8")
        best = float("inf")
        for _ in range(runs):
            out = root / "gen"
            shutil.rmtree(out, ignore_errors=True)
            start = time.perf_counter()
            proc = subprocess.run(
                [str(cli), "--generate", "--out", str(out), str(src)],
                capture_output=True,
                text=True,
                check=False,
            )
            elapsed = time.perf_counter() - start
            if proc.returncode != 0:
                sys.exit(f"eventapi-lsp failed on {files} files:\n{proc.stdout}\n{proc.stderr}")
            best = min(best, elapsed)
        written = sum(1 for _ in (root / "gen").rglob("*") if _.is_file())
        print(
            f"{files:4d} files ({files * EVENTS_PER_FILE} events): {best:.2f} s, {written} files written"
        )
        return best
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs per size; the best is reported")
    args = parser.parse_args()
    cli = Path(sys.executable).parent / "eventapi-lsp"
    times = {n: measure(cli, n, args.runs) for n in (10, 100, 200)}
    ratio = times[200] / times[100]
    print(f"time(200)/time(100) = {ratio:.2f}")
    ok = times[100] <= 3.0 and ratio <= 2.1
    print("bar (100 files <= 3 s, ratio <= 2.1):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
