"""Convert between the core's code-point columns and the client's negotiated position encoding.

The core's spans count code points (UTF-32 units). LSP clients count UTF-16 units by default and
may negotiate UTF-8 or UTF-32; these helpers translate one line at a time, so a 5,000-line file
costs nothing beyond the lines actually touched.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types

from eventapi.generators.syntax.tokens import Span

UTF8 = types.PositionEncodingKind.Utf8
UTF16 = types.PositionEncodingKind.Utf16
UTF32 = types.PositionEncodingKind.Utf32


def _units(ch: str, encoding: str) -> int:
    cp = ord(ch)
    if encoding == UTF8:
        return 1 if cp < 0x80 else 2 if cp < 0x800 else 3 if cp < 0x10000 else 4
    if encoding == UTF16:
        return 2 if cp >= 0x10000 else 1
    return 1


@dataclass(frozen=True, slots=True)
class Lines:
    """A text split into lines with their start offsets (for offset <-> position math)."""

    text: str
    starts: tuple[int, ...]

    @staticmethod
    def of(text: str) -> Lines:
        starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        return Lines(text, tuple(starts))

    def line(self, n: int) -> str:
        """Line `n` without its newline ("" past the end)."""
        if n < 0 or n >= len(self.starts):
            return ""
        start = self.starts[n]
        end = self.starts[n + 1] - 1 if n + 1 < len(self.starts) else len(self.text)
        return self.text[start:end]

    def offset(self, line: int, col: int) -> int:
        """String offset of a code-point position, clamped into the text."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        return self.starts[line] + min(max(col, 0), len(self.line(line)))


def to_client_col(line_text: str, col: int, encoding: str) -> int:
    """Code-point column -> client units on that line (clamped to the line's end, as LSP does)."""
    col = min(max(col, 0), len(line_text))
    if encoding == UTF32 or line_text.isascii():
        return col
    return sum(_units(ch, encoding) for ch in line_text[:col])


def from_client_col(line_text: str, units: int, encoding: str) -> int:
    """Client units -> code-point column (clamped to the line; mid-character rounds down)."""
    if encoding == UTF32 or line_text.isascii():
        return min(max(units, 0), len(line_text))
    seen = 0
    for i, ch in enumerate(line_text):
        seen += _units(ch, encoding)
        if seen > units:
            return i
    return len(line_text)


class Converter:
    """Span <-> Range for one document text under one encoding."""

    def __init__(self, lines: Lines, encoding: str) -> None:
        self.lines = lines
        self.encoding = encoding

    def position(self, line: int, col: int) -> types.Position:
        return types.Position(line, to_client_col(self.lines.line(line), col, self.encoding))

    def range(self, span: Span) -> types.Range:
        return types.Range(
            self.position(span.start_line, span.start_col),
            self.position(span.end_line, span.end_col),
        )

    def point(self, pos: types.Position) -> tuple[int, int]:
        """Client position -> (line, code-point column)."""
        return pos.line, from_client_col(self.lines.line(pos.line), pos.character, self.encoding)

    def offset(self, pos: types.Position) -> int:
        line, col = self.point(pos)
        return self.lines.offset(line, col)
