"""Every generated DDL runs on its real engine (PostgreSQL, MariaDB, ClickHouse via chdb; StarRocks
parsed by sqlglot), and the row the Flink pipeline makes from a sample event goes in and comes back."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

from eventapi.generators.model.sinks import ResolvedSink
from eventapi.generators.sql.dialect import dialect, logical_type
from eventapi.generators.sql.render import render_ddl

from .conftest import ALL_SINKS
from .helpers import SAMPLE_TIME_UTC, sink_id, typed


def by_target(target: str) -> list[tuple[str, ResolvedSink]]:
    return [(n, r) for n, r in ALL_SINKS if r.target == target]


def ids(items: list[tuple[str, ResolvedSink]]) -> list[str]:
    return [f"{n}|{sink_id(r)}" for n, r in items]


def sample_row(flink_results: dict[str, Any], name: str, r: ResolvedSink) -> dict[str, Any]:
    """The typed row Flink computed from the sample event (a typed stand-in for non-JSON sinks)."""
    result = flink_results["2.3"].get(f"sample|{name}|{sink_id(r)}")
    if result is not None:
        assert result["ok"], result.get("error")
        (row,) = result["rows"]
        return {c.name: typed(r, c.name, v) for c, v in zip(r.columns, row, strict=True)}
    stand_in = {
        "VARCHAR": "text",
        "BIGINT": -42,
        "UBIGINT": 2**64 - 1,
        "TIMESTAMP": SAMPLE_TIME_UTC.replace(tzinfo=UTC),
        "DECIMAL": Decimal("1.5"),
        "BOOLEAN": True,
        "JSON": '{"a": 1}',
        "DOUBLE": 0.25,
    }
    return {c.name: stand_in[logical_type(c)] for c in r.columns}


def normalize(r: ResolvedSink, name: str, value: Any) -> Any:
    """Engine values and Flink values on one scale, so a round trip can be compared."""
    if value is None:
        return None
    col = r.column(name)
    assert col is not None
    logical = logical_type(col)
    if logical == "TIMESTAMP":
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value
    if logical in ("BIGINT", "UBIGINT"):
        return int(value)
    if logical == "DECIMAL":
        return Decimal(str(value)).normalize()
    if logical == "DOUBLE":
        return float(value)
    if logical == "BOOLEAN":
        return value in (True, 1, "1", "true")
    if logical == "JSON":
        return json.loads(value) if isinstance(value, str | bytes) else value
    return str(value)


def assert_round_trip(r: ResolvedSink, sent: dict[str, Any], got: dict[str, Any]) -> None:
    for c in r.columns:
        assert normalize(r, c.name, got[c.name]) == normalize(r, c.name, sent[c.name]), c.name


# -- PostgreSQL ------------------------------------------------------------------------------------


def _pg_table(r: ResolvedSink) -> str:
    q = '"{}"'.format
    name = q(r.table.replace('"', '""'))
    return f"{q(r.database.replace(chr(34), chr(34) * 2))}.{name}" if r.database else name


@pytest.mark.parametrize(("name", "r"), by_target("postgresql"), ids=ids(by_target("postgresql")))
def test_postgresql_accepts_ddl_and_row(
    pg: Any, flink_results: dict[str, Any], name: str, r: ResolvedSink
) -> None:
    ddl = render_ddl(r)
    row = sample_row(flink_results, name, r)
    cols = ", ".join('"' + c.name.replace('"', '""') + '"' for c in r.columns)
    marks = ", ".join(["%s"] * len(r.columns))
    try:
        with pg.cursor() as cur:
            cur.execute(ddl)  # the whole file as one script; rolled back below
            cur.execute(
                f"INSERT INTO {_pg_table(r)} ({cols}) VALUES ({marks})",
                [row[c.name] for c in r.columns],
            )
            cur.execute(f"SELECT {cols} FROM {_pg_table(r)}")
            (back,) = cur.fetchall()
            assert_round_trip(r, row, dict(zip([c.name for c in r.columns], back, strict=True)))
            for c in r.columns:
                if c.comment.strip():
                    cur.execute(
                        "SELECT col_description(%s::regclass, attnum) FROM pg_attribute"
                        " WHERE attrelid = %s::regclass AND attname = %s",
                        [_pg_table(r), _pg_table(r), c.name],
                    )
                    assert cur.fetchone()[0] == c.comment.strip()  # comments survive escaping
    finally:
        pg.rollback()


def test_postgresql_rejects_partition_outside_key(pg: Any) -> None:
    r = next(r for _, r in by_target("postgresql") if r.table == "all_types_postgresql")
    broken = render_ddl(r).replace(
        'PRIMARY KEY ("event_id", "event_time")', 'PRIMARY KEY ("event_id")'
    )
    assert broken != render_ddl(r)
    import psycopg

    with pytest.raises(psycopg.errors.FeatureNotSupported, match="partition"):
        try:
            pg.execute(broken)
        finally:
            pg.rollback()


# -- MariaDB (MySQL target) ------------------------------------------------------------------------


def _my(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


@pytest.mark.parametrize(("name", "r"), by_target("mysql"), ids=ids(by_target("mysql")))
def test_mariadb_accepts_ddl_and_row(
    maria: Any, flink_results: dict[str, Any], name: str, r: ResolvedSink
) -> None:
    db = r.database or "test"
    row = sample_row(flink_results, name, r)
    table = f"{_my(db)}.{_my(r.table)}"
    cols = ", ".join(_my(c.name) for c in r.columns)
    with maria.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {_my(db)}" if r.database else "SELECT 1")
        cur.execute("USE `test`")
        try:
            cur.execute(render_ddl(r))
            while cur.nextset():
                pass
            values = [row[c.name] for c in r.columns]
            values = [
                v.astimezone(UTC).replace(tzinfo=None) if isinstance(v, datetime) else v
                for v in values
            ]
            cur.execute(
                f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(values))})", values
            )
            cur.execute(f"SELECT {cols} FROM {table}")
            (back,) = cur.fetchall()
            assert_round_trip(r, row, dict(zip([c.name for c in r.columns], back, strict=True)))
            for c in r.columns:
                if c.comment.strip():
                    cur.execute(
                        "SELECT column_comment FROM information_schema.columns"
                        " WHERE table_schema = %s AND table_name = %s AND column_name = %s",
                        [db, r.table, c.name],
                    )
                    assert cur.fetchone()[0] == c.comment.strip()
        finally:
            cur.execute(
                f"DROP DATABASE IF EXISTS {_my(db)}"
                if r.database
                else f"DROP TABLE IF EXISTS {table}"
            )


def test_mariadb_rejects_partition_outside_key(maria: Any) -> None:
    import pymysql

    r = next(r for _, r in by_target("mysql") if r.table == "all_types_mysql")
    broken = render_ddl(r).replace(
        "PRIMARY KEY (`event_id`, `event_time`)", "PRIMARY KEY (`event_id`)"
    )
    assert broken != render_ddl(r)
    with maria.cursor() as cur:
        try:
            with pytest.raises(pymysql.err.OperationalError, match="partitioning function"):
                cur.execute(broken)
                while cur.nextset():
                    pass
        finally:
            cur.execute(f"DROP DATABASE IF EXISTS {_my(r.database)}")


# -- ClickHouse (chdb) -----------------------------------------------------------------------------


def split_clickhouse(script: str) -> list[str]:
    """Statements of a ClickHouse script: ';' outside quotes (with backslash escapes) and comments."""
    out, buf, quote, i = [], [], "", 0
    while i < len(script):
        c = script[i]
        if quote:
            buf.append(c)
            if c == "\\":
                buf.append(script[i + 1])
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'`":
            quote = c
            buf.append(c)
        elif script.startswith("--", i):
            i = script.find("\n", i)
            continue
        elif c == ";":
            out.append("".join(buf).strip())
            buf = []
        else:
            buf.append(c)
        i += 1
    return [s for s in (*out, "".join(buf).strip()) if s]


_KAFKA_ENGINE = re.compile(r"ENGINE = Kafka\nSETTINGS\n(.*\n)*?.*kafka_format = 'JSONEachRow'")


@pytest.mark.parametrize(("name", "r"), by_target("clickhouse"), ids=ids(by_target("clickhouse")))
def test_clickhouse_accepts_ddl_and_row(
    ch: Any, flink_results: dict[str, Any], name: str, r: ResolvedSink
) -> None:
    db = r.database or "default"
    ddl = render_ddl(r)
    assert _KAFKA_ENGINE.search(ddl)
    # chdb has no Kafka consumer thread; a Null table takes the queue's place so the
    # materialized view is exercised exactly as the Kafka engine would feed it.
    local = _KAFKA_ENGINE.sub("ENGINE = Null", ddl)
    row = sample_row(flink_results, name, r)
    try:
        for stmt in split_clickhouse(local):
            ch.query(stmt)
        q = dialect("clickhouse").quote
        queue = f"{q(db)}.{q(r.table + '_queue')}"
        line = json.dumps({c.name: _jsoneachrow(r, c.name, row[c.name]) for c in r.columns})
        ch.query(f"INSERT INTO {queue} FORMAT JSONEachRow {line}")
        cols = ", ".join(q(c.name) for c in r.columns)
        out = ch.query(f"SELECT {cols} FROM {q(db)}.{q(r.table)} FORMAT JSONEachRow").bytes()
        (back,) = [json.loads(x) for x in out.decode().splitlines() if x.strip()]
        assert_round_trip(r, row, back)
    finally:
        if r.database:
            ch.query(f"DROP DATABASE IF EXISTS `{db}`")


def _jsoneachrow(r: ResolvedSink, name: str, value: Any) -> Any:
    """What Flink's json format writes for a value (timestamps 'yyyy-MM-dd HH:mm:ss.SSS')."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    return value


