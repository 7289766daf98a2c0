"""Dialect facts as tables (sqlglot style): types, quoting, reserved words, key and partition rules."""

from __future__ import annotations

import pytest

from eventapi.generators.sql.dialect import dialect, dialect_names, parse_decimal

from .conftest import ALL_SINKS


def test_registry_knows_the_four_targets() -> None:
    assert dialect_names() == ("clickhouse", "mysql", "postgresql", "starrocks")
    with pytest.raises(KeyError, match="unknown sink target"):
        dialect("oracle")


@pytest.mark.parametrize(
    ("target", "logical", "expected"),
    [
        ("starrocks", "VARCHAR", "VARCHAR(65533)"),
        ("starrocks", "UBIGINT", "LARGEINT"),
        ("starrocks", "TIMESTAMP", "DATETIME"),
        ("starrocks", "JSON", "JSON"),
        ("mysql", "VARCHAR", "TEXT"),
        ("mysql", "UBIGINT", "BIGINT UNSIGNED"),
        ("mysql", "TIMESTAMP", "DATETIME(3)"),
        ("postgresql", "TIMESTAMP", "TIMESTAMPTZ(3)"),
        ("postgresql", "JSON", "JSONB"),
        ("postgresql", "DOUBLE", "DOUBLE PRECISION"),
        ("postgresql", "UBIGINT", "NUMERIC(20, 0)"),
        ("clickhouse", "TIMESTAMP", "DateTime64(3, 'UTC')"),
        ("clickhouse", "UBIGINT", "UInt64"),
        ("clickhouse", "BOOLEAN", "Bool"),
    ],
)
def test_type_mapping(target: str, logical: str, expected: str) -> None:
    assert dialect(target).TYPE_MAPPING[logical] == expected


def test_starrocks_inherits_mysql_and_overrides_only_differences() -> None:
    sr, my = dialect("starrocks"), dialect("mysql")
    assert isinstance(sr, type(my))
    assert sr.TYPE_MAPPING["BIGINT"] == my.TYPE_MAPPING["BIGINT"]
    assert sr.KEY_TYPE_MAPPING["VARCHAR"] == "VARCHAR(128)"


@pytest.mark.parametrize(
    ("target", "name", "reserved"),
    [
        ("mysql", "order", True),
        ("mysql", "Group", True),
        ("starrocks", "json", True),
        ("mysql", "json", False),
        ("postgresql", "user", True),
        ("postgresql", "tenant", False),
        ("clickhouse", "prewhere", True),
    ],
)
def test_reserved_words(target: str, name: str, reserved: bool) -> None:
    assert dialect(target).is_reserved(name) is reserved


def test_identifier_rules() -> None:
    pg, my = dialect("postgresql"), dialect("mysql")
    assert my.valid_identifier("user_id")
    assert not my.valid_identifier("x" * 65) and my.valid_identifier("x" * 64)
    assert not pg.valid_identifier("x" * 64)
    assert "quoted" in (my.identifier_problem("odd header") or "")
    assert "lower case" in (pg.identifier_problem("UserId") or "")
    assert "empty" in (my.identifier_problem("") or "")


def test_quoting_and_literals_escape_everything() -> None:
    assert dialect("mysql").quote("a`b") == "`a``b`"
    assert dialect("postgresql").quote('a"b') == '"a""b"'
    assert dialect("mysql").literal("it's \\ \n") == "'it''s \\\\ \\n'"
    assert dialect("postgresql").literal("it's") == "'it''s'"
    assert dialect("postgresql").literal("a\\b") == "E'a\\\\b'"
    assert dialect("clickhouse").literal("it's\\") == "'it\\'s\\\\'"


def test_partitionable_and_keyable_per_target() -> None:
    assert not dialect("starrocks").keyable("DOUBLE")
    assert dialect("mysql").keyable("DOUBLE")
    assert not dialect("starrocks").partitionable("DECIMAL")
    assert dialect("postgresql").partitionable("DECIMAL")
    assert not any(dialect(t).partitionable("JSON") for t in dialect_names())
    assert dialect("starrocks").partition_problem(["TIMESTAMP", "VARCHAR"])
    assert dialect("starrocks").partition_problem(["TIMESTAMP"]) is None


def test_key_problems_on_the_matrix() -> None:
    for _, r in ALL_SINKS:
        assert dialect(r.target).key_problems(r) == [], r.table


def test_decimal_spec() -> None:
    assert parse_decimal("18,2") == (18, 2)
    assert parse_decimal(" 38 , 0 ") == (38, 0)
    assert (
        parse_decimal("39,2") is None
        and parse_decimal("2,3") is None
        and parse_decimal("x") is None
    )


KEYRULES = """
syntax = "proto3";
package keyrules.v1;
import "eventapi/v1/eventapi.proto";
import "eventapi/v1/cloudevent.proto";
import "eventapi/v1/sink.proto";
import "google/protobuf/empty.proto";
service Bus {
  option (eventapi.v1.server) = { protocols: [{ name: "kafka" }] };
  rpc Send(Ev) returns (google.protobuf.Empty) {
    option (eventapi.v1.operation) = { action: SEND channel: { address: "t" } };
    option (eventapi.v1.sink) = {
      target: SINK_TYPE_STARROCKS database: "d" table: "t1"
      primary_key: ["event_id", "score"] partition_key: ["event_time"] };
    option (eventapi.v1.sinks) = {
      target: SINK_TYPE_MYSQL database: "d" table: "t2"
      primary_key: ["event_id"] partition_key: ["event_time"] };
    option (eventapi.v1.sinks) = {
      target: SINK_TYPE_POSTGRESQL database: "d" table: "t3"
      primary_key: ["event_id"] partition_key: ["event_time"] };
    option (eventapi.v1.sinks) = {
      target: SINK_TYPE_CLICKHOUSE database: "d" table: "t4"
      primary_key: ["event_id"] partition_key: ["score"] };
  }
}
message Ev {
  option (eventapi.v1.event_type) = "k.v1";
  double score = 1;
}
"""


def test_key_problems_report_each_target_rule(tmp_path: object) -> None:
    from pathlib import Path

    from .helpers import load, resolved_sinks

    folder = Path(str(tmp_path))
    (folder / "keyrules.proto").write_text(KEYRULES)
    problems = {r.target: dialect(r.target).key_problems(r) for r in resolved_sinks(load(folder))}
    assert any("cannot use in a key" in p for p in problems["starrocks"])  # DOUBLE key
    assert any("inside the primary key" in p for p in problems["starrocks"])
    assert any("inside the primary key" in p for p in problems["mysql"])
    assert any("inside the primary key" in p for p in problems["postgresql"])
    assert problems["clickhouse"] == ["ClickHouse cannot partition by DOUBLE columns"]
