"""Custom request `eventapi/preview`: the generated text for a proto, for a live side-by-side view.

Params `{uri, kind: "sdk"|"ddl"|"flink", target?}`; result `{text, language, title}`. The text is
the exact content of the file the generators would write (header included). `target` picks one
output: for SQL a table name, the file stem or the output file name; for the SDK a protocol name
(`kafka`) or an output path. A file with errors previews its errors instead (as generation would
skip it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eventapi.generators.registry import GenerateOptions, OutputFile
from eventapi.server import outputs
from eventapi.server.analysis import Snapshot
from eventapi.server.app import EventApiServer
from eventapi.server.configuration import plain
from eventapi.server.documents import uri_to_path
from eventapi.server.guard import guarded

METHOD = "eventapi/preview"
_LANGUAGE = {"sdk": "python", "ddl": "sql", "flink": "sql"}


def _pick(files: list[OutputFile], kind: str, target: str | None) -> OutputFile | None:
    if kind != "sdk":
        suffix = "_ddl.sql" if kind == "ddl" else "_flink.sql"
        files = [f for f in files if f.path.endswith(suffix)]
        if target:
            for f in files:
                name = f.path.rsplit("/", 1)[-1]
                stem = name.removesuffix(suffix)  # "<table>" or "<table>.<target>..." on collisions
                if target in (f.path, name, stem, stem.split(".")[0]):
                    return f
            return None
        return files[0] if files else None
    clients = [f for f in files if f.path.endswith("/client.py")]
    if target:
        for f in files:
            if f.path == target:
                return f
        return next((f for f in clients if f"/{target}/" in f"/{f.path}"), None)
    return clients[0] if clients else (files[0] if files else None)


def preview(
    snap: Snapshot, path: str, kind: str, target: str | None, options: GenerateOptions
) -> dict[str, str]:
    language = _LANGUAGE[kind]
    comment = "#" if language == "python" else "--"
    errors = outputs.errors_in(snap.checked, path)
    if errors:
        text = "".join(f"{comment} {e}\n" for e in errors)
        return {
            "text": f"{comment} Not generated: the file has errors.\n{text}",
            "language": language,
            "title": "errors",
        }
    generator = "sdk" if kind == "sdk" else "sink"
    files = outputs.file_outputs(snap.checked, path, (generator,), options)
    chosen = _pick(files, kind, target)
    if chosen is None:
        what = "SDK" if kind == "sdk" else "sink"
        wanted = f" matching {target!r}" if target else ""
        return {
            "text": f"{comment} Nothing to preview: no {what} output{wanted} for this file.\n",
            "language": language,
            "title": "nothing generated",
        }
    return {"text": chosen.content, "language": language, "title": chosen.path}


def register(server: EventApiServer) -> None:
    @server.feature(METHOD)
    @guarded({"text": "", "language": "sql", "title": "error"})
    async def preview_request(ls: EventApiServer, params: Any) -> dict[str, str]:
        raw = plain(params)
        if not isinstance(raw, Mapping):
            raise ValueError("eventapi/preview takes {uri, kind, target?}")
        kind = raw.get("kind")
        uri = raw.get("uri")
        if kind not in _LANGUAGE or not isinstance(uri, str):
            return {
                "text": "-- kind must be sdk, ddl or flink\n",
                "language": "sql",
                "title": "error",
            }
        path = uri_to_path(uri)
        snap = await ls.scheduler.current()
        if path is None or path not in snap.workspace.files:
            return {"text": "", "language": _LANGUAGE[kind], "title": "unknown file"}
        target = raw.get("target")
        options = GenerateOptions(flink_version=ls.analysis.settings.flink_version)
        return preview(snap, path, kind, target if isinstance(target, str) else None, options)
