"""Shared pieces of proto re-creation: element ordering, option statements, enums and services.

SourceBuilder (plugin_source.py) adds files, messages and fields on top of this base.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from google.protobuf import descriptor_pb2 as d

from eventapi.generators.plugin_names import NameTable
from eventapi.generators.plugin_options import OptionDecoder, OptionItem, quote
from eventapi.generators.plugin_writer import Locations, Path, Pos, Writer, trailing

_LAST = (1 << 30, 0)  # sort key for elements without a source location
MAX_FIELD = 536870911


@dataclass(frozen=True, slots=True)
class Item:
    key: Pos
    emit: Callable[[], None]


def range_text(start: int, end: int) -> str:
    if end >= MAX_FIELD:
        return f"{start} to max"
    return str(start) if start == end else f"{start} to {end}"


def join(scope: str, name: str) -> str:
    return f"{scope}.{name}" if scope else name


class ElementWriter:
    """Writes options, enums and services; tracks the indentation depth of the element being written."""

    def __init__(self, fdp: d.FileDescriptorProto, names: NameTable, options: OptionDecoder):
        self.f = fdp
        self.names = names
        self.options = options
        self.locs = Locations(fdp.source_code_info)
        self.has_info = bool(fdp.source_code_info.location)
        self.w = Writer()
        self.proto3 = fdp.syntax == "proto3"

    # -- helpers ---------------------------------------------------------------------------------

    def _key(self, path: Path, index: int = 0) -> Pos:
        return self.locs.start(path, index) or _LAST

    def _anchor(self, path: Path, end: bool) -> int | None:
        loc = self.locs.get(path)
        if loc is None:
            return None
        start_line = loc.span[0]
        end_line = loc.span[2] if len(loc.span) == 4 else start_line
        return end_line if end else start_line

    def _option_statements(self, items: list[OptionItem], path: Path, depth: int) -> list[Item]:
        out = []
        for item in items:
            p = (*path, item.number)
            out.append(Item(self._key(p, item.index), partial(self._option, item, p)))
        return out

    def _option(self, item: OptionItem, path: Path) -> None:
        loc = self.locs.get(path, item.index)
        depth = self._depth
        self.w.leading(loc, depth)
        self.w.begin(depth)
        self.w.put(f"option {item.name} = {item.text};", loc)
        self.w.put(trailing(loc, self.locs, self._anchor_loc(loc)))
        self.w.finish()

    @staticmethod
    def _anchor_loc(loc: d.SourceCodeInfo.Location | None) -> int | None:
        if loc is None:
            return None
        return loc.span[2] if len(loc.span) == 4 else loc.span[0]

    _depth = 0

    def _emit_sorted(self, items: list[Item], depth: int) -> None:
        for item in sorted(items, key=lambda i: i.key):
            self._depth = depth
            item.emit()

    # -- file ------------------------------------------------------------------------------------

    def _open(self, keyword: str, name: str, path: Path, depth: int) -> Pos:
        loc = self.locs.get(path)
        self.w.leading(loc, depth)
        start = self.w.begin(depth)
        self.w.put(f"{keyword} ")
        self.w.put(name, self.locs.get((*path, 1)), exact=True)
        self.w.put(" {")
        self.w.put(trailing(loc, self.locs, self._anchor(path, end=False)))
        self.w.finish()
        return start

    def _close(self, start: Pos, path: Path, depth: int) -> None:
        self.w.begin(depth)
        self.w.put("}")
        self.w.finish()
        self.w.mark(start, self.locs.get(path))

    def _line(self, text: str) -> None:
        self.w.begin(self._depth)
        self.w.put(text)
        self.w.finish()

    def _line_at(self, depth: int, text: str) -> None:
        self.w.begin(depth)
        self.w.put(text)
        self.w.finish()

    # -- enums and services ----------------------------------------------------------------------

    def _enum(self, e: d.EnumDescriptorProto, path: Path, depth: int) -> None:
        start = self._open("enum", e.name, path, depth)
        inner = depth + 1
        items = self._option_statements(
            self.options.items(e.options, inner, self.f.package), (*path, 3), inner
        )
        for i, v in enumerate(e.value):
            vp = (*path, 2, i)
            items.append(Item(self._key(vp), partial(self._enum_value, v, vp)))
        if e.reserved_range:
            ranges = ", ".join(range_text(r.start, r.end) for r in e.reserved_range)
            items.append(Item(self._key((*path, 4, 0)), partial(self._line, f"reserved {ranges};")))
        if e.reserved_name:
            names = ", ".join(quote(n) for n in e.reserved_name)
            items.append(Item(self._key((*path, 5, 0)), partial(self._line, f"reserved {names};")))
        self._emit_sorted(items, inner)
        self._close(start, path, depth)

    def _enum_value(self, v: d.EnumValueDescriptorProto, path: Path) -> None:
        depth, w, locs = self._depth, self.w, self.locs
        loc = locs.get(path)
        w.leading(loc, depth)
        start = w.begin(depth)
        w.put(v.name, locs.get((*path, 1)), exact=True)
        w.put(" = ")
        w.put(str(v.number), locs.get((*path, 2)), exact=True)
        opts = self.options.items(v.options, depth, self.f.package)
        if opts:
            w.put(" [")
            for i, item in enumerate(opts):
                if i:
                    w.put(", ")
                p = (*path, 3, item.number)
                w.put(f"{item.name} = {item.text}", locs.get(p, item.index))
            w.put("]")
        w.put(";")
        w.put(trailing(loc, locs, self._anchor(path, end=True)))
        w.finish()
        w.mark(start, loc)

    def _service(self, s: d.ServiceDescriptorProto, path: Path) -> None:
        scope = join(self.f.package, s.name)
        start = self._open("service", s.name, path, 0)
        items = self._option_statements(
            self.options.items(s.options, 1, self.f.package), (*path, 3), 1
        )
        for i, m in enumerate(s.method):
            mp = (*path, 2, i)
            items.append(Item(self._key(mp), partial(self._rpc, m, mp, scope)))
        self._emit_sorted(items, 1)
        self._close(start, path, 0)

    def _rpc(self, m: d.MethodDescriptorProto, path: Path, scope: str) -> None:
        w, locs = self.w, self.locs
        loc = locs.get(path)
        w.leading(loc, 1)
        start = w.begin(1)
        w.put("rpc ")
        w.put(m.name, locs.get((*path, 1)), exact=True)
        w.put("(" + ("stream " if m.client_streaming else ""))
        w.put(self.names.relative(m.input_type, scope), locs.get((*path, 2)))
        w.put(") returns (" + ("stream " if m.server_streaming else ""))
        w.put(self.names.relative(m.output_type, scope), locs.get((*path, 3)))
        w.put(")")
        options = self.options.items(m.options, 2, self.f.package)
        comment = trailing(loc, locs, self._anchor(path, end=False))
        if not options:
            w.put(";" + comment)
            w.finish()
            w.mark(start, loc)
            return
        w.put(" {" + comment)
        w.finish()
        self._emit_sorted(self._option_statements(options, (*path, 4), 2), 2)
        self._line_at(1, "}")
        w.mark(start, loc)
