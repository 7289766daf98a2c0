"""Test helpers: load fixture workspaces, build sample CloudEvents, run Flink jobs in one JVM."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from eventapi.generators.loader import Loader, discover
from eventapi.generators.model import nodes as n
from eventapi.generators.model.sinks import ResolvedSink, resolve_sinks
from eventapi.generators.model.workspace import Workspace
from eventapi.generators.pipeline import default_includes
from eventapi.generators.registry import GenerateOptions, OutputFile, generators
from eventapi.generators.sql.dialect import logical_type

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TESTDATA = HERE / "testdata"
EXAMPLES = ROOT / "examples"
FLINK_VENVS = {"2.3": ROOT / ".venv-flink", "2.0": ROOT / ".venv-flink" / "flink-2.0"}
JARS = ROOT / ".venv-flink" / "jars"
SETUP_HINT = "run scripts/setup-flink.sh (creates .venv-flink with PyFlink and the connector jars)"

# The sample event every pipeline is fed: ce_time carries an offset on purpose.
SAMPLE_ID = "5f0c2b1e-7d1a-4c1b-9a51-3e2f4d5c6b7a"
SAMPLE_TIME = "2026-12-04T21:39:20.123+02:00"
SAMPLE_TIME_UTC = datetime(2026, 12, 4, 19, 39, 20, 123000)


def load(*paths: Path) -> Workspace:
    strs = [str(p) for p in paths]
    ws, problems = Loader(default_includes(strs, [])).load(discover(strs))
    assert not problems, problems
    return ws


def resolved_sinks(ws: Workspace) -> list[ResolvedSink]:
    out: list[ResolvedSink] = []
    for f, service in ws.services():
        for op in service.operations:
            if op.sinks:
                sinks, _ = resolve_sinks(ws, f.path, service, op)
                out.extend(s for s in sinks if s.target and s.table)
    return out


def generate(ws: Workspace, version: str = "2.3") -> list[OutputFile]:
    (gen,) = generators(("sink",))
    return gen.generate(ws, GenerateOptions(flink_version=version))


def sink_id(r: ResolvedSink) -> str:
    return f"{r.target}:{r.database}.{r.table}"


# -- sample events ---------------------------------------------------------------------------------


def _sample_value(ws: Workspace, field: n.FieldNode, scope: str, depth: int = 0) -> Any:
    """A proto3-JSON value for a field (64-bit integers as strings, bytes as base64)."""
    ft = ws.field_type(field, scope)
    if ft.map_key is not None:
        return {"k1": "v1"}
    one = _scalar_sample(ws, ft, field, depth)
    return [one] if ft.repeated else one


def _scalar_sample(ws: Workspace, ft: Any, field: n.FieldNode, depth: int) -> Any:
    s = ft.scalar
    if s in ("int64", "sint64", "sfixed64"):
        return "-9007199254740993"
    if s in ("uint64", "fixed64"):
        return "18446744073709551615"
    if s in ("int32", "sint32", "sfixed32"):
        return -42
    if s in ("uint32", "fixed32"):
        return 4294967295
    if s == "bool":
        return True
    if s in ("float", "double"):
        return 1.5
    if s == "bytes":
        return base64.b64encode(b"\x01\x02\xff").decode()
    if s == "string":
        return "12345.67" if field.name == "amount" else f"{field.name}-value"
    if ft.enum is not None:
        values = [v.name for v in ft.enum.values if v.number]
        return values[0] if values else ft.enum.values[0].name
    wk = ft.well_known
    if wk == "google.protobuf.Timestamp":
        return "2026-01-02T03:04:05.678Z"
    if wk == "google.protobuf.Struct":
        return {"score": 2.5, "meta": {"a": [1, 2]}, "tenant": "t-1"}
    msg = ft.message
    if msg is not None and depth < 3:
        return {f.name: _sample_value(ws, f, msg.full_name, depth + 1) for f in msg.fields}
    return None


@dataclass(frozen=True)
class SampleEvent:
    headers: dict[str, str]
    data: str


def sample_event(ws: Workspace, r: ResolvedSink) -> SampleEvent:
    """The Kafka record a producer on our runtime would write for the sink's event."""
    headers = {
        "ce_specversion": "1.0",
        "ce_id": SAMPLE_ID,
        "ce_source": '{"tenant": "tenant-1", "region": "eu"}',
        "ce_type": "sample.type.v1",
        "ce_time": SAMPLE_TIME,
        "ce_subject": "subject-1",
        "content-type": "application/json",
    }
    data: dict[str, Any] = {}
    if r.event is not None:
        for f in r.event.fields:
            if f.label == "optional":
                continue  # absent, so the column must come out NULL
            value = _sample_value(ws, f, r.event.full_name)
            if f.is_header:
                headers[f"ce_{''.join(ch for ch in f.name.lower() if ch.isalnum())}"] = str(value)
            else:
                data[f.name] = value
    for c in r.columns:
        src = c.source
        if getattr(src, "kind", "") == "raw":
            headers[src.name] = f"raw-{c.name}"  # type: ignore[union-attr]
    return SampleEvent(headers, json.dumps(data))


