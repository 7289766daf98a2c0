"""Decode descriptor options (our (eventapi.v1.*) extensions included) and render them as proto text.

A CodeGeneratorRequest carries options as serialized `XOptions` messages whose extensions are
unknown to the protobuf runtime. Parsing them with message classes from a DescriptorPool built
from the request's own files makes every extension the request declares known, so the values
can be written back as `option (eventapi.v1.operation) = { ... };` literals.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message, message_factory
from google.protobuf.descriptor import FieldDescriptor

_DESCRIPTOR_PROTO = "google/protobuf/descriptor.proto"
_INDENT = "  "
_WIDTH = 100


@dataclass(frozen=True, slots=True)
class OptionItem:
    """One option as written: `name` is `json_name` or `(pkg.ext)`; `text` is its rendered value."""

    name: str
    number: int  # the options message's field number, for source_code_info paths
    text: str
    index: int  # position within a repeated option, else 0


class OptionDecoder:
    """Turns `XOptions` messages from the request into option items, in their written order."""

    def __init__(
        self,
        files: Iterable[descriptor_pb2.FileDescriptorProto],
        ext_name: Callable[[str, str], str] = lambda full, scope: full,
    ) -> None:
        self.ext_name = ext_name
        self.pool = descriptor_pool.DescriptorPool()
        files = list(files)
        if not any(f.name == _DESCRIPTOR_PROTO for f in files):
            builtin = descriptor_pb2.FileDescriptorProto()
            descriptor_pb2.DESCRIPTOR.CopyToProto(builtin)
            self.pool.Add(builtin)
        for f in files:
            self.pool.Add(_without_map_entries(f))
        self._classes: dict[str, type[message.Message]] = {}

    def _class(self, full_name: str) -> type[message.Message]:
        cls = self._classes.get(full_name)
        if cls is None:
            cls = message_factory.GetMessageClass(self.pool.FindMessageTypeByName(full_name))
            self._classes[full_name] = cls
        return cls

    def items(self, options: message.Message, depth: int, scope: str) -> list[OptionItem]:
        """The options set in `options` (a descriptor_pb2 XOptions); literals indented for `depth`.

        `scope` is where custom option names are resolved from (for their shortest spelling).
        """
        data = options.SerializeToString()
        if not data:
            return []
        decoded = self._class(options.DESCRIPTOR.full_name).FromString(data)
        by_number = {fd.number: (fd, value) for fd, value in decoded.ListFields()}
        out: list[OptionItem] = []
        for number in field_order(data):
            found = by_number.pop(number, None)
            if found is None:
                continue  # an extension the request does not declare: nothing to render
            fd, value = found
            name = f"({self.ext_name(fd.full_name, scope)})" if fd.is_extension else fd.name
            values = list(value) if _is_repeated(fd) else [value]
            for i, v in enumerate(values):
                out.append(OptionItem(name, number, render_value(fd, v, depth), i))
        return out


def _without_map_entries(
    f: descriptor_pb2.FileDescriptorProto,
) -> descriptor_pb2.FileDescriptorProto:
    """A copy whose map fields read as repeated key/value messages.

    Map containers iterate in hash order; repeated entries keep the order protoc wrote them
    in, so `properties` come back in the user's order (and `{ key: .. value: .. }` is how a map
    entry is written in an option literal anyway).
    """
    copy = descriptor_pb2.FileDescriptorProto()
    copy.CopyFrom(f)
    stack = list(copy.message_type)
    while stack:
        m = stack.pop()
        if m.options.map_entry:
            m.options.ClearField("map_entry")
        stack.extend(m.nested_type)
    return copy


def _is_repeated(fd: FieldDescriptor) -> bool:
    return bool(fd.is_repeated)


def field_order(data: bytes) -> list[int]:
    """Field numbers of a serialized message in first-appearance order (protoc keeps source order)."""
    seen: dict[int, None] = {}
    pos, end = 0, len(data)
    try:
        while pos < end:
            tag, pos = _varint(data, pos)
            number, wire = tag >> 3, tag & 7
            seen.setdefault(number, None)
            if wire == 0:
                _, pos = _varint(data, pos)
            elif wire == 1:
                pos += 8
            elif wire == 2:
                size, pos = _varint(data, pos)
                pos += size
            elif wire == 5:
                pos += 4
            elif wire in (3, 4):
                continue  # group markers carry no payload of their own
            else:
                break
    except IndexError:
        pass
    return list(seen)


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


# -- text-format values -------------------------------------------------------------------------


def quote(value: str) -> str:
    """A proto string literal our tokenizer and protoc both read back to `value`."""
    out = ['"']
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):03o}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def quote_bytes(value: bytes) -> str:
    out = ['"']
    for b in value:
        ch = chr(b)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= b < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\{b:03o}")
    out.append('"')
    return "".join(out)


def _float(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = repr(value)
    return text


def render_scalar(fd: FieldDescriptor, value: Any) -> str:
    t = fd.type
    if t == FieldDescriptor.TYPE_BOOL:
        return "true" if value else "false"
    if t == FieldDescriptor.TYPE_STRING:
        return quote(str(value))
    if t == FieldDescriptor.TYPE_BYTES:
        return quote_bytes(bytes(value))
    if t == FieldDescriptor.TYPE_ENUM:
        ev = fd.enum_type.values_by_number.get(int(value)) if fd.enum_type else None
        return ev.name if ev is not None else str(int(value))
    if t in (FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE):
        return _float(float(value))
    return str(int(value))


def render_value(fd: FieldDescriptor, value: Any, depth: int) -> str:
    """One value of field `fd`: a scalar, or a `{ ... }` literal indented for `depth`."""
    if fd.type in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP):
        return render_message(value, depth)
    return render_scalar(fd, value)


def render_message(msg: message.Message, depth: int) -> str:
    parts: list[str] = []
    for fd, value in msg.ListFields():
        key = f"[{fd.full_name}]" if fd.is_extension else fd.name
        if _is_repeated(fd):
            items = [render_value(fd, v, depth + 2) for v in value]
            parts.append(f"{key}: {_list(items, depth + 1)}")
        else:
            parts.append(f"{key}: {render_value(fd, value, depth + 1)}")
    return _block(parts, depth)


def _block(parts: list[str], depth: int) -> str:
    """`{ a: 1 b: 2 }` when short, else one field per line."""
    if not parts:
        return "{}"
    one_line = "{ " + " ".join(parts) + " }"
    if "\n" not in one_line and len(_INDENT * depth) + len(one_line) <= _WIDTH:
        return one_line
    pad = _INDENT * (depth + 1)
    return "{\n" + "\n".join(pad + p for p in parts) + "\n" + _INDENT * depth + "}"


def _list(items: list[str], depth: int) -> str:
    one_line = "[" + ", ".join(items) + "]"
    if "\n" not in one_line and len(_INDENT * depth) + len(one_line) <= _WIDTH:
        return one_line
    pad = _INDENT * (depth + 1)
    body = ",\n".join(pad + i for i in items)
    return "[\n" + body + "\n" + _INDENT * depth + "]"
