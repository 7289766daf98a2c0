"""Text helpers that make generated Python already ruff-formatted: quotes, docstrings, wrapping.

Generated files must pass `ruff format --check` under any line length from ruff's default (88) up.
So anything that might not fit in 88 columns is written exploded with a magic trailing comma
(which ruff keeps as it is at every line length), and everything else stays on one line.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Sequence

#: The narrowest line length we promise to be formatted for (ruff's default).
WIDTH = 88
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def py_str(text: str) -> str:
    """A Python string literal with the quotes ruff's formatter would choose."""

    def escape(ch: re.Match[str]) -> str:
        c = ch.group(0)
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(c, f"\\x{ord(c):02x}")

    body = _CONTROL.sub(escape, text.replace("\\", "\\\\"))
    # Double quotes unless that needs more escapes than single quotes (black/ruff's rule).
    if text.count('"') > text.count("'"):
        return "'" + body.replace("'", "\\'") + "'"
    return '"' + body.replace('"', '\\"') + '"'


def comment_lines(text: str, indent: int, prefix: str = "# ") -> list[str]:
    """A proto comment as wrapped Python comment lines, indented by `indent`."""
    width = max(40, WIDTH - indent - len(prefix))
    pad = " " * indent
    return [pad + (prefix + line).rstrip() for line in _paragraph_lines(text, width)]


def docstring(text: str, indent: int, fallback: str = "") -> list[str]:
    """A docstring for `text` as lines indented by `indent`, wrapped to fit; empty -> fallback."""
    text = text.strip() or fallback
    if not text:
        return []
    width = max(40, WIDTH - indent - 6)
    lines = [_escape_doc(line) for line in _paragraph_lines(text, width)]
    while lines and not lines[-1]:
        lines.pop()
    pad = " " * indent
    if len(lines) == 1 and not lines[0].endswith(('"', "\\")):
        return [f'{pad}"""{lines[0]}"""']
    body = [pad + line if line else "" for line in lines[1:]]
    return [f'{pad}"""{lines[0]}', *body, f'{pad}"""']


def _escape_doc(line: str) -> str:
    return line.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _paragraph_lines(text: str, width: int) -> list[str]:
    """Wrap each paragraph of `text`; blank lines separate paragraphs and are kept."""
    out: list[str] = []
    for raw in text.strip("\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            if out and out[-1] != "":
                out.append("")
            continue
        lead = len(line) - len(line.lstrip())
        wrapped = textwrap.wrap(
            line.strip(),
            width=max(20, width - lead),
            break_long_words=False,
            break_on_hyphens=False,
        )
        out.extend(" " * lead + w for w in wrapped)
    while out and out[-1] == "":
        out.pop()
    return out


def call(func: str, args: Sequence[str], indent: int, suffix: str = "") -> list[str]:
    """`func(args)` on one line when it fits, else one argument per line with a trailing comma.

    Returned lines carry indentation relative to the first line (whose indent is `indent`).
    """
    one = f"{func}({', '.join(args)}){suffix}"
    if indent + len(one) <= WIDTH and not any("\n" in a for a in args):
        return [one]
    lines = [f"{func}("]
    for arg in args:
        sub = arg.split("\n")
        lines.append("    " + sub[0])
        lines.extend("    " + s for s in sub[1:-1])
        if len(sub) > 1:
            lines.append("    " + sub[-1] + ",")
        else:
            lines[-1] += ","
    lines.append(")" + suffix)
    return lines


def indent_lines(lines: Sequence[str], indent: int) -> tuple[str, ...]:
    """Prefix non-empty lines with `indent` spaces."""
    pad = " " * indent
    return tuple(pad + line if line else "" for line in lines)


def from_import(module: str, names: Iterable[str]) -> list[str]:
    """An isort-ordered `from module import ...` (exploded with a trailing comma if long)."""
    ordered = sort_members(names)
    one = f"from {module} import {', '.join(ordered)}"
    if len(one) <= WIDTH:
        return [one]
    return [f"from {module} import (", *(f"    {n}," for n in ordered), ")"]


def _member_key(name: str) -> tuple[int, str, str]:
    bare = name.split(" as ", maxsplit=1)[0]
    if bare.isupper() and len(bare) > 1:
        kind = 0  # CONSTANTS
    elif bare[:1].isupper():
        kind = 1  # Classes
    else:
        kind = 2  # functions and variables
    return kind, bare.lower(), bare


def sort_members(names: Iterable[str]) -> list[str]:
    """ruff isort's order-by-type: constants, classes, then the rest; case-insensitive."""
    return sorted(set(names), key=_member_key)


def _natural(text: str) -> list[tuple[int, int | str]]:
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", text) if p]


def sort_all(names: Iterable[str]) -> list[str]:
    """`__all__` in ruff's isort-style order (RUF022): CONSTANTS, Classes, others; natural sort."""

    def key(name: str) -> tuple[int, list[tuple[int, int | str]]]:
        if name.isupper() and len(name) > 1:
            kind = 0
        elif name[:1].isupper():
            kind = 1
        else:
            kind = 2
        return kind, _natural(name)

    return sorted(set(names), key=key)


def cap_words(text: str) -> str:
    """`commerce_v1` -> `CommerceV1` (for disambiguating class names)."""
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", text) if p)
