"""Runs Flink SQL scripts through PyFlink in one JVM: explain each script's INSERT, or collect a query.

Executed with .venv-flink's python (PyFlink is not in the main venv). Reads a JSON request on stdin:
{"jars": [paths], "jobs": [{"id": str, "script": str, "mode": "explain" | "query"}]} and prints one
JSON object per job on stdout: {"id", "ok", "error", "plan" | "rows"}. Each job gets a fresh
TableEnvironment, so one script's temporary tables do not leak into the next.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

_SET = re.compile(r"SET\s+'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'", re.IGNORECASE | re.DOTALL)


def split_statements(script: str) -> list[str]:
    """Split a script on ';' outside quotes and `--` comments; comments are dropped."""
    out: list[str] = []
    buf: list[str] = []
    i, n = 0, len(script)
    quote = ""
    while i < n:
        c = script[i]
        if quote:
            buf.append(c)
            if c == quote:
                if i + 1 < n and script[i + 1] == quote:
                    buf.append(script[i + 1])
                    i += 1
                else:
                    quote = ""
        elif c in ("'", "`", '"'):
            quote = c
            buf.append(c)
        elif c == "-" and script.startswith("--", i):
            end = script.find("\n", i)
            i = n if end < 0 else end
            continue
        elif c == ";":
            stmt = "".join(buf).strip()
            if stmt:
                out.append(stmt)
            buf = []
        else:
            buf.append(c)
        i += 1
    stmt = "".join(buf).strip()
    if stmt:
        out.append(stmt)
    return out


def run_job(job: dict[str, Any], jars: list[str]) -> dict[str, Any]:
    from pyflink.table import EnvironmentSettings, TableEnvironment

    settings = (
        EnvironmentSettings.in_batch_mode()
        if job.get("batch")
        else EnvironmentSettings.in_streaming_mode()
    )
    env = TableEnvironment.create(settings)
    conf = env.get_config()
    if jars:
        conf.set("pipeline.jars", ";".join("file://" + j for j in jars))
    conf.set("parallelism.default", "1")
    result: dict[str, Any] = {"id": job["id"], "ok": False}
    statements = split_statements(job["script"])
    try:
        last = statements[-1] if statements else ""
        for stmt in statements[:-1]:
            match = _SET.fullmatch(stmt)
            if match:
                # SET is a SQL-client statement; TableEnvironment takes it as configuration.
                # The runtime mode is fixed when the environment is created, so that one is skipped.
                key = match.group(1).replace("''", "'")
                if key != "execution.runtime-mode":
                    conf.set(key, match.group(2).replace("''", "'"))
            else:
                env.execute_sql(stmt)
        if job.get("mode") == "query":
            with env.execute_sql(last).collect() as rows:
                result["rows"] = [[_plain(v) for v in row] for row in rows]
        else:
            result["plan"] = env.explain_sql(last)
        result["ok"] = True
    except Exception as exc:  # report every failure as data; the test asserts on it
        result["error"] = _summary(str(exc))
    return result


def _summary(text: str) -> str:
    """Py4J's message is a whole Java stack; keep the message lines, not the `at ...` frames."""
    lines = [ln for ln in text.splitlines() if not ln.strip().startswith(("at ", "..."))]
    return "\n".join(lines)[:6000]


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def main() -> int:
    request = json.load(sys.stdin)
    jars = request.get("jars", [])
    results = [run_job(job, jars) for job in request["jobs"]]
    sys.stdout.write("\n@@RESULTS@@\n" + json.dumps(results) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
