"""Re-create a .proto file's source text from its FileDescriptorProto, for the protoc plugins.

A plugin receives descriptors, not text. Rather than a second model builder, the plugins write
each file back as proto text (comments from source_code_info, options decoded with the request's
own extensions) and feed it to the normal loader, so every front end shares one model.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from google.protobuf import descriptor_pb2 as d

from eventapi.generators.plugin_elements import ElementWriter, Item, join, range_text
from eventapi.generators.plugin_names import NameTable
from eventapi.generators.plugin_options import OptionDecoder, quote
from eventapi.generators.plugin_writer import Path, Pos, Recreated, trailing

F = d.FieldDescriptorProto
_SCALARS = {
    F.TYPE_DOUBLE: "double",
    F.TYPE_FLOAT: "float",
    F.TYPE_INT64: "int64",
    F.TYPE_UINT64: "uint64",
    F.TYPE_INT32: "int32",
    F.TYPE_FIXED64: "fixed64",
    F.TYPE_FIXED32: "fixed32",
    F.TYPE_BOOL: "bool",
    F.TYPE_STRING: "string",
    F.TYPE_BYTES: "bytes",
    F.TYPE_UINT32: "uint32",
    F.TYPE_SFIXED32: "sfixed32",
    F.TYPE_SFIXED64: "sfixed64",
    F.TYPE_SINT32: "sint32",
    F.TYPE_SINT64: "sint64",
}
_EDITIONS = {d.EDITION_2023: "2023", d.EDITION_2024: "2024"}


class UnsupportedProtoError(ValueError):
    """A descriptor feature the re-created text cannot express (proto2 groups)."""


def json_name(name: str) -> str:
    """protoc's default JSON name: drop underscores, capitalising the letter after each."""
    out: list[str] = []
    upper = False
    for ch in name:
        if ch == "_":
            upper = True
        elif upper:
            out.append(ch.upper())
            upper = False
        else:
            out.append(ch)
    return "".join(out)


