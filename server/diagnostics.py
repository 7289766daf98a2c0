"""Publishing diagnostics: per file, with the analysed document version, empty lists clear.

After each analysis we publish for the files that changed, the files importing them when their
results differ from what they last got, every file whose diagnostics differ from what was last
published, and an empty list for files that left the workspace.
"""

from __future__ import annotations

from lsprotocol import types

from eventapi.server.analysis import Snapshot
from eventapi.server.app import EventApiServer


def publish(
    server: EventApiServer, snap: Snapshot, previous: Snapshot | None, changed: set[str]
) -> None:
    ws = snap.workspace
    ranges = server.ranges(snap)
    wanted: set[str] = set(ws.targets) if previous is None else set()
    dependents: set[str] = set()
    for path in changed:
        if path in ws.files:
            wanted.add(path)
            dependents |= snap.dependents(path)
    for path in ws.targets:
        old = previous.diagnostics(path) if previous is not None else None
        last = server.published.get(path)
        if old != snap.diagnostics(path) or last is None or last[0] != snap.versions.get(path):
            wanted.add(path)
    targets = set(ws.targets)
    for path in sorted((wanted | dependents) & targets):
        items = tuple(ranges.diagnostic(d) for d in snap.diagnostics(path))
        version = snap.versions.get(path)
        last = server.published.get(path)
        if path not in wanted and last is not None and last == (version, items):
            continue  # a dependent whose diagnostics the change did not alter: nothing new to say
        server.published[path] = (version, items)
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(server.documents.uri_for(path), list(items), version)
        )
    for path in sorted(set(server.published) - targets):
        del server.published[path]
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(server.documents.uri_for(path), [])
        )


def register(server: EventApiServer) -> None:
    """Diagnostics are pushed after each analysis (see `publish`); nothing to register."""