def test_clickhouse_rejects_nullable_sort_key(ch: Any) -> None:
    r = next(r for _, r in by_target("clickhouse") if r.table == "all_types_clickhouse")
    ddl = split_clickhouse(render_ddl(r))[1]
    broken = ddl.replace("`event_id` String NOT NULL", "`event_id` Nullable(String)", 1)
    broken = broken.replace("`event_id` String", "`event_id` Nullable(String)", 1)
    assert broken != ddl
    ch.query(f"CREATE DATABASE IF NOT EXISTS `{r.database}`")
    try:
        with pytest.raises(Exception, match=r"(?i)nullable"):
            ch.query(broken)
    finally:
        ch.query(f"DROP DATABASE IF EXISTS `{r.database}`")


# -- StarRocks (sqlglot) ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "r"), by_target("starrocks"), ids=ids(by_target("starrocks")))
def test_starrocks_ddl_parses_without_fallback(name: str, r: ResolvedSink) -> None:
    statements = sqlglot.parse(render_ddl(r), read="starrocks")
    assert statements and all(s is not None for s in statements)
    for s in statements:
        assert not list(s.find_all(exp.Command)), s.sql("starrocks")
    create = statements[-1]
    assert isinstance(create, exp.Create)
    again = create.sql("starrocks")
    assert ("PRIMARY KEY" if r.primary_key else "DUPLICATE KEY") in again
    assert "DISTRIBUTED BY HASH" in again
    if r.partition_key:
        assert "PARTITION BY" in again
    names = [c.name for c in create.find_all(exp.ColumnDef)]
    assert sorted(names) == sorted(c.name for c in r.columns)
