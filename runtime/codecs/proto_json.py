"""The proto3 JSON mapping over schema-described Python objects, compiled per message for speed.

Field names as in the proto (lowerCamel accepted on input); 64-bit integers as JSON strings on
output, numbers or strings on input; bytes as base64 (standard or URL-safe on input); enums by name
(numbers accepted on input); Timestamp as RFC 3339 UTC ``Z`` with 3 or 6 fractional digits; Duration
as ``"1.5s"``; NaN/±Infinity as strings; ``null`` means absent. Errors carry a ``$.a.b[2]`` path.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any

from eventapi.runtime.cloudevent import parse_time
from eventapi.runtime.codecs import jsontext, straight
from eventapi.runtime.codecs.schema import NULLABLE, WRAPPED, FieldSpec, Kind, MessageSchema
from eventapi.runtime.errors import CodecError

Conv = Callable[[Any], Any]
_RANGES = {
    Kind.INT32: (-(2**31), 2**31 - 1),
    Kind.SINT32: (-(2**31), 2**31 - 1),
    Kind.SFIXED32: (-(2**31), 2**31 - 1),
    Kind.UINT32: (0, 2**32 - 1),
    Kind.FIXED32: (0, 2**32 - 1),
    Kind.INT64: (-(2**63), 2**63 - 1),
    Kind.SINT64: (-(2**63), 2**63 - 1),
    Kind.SFIXED64: (-(2**63), 2**63 - 1),
    Kind.UINT64: (0, 2**64 - 1),
    Kind.FIXED64: (0, 2**64 - 1),
}
_64BIT = frozenset({Kind.INT64, Kind.SINT64, Kind.SFIXED64, Kind.UINT64, Kind.FIXED64})
_DURATION = re.compile(r"(-)?(\d+)(?:\.(\d{1,9}))?s")
_MAX_DURATION_SECONDS = 315_576_000_000
#: One encoder for every event (json.dumps with options builds a new one per call).
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


# -- scalar encoders (Python value → JSON value) ---------------------------------------------
def _int_encoder(kind: Kind) -> Conv:
    low, high = _RANGES[kind]
    as_string = kind in _64BIT

    def enc(v: Any) -> Any:
        if type(v) is not int and (not isinstance(v, int) or isinstance(v, bool)):
            raise CodecError(f"expected int for {kind}, got {type(v).__name__}")
        if not low <= v <= high:
            raise CodecError(f"{v} is out of range for {kind}")
        return str(v) if as_string else int(v)

    return enc


def _enc_float(v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, float | int):
        raise CodecError(f"expected float, got {type(v).__name__}")
    if math.isfinite(v):
        return float(v)
    return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")


def _typed(expected: type, name: str) -> Conv:
    def enc(v: Any) -> Any:
        if not isinstance(v, expected):
            raise CodecError(f"expected {name}, got {type(v).__name__}")
        return v

    return enc


def _enc_bool(v: Any) -> Any:
    if v is True or v is False:
        return v
    raise CodecError(f"expected bool, got {type(v).__name__}")


def _enc_bytes(v: Any) -> Any:
    if not isinstance(v, bytes | bytearray):
        raise CodecError(f"expected bytes, got {type(v).__name__}")
    return base64.b64encode(v).decode("ascii")


def format_timestamp(v: Any) -> str:
    """RFC 3339 UTC with 3 digits, or 6 when there are sub-millisecond digits."""
    if not isinstance(v, datetime) or v.tzinfo is None:
        raise CodecError("expected a timezone-aware datetime")
    utc = v.astimezone(UTC)
    if utc.microsecond % 1000:
        return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond:06d}Z"
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def format_duration(v: Any) -> str:
    if not isinstance(v, timedelta):
        raise CodecError(f"expected timedelta, got {type(v).__name__}")
    micros = v // timedelta(microseconds=1)
    sign = "-" if micros < 0 else ""
    seconds, frac = divmod(abs(micros), 1_000_000)
    if frac == 0:
        return f"{sign}{seconds}s"
    if frac % 1000 == 0:
        return f"{sign}{seconds}.{frac // 1000:03d}s"
    return f"{sign}{seconds}.{frac:06d}s"


def _enum_encoder(enum: type[IntEnum]) -> Conv:
    names = {member.value: member.name for member in enum}

    def enc(v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, int):
            raise CodecError(f"expected {enum.__name__}, got {type(v).__name__}")
        # Unknown numbers (open proto3 enums) are written as numbers, as the mapping says.
        return names.get(int(v), int(v))

    return enc


def _json_value(v: Any) -> Any:
    # Struct/Value must be plain JSON; catch non-JSON early with a path instead of in json.dumps.
    if v is None or isinstance(v, str | bool):
        return v
    if isinstance(v, int | float):
        if isinstance(v, float) and not math.isfinite(v):
            raise CodecError("google.protobuf.Value cannot hold NaN or Infinity")
        return v
    if isinstance(v, Mapping):
        out = {}
        for k, item in v.items():
            if not isinstance(k, str):
                raise CodecError(f"Struct keys must be strings, got {type(k).__name__}")
            out[k] = _json_value(item)
        return out
    if isinstance(v, list | tuple):
        return [_json_value(item) for item in v]
    raise CodecError(f"{type(v).__name__} is not a JSON value")


def _enc_struct(v: Any) -> Any:
    if not isinstance(v, Mapping):
        raise CodecError(f"expected dict for Struct, got {type(v).__name__}")
    return _json_value(v)


def _enc_list_value(v: Any) -> Any:
    if not isinstance(v, list | tuple):
        raise CodecError(f"expected list for ListValue, got {type(v).__name__}")
    return _json_value(v)


# -- scalar decoders (JSON value → Python value) ---------------------------------------------
def _int_decoder(kind: Kind) -> Conv:
    low, high = _RANGES[kind]

    def dec(v: Any) -> Any:
        if type(v) is int:
            n = v
        elif isinstance(v, str) and v.strip() == v and v:
            try:
                n = int(v)
            except ValueError:
                try:
                    f = float(v)
                except ValueError:
                    raise CodecError(f"{v!r} is not an integer") from None
                if not f.is_integer():
                    raise CodecError(f"{v!r} is not an integer") from None
                n = int(f)
        elif isinstance(v, float) and v.is_integer():
            n = int(v)
        else:
            raise CodecError(f"expected an integer for {kind}, got {v!r}")
        if not low <= n <= high:
            raise CodecError(f"{n} is out of range for {kind}")
        return n

    return dec


def _dec_float(v: Any) -> Any:
    if isinstance(v, bool):
        raise CodecError(f"expected a number, got {v!r}")
    if isinstance(v, int | float):
        return float(v)
    if v in ("NaN", "Infinity", "-Infinity"):
        return float(v.replace("Infinity", "inf"))
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            pass
    raise CodecError(f"expected a number, got {v!r}")


def _dec_string(v: Any) -> Any:
    if not isinstance(v, str):
        raise CodecError(f"expected a string, got {v!r}")
    return v


def _dec_bool(v: Any) -> Any:
    if v is True or v is False:
        return v
    raise CodecError(f"expected true or false, got {v!r}")


def _dec_bytes(v: Any) -> Any:
    if not isinstance(v, str):
        raise CodecError(f"expected base64 text, got {v!r}")
    text = v.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise CodecError(f"{v!r} is not base64") from None


def _dec_timestamp(v: Any) -> Any:
    if not isinstance(v, str):
        raise CodecError(f"expected an RFC 3339 string, got {v!r}")
    try:
        return parse_time(v)
    except ValueError as exc:
        raise CodecError(str(exc)) from None


def _dec_duration(v: Any) -> Any:
    match = _DURATION.fullmatch(v) if isinstance(v, str) else None
    if match is None:
        raise CodecError(f"expected a duration like '1.5s', got {v!r}")
    sign, seconds, frac = match.groups()
    if int(seconds) > _MAX_DURATION_SECONDS:
        raise CodecError(f"duration {v!r} is out of range")
    micros = int(seconds) * 1_000_000 + int((frac or "0").ljust(9, "0")[:6])
    return timedelta(microseconds=-micros if sign else micros)


def _enum_decoder(enum: type[IntEnum]) -> Conv:
    by_name = {member.name: member for member in enum}
    by_number = {member.value: member for member in enum}

    def dec(v: Any) -> Any:
        if isinstance(v, str):
            if v in by_name:
                return by_name[v]
            raise CodecError(f"{v!r} is not a value of {enum.__name__}")
        if type(v) is int:
            return by_number.get(v, v)
        raise CodecError(f"expected an enum name or number, got {v!r}")

    return dec


def _dec_struct(v: Any) -> Any:
    if not isinstance(v, dict):
        raise CodecError(f"expected a JSON object for Struct, got {v!r}")
    return v


def _dec_list_value(v: Any) -> Any:
    if not isinstance(v, list):
        raise CodecError(f"expected a JSON array for ListValue, got {v!r}")
    return v


_ENCODERS: dict[Kind, Conv] = {
    Kind.DOUBLE: _enc_float,
    Kind.FLOAT: _enc_float,
    Kind.BOOL: _enc_bool,
    Kind.STRING: _typed(str, "str"),
    Kind.BYTES: _enc_bytes,
    Kind.TIMESTAMP: format_timestamp,
    Kind.DURATION: format_duration,
    Kind.STRUCT: _enc_struct,
    Kind.VALUE: _json_value,
    Kind.LIST_VALUE: _enc_list_value,
    **{kind: _int_encoder(kind) for kind in _RANGES},
}
_DECODERS: dict[Kind, Conv] = {
    Kind.DOUBLE: _dec_float,
    Kind.FLOAT: _dec_float,
    Kind.BOOL: _dec_bool,
    Kind.STRING: _dec_string,
    Kind.BYTES: _dec_bytes,
    Kind.TIMESTAMP: _dec_timestamp,
    Kind.DURATION: _dec_duration,
    Kind.STRUCT: _dec_struct,
    Kind.VALUE: lambda v: v,
    Kind.LIST_VALUE: _dec_list_value,
    **{kind: _int_decoder(kind) for kind in _RANGES},
}
_ZERO: dict[Kind, Any] = {Kind.STRING: "", Kind.BOOL: False, Kind.BYTES: b""}
_ZERO.update({kind: 0 for kind in _RANGES})
_ZERO.update({Kind.DOUBLE: 0.0, Kind.FLOAT: 0.0})


class CompiledMessage:
    """Encoder/decoder for one message schema (fields compiled into closures once)."""

    def __init__(self, schema: MessageSchema[Any]) -> None:
        self.schema = schema
        # (attr, key, encoder, nullable) and (key, camel, attr, decoder, default factory)
        self.enc: list[tuple[str, str, Conv, bool]] = []
        self.dec: list[tuple[str, str, str, Conv, Callable[[], Any]]] = []
        self.oneofs: dict[str, list[str]] = {}
        self.specs: list[FieldSpec] = []  # the FieldSpec of each ``dec`` row
        self._fast: Callable[[Any], dict[str, Any]] | None = None
        self._fast_encode: Callable[[Any], dict[str, Any]] | None = None

    def encode(self, obj: Any) -> dict[str, Any]:
        fast = self._fast_encode
        if fast is None:
            check = self._check_oneofs if self.oneofs else None
            fast = self._fast_encode = straight.build_encoder(self.enc, self.specs, check)
        try:
            return fast(obj)
        except Exception:  # the reference encoder names the problem
            return self.checked_encode(obj)

    def checked_encode(self, obj: Any) -> dict[str, Any]:
        """The reference encoder: field by field, errors carry the field's path."""
        out: dict[str, Any] = {}
        key = ""
        try:
            for attr, key, enc, nullable in self.enc:
                value = getattr(obj, attr)
                if value is None:
                    if nullable:
                        continue
                    raise CodecError("must not be None")
                out[key] = enc(value)
        except CodecError as exc:
            raise CodecError(_strip(exc), _join(key, exc.path)) from None
        except AttributeError:
            raise CodecError(
                f"{type(obj).__name__} is not a {self.schema.full_name} (no {key!r})"
            ) from None
        if self.oneofs:
            self._check_oneofs(obj)
        return out

    def _check_oneofs(self, obj: Any) -> None:
        for group, attrs in self.oneofs.items():
            set_ = [a for a in attrs if getattr(obj, a) is not None]
            if len(set_) > 1:
                raise CodecError(f"oneof {group!r} has more than one member set: {set_}")

    def decode_kwargs(self, doc: Any) -> dict[str, Any]:
        fast = self._fast
        if fast is None:
            fast = self._fast = straight.build(self.dec, self.specs, self.checked_kwargs)
        try:
            return fast(doc)
        except (CodecError, TypeError, ValueError):
            return self.checked_kwargs(doc)  # raises again, naming the field

    def checked_kwargs(self, doc: Any) -> dict[str, Any]:
        """The reference decoder: field by field, errors carry the field's path."""
        if not isinstance(doc, dict):
            raise CodecError(f"expected a JSON object for {self.schema.full_name}, got {doc!r}")
        kwargs: dict[str, Any] = {}
        key = ""
        try:
            for key, camel, attr, dec, default in self.dec:
                value = doc.get(key)
                if value is None and camel is not key:
                    value = doc.get(camel)
                kwargs[attr] = default() if value is None else dec(value)
        except CodecError as exc:
            raise CodecError(_strip(exc), _join(key, exc.path)) from None
        return kwargs

    def decode(self, doc: Any) -> Any:
        kwargs = self.decode_kwargs(doc)
        try:
            return self.schema.cls(**kwargs)
        except TypeError as exc:
            raise CodecError(f"cannot build {self.schema.full_name}: {exc}") from None

    def encode_bytes(self, obj: Any) -> bytes:
        try:
            return _COMPACT.encode(self.encode(obj)).encode()
        except (TypeError, ValueError) as exc:
            raise CodecError(str(exc)) from None

    def decode_bytes_kwargs(self, data: bytes) -> dict[str, Any]:
        try:
            doc = jsontext.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CodecError(f"data is not JSON: {exc}") from None
        return self.decode_kwargs(doc)


