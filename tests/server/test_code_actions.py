"""Code actions: the rules' quick fixes as workspace edits, and generate source actions."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from tests.server.conftest import TESTDATA, Client, session

FOLDER = TESTDATA / "code_actions"


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (ASCII text) from the last to the first."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    for e in sorted(
        edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
    ):
        a = offsets[e.range.start.line] + e.range.start.character
        b = offsets[e.range.end.line] + e.range.end.character
        text = text[:a] + e.new_text + text[b:]
    return text


async def actions(
    client: Client, path: Path, rng: types.Range, only: list[str] | None = None
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(client.uri(path)),
            rng,
            types.CodeActionContext(diagnostics=[], only=only),  # type: ignore[arg-type]
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


def whole(text: str) -> types.Range:
    return types.Range(types.Position(0, 0), types.Position(text.count("\n") + 1, 0))


async def test_did_you_mean_fixes_apply_and_clear_the_diagnostics() -> None:
    path = FOLDER / "fixable.proto"
    text = path.read_text()
    async with session(FOLDER) as client:
        uri = await client.open(path)
        await client.diagnostics_for(uri, version=1)
        found = await actions(client, path, whole(text), [types.CodeActionKind.QuickFix])
        titles = sorted(a.title for a in found)
        assert titles == ["Change to 'address'", "Change to SEND"]
        edits = [e for a in found for e in (a.edit.changes or {}).get(uri, [])]  # type: ignore[union-attr]
        fixed = apply(text, edits)
        assert "action: SEND," in fixed and 'address: "things"' in fixed
        # With both applied, the next problem (source_topic) offers "Use the channel address".
        version = client.replace_all(uri, fixed)
        params = await client.diagnostics_for(uri, version=version)
        assert [d.code for d in params.diagnostics if d.severity == 1] == []
        ea404 = next(d for d in params.diagnostics if d.code == "EA404")
        found = await actions(client, path, ea404.range, [types.CodeActionKind.QuickFix])
        assert [a.title for a in found] == ["Use the channel address"]
        assert found[0].is_preferred
        assert found[0].diagnostics and found[0].diagnostics[0].code == "EA404"


async def test_add_missing_import_edit() -> None:
    path = FOLDER / "topic.proto"
    text = path.read_text()
    async with session(FOLDER) as client:
        uri = await client.open(path)
        params = await client.diagnostics_for(uri, version=1)
        ea005 = next(d for d in params.diagnostics if d.code == "EA005")
        found = await actions(client, path, ea005.range)
        fix = next(a for a in found if a.title == 'Add import "part.proto"')
        fixed = apply(text, fix.edit.changes[uri])  # type: ignore[union-attr,index]
        assert 'import "part.proto";' in fixed
        version = client.replace_all(uri, fixed)
        after = await client.diagnostics_for(uri, version=version)
        assert "EA005" not in {d.code for d in after.diagnostics}


async def test_generate_source_actions_for_file_and_workspace() -> None:
    path = FOLDER / "topic.proto"
    async with session(FOLDER) as client:
        await client.open(path)
        found = await actions(client, path, whole(path.read_text()), [types.CodeActionKind.Source])
    by_kind = {getattr(a.kind, "value", a.kind): a for a in found}
    assert set(by_kind) == {
        "source.generate.eventapi.sdk",
        "source.generate.eventapi.sql",
        "source.generate.eventapi.all",
        "source.generate.eventapi.workspace.sdk",
        "source.generate.eventapi.workspace.sql",
        "source.generate.eventapi.workspace.all",
    }
    sql = by_kind["source.generate.eventapi.sql"]
    assert sql.title == "Generate SQL"
    assert sql.command is not None and sql.command.command == "eventapi.generate"
    assert list(sql.command.arguments or []) == [
        {"scope": "file", "kinds": ["sink"], "uri": Client().uri(path)}
    ]
    every = by_kind["source.generate.eventapi.workspace.all"].command
    assert every is not None
    assert list(every.arguments or []) == [{"scope": "workspace", "kinds": ["sdk", "sink"]}]
    assert not [a for a in found if a.kind == types.CodeActionKind.QuickFix]
