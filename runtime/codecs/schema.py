"""Event schemas: how generated code describes a proto message so the runtime can (de)serialise it.

What generated code must provide, per proto message ``M`` used as an event or inside one:

* A Python class ``M`` built by keyword arguments named by each field's ``attr`` (the proto field
  name, with ``_`` appended if it is a Python keyword) and exposing the same attributes. The runtime
  only calls ``M(**kwargs)`` and reads attributes, so any dataclass works; the recommended form is
  ``@dataclass(frozen=True, kw_only=True, slots=True)`` with defaults
  (``field(default_factory=list)`` for repeated, ``dict`` for maps). Python values per proto kind:

  ======================================  =====================================================
  int32/sint32/sfixed32/(fixed|u)int32    ``int`` (range-checked)
  int64/sint64/sfixed64/(fixed|u)int64    ``int`` (JSON: a string on output, number or string in)
  float/double                            ``float``
  bool / string / bytes                   ``bool`` / ``str`` / ``bytes``
  enum                                    an ``enum.IntEnum`` whose member names are the proto value
                                          names (unknown numbers decode to plain ``int``)
  message                                 the nested class, or ``None`` when absent
  google.protobuf.Timestamp               aware ``datetime`` (UTC on decode), ``None`` when absent
  google.protobuf.Duration                ``datetime.timedelta``, ``None`` when absent
  google.protobuf.Struct / Value / List   ``dict`` / any JSON value / ``list``
  wrappers (Int64Value, StringValue, …)   the wrapped scalar or ``None``
  repeated / map                          ``list`` (any sequence on encode) / ``dict``
  proto3 ``optional`` scalar              the scalar or ``None``
  oneof members                           one attribute each, ``None`` unless set; at most one set
  ======================================  =====================================================

* A :class:`MessageSchema` per message (``fields`` in field-number order; ``message=`` may be a
  zero-argument callable returning the schema, for recursive messages), and an :class:`EventSchema`
  per event message: CloudEvent ``type``, content type, the subject field, the header fields.
  For ``ContentType.PROTOBUF`` the ``MessageSchema.protobuf`` class (protoc's ``_pb2``) is required.

JSON follows the proto3 JSON mapping with field names as in the proto (lowerCamel names are
accepted on input). Unlike protobuf's default printer, every scalar, repeated and map field is
written even at its default value, so downstream SQL always sees the column; ``None`` (absent)
fields are omitted.

Header fields (``is_event_header``) travel as extensions named :func:`extension_name` of the field
(``tenant_id`` → ``tenantid``) unless ``EventSchema.header_names`` says otherwise; they are not
in data.
The subject field stays in data and its value also becomes the CloudEvent ``subject``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum, IntEnum, StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from eventapi.runtime.cloudevent import JSON_CONTENT_TYPE, PROTOBUF_CONTENT_TYPE, extension_name
from eventapi.runtime.errors import SchemaError

if TYPE_CHECKING:
    from eventapi.runtime.codecs.event import EventCodec

T = TypeVar("T")


class Kind(StrEnum):
    """Proto field kinds (for maps: the value kind)."""

    DOUBLE = "double"
    FLOAT = "float"
    INT32 = "int32"
    INT64 = "int64"
    UINT32 = "uint32"
    UINT64 = "uint64"
    SINT32 = "sint32"
    SINT64 = "sint64"
    FIXED32 = "fixed32"
    FIXED64 = "fixed64"
    SFIXED32 = "sfixed32"
    SFIXED64 = "sfixed64"
    BOOL = "bool"
    STRING = "string"
    BYTES = "bytes"
    ENUM = "enum"
    MESSAGE = "message"
    TIMESTAMP = "google.protobuf.Timestamp"
    DURATION = "google.protobuf.Duration"
    STRUCT = "google.protobuf.Struct"
    VALUE = "google.protobuf.Value"
    LIST_VALUE = "google.protobuf.ListValue"
    DOUBLE_VALUE = "google.protobuf.DoubleValue"
    FLOAT_VALUE = "google.protobuf.FloatValue"
    INT64_VALUE = "google.protobuf.Int64Value"
    UINT64_VALUE = "google.protobuf.UInt64Value"
    INT32_VALUE = "google.protobuf.Int32Value"
    UINT32_VALUE = "google.protobuf.UInt32Value"
    BOOL_VALUE = "google.protobuf.BoolValue"
    STRING_VALUE = "google.protobuf.StringValue"
    BYTES_VALUE = "google.protobuf.BytesValue"


#: Wrapper kind → the scalar kind it wraps.
WRAPPED: Mapping[Kind, Kind] = {
    Kind.DOUBLE_VALUE: Kind.DOUBLE,
    Kind.FLOAT_VALUE: Kind.FLOAT,
    Kind.INT64_VALUE: Kind.INT64,
    Kind.UINT64_VALUE: Kind.UINT64,
    Kind.INT32_VALUE: Kind.INT32,
    Kind.UINT32_VALUE: Kind.UINT32,
    Kind.BOOL_VALUE: Kind.BOOL,
    Kind.STRING_VALUE: Kind.STRING,
    Kind.BYTES_VALUE: Kind.BYTES,
}
#: Kinds whose Python value is None when absent (message presence).
NULLABLE = frozenset({Kind.MESSAGE, Kind.TIMESTAMP, Kind.DURATION, *WRAPPED})
SCALARS = frozenset(
    {
        Kind.DOUBLE,
        Kind.FLOAT,
        Kind.INT32,
        Kind.INT64,
        Kind.UINT32,
        Kind.UINT64,
        Kind.SINT32,
        Kind.SINT64,
        Kind.FIXED32,
        Kind.FIXED64,
        Kind.SFIXED32,
        Kind.SFIXED64,
        Kind.BOOL,
        Kind.STRING,
        Kind.BYTES,
    }
)


class ContentType(Enum):
    """The event's ``event_data_content_type`` (AVRO has no codec yet and is refused)."""

    JSON = JSON_CONTENT_TYPE
    PROTOBUF = PROTOBUF_CONTENT_TYPE


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One proto field. For ``map<K, V>`` set ``map_key`` to K's kind and ``kind`` to V's."""

    name: str
    kind: Kind
    number: int = 0
    #: Python attribute / keyword name; empty means the proto name.
    attr: str = ""
    repeated: bool = False
    optional: bool = False
    oneof: str | None = None
    map_key: Kind | None = None
    message: MessageSchema[Any] | Callable[[], MessageSchema[Any]] | None = None
    enum: type[IntEnum] | None = None

    @property
    def py_name(self) -> str:
        return self.attr or self.name

    @property
    def json_name(self) -> str:
        """protoc's lowerCamel JSON name (accepted on input)."""
        head, *rest = self.name.split("_")
        return head + "".join(part[:1].upper() + part[1:] for part in rest)

    def message_schema(self) -> MessageSchema[Any]:
        target = self.message
        if target is None:
            raise SchemaError(f"field {self.name!r} of kind message has no message schema")
        return target if isinstance(target, MessageSchema) else target()


