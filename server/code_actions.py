"""Code actions: quick fixes carried by the rules' diagnostics, and source actions that generate.

Source action kinds: `source.generate.eventapi.{sdk,sql,all}` for the file and
`source.generate.eventapi.workspace.{sdk,sql,all}` for the workspace; each runs eventapi.generate.
"""

from __future__ import annotations

from lsprotocol import types

from eventapi.server.app import EventApiServer
from eventapi.server.generate import COMMAND
from eventapi.server.guard import guarded

GENERATE_KIND = "source.generate.eventapi"
_ACTIONS = (
    ("sdk", "Generate SDK", ("sdk",)),
    ("sql", "Generate SQL", ("sink",)),
    ("all", "Generate all", ("sdk", "sink")),
)


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _wanted(only: list[str] | None, kind: str) -> bool:
    return only is None or any(kind == o or kind.startswith(o + ".") for o in only)


def register(server: EventApiServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[
                types.CodeActionKind.QuickFix,
                types.CodeActionKind.Source,
                GENERATE_KIND,
            ]
        ),
    )
    @guarded([])
    async def code_action(
        ls: EventApiServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        ctx = await ls.file_context(params.text_document.uri)
        if ctx is None:
            return []
        snap, f, ranges = ctx.snap, ctx.file, ctx.ranges
        only = (
            [getattr(k, "value", k) for k in params.context.only] if params.context.only else None
        )
        actions: list[types.CodeAction] = []
        if _wanted(only, types.CodeActionKind.QuickFix):
            for d in snap.diagnostics(ctx.path):
                lsp = ranges.diagnostic(d)
                if not d.fixes or not _overlaps(lsp.range, params.range):
                    continue
                for fix in d.fixes:
                    actions.append(
                        types.CodeAction(
                            fix.title,
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[lsp],
                            edit=ranges.workspace_edit(fix.edits),
                            is_preferred=len(d.fixes) == 1,
                        )
                    )
        if any(s.is_event_bus for s in f.services):
            for scope, prefix in (
                ("file", GENERATE_KIND),
                ("workspace", f"{GENERATE_KIND}.workspace"),
            ):
                for suffix, title, kinds in _ACTIONS:
                    kind = f"{prefix}.{suffix}"
                    if not _wanted(only, kind):
                        continue
                    argument: dict[str, object] = {"scope": scope, "kinds": list(kinds)}
                    if scope == "file":
                        argument["uri"] = params.text_document.uri
                    label = title if scope == "file" else f"{title} (workspace)"
                    actions.append(
                        types.CodeAction(
                            label,
                            kind=kind,
                            command=types.Command(label, COMMAND, arguments=[argument]),
                        )
                    )
        return actions
