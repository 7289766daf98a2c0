"""Fixtures for the SQL renderer tests: the real engines (PostgreSQL, MariaDB, chdb) and Flink."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventapi.generators.sql.generator import plan

from .helpers import (
    EXAMPLES,
    TESTDATA,
    explain_script,
    generate,
    load,
    resolved_sinks,
    run_flink,
    sample_event,
    sample_script,
    sink_id,
)


def fixture_workspaces() -> dict[str, Any]:
    """Every workspace whose sinks the engines must accept: the examples and the test matrix."""
    out = {}
    for ex in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        out[f"examples/{ex.name}"] = load(ex)
    out["testdata"] = load(*sorted(TESTDATA.glob("*.proto")))
    return out


WORKSPACES = fixture_workspaces()
ALL_SINKS = [(name, r) for name, ws in WORKSPACES.items() for r in resolved_sinks(ws)]


def flink_scripts(version: str) -> dict[str, str]:
    """sink id -> the generated Flink script (only sinks that get one)."""
    out = {}
    for name, ws in WORKSPACES.items():
        files = {f.path: f.content for f in generate(ws, version)}
        for p in plan(ws):
            path = f"sink/{p.stem}_flink.sql"
            if path in files:
                out[f"{name}|{sink_id(p.resolved)}"] = files[path]
    return out


@pytest.fixture(scope="session")
def flink_results() -> dict[str, dict[str, Any]]:
    """Explain every generated pipeline on every claimed Flink version; run the samples on 2.3."""
    # A developer may set SQL_TEST_FLINK_CACHE to reuse one run's results while iterating.
    cache = os.environ.get("SQL_TEST_FLINK_CACHE")
    if cache and Path(cache).exists():
        return json.loads(Path(cache).read_text())  # type: ignore[no-any-return]
    results: dict[str, dict[str, Any]] = {}
    by_key = {f"{name}|{sink_id(r)}": (name, r) for name, r in ALL_SINKS}
    for version in ("2.3", "2.0"):
        jobs = []
        for key, script in flink_scripts(version).items():
            name, r = by_key[key]
            jobs.append(
                {"id": f"explain|{key}", "script": explain_script(script, r), "mode": "explain"}
            )
            if version == "2.3":
                event = sample_event(WORKSPACES[name], r)
                jobs.append(
                    {
                        "id": f"sample|{key}",
                        "script": sample_script(script, r, event),
                        "mode": "query",
                        "batch": True,
                    }
                )
        results[version] = run_flink(version, jobs)
    if cache:
        Path(cache).write_text(json.dumps(results))
    return results


@pytest.fixture(scope="session")
def pg() -> Iterator[Any]:
    import psycopg

    try:
        conn = psycopg.connect(
            "host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=False
        )
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable on 127.0.0.1:5432 (see ENVIRONMENT.md): {exc}")
    conn.execute("SET TIME ZONE 'UTC'")
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def maria() -> Iterator[Any]:
    import pymysql
    from pymysql.constants import CLIENT

    try:
        conn = pymysql.connect(
            host="127.0.0.1",
            port=3306,
            user="root",
            password="",
            client_flag=CLIENT.MULTI_STATEMENTS,
            autocommit=True,
        )
    except pymysql.err.OperationalError as exc:
        pytest.fail(f"MariaDB is not reachable on 127.0.0.1:3306 (see ENVIRONMENT.md): {exc}")
    with conn.cursor() as cur:
        cur.execute("SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES'")
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def ch() -> Iterator[Any]:
    from chdb import session

    s = session.Session()
    yield s
    s.close()