def typed(r: ResolvedSink, name: str, text: str | None) -> Any:
    """A Flink STRING rendering of a column value -> the Python value drivers bind."""
    if text is None:
        return None
    col = r.column(name)
    assert col is not None
    logical = logical_type(col)
    if logical in ("BIGINT", "UBIGINT"):
        return int(Decimal(text))
    if logical == "DECIMAL":
        return Decimal(text)
    if logical == "DOUBLE":
        return float(text)
    if logical == "BOOLEAN":
        return text.strip().lower() == "true"
    if logical == "TIMESTAMP":
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    return text


# -- Flink -----------------------------------------------------------------------------------------


def flink_python(version: str) -> Path:
    py = FLINK_VENVS[version] / "bin" / "python"
    if not py.exists() or not JARS.is_dir():
        raise AssertionError(f"PyFlink {version} is not installed at {py}: {SETUP_HINT}")
    return py


def run_flink(version: str, jobs: list[dict[str, Any]], timeout: float = 900) -> dict[str, Any]:
    """Run jobs in one JVM (startup is the slow part); returns results by job id."""
    request = {"jars": sorted(str(p) for p in JARS.glob("*.jar")), "jobs": jobs}
    env = {**os.environ, "PYTHONPATH": ""}
    proc = subprocess.run(
        [str(flink_python(version)), str(HERE / "flink_explain.py")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    marker = "\n@@RESULTS@@\n"
    if marker not in proc.stdout:
        sys.stderr.write(proc.stderr[-5000:])
        raise AssertionError(f"Flink {version} runner failed (exit {proc.returncode})")
    results = json.loads(proc.stdout.split(marker, 1)[1])
    return {r["id"]: r for r in results}


def _split(script: str) -> list[str]:
    from .flink_explain import split_statements

    return split_statements(script)


# Sinks whose connector has no offline jar are checked with the same schema on a stand-in that
# has the same changelog contract: upsert-kafka for keyed (upsert) sinks, blackhole otherwise.
_UPSERT_STANDIN = (
    "'connector' = 'upsert-kafka', 'topic' = 'check', 'properties.bootstrap.servers' = 'localhost:9',"
    " 'key.format' = 'json', 'value.format' = 'json'"
)
_APPEND_STANDIN = "'connector' = 'blackhole'"
OFFLINE_CONNECTORS = frozenset({"postgresql", "clickhouse"})  # jdbc-postgres, kafka


def explain_script(script: str, r: ResolvedSink) -> str:
    """The generated script, with the sink connector swapped for a stand-in where no jar exists."""
    stmts = _split(script)
    if r.target in OFFLINE_CONNECTORS:
        return ";\n".join(stmts)
    sink = f"CREATE TEMPORARY TABLE `{r.table}_sink`"
    out = []
    for s in stmts:
        if s.startswith(sink):
            head = s[: s.rindex(") WITH (")]
            keyed = "PRIMARY KEY" in head
            s = f"{head}) WITH ({_UPSERT_STANDIN if keyed else _APPEND_STANDIN})"
        out.append(s)
    return ";\n".join(out)


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sample_script(script: str, r: ResolvedSink, event: SampleEvent) -> str:
    """The generated script turned into a query over one sample record (no Kafka, no sink)."""
    source = f"CREATE TEMPORARY TABLE `{r.table}_source`"
    sink = f"CREATE TEMPORARY TABLE `{r.table}_sink`"
    out = []
    for s in _split(script):
        if s.startswith(source):
            entries = ", ".join(
                f"{_sql_str(k)}, CAST({_sql_str(v)} AS BYTES)" for k, v in event.headers.items()
            )
            s = (
                f"CREATE TEMPORARY VIEW `{r.table}_source` AS SELECT MAP[{entries}] AS `headers`,"
                f" {_sql_str(event.data)} AS `data`"
            )
        elif s.startswith(sink):
            continue
        elif s.startswith("INSERT INTO"):
            select = s.split("\n", 1)[1].removesuffix("\nON CONFLICT DO DEDUPLICATE")
            cols = ", ".join(f"CAST(`c{i}` AS STRING)" for i in range(len(r.columns)))
            names = ", ".join(f"`c{i}`" for i in range(len(r.columns)))
            s = f"SELECT {cols} FROM ({select}) AS t({names})"
        out.append(s)
    return ";\n".join(out)
