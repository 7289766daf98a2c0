"""Explicit document state: open documents keyed by URI with their text, version and line index.

Incremental changes are applied here (not by pygls) so the text the core sees and the positions
we convert come from one place. Closed files are read from disk by the loader.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from eventapi.server.positions import Converter, Lines


def uri_to_path(uri: str) -> str | None:
    """The resolved file-system path of a file: URI (None for other schemes)."""
    fs = to_fs_path(uri) if uri.startswith("file:") else None
    return str(Path(fs).resolve()) if fs else None


def path_to_uri(path: str) -> str:
    return from_fs_path(path) or path


@dataclass
class Document:
    uri: str
    path: str
    text: str
    version: int | None
    _lines: Lines | None = field(default=None, repr=False)

    @property
    def lines(self) -> Lines:
        if self._lines is None or self._lines.text is not self.text:
            self._lines = Lines.of(self.text)
        return self._lines

    def converter(self, encoding: str) -> Converter:
        return Converter(self.lines, encoding)


class DocumentManager:
    """The open documents; the overlay they form wins over the disk for the loader."""

    def __init__(self) -> None:
        self._docs: dict[str, Document] = {}
        self._by_path: dict[str, str] = {}
        self.encoding: str = types.PositionEncodingKind.Utf16

    def open(self, uri: str, text: str, version: int | None) -> Document | None:
        path = uri_to_path(uri)
        if path is None:
            return None
        doc = Document(uri, path, text, version)
        self._docs[uri] = doc
        self._by_path[path] = uri
        return doc

    def change(
        self,
        uri: str,
        version: int | None,
        changes: Iterable[types.TextDocumentContentChangeEvent],
    ) -> Document | None:
        doc = self._docs.get(uri)
        if doc is None:
            return None
        text = doc.text
        for change in changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                conv = Converter(Lines.of(text), self.encoding)
                start = conv.offset(change.range.start)
                end = max(start, conv.offset(change.range.end))
                text = text[:start] + change.text + text[end:]
            else:
                text = change.text
        doc.text = text
        doc.version = version
        return doc

    def close(self, uri: str) -> Document | None:
        doc = self._docs.pop(uri, None)
        if doc is not None:
            self._by_path.pop(doc.path, None)
        return doc

    def get(self, uri: str) -> Document | None:
        return self._docs.get(uri)

    def by_path(self, path: str) -> Document | None:
        uri = self._by_path.get(path)
        return self._docs.get(uri) if uri else None

    def uri_for(self, path: str) -> str:
        return self._by_path.get(path) or path_to_uri(path)

    def overlay(self) -> dict[str, str]:
        return {d.path: d.text for d in self._docs.values()}

    def versions(self) -> dict[str, int | None]:
        return {d.path: d.version for d in self._docs.values()}

    def __iter__(self) -> Iterator[Document]:
        return iter(list(self._docs.values()))
