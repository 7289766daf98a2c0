"""The CloudEvents 1.0 envelope: attributes, typed extensions, canonical string forms, validation.

A :class:`CloudEvent` is immutable and always valid: construction checks every attribute and raises
one :class:`~eventapi.runtime.errors.CloudEventError` listing all problems. ``data`` is the already
encoded payload (bytes); the codecs turn typed events into it and back.

Extension values keep their CloudEvents type when the sender sets them (``bool``, ``int``, ``str``,
``bytes``, aware ``datetime``); every binding sends them in the canonical string form returned by
:func:`attribute_string`. A received event only knows strings (binary mode carries no types), so
``extensions`` of a received event hold ``str`` values (structured JSON may also give bool/int);
the codecs convert header fields back to their proto kinds.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Final

from eventapi.runtime.errors import CloudEventError

ExtensionValue = bool | int | str | bytes | datetime

SPEC_VERSION: Final = "1.0"
JSON_CONTENT_TYPE: Final = "application/json"
PROTOBUF_CONTENT_TYPE: Final = "application/protobuf"
STRUCTURED_JSON_CONTENT_TYPE: Final = "application/cloudevents+json"

#: Context attributes defined by the spec, in the order bindings write them.
CORE_ATTRIBUTES: Final = (
    "specversion",
    "id",
    "source",
    "type",
    "datacontenttype",
    "dataschema",
    "subject",
    "time",
)
_CORE_SET: Final = frozenset(CORE_ATTRIBUTES) | {"data", "data_base64"}
_EXTENSION_NAME = re.compile(r"[a-z0-9]+")
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_EMPTY: Final[Mapping[str, ExtensionValue]] = MappingProxyType({})


def new_id() -> str:
    """A random (version 4) UUID in its canonical text form, as ``str(uuid.uuid4())`` gives it.

    Formatted from the random bytes directly: ``uuid.UUID`` goes through a 128-bit integer,
    which costs more than the rest of building an event.
    """
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def format_time(value: datetime) -> str:
    """RFC 3339 in UTC with millisecond precision, e.g. ``2026-12-04T19:39:20.123Z`` (WIRE.md)."""
    utc = value if value.tzinfo is UTC else value.astimezone(UTC)
    return utc.isoformat(timespec="milliseconds")[:-6] + "Z"  # "+00:00" → "Z"


def parse_time(text: str) -> datetime:
    """Parse RFC 3339 (any fraction length, ``Z`` or an offset) into an aware UTC datetime."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}") from None
    if parsed.tzinfo is None or "T" not in text.upper():
        raise ValueError(f"RFC 3339 timestamp needs a date, time and offset: {text!r}")
    return parsed.astimezone(UTC)


def attribute_string(value: ExtensionValue) -> str:
    """The canonical string form of an attribute value (CloudEvents type system)."""
    # bool before int: bool is a subclass of int.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"not a CloudEvents attribute value: {type(value).__name__}")


def extension_name(field_name: str) -> str:
    """The extension attribute name for a proto field: lowercase, only ``[a-z0-9]`` kept.

    ``tenant_id`` becomes ``tenantid``. Generated code and the sink generator both use this rule.
    """
    return "".join(ch for ch in field_name.lower() if ch.isascii() and ch.isalnum())


_VALID_NAMES: set[str] = set()  # names already checked: events repeat the same few names


def _check_extension(name: str, value: object, problems: list[str]) -> None:
    if name in _VALID_NAMES:
        pass
    elif not _EXTENSION_NAME.fullmatch(name):
        problems.append(f"extension name {name!r} must be lowercase letters and digits only")
    elif name in _CORE_SET:
        problems.append(f"extension name {name!r} clashes with a core attribute")
    elif len(_VALID_NAMES) < 10_000:
        _VALID_NAMES.add(name)
    if isinstance(value, bool | str | bytes):
        return
    if isinstance(value, int):
        if not _INT32_MIN <= value <= _INT32_MAX:
            problems.append(f"extension {name!r}: integer {value} is outside the 32-bit range")
    elif isinstance(value, datetime):
        if value.tzinfo is None:
            problems.append(f"extension {name!r}: timestamp must be timezone-aware")
    else:
        problems.append(f"extension {name!r}: unsupported value type {type(value).__name__}")


def _plainly_valid(event: CloudEvent) -> bool:
    """The common case checked in one pass (every event is built and most are received through
    here); anything unusual falls back to :meth:`CloudEvent._validate`, which names each problem.
    """
    id_, source, type_ = event.id, event.source, event.type
    if not (type(id_) is str and id_ and type(source) is str and source):
        return False
    if not (type(type_) is str and type_ and event.specversion == SPEC_VERSION):
        return False
    time, data = event.time, event.data
    if time is not None and (type(time) is not datetime or time.tzinfo is None):
        return False
    if not (data is None or type(data) is bytes):
        return False
    subject, content_type, schema = event.subject, event.datacontenttype, event.dataschema
    if subject is not None and (type(subject) is not str or not subject):
        return False
    if content_type is not None and (type(content_type) is not str or not content_type):
        return False
    if schema is not None and (type(schema) is not str or not schema):
        return False
    for name, value in event.extensions.items():
        if name not in _VALID_NAMES or type(value) is not str:
            return False
    return True


