"""Header fields (``is_event_header``) ⇄ CloudEvent extension values, per proto kind.

Sent values keep a CloudEvents type where one fits (string, boolean, 32-bit integer, binary,
timestamp); 64-bit integers, floats and enums go as canonical strings (CloudEvents integers are
32-bit; enums by name as in the JSON mapping). Received values are usually strings and are parsed
back; an absent header gives the field's default (``None`` for optional and wrapper fields).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any

from eventapi.runtime.cloudevent import ExtensionValue, attribute_string, parse_time
from eventapi.runtime.codecs.schema import WRAPPED, FieldSpec, Kind
from eventapi.runtime.errors import CodecError

_INT32 = {Kind.INT32, Kind.SINT32, Kind.SFIXED32}
_UINT32 = {Kind.UINT32, Kind.FIXED32}
_INT64 = {Kind.INT64, Kind.SINT64, Kind.SFIXED64, Kind.UINT64, Kind.FIXED64}
_FLOAT = {Kind.FLOAT, Kind.DOUBLE}


@dataclass(frozen=True, slots=True)
class HeaderCodec:
    kind: Kind
    enum: type[IntEnum] | None
    nullable: bool

    def to_extension(self, value: Any) -> ExtensionValue:
        kind = self.kind
        if kind is Kind.ENUM:
            return value.name if isinstance(value, IntEnum) else str(int(value))
        if kind in _INT32 and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind in _UINT32 or kind in _INT64 or kind in _FLOAT:
            return str(value)
        if isinstance(value, str | bool | bytes | datetime):
            return value
        raise CodecError(f"header value of kind {kind} cannot be {type(value).__name__}")

    def from_extension(self, raw: ExtensionValue | None, name: str) -> Any:
        if raw is None:
            return None if self.nullable else _default(self.kind, self.enum)
        try:
            return self._parse(raw)
        except (ValueError, KeyError, binascii.Error) as exc:
            msg = f"extension {name!r}: {raw!r} is not a valid {self.kind}: {exc}"
            raise CodecError(msg) from None

    def _parse(self, raw: ExtensionValue) -> Any:
        kind = self.kind
        if kind is Kind.STRING:
            return attribute_string(raw)
        if kind is Kind.BOOL:
            if isinstance(raw, bool):
                return raw
            text = attribute_string(raw)
            if text not in ("true", "false"):
                raise ValueError("expected true or false")
            return text == "true"
        if kind in _INT32 or kind in _UINT32 or kind in _INT64:
            if isinstance(raw, bool) or not isinstance(raw, int | str):
                raise ValueError("expected an integer")
            return int(raw)
        if kind in _FLOAT:
            return float(attribute_string(raw))
        if kind is Kind.ENUM:
            assert self.enum is not None
            text = attribute_string(raw)
            if text.lstrip("-").isdigit():
                number = int(text)
                return self.enum(number) if number in self.enum._value2member_map_ else number
            return self.enum[text]
        if kind is Kind.BYTES:
            return raw if isinstance(raw, bytes) else base64.b64decode(str(raw), validate=True)
        if kind is Kind.TIMESTAMP:
            return raw if isinstance(raw, datetime) else parse_time(str(raw))
        raise ValueError(f"kind {kind} cannot be a header")


def _default(kind: Kind, enum: type[IntEnum] | None) -> Any:
    if kind is Kind.ENUM:
        assert enum is not None
        return enum(0) if 0 in enum._value2member_map_ else 0
    return {Kind.STRING: "", Kind.BOOL: False, Kind.BYTES: b""}.get(
        kind, 0.0 if kind in _FLOAT else 0
    )


def compile_header(spec: FieldSpec) -> HeaderCodec:
    """The converter for one header (or subject) field."""
    kind = WRAPPED.get(spec.kind, spec.kind)
    nullable = spec.optional or spec.kind in WRAPPED or spec.kind is Kind.TIMESTAMP
    return HeaderCodec(kind, spec.enum, nullable)
