"""Split a proto file into independently parsable runs of whole lines, and cache their parses.

Incremental parsing works at this grain: an edit re-parses only the chunks whose text (or first
line) changed. A chunk ends at the end of a line where the brace depth returns to zero, so every
complete top-level declaration is parsed on its own. An unclosed brace would otherwise swallow
the rest of the file; then we also cut before later declarations that start in column 0.
"""

from __future__ import annotations

import itertools
import re
from collections import OrderedDict

from eventapi.generators.syntax import ast
from eventapi.generators.syntax.parser import parse

_SCAN = re.compile(
    r"""//[^\n]*|/\*(?:[^*]|\*(?!/))*(?:\*/)?|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|[{}]"""
)
_COL0_DECL = re.compile(r"^(?:message|service|enum|extend)\b", re.MULTILINE)


def split(text: str) -> list[tuple[int, str]]:
    """Cut text into (first_line, chunk_text) runs of whole lines."""
    cuts: list[int] = [0]  # offsets where chunks start (always at a line start)
    depth = 0
    open_at = -1  # offset of the outermost open brace of the current chunk
    for m in _SCAN.finditer(text):
        tok = m.group()
        if tok == "{":
            if depth == 0:
                open_at = m.start()
            depth += 1
        elif tok == "}":
            if depth > 0:
                depth -= 1
            if depth == 0:
                nl = text.find("\n", m.end())
                if nl < 0:
                    break
                if nl + 1 > cuts[-1]:
                    cuts.append(nl + 1)
    if depth > 0 and open_at >= 0:
        # Unclosed block: start a new chunk at each column-0 declaration after it.
        for m in _COL0_DECL.finditer(text, text.find("\n", open_at) + 1 if "\n" in text else 0):
            if m.start() > cuts[-1]:
                cuts.append(m.start())
    chunks: list[tuple[int, str]] = []
    line = 0
    cuts.append(len(text))
    for a, b in itertools.pairwise(cuts):
        if b <= a:
            continue
        piece = text[a:b]
        chunks.append((line, piece))
        line += piece.count("\n")
    return chunks


class ChunkCache:
    """LRU of parsed chunks keyed by (text, first line); the parse itself is position-absolute."""

    def __init__(self, capacity: int = 20000) -> None:
        self._items: OrderedDict[tuple[str, int], ast.Chunk] = OrderedDict()
        self._capacity = capacity
        self.hits = 0
        self.misses = 0

    def get(self, first_line: int, text: str) -> ast.Chunk:
        key = (text, first_line)
        chunk = self._items.get(key)
        if chunk is not None:
            self._items.move_to_end(key)
            self.hits += 1
            return chunk
        self.misses += 1
        decls, errors = parse(text, first_line)
        chunk = ast.Chunk(first_line, text, tuple(decls), tuple(errors))
        self._items[key] = chunk
        if len(self._items) > self._capacity:
            self._items.popitem(last=False)
        return chunk


def parse_file(text: str, cache: ChunkCache | None = None) -> list[ast.Chunk]:
    """Parse a whole file chunk by chunk, reusing cached chunks."""
    cache = cache if cache is not None else ChunkCache()
    return [cache.get(line, piece) for line, piece in split(text)]