@dataclass(frozen=True, slots=True, init=False)
class CloudEvent:
    """One CloudEvent; ``data`` is the encoded payload, ``datacontenttype`` says how."""

    id: str
    source: str
    type: str
    specversion: str = SPEC_VERSION
    time: datetime | None = None
    subject: str | None = None
    datacontenttype: str | None = None
    dataschema: str | None = None
    extensions: Mapping[str, ExtensionValue] = field(default_factory=lambda: _EMPTY)
    data: bytes | None = None

    def __init__(
        self,
        id: str,
        source: str,
        type: str,
        specversion: str = SPEC_VERSION,
        time: datetime | None = None,
        subject: str | None = None,
        datacontenttype: str | None = None,
        dataschema: str | None = None,
        extensions: Mapping[str, ExtensionValue] = _EMPTY,
        data: bytes | None = None,
    ) -> None:
        # What the frozen dataclass would generate, through the slot descriptors directly: every
        # received event is built here, and object.__setattr__ per field costs twice as much.
        s_id, s_source, s_type, s_version, s_time, s_subject, s_ct, s_schema, s_ext, s_data = (
            _SETTERS
        )
        s_id(self, id)
        s_source(self, source)
        s_type(self, type)
        s_version(self, specversion)
        s_time(self, time)
        s_subject(self, subject)
        s_ct(self, datacontenttype)
        s_schema(self, dataschema)
        s_ext(self, extensions)
        s_data(self, data)
        if not _plainly_valid(self):
            self._validate()

    def _validate(self) -> None:
        problems: list[str] = []
        for name in ("id", "source", "type"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                problems.append(f"{name} must be a non-empty string")
        if self.specversion != SPEC_VERSION:
            problems.append(f"specversion must be {SPEC_VERSION!r}, got {self.specversion!r}")
        if self.time is not None and (
            not isinstance(self.time, datetime) or self.time.tzinfo is None
        ):
            problems.append("time must be a timezone-aware datetime")
        for name in ("subject", "datacontenttype", "dataschema"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                problems.append(f"{name} must be a non-empty string when set")
        if self.data is not None and not isinstance(self.data, bytes):
            problems.append(f"data must be bytes, got {type(self.data).__name__}")
        for name, value in self.extensions.items():
            _check_extension(name, value, problems)
        if problems:
            raise CloudEventError(problems)

    @classmethod
    def create(
        cls,
        *,
        type: str,
        source: str,
        data: bytes | None = None,
        datacontenttype: str | None = None,
        subject: str | None = None,
        dataschema: str | None = None,
        extensions: Mapping[str, ExtensionValue] | None = None,
        id: str | None = None,
        time: datetime | None = None,
    ) -> CloudEvent:
        """A new event: a UUID ``id`` and the current UTC ``time`` unless given."""
        return cls(
            id=id or new_id(),
            source=source,
            type=type,
            time=time or datetime.now(UTC),
            subject=subject,
            datacontenttype=datacontenttype,
            dataschema=dataschema,
            extensions=MappingProxyType(dict(extensions)) if extensions else _EMPTY,
            data=data,
        )

    def attributes(self, prefix: str = "", *, content_type: bool = True) -> dict[str, str]:
        """Every set attribute except data, as canonical strings (core first, then extensions).

        Bindings get their header names directly: ``prefix`` goes before every name, and
        ``content_type=False`` leaves datacontenttype out (for protocols with a property of
        their own for it).
        """
        p = prefix
        out = {p + "specversion": self.specversion, p + "id": self.id, p + "source": self.source}
        out[p + "type"] = self.type
        if content_type and self.datacontenttype is not None:
            out[p + "datacontenttype"] = self.datacontenttype
        if self.dataschema is not None:
            out[p + "dataschema"] = self.dataschema
        if self.subject is not None:
            out[p + "subject"] = self.subject
        if self.time is not None:
            out[p + "time"] = format_time(self.time)
        for name, value in self.extensions.items():
            out[p + name] = value if type(value) is str else attribute_string(value)
        return out


_SETTERS: Final = tuple(getattr(CloudEvent, f.name).__set__ for f in fields(CloudEvent))


def from_text_attributes(
    core: Mapping[str, str], extensions: Mapping[str, ExtensionValue], data: bytes | None
) -> CloudEvent | None:
    """A received event from string attributes (binary-mode headers), or None when anything needs
    the checking path (:meth:`CloudEvent._validate` names the problems).

    ``core`` holds core attributes only, ``extensions`` string values. The checks are those of
    :func:`_plainly_valid` for values already known to be strings; this skips the constructor
    because one event is built per received message.
    """
    get = core.get
    id_, source, type_ = get("id"), get("source"), get("type")
    if not (id_ and source and type_ and get("specversion") == SPEC_VERSION):
        return None
    subject, content_type, schema = get("subject"), get("datacontenttype"), get("dataschema")
    if subject == "" or content_type == "" or schema == "":
        return None
    for name in extensions:
        if name not in _VALID_NAMES:
            return None
    time_text = get("time")
    time = None
    if time_text is not None:
        try:
            time = parse_time(time_text)
        except ValueError:
            return None
    event = _NEW(CloudEvent)
    s_id, s_source, s_type, s_version, s_time, s_subject, s_ct, s_schema, s_ext, s_data = _SETTERS
    s_id(event, id_)
    s_source(event, source)
    s_type(event, type_)
    s_version(event, SPEC_VERSION)
    s_time(event, time)
    s_subject(event, subject)
    s_ct(event, content_type)
    s_schema(event, schema)
    s_ext(event, extensions)
    s_data(event, data)
    return event


_NEW = object.__new__