def _strip(exc: CodecError) -> str:
    text = str(exc)
    prefix = f"{exc.path}: "
    return text[len(prefix) :] if text.startswith(prefix) else text


def _join(key: str, path: str) -> str:
    rest = path[1:] if path.startswith("$") else path
    return f"$.{key}{rest}" if key else path


def _repeated(conv: Conv) -> Conv:
    def run(values: Any) -> Any:
        if isinstance(values, str | bytes) or not isinstance(values, Sequence | list):
            raise CodecError(f"expected a list, got {type(values).__name__}")
        out = []
        for index, value in enumerate(values):
            try:
                out.append(conv(value))
            except CodecError as exc:
                raise CodecError(_strip(exc), f"$[{index}]{exc.path[1:]}") from None
        return out

    return run


def _map(key_kind: Kind, conv: Conv, encode: bool) -> Conv:
    key_dec = _DECODERS[key_kind]

    def run(values: Any) -> Any:
        if not isinstance(values, Mapping):
            raise CodecError(f"expected a map, got {type(values).__name__}")
        out = {}
        for k, value in values.items():
            try:
                if encode:
                    out[_map_key_text(k, key_kind)] = conv(value)
                else:
                    out[_map_key_value(k, key_kind, key_dec)] = conv(value)
            except CodecError as exc:
                raise CodecError(_strip(exc), f"$[{k!r}]{exc.path[1:]}") from None
        return out

    return run


