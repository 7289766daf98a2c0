"""Where the cursor is inside an option literal, from the text alone (it is usually mid-edit).

LSP-agnostic: `context_at(text, line, col)` tokenises the chunk holding the cursor and follows the
braces of `option (eventapi.v1.x) = { key: { ... } }` against the IDL schema, so completion knows
the message type, the key being written, and whether a key or a value is expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eventapi.generators.model.schema import builtin_schema
from eventapi.generators.syntax.chunks import split
from eventapi.generators.syntax.tokens import Kind, tokenize

_RPC = re.compile(r"\brpc\s+\w+\s*\(\s*(?:stream\s+)?([\w.]+)\s*\)")
_WORD = re.compile(r"[\w.$:()\-]*$")


@dataclass(frozen=True)
class Context:
    where: str  # "key", "value", "option_name", "none"
    message: str = ""  # IDL message type of the literal (for key/value)
    key: str = ""  # the key whose value is being written
    in_string: bool = False
    prefix: str = ""  # what is typed of the current word / string content
    option_target: str = ""  # for option names: file, message, field, service, method
    event_type_name: str = ""  # the rpc input type around the cursor, as written
    start_col: int = 0  # where the replaced text starts on the cursor line


def _string_prefix(line_text: str) -> str | None:
    """The content typed so far when the cursor is inside an open string literal."""
    quote: str | None = None
    start = 0
    i = 0
    while i < len(line_text):
        ch = line_text[i]
        if quote is None:
            if ch in "\"'":
                quote, start = ch, i + 1
            elif line_text.startswith("//", i):
                return None
        elif ch == "\\":
            i += 1
        elif ch == quote:
            quote = None
        i += 1
    return line_text[start:] if quote is not None else None


def _option_target(before: str) -> str:
    """What kind of element an option at the end of `before` applies to (by brace structure)."""
    if re.search(r"\[[^\]\n]*$", before):
        return "field"
    depth_kinds: list[str] = []
    for m in re.finditer(r"\b(message|service|rpc|enum)\b[^{;]*\{|\{|\}", before):
        tok = m.group()
        if tok == "}":
            if depth_kinds:
                depth_kinds.pop()
        elif tok == "{":
            depth_kinds.append("literal")
        else:
            depth_kinds.append(m.group(1))
    for kind in reversed(depth_kinds):
        if kind != "literal":
            return {"rpc": "method"}.get(kind, kind)
    return "file"


def context_at(text: str, line: int, col: int) -> Context:
    chunk_line, chunk = 0, text
    for first, piece in split(text):
        if first <= line:
            chunk_line, chunk = first, piece
    lines = chunk.split("\n")
    rel = line - chunk_line
    if rel >= len(lines):
        return Context("none")
    before = "\n".join([*lines[:rel], lines[rel][:col]])
    rpc = _RPC.findall(before)
    event = rpc[-1] if rpc else ""
    cur = lines[rel][:col]
    in_string = _string_prefix(cur)
    word = in_string if in_string is not None else _WORD.search(cur).group()  # type: ignore[union-attr]
    start = col - len(word)
    lexed = tokenize(before)
    toks = [t for t in lexed.tokens if t.kind != Kind.EOF]
    if in_string is not None and toks and toks[-1].kind == Kind.STRING:
        toks.pop()  # the open string being typed
    schema = builtin_schema()
    # Follow `option (x) = {` / `[(x) = {` and nested `key: {` / `key: [` frames.
    stack: list[tuple[str, str]] = []  # (message type, "msg"|"list:<key>")
    i = 0
    pending_key = ""
    while i < len(toks):
        t = toks[i].text
        if t == "(" and i + 1 < len(toks) and toks[i + 1].kind == Kind.IDENT and not stack:
            j = i + 1
            name = ""
            while j < len(toks) and toks[j].text != ")":
                name += toks[j].text
                j += 1
            ext = schema.extensions.get(name) or schema.extensions.get("eventapi.v1." + name)
            if (
                ext is not None
                and j + 2 < len(toks)
                and toks[j + 1].text == "="
                and toks[j + 2].text == "{"
            ):
                stack.append((ext.field.type_name, "msg"))
                i = j + 3
                continue
            i = j + 1
            continue
        if stack:
            if t in ("{", "["):
                top = stack[-1][0]
                fs = (
                    schema.messages[top].fields.get(pending_key) if top in schema.messages else None
                )
                if t == "[":
                    stack.append((top, f"list:{pending_key}"))
                else:
                    stack.append((fs.type_name if fs and fs.kind == "message" else "", "msg"))
                    pending_key = ""
            elif t in ("}", "]"):
                stack.pop()
                if stack and stack[-1][1].startswith("list:"):
                    pending_key = stack[-1][1][5:]
            elif (
                toks[i].kind == Kind.IDENT
                and i + 1 < len(toks)
                and toks[i + 1].text in (":", "{")
                and not stack[-1][1].startswith("list:")
            ):
                pending_key = t
        i += 1
    if not stack:
        m = re.search(r"(?:option\s*|\[\s*|,\s*)(\(?[\w.]*)$", before)
        if m is not None and (m.group(1).startswith("(") or before.rstrip().endswith("option")):
            return Context(
                "option_name",
                prefix=m.group(1),
                option_target=_option_target(before),
                start_col=col - len(m.group(1)),
                event_type_name=event,
            )
        return Context("none", event_type_name=event)
    top, frame = stack[-1]
    last = toks[-1].text if toks else ""
    if frame.startswith("list:"):
        return Context(
            "value",
            top,
            frame[5:],
            in_string is not None,
            word,
            start_col=start,
            event_type_name=event,
        )
    if last == ":" or (
        toks
        and len(toks) > 1
        and toks[-2].text == ":"
        and word
        and in_string is None
        and toks[-1].text == word
    ):
        key = pending_key if last == ":" else toks[-3].text if len(toks) > 2 else ""
        return Context(
            "value", top, key, in_string is not None, word, start_col=start, event_type_name=event
        )
    if in_string is not None:
        return Context(
            "value", top, pending_key, True, word, start_col=start, event_type_name=event
        )
    return Context("key", top, prefix=word, start_col=start, event_type_name=event)
