"""Positioned syntax tree of a proto file, as written (no name resolution)."""

from __future__ import annotations

from dataclasses import dataclass

from eventapi.generators.syntax.tokens import Span

# Identity equality/hash (eq=False) keeps caches keyed by node objects cheap.


@dataclass(frozen=True, slots=True, eq=False)
class Scalar:
    """A literal in an option value: kind is string, int, float or ident (enum names, true/false)."""

    kind: str
    value: str | int | float
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class ListValue:
    items: tuple[Value, ...]
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class Entry:
    """One `name: value` inside a message literal; `name_span` covers the key."""

    name: str
    name_span: Span
    value: Value
    span: Span
    is_extension: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class MessageValue:
    entries: tuple[Entry, ...]
    span: Span


Value = Scalar | ListValue | MessageValue


@dataclass(frozen=True, slots=True, eq=False)
class NamePart:
    name: str
    span: Span
    is_extension: bool


@dataclass(frozen=True, slots=True, eq=False)
class Option:
    """`option (a.b).c = value;` or a `[name = value]` field option."""

    name: tuple[NamePart, ...]
    value: Value
    span: Span

    @property
    def name_span(self) -> Span:
        return self.name[0].span.to(self.name[-1].span)

    @property
    def dotted(self) -> str:
        return ".".join(f"({p.name})" if p.is_extension else p.name for p in self.name)


@dataclass(frozen=True, slots=True, eq=False)
class TypeRef:
    name: str
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class Field:
    name: str
    name_span: Span
    number: int | None
    number_span: Span
    label: str  # "", "optional", "repeated", "required"
    type: TypeRef
    map_key: TypeRef | None
    options: tuple[Option, ...]
    oneof: str
    comment: str
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class EnumValue:
    name: str
    name_span: Span
    number: int | None
    options: tuple[Option, ...]
    comment: str
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class Enum:
    name: str
    name_span: Span
    values: tuple[EnumValue, ...]
    options: tuple[Option, ...]
    comment: str
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class Message:
    name: str
    name_span: Span
    fields: tuple[Field, ...]
    messages: tuple[Message, ...]
    enums: tuple[Enum, ...]
    extends: tuple[Extend, ...]
    options: tuple[Option, ...]
    oneofs: tuple[str, ...]
    comment: str
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class Extend:
    extendee: TypeRef
    fields: tuple[Field, ...]
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class Rpc:
    name: str
    name_span: Span
    input: TypeRef
    input_stream: bool
    output: TypeRef
    output_stream: bool
    options: tuple[Option, ...]
    comment: str
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class Service:
    name: str
    name_span: Span
    rpcs: tuple[Rpc, ...]
    options: tuple[Option, ...]
    comment: str
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class Import:
    path: str
    span: Span  # the string literal
    kind: str  # "", "public", "weak"


@dataclass(frozen=True, slots=True, eq=False)
class Header:
    """File-level statements: syntax/edition, package, imports and file options."""

    syntax: str | None = None
    syntax_span: Span | None = None
    package: str | None = None
    package_span: Span | None = None


Decl = Message | Enum | Service | Extend | Import | Option | Header


@dataclass(frozen=True, slots=True, eq=False)
class ParseError:
    span: Span
    message: str


@dataclass(frozen=True, slots=True, eq=False)
class Chunk:
    """A run of whole lines parsed on its own: its declarations and syntax errors (absolute positions)."""

    start_line: int
    text: str
    decls: tuple[Decl, ...]
    errors: tuple[ParseError, ...]
