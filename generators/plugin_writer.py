"""Text building blocks for re-created proto files: a position-tracking writer and comment placement.

The writer records, for every piece it emits, where that piece was in the original file (from
source_code_info), so diagnostics on the re-created text can point back at the user's file.
Comment placement follows what our parser reads as an element's comment: own-line comments
directly above it, else a comment on its own line (see syntax/parser.py).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from google.protobuf import descriptor_pb2

INDENT = "  "
Path = tuple[int, ...]
Pos = tuple[int, int]
Location = descriptor_pb2.SourceCodeInfo.Location


@dataclass(frozen=True, slots=True)
class Region:
    """A stretch of re-created text and the original span (line, col, end line, end col) it came from."""

    start: Pos
    end: Pos
    original: tuple[int, int, int, int]
    exact: bool  # the text is the original token itself (a name or number), so columns carry over


def span_of(loc: Location) -> tuple[int, int, int, int]:
    s = list(loc.span)
    if len(s) == 3:
        return s[0], s[1], s[0], s[2]
    return s[0], s[1], s[2], s[3]


def _line_count(comment: str) -> int:
    return comment.removesuffix("\n").count("\n") + 1


class Locations:
    """source_code_info indexed by path, plus which original lines hold code or comments."""

    def __init__(self, info: descriptor_pb2.SourceCodeInfo) -> None:
        self.by_path: dict[Path, list[Location]] = {}
        starts: set[int] = set()
        ends: set[int] = set()
        self.detached_cost: dict[int, int] = {}
        for loc in info.location:
            self.by_path.setdefault(tuple(loc.path), []).append(loc)
            if not loc.path:
                continue  # the whole file
            sl, _, el, _ = span_of(loc)
            top = sl
            starts.add(sl)
            if el != sl:
                ends.add(el)
            if loc.leading_comments:
                n = _line_count(loc.leading_comments)
                starts.update(range(sl - n, sl))
                top = sl - n
            if loc.leading_detached_comments:
                cost = sum(_line_count(d) + 1 for d in loc.leading_detached_comments)
                self.detached_cost[top] = max(self.detached_cost.get(top, 0), cost)
        self._closing = ends - starts
        self._occupied = sorted(starts | ends)

    def get(self, path: Path, index: int = 0) -> Location | None:
        found = self.by_path.get(path)
        return found[index] if found and index < len(found) else None

    def start(self, path: Path, index: int = 0) -> Pos | None:
        loc = self.get(path, index)
        if loc is None:
            return None
        sl, sc, _, _ = span_of(loc)
        return sl, sc

    def same_line(self, anchor: int) -> bool:
        """Whether a one-line trailing comment of the element on line `anchor` sat on that line.

        protoc also attaches comments from the following lines as trailing comments (when a
        blank line or a closing brace follows them); our parser does not, so those must not be
        written on the element's line. The original layout decides: no room below the element
        means the comment was on its line.
        """
        i = bisect.bisect_right(self._occupied, anchor)
        if i == len(self._occupied):
            return False
        nxt = self._occupied[i]
        gap = nxt - anchor - 1
        if gap == 0:
            return True
        if nxt in self._closing:
            return False  # a comment alone before '}'
        # Below: either blank line(s) then the next element (the comment was on this line), or
        # the comment, a blank line and the next element: the second needs two more lines.
        return gap < 2 + self.detached_cost.get(nxt, 0)


class Writer:
    """Accumulates lines; `put` records where a piece came from."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.cur = ""
        self.regions: list[Region] = []

    def pos(self) -> Pos:
        return len(self.lines), len(self.cur)

    def begin(self, depth: int) -> Pos:
        self.cur = INDENT * depth
        return self.pos()

    def put(self, text: str, original: Location | None = None, exact: bool = False) -> None:
        start = self.pos()
        first, *rest = text.split("\n")
        self.cur += first
        for chunk in rest:
            self.lines.append(self.cur)
            self.cur = chunk
        if original is not None:
            span = span_of(original)
            # A one-line piece as wide as the original is, in practice, the same text.
            same = "\n" not in text and span[0] == span[2] and span[3] - span[1] == len(text)
            self.regions.append(Region(start, self.pos(), span, exact or same))

    def finish(self) -> None:
        self.lines.append(self.cur)
        self.cur = ""

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def mark(self, start: Pos, original: Location | None) -> None:
        """Record a region from `start` to the end of the last finished line."""
        if original is not None and self.lines:
            end = (len(self.lines) - 1, len(self.lines[-1]))
            self.regions.append(Region(start, end, span_of(original), False))

    def comment_lines(self, text: str, depth: int) -> None:
        for line in text.removesuffix("\n").split("\n"):
            self.lines.append(INDENT * depth + "//" + line.rstrip("\r"))

    def leading(self, loc: Location | None, depth: int) -> None:
        """Detached comments (each followed by a blank line), then the leading comment."""
        if loc is None:
            return
        for d in loc.leading_detached_comments:
            self.blank()
            self.comment_lines(d, depth)
            self.lines.append("")
        if loc.leading_comments:
            self.comment_lines(loc.leading_comments, depth)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def trailing(loc: Location | None, locs: Locations, anchor: int | None) -> str:
    """The trailing comment to write at the end of the element's line ("" for none)."""
    if loc is None or not loc.trailing_comments or anchor is None:
        return ""
    t = loc.trailing_comments
    line_comment = t.endswith("\n")
    body = t.removesuffix("\n")
    if "\n" in body:
        # Several '//' lines can only come from below the element; a block comment can span.
        if line_comment or "*/" in body:
            return ""
        return " /*" + body + "*/"
    if not locs.same_line(anchor):
        return ""
    return " //" + body.rstrip("\r") if line_comment else " /*" + body + "*/"


@dataclass(frozen=True)
class Recreated:
    """One file written back as text, with the map from its positions to the original's."""

    name: str
    text: str
    regions: tuple[Region, ...]

    def original_position(self, line: int, col: int) -> tuple[int, int] | None:
        """Where (line, col) of the re-created text was in the original file, if known."""
        pos = (line, col)
        best: Region | None = None
        for r in self.regions:
            inside = r.start <= pos < r.end or r.start == pos
            if not inside:
                continue
            if best is None or (r.start, _neg(r.end)) > (best.start, _neg(best.end)):
                best = r
        if best is None:
            return None
        ol, oc, oel, oec = best.original
        if best.exact and best.start[0] == line and ol == oel:
            return ol, min(oc + col - best.start[1], oec)
        return ol, oc


def _neg(p: Pos) -> Pos:
    return -p[0], -p[1]