class SourceBuilder(ElementWriter):
    """Writes one FileDescriptorProto as proto text."""

    def _type(self, field: d.FieldDescriptorProto, scope: str) -> str:
        if field.type in _SCALARS:
            return _SCALARS[field.type]
        if field.type == F.TYPE_GROUP:
            raise UnsupportedProtoError(f"{self.f.name}: field {field.name} is a proto2 group")
        return self.names.relative(field.type_name, scope)

    def build(self) -> Recreated:
        f, w = self.f, self.w
        if f.syntax == "editions":
            w.leading(self.locs.get((12,)), 0)
            w.lines.append(f'edition = "{_EDITIONS.get(f.edition, "2023")}";')
        else:
            w.leading(self.locs.get((12,)), 0)
            w.lines.append(f'syntax = "{f.syntax or "proto2"}";')
        if f.package:
            w.blank()
            loc = self.locs.get((2,))
            w.leading(loc, 0)
            w.begin(0)
            w.put("package ")
            w.put(f.package, loc)
            w.put(";")
            w.finish()
        public, weak = set(f.public_dependency), set(f.weak_dependency)
        if f.dependency:
            w.blank()
        for i, dep in enumerate(f.dependency):
            loc = self.locs.get((3, i))
            kind = "public " if i in public else "weak " if i in weak else ""
            w.leading(loc, 0)
            w.begin(0)
            w.put(f"import {kind}{quote(dep)};", loc)
            w.finish()
        items = self._option_statements(self.options.items(f.options, 0, self.f.package), (8,), 0)
        for i, m in enumerate(f.message_type):
            items.append(self._top((4, i), partial(self._message, m, (4, i), f.package, 0)))
        for i, e in enumerate(f.enum_type):
            items.append(self._top((5, i), partial(self._enum, e, (5, i), 0)))
        for i, s in enumerate(f.service):
            items.append(self._top((6, i), partial(self._service, s, (6, i))))
        items.extend(self._extends(list(f.extension), (7,), f.package, 0))
        for item in sorted(items, key=lambda i: i.key):
            w.blank()
            self._depth = 0
            item.emit()
        return Recreated(f.name, w.text(), tuple(w.regions))

    def _top(self, path: Path, emit: Callable[[], None]) -> Item:
        return Item(self._key(path), emit)

    # -- messages --------------------------------------------------------------------------------

    def _message(self, m: d.DescriptorProto, path: Path, scope: str, depth: int) -> None:
        full = join(scope, m.name)
        start = self._open("message", m.name, path, depth)
        inner = depth + 1
        items = self._option_statements(
            self.options.items(m.options, inner, self.f.package), (*path, 7), inner
        )
        synthetic = {f.oneof_index for f in m.field if f.proto3_optional}
        done: set[int] = set()
        for i, fld in enumerate(m.field):
            fp = (*path, 2, i)
            if fld.HasField("oneof_index") and fld.oneof_index not in synthetic:
                idx = fld.oneof_index
                if idx in done:
                    continue
                done.add(idx)
                op = (*path, 8, idx)
                key = self._key(op) if self.has_info else self._key(fp)
                items.append(Item(key, partial(self._oneof, m, idx, op, full)))
                continue
            items.append(Item(self._key(fp), partial(self._field, fld, fp, full)))
        maps = {
            nested.name for nested in m.nested_type if nested.options.map_entry
        }  # written as map<K, V> fields
        for i, nested in enumerate(m.nested_type):
            if nested.name in maps:
                continue
            np = (*path, 3, i)
            items.append(Item(self._key(np), partial(self._message, nested, np, full, inner)))
        for i, e in enumerate(m.enum_type):
            ep = (*path, 4, i)
            items.append(Item(self._key(ep), partial(self._enum, e, ep, inner)))
        items.extend(self._extends(list(m.extension), (*path, 6), full, inner))
        items.extend(self._reserved(m, path))
        self._emit_sorted(items, inner)
        self._close(start, path, depth)

    def _oneof(self, m: d.DescriptorProto, idx: int, path: Path, scope: str) -> None:
        depth = self._depth
        start = self._open("oneof", m.oneof_decl[idx].name, path, depth)
        inner = depth + 1
        items = self._option_statements(
            self.options.items(m.oneof_decl[idx].options, inner, self.f.package), (*path, 2), inner
        )
        mpath = path[:-2]
        for i, fld in enumerate(m.field):
            if fld.HasField("oneof_index") and fld.oneof_index == idx:
                fp = (*mpath, 2, i)
                items.append(Item(self._key(fp), partial(self._field, fld, fp, scope)))
        self._emit_sorted(items, inner)
        self._close(start, path, depth)

    def _map_entry(self, fld: d.FieldDescriptorProto, scope: str) -> d.DescriptorProto | None:
        if fld.label != F.LABEL_REPEATED or fld.type != F.TYPE_MESSAGE:
            return None
        full = fld.type_name.lstrip(".")
        owner, _, entry = full.rpartition(".")
        if owner != scope:
            return None
        found = self._find_message(scope)
        if found is None:
            return None
        for nested in found.nested_type:
            if nested.name == entry and nested.options.map_entry:
                return nested
        return None

    def _find_message(self, full: str) -> d.DescriptorProto | None:
        rest = full.removeprefix(self.f.package + ".") if self.f.package else full
        msgs = list(self.f.message_type)
        found: d.DescriptorProto | None = None
        for part in rest.split("."):
            found = next((m for m in msgs if m.name == part), None)
            if found is None:
                return None
            msgs = list(found.nested_type)
        return found

    def _field(self, fld: d.FieldDescriptorProto, path: Path, scope: str) -> None:
        depth, w, locs = self._depth, self.w, self.locs
        loc = locs.get(path)
        w.leading(loc, depth)
        start = w.begin(depth)
        entry = self._map_entry(fld, scope)
        if entry is not None:
            key = self._type(entry.field[0], scope)
            value = self._type(entry.field[1], scope)
            w.put(f"map<{key}, {value}>", locs.get((*path, 6)))
        else:
            label = self._label(fld)
            if label:
                w.put(label, locs.get((*path, 4)), exact=True)
                w.put(" ")
            type_path = (*path, 5) if fld.type in _SCALARS else (*path, 6)
            w.put(self._type(fld, scope), locs.get(type_path), exact=fld.type in _SCALARS)
        w.put(" ")
        w.put(fld.name, locs.get((*path, 1)), exact=True)
        w.put(" = ")
        w.put(str(fld.number), locs.get((*path, 3)), exact=True)
        self._field_options(fld, path, depth)
        w.put(";")
        w.put(trailing(loc, locs, self._anchor(path, end=True)))
        w.finish()
        w.mark(start, loc)

    def _label(self, fld: d.FieldDescriptorProto) -> str:
        if fld.label == F.LABEL_REPEATED:
            return "repeated"
        if fld.label == F.LABEL_REQUIRED:
            return "required"
        if self.f.syntax == "editions":
            return ""
        if self.proto3:
            return "optional" if fld.proto3_optional else ""
        return "optional"

    def _field_options(self, fld: d.FieldDescriptorProto, path: Path, depth: int) -> None:
        parts: list[tuple[Pos, str, Path, int]] = []
        if fld.HasField("default_value"):
            parts.append((self._key((*path, 7)), f"default = {self._default(fld)}", (*path, 7), 0))
        explicit = self.locs.get((*path, 10)) is not None
        if fld.HasField("json_name") and (
            explicit or (not self.has_info and fld.json_name != json_name(fld.name))
        ):
            parts.append(
                (self._key((*path, 10)), f"json_name = {quote(fld.json_name)}", (*path, 10), 0)
            )
        for item in self.options.items(fld.options, depth, self.f.package):
            p = (*path, 8, item.number)
            parts.append((self._key(p, item.index), f"{item.name} = {item.text}", p, item.index))
        if not parts:
            return
        parts.sort(key=lambda x: x[0])
        self.w.put(" [")
        for i, (_, text, p, index) in enumerate(parts):
            if i:
                self.w.put(", ")
            self.w.put(text, self.locs.get(p, index))
        self.w.put("]")

    def _default(self, fld: d.FieldDescriptorProto) -> str:
        if fld.type == F.TYPE_STRING:
            return quote(fld.default_value)
        if fld.type == F.TYPE_BYTES:
            return '"' + fld.default_value + '"'  # already C-escaped in the descriptor
        return fld.default_value

    def _reserved(self, m: d.DescriptorProto, path: Path) -> list[Item]:
        items: list[Item] = []
        if m.extension_range:
            ranges = ", ".join(range_text(r.start, r.end - 1) for r in m.extension_range)
            items.append(
                Item(self._key((*path, 5, 0)), partial(self._line, f"extensions {ranges};"))
            )
        if m.reserved_range:
            ranges = ", ".join(range_text(r.start, r.end - 1) for r in m.reserved_range)
            items.append(Item(self._key((*path, 9, 0)), partial(self._line, f"reserved {ranges};")))
        if m.reserved_name:
            names = ", ".join(quote(n) for n in m.reserved_name)
            items.append(Item(self._key((*path, 10, 0)), partial(self._line, f"reserved {names};")))
        return items

    def _extends(
        self, fields: list[d.FieldDescriptorProto], path: Path, scope: str, depth: int
    ) -> list[Item]:
        groups: list[list[tuple[int, d.FieldDescriptorProto]]] = []
        for i, fld in enumerate(fields):
            if groups and groups[-1][0][1].extendee == fld.extendee:
                groups[-1].append((i, fld))
            else:
                groups.append([(i, fld)])
        return [
            Item(self._key((*path, g[0][0])), partial(self._extend, g, path, scope, depth))
            for g in groups
        ]

    def _extend(
        self, group: list[tuple[int, d.FieldDescriptorProto]], path: Path, scope: str, depth: int
    ) -> None:
        self.w.begin(depth)
        self.w.put(f"extend {self.names.relative(group[0][1].extendee, scope)} {{")
        self.w.finish()
        for i, fld in group:
            self._depth = depth + 1
            self._field(fld, (*path, i), scope)
        self._line_at(depth, "}")


def recreate(fdp: d.FileDescriptorProto, names: NameTable, options: OptionDecoder) -> Recreated:
    """The proto text of `fdp` (see the module docstring)."""
    return SourceBuilder(fdp, names, options).build()