def _map_key_text(k: Any, kind: Kind) -> str:
    if kind is Kind.BOOL:
        return "true" if _enc_bool(k) else "false"
    if kind is Kind.STRING:
        return str(_ENCODERS[kind](k))
    return str(_ENCODERS[kind](k))


def _map_key_value(k: str, kind: Kind, dec: Conv) -> Any:
    if kind is Kind.BOOL:
        if k not in ("true", "false"):
            raise CodecError(f"map key {k!r} is not a bool")
        return k == "true"
    return dec(k)


def _field_converters(spec: FieldSpec, cache: dict[int, CompiledMessage]) -> tuple[Conv, Conv]:
    kind = WRAPPED.get(spec.kind, spec.kind)
    enc: Conv
    dec: Conv
    if kind is Kind.MESSAGE:
        compiled = _compile(spec.message_schema(), cache)
        enc, dec = compiled.encode, compiled.decode
    elif kind is Kind.ENUM:
        assert spec.enum is not None
        enc, dec = _enum_encoder(spec.enum), _enum_decoder(spec.enum)
    else:
        enc, dec = _ENCODERS[kind], _DECODERS[kind]
    if spec.map_key is not None:
        return _map(spec.map_key, enc, True), _map(spec.map_key, dec, False)
    if spec.repeated:
        return _repeated(enc), _repeated(dec)
    return enc, dec


