"""workspace/executeCommand `eventapi.generate`: write outputs through the core, in the background.

Argument: `{"uri"?: str, "scope": "file"|"workspace", "kinds": ["sdk"|"sink", ...]}`.
Result: `{"written": [...], "unchanged": [...], "errors": int}`. Work-done progress goes to the
client's `workDoneToken` when the request carries one, else to a token the server creates when the
client supports it; a window/showMessage reports the outcome.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from typing import Any

from lsprotocol import types

from eventapi.generators.registry import GenerateOptions
from eventapi.server import outputs
from eventapi.server.app import EventApiServer, log
from eventapi.server.configuration import plain
from eventapi.server.documents import uri_to_path

COMMAND = "eventapi.generate"
KINDS = ("sdk", "sink")


class BadArgumentsError(ValueError):
    pass


def parse_arguments(
    args: tuple[Any, ...], default_kinds: tuple[str, ...]
) -> tuple[str | None, str, tuple[str, ...]]:
    """(path or None, scope, kinds) from the command's one argument object."""
    raw = plain(args[0]) if args else {}
    if not isinstance(raw, Mapping):
        raise BadArgumentsError("eventapi.generate takes one object {uri?, scope, kinds}")
    scope = raw.get("scope", "file" if raw.get("uri") else "workspace")
    if scope not in ("file", "workspace"):
        raise BadArgumentsError(f"scope must be 'file' or 'workspace', not {scope!r}")
    kinds_raw = raw.get("kinds") or list(default_kinds)
    if not isinstance(kinds_raw, list) or any(k not in KINDS for k in kinds_raw):
        raise BadArgumentsError(f"kinds must be a list of {', '.join(KINDS)}")
    path = None
    if scope == "file":
        uri = raw.get("uri")
        path = uri_to_path(uri) if isinstance(uri, str) else None
        if path is None:
            raise BadArgumentsError("scope 'file' needs the file: URI of a .proto file")
    return path, scope, tuple(dict.fromkeys(kinds_raw))


async def run_generate(ls: EventApiServer, *args: Any) -> dict[str, object]:
    try:
        path, _scope, kinds = parse_arguments(args, ls.analysis.settings.generators)
    except BadArgumentsError as exc:
        ls.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"EventAPI: {exc}"))
        return {"written": [], "unchanged": [], "errors": 1}
    raw = plain(args[0]) if args else {}
    client_token = raw.get("workDoneToken") if isinstance(raw, Mapping) else None
    token: str | int = f"eventapi-generate-{uuid.uuid4().hex[:8]}"
    progress = ls.supports_progress
    if isinstance(client_token, (str, int)) and not isinstance(client_token, bool):
        token = client_token  # the client created it with the request: report on it
        progress = True
    elif progress:
        try:
            await ls.work_done_progress.create_async(token)
        except Exception as exc:
            log.warning("window/workDoneProgress/create failed: %s", exc)
            progress = False
    if progress:
        ls.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(title="EventAPI: generating", message=", ".join(kinds)),
        )
    snap = await ls.scheduler.current()
    options = GenerateOptions(flink_version=ls.analysis.settings.flink_version)
    out_dir = ls.analysis.output_dir()
    paths = (path,) if path is not None else None
    if progress:
        ls.work_done_progress.report(
            token, types.WorkDoneProgressReport(message=f"writing under {out_dir}")
        )
    try:
        # Rendering and writing happen off the event loop: the editor keeps getting answers.
        report, errors = await asyncio.to_thread(
            outputs.write, snap.checked, paths, kinds, options, out_dir
        )
    except Exception as exc:
        log.exception("generate failed")
        if progress:
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message="failed"))
        ls.window_show_message(
            types.ShowMessageParams(types.MessageType.Error, f"EventAPI: generation failed: {exc}")
        )
        return {"written": [], "unchanged": [], "errors": 1}
    for problem in report.problems:
        ls.log_message(problem.format(), types.MessageType.Error)
    summary = (
        f"EventAPI: wrote {len(report.written)} file(s), {len(report.unchanged)} unchanged"
        + (f", removed {len(report.removed)}" if report.removed else "")
        + (f", {errors} error(s) (files with errors are not generated)" if errors else "")
        + f" under {out_dir}"
    )
    if progress:
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=summary))
    ls.window_show_message(
        types.ShowMessageParams(
            types.MessageType.Warning if errors else types.MessageType.Info, summary
        )
    )
    return {"written": report.written, "unchanged": report.unchanged, "errors": errors}


def register(server: EventApiServer) -> None:
    @server.command(COMMAND)
    async def generate(ls: EventApiServer, *args: Any) -> dict[str, object]:
        try:
            return await run_generate(ls, *args)
        except Exception:
            log.exception("eventapi.generate failed")
            return {"written": [], "unchanged": [], "errors": 1}
