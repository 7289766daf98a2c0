"""Tokenizer for proto files: one compiled regex, positions in 0-based lines and code-point columns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple


class Kind(IntEnum):
    """Token kinds; comments are collected beside the token stream, not in it."""

    IDENT = 1
    INT = 2
    FLOAT = 3
    STRING = 4
    SYMBOL = 5
    EOF = 6
    ERROR = 7


_new = tuple.__new__  # builds a NamedTuple without its Python-level __new__ (a hot path)


class Span(NamedTuple):
    """A half-open range: 0-based start/end line and column (code points).

    A NamedTuple, not a dataclass: parsing creates one per token, and tuples are created fastest.
    """

    start_line: int
    start_col: int
    end_line: int
    end_col: int

    def shifted(self, lines: int) -> Span:
        return Span(self.start_line + lines, self.start_col, self.end_line + lines, self.end_col)

    def to(self, other: Span) -> Span:
        """The span from the start of self to the end of other."""
        return _new(Span, (self[0], self[1], other[2], other[3]))

    def contains(self, line: int, col: int) -> bool:
        if line < self.start_line or line > self.end_line:
            return False
        if line == self.start_line and col < self.start_col:
            return False
        return not (line == self.end_line and col > self.end_col)


class Token(NamedTuple):
    kind: Kind
    text: str
    line: int
    col: int
    end_line: int
    end_col: int

    @property
    def span(self) -> Span:
        return _new(Span, self[2:])


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment with its text stripped of markers; `own_line` is false for trailing comments."""

    text: str
    line: int
    end_line: int
    own_line: bool
    is_block: bool = False
    end_col: int = 0  # column just past the comment on its last line


# Leading blanks are folded into every match, so a loop iteration is a token, a comment or a
# newline, never a run of spaces; the most frequent kinds come first.
_PATTERN = re.compile(
    r"""
    [ \t\r\f\v]*
    (?:
     (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<nl>\n)
    |(?P<lc>//[^\n]*)
    |(?P<bc>/\*(?:[^*]|\*(?!/))*(?:\*/)?)
    |(?P<float>(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)
    |(?P<sym>[{}\[\]()<>;,=:.\-+/])
    |(?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<int>0[xX][0-9a-fA-F]+|\d+)
    |(?P<ustr>["'][^\n]*)
    |(?P<bad>.)
    )
    """,
    re.VERBOSE,
)

_KINDS = {
    "float": Kind.FLOAT,
    "int": Kind.INT,
    "ident": Kind.IDENT,
    "str": Kind.STRING,
    "sym": Kind.SYMBOL,
}


@dataclass(slots=True)
class Lexed:
    tokens: list[Token]
    comments: list[Comment]
    errors: list[tuple[Span, str]]


def tokenize(text: str, first_line: int = 0) -> Lexed:
    """Split text into tokens; never raises. Bad characters and unterminated strings become errors."""
    tokens: list[Token] = []
    comments: list[Comment] = []
    errors: list[tuple[Span, str]] = []
    line = first_line
    line_start = 0
    last_token_line = -1
    append = tokens.append
    new = _new
    for m in _PATTERN.finditer(text):
        group = m.lastgroup
        if group == "nl":
            line += 1
            line_start = m.end()
            continue
        if group is None:  # blanks at the very end of the text
            continue
        start = m.start(group)
        col = start - line_start
        value = m.group(group)
        kind = _KINDS.get(group)
        if kind is not None:
            append(new(Token, (kind, value, line, col, line, col + len(value))))
            last_token_line = line
            continue
        if group == "lc":
            comments.append(Comment(value[2:], line, line, last_token_line != line))
            continue
        if group == "bc":
            newlines = value.count("\n")
            body = value[2:-2] if value.endswith("*/") and len(value) >= 4 else value[2:]
            if not value.endswith("*/") or len(value) < 4:
                errors.append((Span(line, col, line, col + 2), "unterminated block comment"))
            last_nl = value.rfind("\n")
            end_col = (col + len(value)) if last_nl < 0 else len(value) - last_nl - 1
            comments.append(
                Comment(body, line, line + newlines, last_token_line != line, True, end_col)
            )
            if newlines:
                line += newlines
                line_start = start + last_nl + 1
            continue
        end_col = col + len(value)
        if group == "ustr":
            errors.append((Span(line, col, line, end_col), "unterminated string literal"))
            append(Token(Kind.STRING, value + value[0], line, col, line, end_col))
            last_token_line = line
            continue
        errors.append((Span(line, col, line, end_col), f"unexpected character {value!r}"))
    end_col = len(text) - line_start
    tokens.append(Token(Kind.EOF, "", line, end_col, line, end_col))
    return Lexed(tokens, comments, errors)


_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_ESCAPE_RE = re.compile(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)")


def unquote(literal: str) -> str:
    """The value of a quoted proto string literal (C-style escapes)."""
    body = literal[1:-1]
    if "\\" not in body:
        return body

    def repl(m: re.Match[str]) -> str:
        esc = m.group(1)
        head = esc[0]
        if head in "xX":
            return chr(int(esc[1:], 16))
        if head.isdigit():
            return chr(int(esc, 8))
        if head in "uU":
            return chr(int(esc[1:], 16))
        return _ESCAPES.get(esc, esc)

    return _ESCAPE_RE.sub(repl, body)