def _default_factory(spec: FieldSpec) -> Callable[[], Any]:
    if spec.map_key is not None:
        return dict
    if spec.repeated:
        return list
    if spec.optional or spec.oneof is not None or spec.kind in NULLABLE:
        return lambda: None
    if spec.kind is Kind.VALUE:
        return lambda: None
    if spec.kind is Kind.STRUCT:
        return dict
    if spec.kind is Kind.LIST_VALUE:
        return list
    if spec.kind is Kind.ENUM:
        assert spec.enum is not None
        zero = spec.enum(0) if 0 in spec.enum._value2member_map_ else 0
        return lambda: zero
    value = _ZERO[spec.kind]
    return lambda: value


def _compile(schema: MessageSchema[Any], cache: dict[int, CompiledMessage]) -> CompiledMessage:
    found = cache.get(id(schema))
    if found is not None:
        return found
    compiled = CompiledMessage(schema)
    cache[id(schema)] = compiled  # registered first so recursive messages resolve to it
    _fill(compiled, schema, frozenset(), cache)
    return compiled


def _fill(
    compiled: CompiledMessage,
    schema: MessageSchema[Any],
    excluded: frozenset[str],
    cache: dict[int, CompiledMessage],
) -> None:
    for spec in schema.fields:
        if spec.name in excluded:
            continue
        enc, dec = _field_converters(spec, cache)
        nullable = spec.map_key is None and not spec.repeated and _default_factory(spec)() is None
        compiled.enc.append((spec.py_name, spec.name, enc, nullable))
        camel = spec.json_name if spec.json_name != spec.name else spec.name
        compiled.dec.append((spec.name, camel, spec.py_name, dec, _default_factory(spec)))
        compiled.specs.append(spec)
        if spec.oneof is not None:
            compiled.oneofs.setdefault(spec.oneof, []).append(spec.py_name)


def compile_message(
    schema: MessageSchema[Any], excluded: frozenset[str] = frozenset()
) -> CompiledMessage:
    """Compile a message; ``excluded`` top-level fields (header fields) are left out of the JSON."""
    cache: dict[int, CompiledMessage] = {}
    if not excluded:
        return _compile(schema, cache)
    top = CompiledMessage(schema)
    _fill(top, schema, excluded, cache)
    return top