@dataclass(frozen=True)
class MessageSchema(Generic[T]):
    """A proto message: its full name, Python class, fields and (optionally) protoc's class."""

    full_name: str
    cls: Callable[..., T]
    fields: tuple[FieldSpec, ...]
    #: The protoc-generated message class; required for ContentType.PROTOBUF.
    protobuf: Any = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        seen: set[str] = set()
        for spec in self.fields:
            if spec.name in seen:
                problems.append(f"duplicate field {spec.name!r}")
            seen.add(spec.name)
            if spec.kind is Kind.ENUM and spec.enum is None:
                problems.append(f"enum field {spec.name!r} needs enum=")
            if spec.kind is Kind.MESSAGE and spec.message is None:
                problems.append(f"message field {spec.name!r} needs message=")
            if spec.map_key is not None and (
                spec.map_key not in SCALARS or spec.map_key in (Kind.BYTES, Kind.FLOAT, Kind.DOUBLE)
            ):
                problems.append(f"map field {spec.name!r} has invalid key kind {spec.map_key}")
            if spec.map_key is not None and spec.repeated:
                problems.append(f"map field {spec.name!r} cannot also be repeated")
        if problems:
            raise SchemaError(f"schema {self.full_name}: " + "; ".join(problems))

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise SchemaError(f"{self.full_name} has no field {name!r}")


@dataclass(frozen=True)
class EventSchema(Generic[T]):
    """A proto message used as a CloudEvent: everything the runtime needs to send or read it."""

    message: MessageSchema[T]
    event_type: str
    content_type: ContentType = ContentType.JSON
    #: Field whose value becomes ``subject`` (``is_event_subject``).
    subject_field: str | None = None
    #: Fields sent as extension attributes instead of data (``is_event_header``).
    header_fields: tuple[str, ...] = ()
    #: Optional override of header field → extension name (default :func:`extension_name`).
    header_names: Mapping[str, str] = field(default_factory=dict)
    #: ``dataschema`` attribute; None means the message's full name for protobuf, unset for JSON.
    dataschema: str | None = None

    def __post_init__(self) -> None:
        problems: list[str] = []
        names = {spec.name for spec in self.message.fields}
        if not self.event_type:
            problems.append("event_type is empty")
        if self.subject_field is not None and self.subject_field not in names:
            problems.append(f"subject field {self.subject_field!r} is not a field")
        for header in self.header_fields:
            if header not in names:
                problems.append(f"header field {header!r} is not a field")
                continue
            spec = self.message.field(header)
            if spec.repeated or spec.map_key is not None or spec.kind is Kind.MESSAGE:
                problems.append(f"header field {header!r} must be a singular scalar")
            ext = self.extension_for(header)
            if not ext:
                problems.append(f"header field {header!r} has no usable extension name")
        if self.content_type is ContentType.PROTOBUF and self.message.protobuf is None:
            problems.append("PROTOBUF content type needs MessageSchema.protobuf")
        if problems:
            raise SchemaError(f"event schema {self.message.full_name}: " + "; ".join(problems))

    def extension_for(self, header_field: str) -> str:
        return self.header_names.get(header_field) or extension_name(header_field)

    @cached_property
    def codec(self) -> EventCodec[T]:
        """The compiled codec (built once per schema)."""
        from eventapi.runtime.codecs.event import EventCodec

        return EventCodec(self)
