"""Neovim 0.7 (Debian's, headless) with editors/nvim/eventapi.lua: EA003 at the misspelled option,
cleared by the fix; a DDL preview that follows edits; generation through the server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import isolated_env, make_workspace
from .support import EDITORS, FIXTURE, misspelled_option_span, require_executable, run_driver

DRIVER = Path(__file__).resolve().parent / "nvim_driver.lua"


@pytest.fixture(scope="module")
def session(
    tmp_path_factory: pytest.TempPathFactory, server_command: list[str]
) -> tuple[Path, dict[str, Any]]:
    """One headless Neovim run of the whole scenario; the tests below read its record."""
    nvim = require_executable("nvim", "neovim")
    base = tmp_path_factory.mktemp("nvim")
    workspace = make_workspace(base)
    result_file = base / "result.json"
    env = {
        **isolated_env(base),
        "EVENTAPI_NVIM_DIR": str(EDITORS / "nvim"),
        "EVENTAPI_LSP_CMD": json.dumps(server_command),
        "EVENTAPI_FIXTURE": str(workspace / FIXTURE.name),
        "EVENTAPI_RESULT": str(result_file),
        "EVENTAPI_TIMEOUT_MS": "15000",
    }
    # --clean: no user config or plugins, but filetype detection stays on (.proto -> "proto").
    argv = [nvim, "--headless", "--clean", "-c", f"luafile {DRIVER}"]
    completed, result = run_driver("nvim", argv, env, workspace, result_file)
    assert result["error"] is None, f"driver failed: {result['error']}\n{completed.stderr}"
    assert completed.returncode == 0, completed.stderr
    return workspace, result


def test_the_proto_buffer_attaches_to_eventapi_lsp(
    session: tuple[Path, dict[str, Any]], server_command: list[str]
) -> None:
    workspace, result = session
    assert result["filetype"] == "proto"
    assert [client["name"] for client in result["clients"]] == ["eventapi"]
    assert result["clients"][0]["root_dir"] == str(workspace)
    assert result["clients"][0]["cmd"] == server_command


def test_ea003_is_shown_at_the_misspelled_option(session: tuple[Path, dict[str, Any]]) -> None:
    _, result = session
    assert result["steps"]["open"], f"no EA003 within the timeout; editor had {result['opened']}"
    ea003 = [d for d in result["opened"] if d["code"] == "EA003"]
    assert len(ea003) == 1, result["opened"]
    diagnostic = ea003[0]
    span = misspelled_option_span(FIXTURE.read_text(encoding="utf-8"))
    assert diagnostic["lnum"] == diagnostic["end_lnum"] == span.line
    # The range is the option name, "(eventapi.v1.operatoin)" or a part of it holding the typo.
    assert span.option_start <= diagnostic["col"] <= span.word_start
    assert span.word_end <= diagnostic["end_col"] <= span.option_end
    assert diagnostic["severity"] == 1  # vim.diagnostic.severity.ERROR
    assert "operation" in diagnostic["message"]  # the did-you-mean


def test_the_severity_setting_reaches_the_server(session: tuple[Path, dict[str, Any]]) -> None:
    _, result = session
    codes = {d["code"] for d in result["opened"]}
    assert "EA104" in codes, result["opened"]
    assert "EA201" not in codes, "severities: {EA201: off} did not reach the server"


def test_fixing_the_typo_in_the_buffer_clears_ea003(session: tuple[Path, dict[str, Any]]) -> None:
    _, result = session
    assert result["steps"]["fix"], f"EA003 still shown after the fix: {result['fixed']}"
    assert all(d["code"] != "EA003" for d in result["fixed"])
    assert all(d["severity"] != 1 for d in result["fixed"]), result["fixed"]


def test_the_ddl_preview_follows_edits(session: tuple[Path, dict[str, Any]]) -> None:
    _, result = session
    assert result["steps"]["preview"], f"no DDL preview: {result.get('preview')}"
    assert result["preview"]["filetype"] == "sql"
    assert "orders_v2" not in result["preview"]["text"]
    assert result["steps"]["preview_follows"], (
        f"the preview did not follow the edit: {result['preview_after_edit']}"
    )


def test_generate_writes_the_sql_under_the_output_dir(
    session: tuple[Path, dict[str, Any]],
) -> None:
    workspace, result = session
    assert result["steps"]["generate"], f"nothing generated: {result['generated']}"
    sql = sorted((workspace / "gen").rglob("*.sql"))
    assert sql, result["generated"]
    assert any("orders_v2" in path.read_text(encoding="utf-8") for path in sql)
