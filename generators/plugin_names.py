"""Shortest type names for re-created proto text that protoc and our loader both resolve correctly.

Descriptors hold fully-qualified names (`.myservice.v1.UserCreatedEvent`); people write the
shortest name that resolves from where they are (`UserCreatedEvent`). Writing the same keeps the
re-created text close to the original and every name resolving to the same type in both tools.
"""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf import descriptor_pb2

from eventapi.generators.model.schema import resolve_name

_AGGREGATE = "aggregate"  # packages and messages: names can continue inside them
_TYPE = "type"  # messages and enums
_OTHER = "other"  # services, fields, enum values: symbols, but not types
_EXTENSION = "extension"  # extension fields: what (custom) option names refer to


class NameTable:
    """Every symbol the request defines, with protoc's and the loader's resolution rules."""

    def __init__(self, files: Iterable[descriptor_pb2.FileDescriptorProto]) -> None:
        self.kinds: dict[str, set[str]] = {}
        for f in files:
            pkg = f.package
            parts = pkg.split(".") if pkg else []
            for i in range(1, len(parts) + 1):
                self._add(".".join(parts[:i]), _AGGREGATE)
            for m in f.message_type:
                self._message(m, pkg)
            for e in f.enum_type:
                self._enum(e, pkg)
            for s in f.service:
                self._add(_join(pkg, s.name), _OTHER)
            for x in f.extension:
                self._add(_join(pkg, x.name), _EXTENSION)

    def _add(self, name: str, kind: str) -> None:
        self.kinds.setdefault(name, set()).add(kind)

    def _message(self, m: descriptor_pb2.DescriptorProto, scope: str) -> None:
        full = _join(scope, m.name)
        self._add(full, _AGGREGATE)
        self._add(full, _TYPE)
        for f in m.field:
            self._add(_join(full, f.name), _OTHER)
        for x in m.extension:
            self._add(_join(full, x.name), _EXTENSION)
        for o in m.oneof_decl:
            self._add(_join(full, o.name), _OTHER)
        for nested in m.nested_type:
            self._message(nested, full)
        for e in m.enum_type:
            self._enum(e, full)

    def _enum(self, e: descriptor_pb2.EnumDescriptorProto, scope: str) -> None:
        self._add(_join(scope, e.name), _TYPE)
        # Enum values are siblings of their enum in protobuf scoping.
        for v in e.value:
            self._add(_join(scope, v.name), _OTHER)

    def is_type(self, name: str) -> bool:
        return _TYPE in self.kinds.get(name, ())

    def is_extension(self, name: str) -> bool:
        return _EXTENSION in self.kinds.get(name, ())

    def protoc_resolve(self, name: str, scope: str, want: str = _TYPE) -> str | None:
        """protoc's rule: find the first component from the innermost scope out, then the rest."""
        if name.startswith("."):
            return name[1:] if want in self.kinds.get(name[1:], ()) else None
        first, _, rest = name.partition(".")
        parts = scope.split(".") if scope else []
        while True:
            candidate = _join(".".join(parts), first)
            kinds = self.kinds.get(candidate)
            if kinds:
                if rest:
                    if _AGGREGATE in kinds:
                        full = f"{candidate}.{rest}"
                        return full if want in self.kinds.get(full, ()) else None
                elif want in kinds:
                    return candidate
            if not parts:
                return None
            parts.pop()

    def loader_resolve(self, name: str, scope: str) -> str | None:
        return resolve_name(name, scope, self.is_type)

    def relative(self, full_name: str, scope: str) -> str:
        """The shortest spelling of `full_name` (leading dot or not) that resolves from `scope`."""
        full = full_name.lstrip(".")
        parts = full.split(".")
        for i in range(len(parts) - 1, -1, -1):
            candidate = ".".join(parts[i:])
            if (
                self.protoc_resolve(candidate, scope) == full
                and self.loader_resolve(candidate, scope) == full
            ):
                return candidate
        return "." + full


def _join(scope: str, name: str) -> str:
    return f"{scope}.{name}" if scope else name


def relative_extension(table: NameTable, full_name: str, scope: str) -> str:
    """How to name a custom option in `(...)`: EventAPI's own stay fully qualified, as documented."""
    if full_name.startswith("eventapi."):
        return full_name
    parts = full_name.split(".")
    for i in range(len(parts) - 1, -1, -1):
        candidate = ".".join(parts[i:])
        if (
            table.protoc_resolve(candidate, scope, _EXTENSION) == full_name
            and resolve_name(candidate, scope, table.is_extension) == full_name
        ):
            return candidate
    return full_name
