"""The option schema, read from the IDL's own .proto files and the descriptor options.

The shipped `proto/eventapi/v1/*.proto` are the single source of truth: they are parsed with our
parser at first use, so option names, keys and enum values checked by the rules are exactly the
ones protoc would accept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from eventapi.generators.model.wellknown import WELL_KNOWN
from eventapi.generators.syntax import ast
from eventapi.generators.syntax.parser import parse

SCALARS = frozenset(
    {
        "double",
        "float",
        "int32",
        "int64",
        "uint32",
        "uint64",
        "sint32",
        "sint64",
        "fixed32",
        "fixed64",
        "sfixed32",
        "sfixed64",
        "bool",
        "string",
        "bytes",
    }
)
INTEGERS = SCALARS - {"double", "float", "bool", "string", "bytes"}
IDL_FILES = ("eventapi/v1/cloudevent.proto", "eventapi/v1/eventapi.proto", "eventapi/v1/sink.proto")
OPTIONS_MESSAGES = {
    "file": "google.protobuf.FileOptions",
    "message": "google.protobuf.MessageOptions",
    "field": "google.protobuf.FieldOptions",
    "enum": "google.protobuf.EnumOptions",
    "enum_value": "google.protobuf.EnumValueOptions",
    "service": "google.protobuf.ServiceOptions",
    "method": "google.protobuf.MethodOptions",
    "oneof": "google.protobuf.OneofOptions",
}


@dataclass(frozen=True, slots=True)
class FieldSchema:
    name: str
    number: int
    kind: str  # a scalar name, "enum" or "message"
    type_name: str  # full name for enum/message kinds
    repeated: bool
    is_map: bool
    oneof: str


@dataclass(frozen=True, slots=True)
class MessageSchema:
    full_name: str
    fields: dict[str, FieldSchema]


@dataclass(frozen=True, slots=True)
class Extension:
    full_name: str
    extendee: str
    field: FieldSchema


@dataclass(frozen=True, slots=True)
class Schema:
    messages: dict[str, MessageSchema]
    enums: dict[str, tuple[str, ...]]
    extensions: dict[str, Extension]

    def extensions_of(self, extendee: str) -> dict[str, Extension]:
        return {k: v for k, v in self.extensions.items() if v.extendee == extendee}


def idl_root() -> Path:
    """The folder holding `eventapi/v1/*.proto`: `eventapi/proto` installed, `proto/` in the repo.

    Both layouts put it two levels above this module's package, so no import machinery is needed.
    """
    return Path(__file__).resolve().parents[2] / "proto"


def builtin_sources() -> dict[str, str]:
    """Import path -> text of every file that always resolves: the IDL and the well-known types."""
    root = idl_root()
    files = dict(WELL_KNOWN)
    for rel in IDL_FILES:
        files[rel] = (root / rel).read_text(encoding="utf-8")
    return files


def resolve_name(name: str, scope: str, exists: Callable[[str], bool]) -> str | None:
    """Proto scoping: look `name` up from the innermost scope outwards."""
    if name.startswith("."):
        full = name[1:]
        return full if exists(full) else None
    parts = scope.split(".") if scope else []
    while True:
        candidate = ".".join([*parts, name]) if parts else name
        if exists(candidate):
            return candidate
        if not parts:
            return None
        parts.pop()


def _walk_messages(
    decls: Iterable[ast.Decl | ast.Message], prefix: str
) -> Iterable[tuple[str, ast.Message]]:
    for d in decls:
        if isinstance(d, ast.Message):
            full = f"{prefix}.{d.name}" if prefix else d.name
            yield full, d
            yield from _walk_messages(d.messages, full)


@cache
def builtin_schema() -> Schema:
    """The schema of the IDL and descriptor options (parsed once per process)."""
    parsed: list[tuple[str, list[ast.Decl]]] = []
    for text in builtin_sources().values():
        decls, _ = parse(text)
        package = next(
            (d.package for d in decls if isinstance(d, ast.Header) and d.package is not None), ""
        )
        parsed.append((package, decls))
    messages: dict[str, ast.Message] = {}
    enums: dict[str, tuple[str, ...]] = {}
    for package, decls in parsed:
        for full, msg in _walk_messages(decls, package):
            messages[full] = msg
            for e in msg.enums:
                enums[f"{full}.{e.name}"] = tuple(v.name for v in e.values)
        for d in decls:
            if isinstance(d, ast.Enum):
                enums[f"{package}.{d.name}"] = tuple(v.name for v in d.values)

    def exists(n: str) -> bool:
        return n in messages or n in enums

    def field_schema(f: ast.Field, scope: str) -> FieldSchema:
        type_name = f.type.name
        if f.map_key is not None:
            return FieldSchema(f.name, f.number or 0, "message", "", True, True, f.oneof)
        if type_name in SCALARS:
            return FieldSchema(
                f.name, f.number or 0, type_name, "", f.label == "repeated", False, f.oneof
            )
        full = resolve_name(type_name, scope, exists) or type_name
        kind = "enum" if full in enums else "message"
        return FieldSchema(f.name, f.number or 0, kind, full, f.label == "repeated", False, f.oneof)

    schemas = {
        full: MessageSchema(full, {f.name: field_schema(f, full) for f in msg.fields})
        for full, msg in messages.items()
    }
    extensions: dict[str, Extension] = {}
    for package, decls in parsed:
        for d in decls:
            if isinstance(d, ast.Extend):
                extendee = resolve_name(d.extendee.name, package, exists) or d.extendee.name
                for f in d.fields:
                    full = f"{package}.{f.name}"
                    extensions[full] = Extension(full, extendee, field_schema(f, package))
    return Schema(schemas, enums, extensions)
