"""Emacs 28 (Debian's emacs-nox, headless) with elpa-eglot and editors/emacs/eventapi-eglot.el:
EA003 at the misspelled option through Flymake, cleared by the fix; a DDL preview that
follows edits; generation through the server."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import isolated_env, make_workspace
from .support import (
    EDITORS,
    FIXTURE,
    TIMEOUT_S,
    misspelled_option_span,
    require_executable,
    run_driver,
)

DRIVER = Path(__file__).resolve().parent / "emacs_driver.el"


def eglot_installed(emacs: str, env: dict[str, str]) -> bool:
    probe = subprocess.run(
        [emacs, "--batch", "-q", "--eval", "(kill-emacs (if (require 'eglot nil t) 0 3))"],
        env=env,
        capture_output=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    return probe.returncode == 0


@pytest.fixture(scope="module")
def session(
    tmp_path_factory: pytest.TempPathFactory, server_command: list[str]
) -> tuple[Path, dict[str, Any]]:
    """One headless Emacs run of the whole scenario; the tests below read its record."""
    emacs = require_executable("emacs", "emacs-nox")
    base = tmp_path_factory.mktemp("emacs")
    workspace = make_workspace(base)
    env = isolated_env(base)
    if not eglot_installed(emacs, env):
        pytest.fail(
            "Eglot is not installed (Debian package elpa-eglot); run scripts/install-editors.sh",
            pytrace=False,
        )
    result_file = base / "result.json"
    env.update(
        EVENTAPI_LSP_CMD=json.dumps(server_command),
        EVENTAPI_FIXTURE=str(workspace / FIXTURE.name),
        EVENTAPI_RESULT=str(result_file),
        EVENTAPI_TIMEOUT_MS="15000",
    )
    # -q skips the (temporary) user's init file but keeps Debian's site start, which puts
    # elpa-eglot on the load path.
    argv = [emacs, "--batch", "-q", "-L", str(EDITORS / "emacs"), "-l", str(DRIVER)]
    completed, result = run_driver("emacs", argv, env, workspace, result_file)
    assert "error" not in result, f"driver failed: {result['error']}\n{completed.stderr}"
    assert completed.returncode == 0, completed.stderr
    return workspace, result


def test_the_proto_buffer_is_managed_by_eglot(session: tuple[Path, dict[str, Any]]) -> None:
    workspace, result = session
    assert result["mode"] == "eventapi-proto-mode"
    assert result["server"] != ":null", "Eglot did not connect"
    assert Path(result["server"]["root"]) == workspace
    assert result["server"]["name"] == "eventapi-lsp"


def test_ea003_is_shown_at_the_misspelled_option(session: tuple[Path, dict[str, Any]]) -> None:
    _, result = session
    assert result["openOk"], f"no EA003 within the timeout; Flymake had {result['opened']}"
    ea003 = [d for d in result["opened"] if d["code"] == "EA003"]
    assert len(ea003) == 1, result["opened"]
    diagnostic = ea003[0]
    span = misspelled_option_span(FIXTURE.read_text(encoding="utf-8"))
    assert diagnostic["line"] == diagnostic["endLine"] == span.line
    # The range is the option name, "(eventapi.v1.operatoin)" or a part of it holding the typo.
    assert span.option_start <= diagnostic["col"] <= span.word_start
    assert span.word_end <= diagnostic["endCol"] <= span.option_end
    assert diagnostic["type"] == "eglot-error"
    assert "operation" in diagnostic["message"]  # the did-you-mean


def test_the_severity_setting_reaches_the_server(session: tuple[Path, dict[str, Any]]) -> None:
    _, result = session
    codes = {d["code"] for d in result["opened"]}
    assert "EA104" in codes, result["opened"]
    assert "EA201" not in codes, "severities: {EA201: off} did not reach the server"


def test_fixing_the_typo_in_the_buffer_clears_ea003(session: tuple[Path, dict[str, Any]]) -> None:
    _, result = session
    assert result["fixOk"], f"EA003 still shown after the fix: {result['fixed']}"
    assert all(d["code"] != "EA003" for d in result["fixed"])
    assert all(d["type"] != "eglot-error" for d in result["fixed"]), result["fixed"]


def test_the_ddl_preview_follows_edits(session: tuple[Path, dict[str, Any]]) -> None:
    _, result = session
    assert result["previewOk"], f"no DDL preview: {result['preview']}"
    assert result["preview"]["mode"] == "sql-mode"
    assert "orders_v2" not in result["preview"]["text"]
    assert result["previewFollows"], f"the preview did not follow: {result['previewAfterEdit']}"


def test_generate_writes_the_sql_under_the_output_dir(
    session: tuple[Path, dict[str, Any]],
) -> None:
    workspace, result = session
    assert "failed" not in result["generate"], result["generate"]
    assert result["generate"]["errors"] == 0
    assert result["generate"]["written"], "the server wrote nothing"
    sql = sorted((workspace / "gen").rglob("*.sql"))
    assert sql, result["generate"]
    assert any("orders_v2" in path.read_text(encoding="utf-8") for path in sql)
