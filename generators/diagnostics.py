"""Diagnostic values shared by every front end: code, severity, exact span, message and fixes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from eventapi.generators.syntax.tokens import Span


class Severity(IntEnum):
    """LSP's numbering, so the language server converts by value."""

    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity | None:
        """A severity from its name ("error", "warn", "info", ...); None for "off"."""
        key = text.strip().lower()
        aliases = {"warn": "warning", "info": "information", "note": "information"}
        key = aliases.get(key, key)
        for sev in cls:
            if sev.label == key:
                return sev
        if key in ("off", "none", "ignore"):
            return None
        raise ValueError(f"unknown severity {text!r}: use error, warning, information, hint or off")


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace `span` in `path` with `new_text` (an insertion when the span is empty)."""

    path: str
    span: Span
    new_text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A machine-readable quick fix: a title and the edits that apply it."""

    title: str
    edits: tuple[TextEdit, ...]


@dataclass(frozen=True, slots=True)
class Related:
    path: str
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    path: str
    span: Span
    message: str
    fixes: tuple[Fix, ...] = ()
    related: tuple[Related, ...] = field(default=())

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.span.start_line, self.span.start_col, self.code)

    def format(self, display_path: str | None = None) -> str:
        """`path:line:col: severity CODE: message` with 1-based line and column."""
        where = display_path if display_path is not None else self.path
        line, col = self.span.start_line + 1, self.span.start_col + 1
        return f"{where}:{line}:{col}: {self.severity.label} {self.code}: {self.message}"
