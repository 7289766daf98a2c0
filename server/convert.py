"""Core values -> LSP values: spans to ranges (in the negotiated encoding), diagnostics, edits."""

from __future__ import annotations

from lsprotocol import types

from eventapi.generators import diagnostics as core
from eventapi.generators.model.workspace import Workspace
from eventapi.generators.syntax.tokens import Span
from eventapi.server.documents import DocumentManager
from eventapi.server.positions import Converter, Lines

SOURCE = "eventapi"


class Ranges:
    """Span -> Range for any file of a snapshot, using the exact text that was analysed."""

    def __init__(self, ws: Workspace, documents: DocumentManager) -> None:
        self.ws = ws
        self.documents = documents
        self._conv: dict[str, Converter] = {}

    def converter(self, path: str) -> Converter:
        conv = self._conv.get(path)
        if conv is None:
            f = self.ws.files.get(path)
            if f is not None:
                text = f.text
            else:
                doc = self.documents.by_path(path)
                text = doc.text if doc else ""
            conv = Converter(Lines.of(text), self.documents.encoding)
            self._conv[path] = conv
        return conv

    def range(self, path: str, span: Span) -> types.Range:
        return self.converter(path).range(span)

    def location(self, path: str, span: Span) -> types.Location:
        return types.Location(self.documents.uri_for(path), self.range(path, span))

    def diagnostic(self, d: core.Diagnostic) -> types.Diagnostic:
        related = [
            types.DiagnosticRelatedInformation(self.location(r.path, r.span), r.message)
            for r in d.related
            if not r.path.startswith("<")
        ]
        return types.Diagnostic(
            range=self.range(d.path, d.span),
            message=d.message,
            severity=types.DiagnosticSeverity(int(d.severity)),
            code=d.code,
            source=SOURCE,
            related_information=related or None,
        )

    def workspace_edit(self, edits: tuple[core.TextEdit, ...]) -> types.WorkspaceEdit:
        changes: dict[str, list[types.TextEdit]] = {}
        for e in edits:
            uri = self.documents.uri_for(e.path)
            changes.setdefault(uri, []).append(
                types.TextEdit(self.range(e.path, e.span), e.new_text)
            )
        return types.WorkspaceEdit(changes=changes)
