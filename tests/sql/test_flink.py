"""Every generated Flink pipeline passes EXPLAIN on each claimed Flink version, and computes the
right row from a sample CloudEvent (headers cast from BYTES, ce_time with an offset, JSON data)."""

from __future__ import annotations

from typing import Any

import pytest

from eventapi.generators.registry import GenerateOptions
from eventapi.generators.sql.flink import parse_rfc3339, render_flink

from .conftest import ALL_SINKS, flink_scripts
from .helpers import SAMPLE_ID, SAMPLE_TIME_UTC, run_flink, sink_id, typed

FLINK_SINKS = [(name, r) for name, r in ALL_SINKS if r.content_type == "JSON"]
IDS = [f"{name}|{sink_id(r)}" for name, r in FLINK_SINKS]


@pytest.mark.parametrize("version", ["2.3", "2.0"])
@pytest.mark.parametrize(("name", "resolved"), FLINK_SINKS, ids=IDS)
def test_explain_accepts_pipeline(
    flink_results: dict[str, dict[str, Any]], version: str, name: str, resolved: Any
) -> None:
    result = flink_results[version][f"explain|{name}|{sink_id(resolved)}"]
    assert result["ok"], result.get("error")
    # The plan reads the one headers metadata column the Kafka connector offers.
    assert "metadata=[headers]" in result["plan"]
    if resolved.primary_key and resolved.target != "clickhouse" and version == "2.3":
        assert "conflictStrategy=[DEDUPLICATE]" in result["plan"]


@pytest.mark.parametrize(("name", "resolved"), FLINK_SINKS, ids=IDS)
def test_sample_event_becomes_row(
    flink_results: dict[str, dict[str, Any]], name: str, resolved: Any
) -> None:
    result = flink_results["2.3"][f"sample|{name}|{sink_id(resolved)}"]
    assert result["ok"], result.get("error")
    (row,) = result["rows"]
    values = {
        c.name: typed(resolved, c.name, v) for c, v in zip(resolved.columns, row, strict=True)
    }
    if "event_id" in values:
        assert values["event_id"] == SAMPLE_ID
    if "event_time" in values:
        # 21:39:20.123+02:00 on the wire is 19:39:20.123 UTC in the table.
        assert values["event_time"].replace(tzinfo=None) == SAMPLE_TIME_UTC
    for c in resolved.columns:
        if c.not_null:
            assert values[c.name] is not None, f"NOT NULL column {c.name} came out NULL"


def test_matrix_values_are_decoded_exactly(flink_results: dict[str, dict[str, Any]]) -> None:
    (name, r) = next((n, r) for n, r in FLINK_SINKS if r.table == "all_types_postgresql")
    (row,) = flink_results["2.3"][f"sample|{name}|{sink_id(r)}"]["rows"]
    got = {c.name: typed(r, c.name, v) for c, v in zip(r.columns, row, strict=True)}
    assert got["u64"] == 18446744073709551615  # proto3 JSON string -> DECIMAL(20, 0), no overflow
    assert got["i64"] == -9007199254740993  # beyond a double's precision: parsed as text
    assert got["amount"] == __import__("decimal").Decimal("12345.67")
    assert got["flag"] is True
    assert got["raw"] == "AQL/"  # bytes stay base64
    assert got["status"] == "STATUS_OPEN"
    assert got["tenant"] == "tenant-value"  # is_event_header field, read from ce_tenant
    assert got["region"] == "eu"  # $.ce_source.region
    assert got["trace"] == "raw-trace"  # raw:x-trace
    assert got["score"] == 2.5  # $.attrs.score inside a Struct
    assert got["meta"].replace(" ", "") == '{"a":[1,2]}'  # JSON kept as JSON text
    assert got["labels"].replace(" ", "") == '{"k1":"v1"}'
    assert got["city"] == "city-value"  # nested message path
    assert got["at"].replace(tzinfo=None).isoformat() == "2026-01-02T03:04:05.678000"
    assert got["time_text"] == "2026-12-04T21:39:20.123+02:00"  # VARCHAR keeps the header text
    assert got["note"] is None  # optional and absent stays NULL


def test_rfc3339_parsing_honours_offsets_and_fractions() -> None:
    cases = {
        "2026-12-04T19:39:20Z": "2026-12-04 19:39:20.000",
        "2026-12-04T19:39:20.1Z": "2026-12-04 19:39:20.100",
        "2026-12-04T21:39:20.123456789+02:00": "2026-12-04 19:39:20.123",
        "2026-12-04t14:09:20.5-05:30": "2026-12-04 19:39:20.500",
        "1969-12-31T23:59:59.999Z": "1969-12-31 23:59:59.999",
        "2026-12-04 19:39:20": None,  # no offset: not RFC 3339
        "not a time": None,
    }
    values = ", ".join(f"('{k}')" for k in cases)
    script = (
        "SET 'table.local-time-zone' = 'UTC';\n"
        f"SELECT s, CAST({parse_rfc3339('s')} AS STRING) FROM (VALUES {values}) AS v(s)"
    )
    result = run_flink("2.3", [{"id": "t", "script": script, "mode": "query", "batch": True}])["t"]
    assert result["ok"], result.get("error")
    assert dict(map(tuple, result["rows"])) == cases


def test_flink_version_selects_upsert_syntax() -> None:
    r = next(r for _, r in FLINK_SINKS if r.target == "postgresql" and r.primary_key)
    v23 = render_flink(r, GenerateOptions(flink_version="2.3"))
    v20 = render_flink(r, GenerateOptions(flink_version="2.0"))
    assert "ON CONFLICT DO DEDUPLICATE" in v23 and "targets Flink 2.3" in v23
    assert "ON CONFLICT" not in v20 and "targets Flink 2.0" in v20
    with pytest.raises(ValueError, match="unsupported Flink version"):
        render_flink(r, GenerateOptions(flink_version="1.18"))


def test_scripts_have_no_hard_coded_hosts() -> None:
    for script in flink_scripts("2.3").values():
        for line in script.splitlines():
            if "bootstrap.servers" in line or "url'" in line or "password" in line:
                assert "${" in line, line
