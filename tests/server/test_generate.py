"""eventapi.generate: writes the same bytes as `eventapi-lsp --generate`, with progress and a message."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from tests.server.conftest import Client, copy_testdata, generate_with_cli, session


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


async def execute(client: Client, argument: dict[str, object]) -> dict[str, object]:
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams("eventapi.generate", [argument])
    )
    assert isinstance(result, dict)
    return result


async def test_workspace_generate_matches_the_cli(tmp_path: Path) -> None:
    folder = copy_testdata("hover", tmp_path)
    cli_out = generate_with_cli(folder, tmp_path / "cli")
    async with session(folder, options={"outputDir": "out"}) as client:
        result = await execute(client, {"scope": "workspace", "kinds": ["sdk", "sink"]})
        assert result["errors"] == 0
        assert len(result["written"]) == len(tree(cli_out))  # type: ignore[arg-type]
        assert tree(folder / "out") == tree(cli_out)
        # Progress was created by the server and ended; a message reported the result.
        assert any(
            isinstance(v, types.WorkDoneProgressEnd)
            for reports in client.progress_reports.values()
            for v in reports
        )
        assert any("wrote" in m.message for m in client.messages)
        again = await execute(client, {"scope": "workspace", "kinds": ["sdk", "sink"]})
        assert again["written"] == [] and len(again["unchanged"]) == len(tree(cli_out))  # type: ignore[arg-type]


async def test_file_scope_sql_only(tmp_path: Path) -> None:
    folder = copy_testdata("hover", tmp_path)
    proto = folder / "orders.proto"
    async with session(folder) as client:
        uri = await client.open(proto)
        result = await execute(client, {"uri": uri, "scope": "file", "kinds": ["sink"]})
    written = sorted(Path(p).relative_to(folder / "gen").as_posix() for p in result["written"])  # type: ignore[attr-defined]
    assert written == ["sink/orders_ddl.sql", "sink/orders_flink.sql"]


async def test_file_with_errors_writes_nothing_and_counts_errors(tmp_path: Path) -> None:
    folder = copy_testdata("code_actions", tmp_path)
    async with session(folder) as client:
        uri = await client.open(folder / "fixable.proto")
        result = await execute(client, {"uri": uri, "scope": "file", "kinds": ["sdk", "sink"]})
        assert result["written"] == [] and result["errors"] == 3
        assert any(m.type == types.MessageType.Warning for m in client.messages)
        bad = await execute(client, {"scope": "galaxy"})
        assert bad["errors"] == 1
        assert any("scope must be" in m.message for m in client.messages)


async def test_progress_goes_to_the_clients_work_done_token(tmp_path: Path) -> None:
    folder = copy_testdata("hover", tmp_path)
    async with session(folder) as client:
        client.progress_reports["client-token"] = []
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                "eventapi.generate",
                [{"scope": "workspace", "kinds": ["sink"]}],
                work_done_token="client-token",
            )
        )
        assert isinstance(result, dict) and result["errors"] == 0
        reports = client.progress_reports["client-token"]
        assert isinstance(reports[0], types.WorkDoneProgressBegin)
        assert isinstance(reports[-1], types.WorkDoneProgressEnd)
        assert list(client.progress_reports) == ["client-token"]  # no server-created token
