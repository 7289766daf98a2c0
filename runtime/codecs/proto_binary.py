"""Binary protobuf codec: schema-described Python objects ⇄ protoc-generated messages ⇄ bytes.

The schema's ``MessageSchema.protobuf`` class (from protoc's ``_pb2`` module) does the wire work
(``SerializeToString``/``FromString``); this module only copies fields between the dataclass and the
protobuf message, compiled once per message. Header fields are left out of the data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import DecodeError

from eventapi.runtime.codecs.schema import WRAPPED, FieldSpec, Kind, MessageSchema
from eventapi.runtime.errors import CodecError, SchemaError


class _Element:
    """How one value of a kind moves between Python and protobuf (scalar or message-like)."""

    is_message = False

    def to_scalar(self, v: Any) -> Any:
        return v

    def fill(self, target: Any, v: Any) -> None:
        raise NotImplementedError

    def from_pb(self, x: Any) -> Any:
        return x


class _Enum(_Element):
    def __init__(self, spec: FieldSpec) -> None:
        assert spec.enum is not None
        self.by_number = {member.value: member for member in spec.enum}

    def to_scalar(self, v: Any) -> Any:
        return int(v)

    def from_pb(self, x: Any) -> Any:
        return self.by_number.get(x, x)


class _Nested(_Element):
    is_message = True

    def __init__(self, compiled: CompiledProto) -> None:
        self.compiled = compiled

    def fill(self, target: Any, v: Any) -> None:
        target.SetInParent()
        self.compiled.fill(target, v)

    def from_pb(self, x: Any) -> Any:
        return self.compiled.build(x)


class _WellKnown(_Element):
    is_message = True

    def __init__(self, kind: Kind) -> None:
        self.kind = kind

    def fill(self, target: Any, v: Any) -> None:
        kind = self.kind
        if kind is Kind.TIMESTAMP:
            if v.tzinfo is None:
                raise CodecError("expected a timezone-aware datetime")
            target.FromDatetime(v)
        elif kind is Kind.DURATION:
            target.FromTimedelta(v)
        elif kind in (Kind.STRUCT, Kind.VALUE, Kind.LIST_VALUE):
            json_format.ParseDict(v, target)
        else:
            target.value = v

    def from_pb(self, x: Any) -> Any:
        kind = self.kind
        if kind is Kind.TIMESTAMP:
            return x.ToDatetime(tzinfo=UTC)
        if kind is Kind.DURATION:
            return x.ToTimedelta()
        if kind in (Kind.STRUCT, Kind.VALUE, Kind.LIST_VALUE):
            return json_format.MessageToDict(x)
        return x.value


Setter = Callable[[Any, Any], None]
Getter = Callable[[Any], Any]


class CompiledProto:
    """Copies fields of one message between its Python class and its protobuf class."""

    def __init__(self, schema: MessageSchema[Any]) -> None:
        if schema.protobuf is None:
            raise SchemaError(f"{schema.full_name} has no protobuf class")
        self.schema = schema
        self.pb_class: Any = schema.protobuf
        self.setters: list[tuple[str, str, Setter]] = []
        self.getters: list[tuple[str, Getter]] = []

    def fill(self, pb: Any, obj: Any) -> None:
        name = ""
        try:
            for attr, name, setter in self.setters:  # noqa: B007 - name is used in except
                value = getattr(obj, attr)
                if value is not None:
                    setter(pb, value)
        except CodecError as exc:
            raise CodecError(str(exc), f"$.{name}") from None
        except (TypeError, ValueError, AttributeError, json_format.ParseError) as exc:
            raise CodecError(f"{type(exc).__name__}: {exc}", f"$.{name}") from None

    def encode(self, obj: Any) -> bytes:
        pb = self.pb_class()
        self.fill(pb, obj)
        return bytes(pb.SerializeToString())

    def to_kwargs(self, pb: Any) -> dict[str, Any]:
        return {attr: getter(pb) for attr, getter in self.getters}

    def build(self, pb: Any) -> Any:
        try:
            return self.schema.cls(**self.to_kwargs(pb))
        except TypeError as exc:
            raise CodecError(f"cannot build {self.schema.full_name}: {exc}") from None

    def decode_kwargs(self, data: bytes) -> dict[str, Any]:
        try:
            pb = self.pb_class.FromString(data)
        except (DecodeError, RuntimeWarning) as exc:
            raise CodecError(f"data is not a valid {self.schema.full_name}: {exc}") from None
        return self.to_kwargs(pb)


def _element(spec: FieldSpec, cache: dict[int, CompiledProto]) -> _Element:
    kind = spec.kind
    if kind is Kind.MESSAGE:
        return _Nested(_compile(spec.message_schema(), cache))
    if kind is Kind.ENUM:
        return _Enum(spec)
    if kind in WRAPPED or kind in (
        Kind.TIMESTAMP,
        Kind.DURATION,
        Kind.STRUCT,
        Kind.VALUE,
        Kind.LIST_VALUE,
    ):
        return _WellKnown(kind)
    return _Element()


def _accessors(spec: FieldSpec, elem: _Element) -> tuple[Setter, Getter]:
    name = spec.name
    if spec.map_key is not None:
        if elem.is_message:

            def set_map_msg(pb: Any, v: Any) -> None:
                box = getattr(pb, name)
                for k, item in v.items():
                    elem.fill(box[k], item)

            return set_map_msg, lambda pb: {
                k: elem.from_pb(x) for k, x in getattr(pb, name).items()
            }

        def set_map(pb: Any, v: Any) -> None:
            getattr(pb, name).update({k: elem.to_scalar(item) for k, item in v.items()})

        return set_map, lambda pb: {k: elem.from_pb(x) for k, x in getattr(pb, name).items()}
    if spec.repeated:
        if elem.is_message:

            def set_rep_msg(pb: Any, v: Any) -> None:
                box = getattr(pb, name)
                for item in v:
                    elem.fill(box.add(), item)

            return set_rep_msg, lambda pb: [elem.from_pb(x) for x in getattr(pb, name)]

        def set_rep(pb: Any, v: Any) -> None:
            getattr(pb, name).extend(elem.to_scalar(item) for item in v)

        return set_rep, lambda pb: [elem.from_pb(x) for x in getattr(pb, name)]
    if elem.is_message:

        def get_msg(pb: Any) -> Any:
            return elem.from_pb(getattr(pb, name)) if pb.HasField(name) else None

        return (lambda pb, v: elem.fill(getattr(pb, name), v)), get_msg

    def set_scalar(pb: Any, v: Any) -> None:
        setattr(pb, name, elem.to_scalar(v))

    if spec.optional or spec.oneof is not None:

        def get_present(pb: Any) -> Any:
            return elem.from_pb(getattr(pb, name)) if pb.HasField(name) else None

        return set_scalar, get_present
    return set_scalar, lambda pb: elem.from_pb(getattr(pb, name))


def _compile(schema: MessageSchema[Any], cache: dict[int, CompiledProto]) -> CompiledProto:
    found = cache.get(id(schema))
    if found is not None:
        return found
    compiled = CompiledProto(schema)
    cache[id(schema)] = compiled
    _fill(compiled, frozenset(), cache)
    return compiled


def _fill(
    compiled: CompiledProto, excluded: frozenset[str], cache: dict[int, CompiledProto]
) -> None:
    descriptor = compiled.pb_class.DESCRIPTOR
    for spec in compiled.schema.fields:
        if spec.name in excluded:
            continue
        if spec.name not in descriptor.fields_by_name:
            raise SchemaError(f"{descriptor.full_name} has no field {spec.name!r}")
        setter, getter = _accessors(spec, _element(spec, cache))
        compiled.setters.append((spec.py_name, spec.name, setter))
        compiled.getters.append((spec.py_name, getter))


def compile_message(
    schema: MessageSchema[Any], excluded: frozenset[str] = frozenset()
) -> CompiledProto:
    """Compile a message; ``excluded`` top-level fields (header fields) stay out of the data."""
    cache: dict[int, CompiledProto] = {}
    top = CompiledProto(schema)
    if not excluded:
        cache[id(schema)] = top
    _fill(top, excluded, cache)
    return top


__all__ = ["CompiledProto", "compile_message"]
