"""Straight-line JSON decoders and encoders: generated functions per message, as dataclasses
does for ``__init__``.

The field-by-field loops in :class:`~eventapi.runtime.codecs.proto_json.CompiledMessage` are the
reference; this module turns their field table into single functions with keys, defaults and the
checks of the common kinds (strings, integers, enums, bools, lists of strings) inlined, because
they run once per sent or received event. Anything unusual is left to the field's own converter.
The generated functions only serve the well-formed case: on any error the caller re-runs the
reference loop, which raises a :class:`~eventapi.runtime.errors.CodecError` with the ``$.a.b``
path. tests/runtime/test_fast_paths.py holds both to the same answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from typing import Any

from eventapi.runtime.codecs import jsontext
from eventapi.runtime.codecs.schema import WRAPPED, FieldSpec, Kind

#: One decoded field: (JSON key, lowerCamel key, attribute, converter, default factory).
FieldRow = tuple[str, str, str, Callable[[Any], Any], Callable[[], Any]]
_IMMUTABLE = (str, int, float, bool, bytes, type(None), Enum)
_INT32 = {Kind.INT32, Kind.SINT32, Kind.SFIXED32}
_UINT32 = {Kind.UINT32, Kind.FIXED32}
_64BIT = {Kind.INT64, Kind.SINT64, Kind.SFIXED64, Kind.UINT64, Kind.FIXED64}
_RANGES = {
    **{kind: (-(2**31), 2**31 - 1) for kind in _INT32},
    **{kind: (0, 2**32 - 1) for kind in _UINT32},
    **{kind: (-(2**63), 2**63 - 1) for kind in _64BIT - {Kind.UINT64, Kind.FIXED64}},
    Kind.UINT64: (0, 2**64 - 1),
    Kind.FIXED64: (0, 2**64 - 1),
}


def build(
    rows: Sequence[FieldRow],
    specs: Sequence[FieldSpec],
    fallback: Callable[[Any], dict[str, Any]],
) -> Callable[[Any], dict[str, Any]]:
    """The keyword arguments of the message class from a decoded JSON object.

    ``rows`` and ``specs`` describe the same fields in the same order; ``fallback`` is the reference
    decoder, called for anything that is not a plain JSON object.
    """
    namespace: dict[str, Any] = {"fallback": fallback}
    lines = [
        "def decode_kwargs(doc):",
        "    if type(doc) is not dict:",
        "        return fallback(doc)",
    ]
    items = _fields(rows, specs, namespace, lines)
    lines.append("    return {" + ", ".join(f"{attr!r}: {expr}" for attr, expr in items) + "}")
    return _define("decode_kwargs", lines, namespace)


def build_event(
    cls: Callable[..., Any],
    rows: Sequence[FieldRow],
    specs: Sequence[FieldSpec],
    headers: Sequence[tuple[str, str, Callable[[Any, str], Any], bool]],
) -> Callable[[bytes, Mapping[str, Any]], Any]:
    """The whole event from JSON ``data`` and the CloudEvent's ``extensions``.

    ``headers`` are (attribute, extension name, converter, is a string kind) for the header fields.
    Any failure raises (CodecError, ValueError, TypeError…); the caller then takes the reference
    path for the proper error.
    """
    namespace: dict[str, Any] = {"cls": cls, "scan": jsontext.scan}
    # jsontext.loads inlined; whatever it would hand to json.loads makes this raise instead.
    lines = ["def decode_event(data, extensions):", "    text = data.decode()"]
    lines += [
        "    doc, end = scan(text, 0)",
        "    if end != len(text):",
        "        raise ValueError",
    ]
    lines += ["    if type(doc) is not dict:", "        raise TypeError('not an object')"]
    items = _fields(rows, specs, namespace, lines)
    for index, (attr, name, convert, is_string) in enumerate(headers):
        value, function = f"h{index}", f"hc{index}"
        namespace[function] = convert
        lines.append(f"    {value} = extensions.get({name!r})")
        call = f"{function}({value}, {name!r})"
        items.append(
            (attr, f"({value} if type({value}) is str else {call})" if is_string else call)
        )
    lines.append("    return cls(" + ", ".join(f"{attr}={expr}" for attr, expr in items) + ")")
    return _define("decode_event", lines, namespace)


#: One encoded field: (attribute, JSON key, converter, may be None).
EncodeRow = tuple[str, str, Callable[[Any], Any], bool]


def build_encoder(
    rows: Sequence[EncodeRow],
    specs: Sequence[FieldSpec],
    check: Callable[[Any], None] | None,
) -> Callable[[Any], dict[str, Any]]:
    """The JSON object of a message instance, keys in field order as the reference writes them.

    ``check`` (the oneof check) runs on the instance after the fields. Anything unusual raises
    (CodecError, AttributeError, …) and the caller re-runs the reference encoder for the error.
    """
    namespace: dict[str, Any] = {"check": check}
    lines = ["def encode(obj):"]
    lines += [f"    v{index} = obj.{attr}" for index, (attr, *_) in enumerate(rows)]
    literal: list[str] = []
    rest: list[str] = []
    for index, ((_attr, key, convert, nullable), spec) in enumerate(zip(rows, specs, strict=True)):
        value = f"v{index}"
        namespace[f"c{index}"] = convert
        expr = _inline_encode(spec, value, index, namespace) or f"c{index}({value})"
        if nullable:
            rest.append(f"    if {value} is not None:")
            rest.append(f"        out[{key!r}] = {expr}")
        elif rest:
            rest.append(f"    out[{key!r}] = {expr}")
        else:
            literal.append(f"{key!r}: {expr}")
    lines.append("    out = {" + ", ".join(literal) + "}")
    lines += rest
    if check is not None:
        lines.append("    check(obj)")
    lines.append("    return out")
    return _define("encode", lines, namespace)


def _inline_encode(spec: FieldSpec, v: str, index: int, namespace: dict[str, Any]) -> str | None:
    """An expression encoding ``v`` for the common kinds; the converter handles the rest."""
    kind = WRAPPED.get(spec.kind, spec.kind)
    same = _same_in_json(spec, kind, v, index)
    if same is not None or spec.map_key is not None or spec.repeated:
        return same
    c = f"c{index}"
    if kind in _64BIT:
        low, high = _RANGES[kind]
        return f"(str({v}) if type({v}) is int and {low} <= {v} <= {high} else {c}({v}))"
    if kind is Kind.ENUM and spec.enum is not None:
        namespace[f"t{index}"] = spec.enum
        namespace[f"n{index}"] = {member: member.name for member in spec.enum}
        return f"(n{index}[{v}] if type({v}) is t{index} else {c}({v}))"
    return None


def _same_in_json(spec: FieldSpec, kind: Kind, v: str, index: int) -> str | None:
    """For kinds whose JSON and Python values are the same (strings, lists of strings, bools,
    32-bit integers): ``v`` itself when it has the expected type, else the converter's answer.
    Both directions use it."""
    if spec.map_key is not None:
        return None
    c = f"c{index}"
    if spec.repeated:
        if kind is Kind.STRING:
            return f"({v} if type({v}) is list and all(type(x) is str for x in {v}) else {c}({v}))"
        return None
    if kind is Kind.STRING:
        return f"({v} if type({v}) is str else {c}({v}))"
    if kind is Kind.BOOL:
        return f"({v} if {v} is True or {v} is False else {c}({v}))"
    if kind in _INT32 or kind in _UINT32:
        low, high = _RANGES[kind]
        return f"({v} if type({v}) is int and {low} <= {v} <= {high} else {c}({v}))"
    return None


def _fields(
    rows: Sequence[FieldRow],
    specs: Sequence[FieldSpec],
    namespace: dict[str, Any],
    lines: list[str],
) -> list[tuple[str, str]]:
    """Read every field of ``doc`` into ``v<i>``; returns (attribute, converted expression)."""
    lines.append("    get = doc.get")
    items = []
    for index, ((key, camel, attr, convert, default), spec) in enumerate(
        zip(rows, specs, strict=True)
    ):
        value = f"v{index}"
        lines.append(f"    {value} = get({key!r})")
        if camel != key:
            lines.append(f"    if {value} is None:")
            lines.append(f"        {value} = get({camel!r})")
        namespace[f"c{index}"] = convert
        zero = default()
        if isinstance(zero, _IMMUTABLE):
            namespace[f"z{index}"] = zero
            fill = f"z{index}"
        else:
            namespace[f"f{index}"] = default
            fill = f"f{index}()"
        converted = _inline(spec, convert, value, index, namespace) or f"c{index}({value})"
        items.append((attr, f"{fill} if {value} is None else {converted}"))
    return items


def _define(name: str, lines: list[str], namespace: dict[str, Any]) -> Callable[..., Any]:
    exec("\n".join(lines), namespace)  # source built above from identifiers and reprs only
    function: Callable[..., Any] = namespace[name]
    return function


def _inline(
    spec: FieldSpec, convert: Callable[[Any], Any], v: str, index: int, namespace: dict[str, Any]
) -> str | None:
    """An expression converting ``v`` for the common kinds; the converter handles the rest."""
    kind = WRAPPED.get(spec.kind, spec.kind)
    same = _same_in_json(spec, kind, v, index)
    if same is not None or spec.map_key is not None or spec.repeated:
        return same
    c = f"c{index}"
    if kind is Kind.MESSAGE:
        compiled = getattr(convert, "__self__", None)  # the nested CompiledMessage's decode
        if compiled is None:
            return None
        namespace[f"m{index}"] = compiled.schema.cls
        namespace[f"k{index}"] = compiled.decode_kwargs
        return f"(m{index}(**k{index}({v})) if type({v}) is dict else {c}({v}))"
    if kind in _64BIT:
        # Up to 18 ASCII digits fit every 64-bit kind; signs, larger values and numbers convert.
        digits = f"type({v}) is str and len({v}) < 19 and {v}.isascii() and {v}.isdigit()"
        return f"(int({v}) if {digits} else {c}({v}))"
    if kind is Kind.ENUM and spec.enum is not None:
        namespace[f"e{index}"] = {member.name: member for member in spec.enum}
        return f"(e{index}[{v}] if type({v}) is str and {v} in e{index} else {c}({v}))"
    return None
