"""Rule errors: the plugin refuses with the CLI's diagnostics, positions in the user's file."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

from eventapi.generators.protoc_plugin import run

from .conftest import CaseFactory
from .helpers import PLUGINS, discover, protoc, tool

LINE = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>\w+) (?P<code>EA\d{3}): (?P<msg>.*)$"
)


def parse(lines: list[str]) -> list[dict[str, str]]:
    found = [LINE.match(x) for x in lines]
    return [m.groupdict() for m in found if m]


def option_start(text: str, line: int) -> tuple[int, int]:
    """1-based (line, col) of the `option` keyword of the statement holding `line`."""
    rows = text.splitlines()
    for i in range(line - 1, -1, -1):
        stripped = rows[i].lstrip()
        if stripped.startswith("option "):
            return i + 1, len(rows[i]) - len(stripped) + 1
    raise AssertionError(f"no option statement above line {line}")


def test_rule_errors_come_back_as_the_cli_diagnostics(make_case: CaseFactory) -> None:
    case = make_case("errors")
    result = run(case.request, "sink")
    assert result.response.error, "rule errors must fail generation"
    assert not result.response.file
    got = parse(result.response.error.splitlines())
    cli = subprocess.run(
        [tool("eventapi-lsp"), "--check", "."],
        check=False,
        capture_output=True,
        text=True,
        cwd=case.root,
        timeout=120,
    )
    assert cli.returncode == 1, cli.stdout
    want = parse(cli.stdout.splitlines())
    assert len(want) >= 6
    key = lambda d: (d["file"], d["sev"], d["code"], d["msg"])  # noqa: E731
    assert Counter(map(key, got)) == Counter(map(key, want))
    text = (case.root / "orders_bad.proto").read_text(encoding="utf-8")
    exact = 0
    for w in want:
        same = [x for x in got if key(x) == key(w)]
        g = next((x for x in same if x["line"] == w["line"]), same[0])
        where = (int(g["line"]), int(g["col"]))
        if where == (int(w["line"]), int(w["col"])):
            exact += 1
            continue
        # Inside a multi-line option literal the descriptor only knows the whole statement.
        assert where == option_start(text, int(w["line"])), (g, w)
    assert exact >= 3, "names, numbers and one-line options map to the exact column"


def test_protoc_fails_and_prints_the_diagnostics(make_case: CaseFactory, tmp_path: Path) -> None:
    case = make_case("errors")
    done = protoc(
        [
            f"-I{case.root}",
            f"--plugin=protoc-gen-eventapi-python={tool(PLUGINS['sdk'])}",
            f"--eventapi-python_out={tmp_path}",
            *discover(case.root),
        ]
    )
    assert done.returncode != 0
    assert "error EA207: kafka key 'no_such_field' is not a field of Order" in done.stderr
    assert "orders_bad.proto:40:55: error EA303" in done.stderr
    assert "Traceback" not in done.stderr
    assert not any(tmp_path.iterdir())


def test_warnings_go_to_stderr_and_generation_succeeds(
    make_case: CaseFactory, tmp_path: Path
) -> None:
    case = make_case("comments")
    done = protoc(
        [
            f"-I{case.root}",
            f"--plugin=protoc-gen-eventapi-python={tool(PLUGINS['sdk'])}",
            f"--eventapi-python_out={tmp_path}",
            *discover(case.root),
        ]
    )
    assert done.returncode == 0, done.stderr
    assert (
        "notes.proto:31:73: information EA209: nothing in the workspace RECEIVEs from 'plain'"
        in (done.stderr)
    )
    # The eventapi:ignore comment above SendPlain survived re-creation: no EA210.
    assert "EA210" not in done.stderr
    assert any(tmp_path.rglob("*.py"))
