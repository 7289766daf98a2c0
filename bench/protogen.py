"""Synthetic annotated protos for benchmarks: N events, each with a SEND operation and a sink."""

from __future__ import annotations

_TARGETS = (
    "SINK_TYPE_POSTGRESQL",
    "SINK_TYPE_MYSQL",
    "SINK_TYPE_CLICKHOUSE",
    "SINK_TYPE_STARROCKS",
)

HEADER = """syntax = "proto3";

package bench.v{v};

import "eventapi/v1/cloudevent.proto";
import "eventapi/v1/eventapi.proto";
import "eventapi/v1/sink.proto";
import "google/protobuf/empty.proto";
import "google/protobuf/timestamp.proto";
"""


def _event(i: int, pkg: int) -> str:
    return f"""
// Event number {i}: something happened to entity {i}.
message Event{i} {{
  option (eventapi.v1.event_type) = "bench.v{pkg}.entity{i}.happened.v1";
  // The entity's id.
  string entity_id = 1 [(eventapi.v1.is_event_subject) = true];
  string name = 2;
  int64 amount = 3;
  google.protobuf.Timestamp happened_at = 4;
}}
"""


def _operation(i: int) -> str:
    target = _TARGETS[i % len(_TARGETS)]
    return f"""
  rpc SendEvent{i}(Event{i}) returns (google.protobuf.Empty) {{
    option (eventapi.v1.operation) = {{ action: SEND channel: {{ address: "bench.entity{i}" }} }};
    option (eventapi.v1.sink) = {{
      target: {target} database: "bench" table: "entity{i}_events" primary_key: ["event_id"]
      mapping: [{{ header_path: "ce_id", target_column: "event_id", not_null: true }}]
    }};
  }}
"""


def make_proto(n_events: int = 300, package: int = 1) -> str:
    """One file with `n_events` events and a SEND operation with a sink per event (~17 lines each)."""
    parts = [HEADER.format(v=package), "\nservice BenchEventBus {\n"]
    parts.append('  option (eventapi.v1.server) = { protocols: [{ name: "kafka" }] };\n')
    parts.extend(_operation(i) for i in range(n_events))
    parts.append("}\n")
    parts.extend(_event(i, package) for i in range(n_events))
    return "".join(parts)


def edit_lines(text: str) -> list[int]:
    """Lines a benchmark may edit in place: the `string name = 2;` field of each event."""
    return [i for i, line in enumerate(text.splitlines()) if line.strip() == "string name = 2;"]
