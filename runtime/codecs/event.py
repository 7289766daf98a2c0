"""EventCodec: a typed event ⇄ a CloudEvent (data, subject, header-field extensions).

Built once per :class:`~eventapi.runtime.codecs.schema.EventSchema` (``schema.codec``). Encoding
uses the schema's content type; decoding follows the received ``datacontenttype`` (JSON or
protobuf), so a JSON producer and a protobuf consumer of the same event still understand each
other when the protobuf class is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Generic, TypeVar

from eventapi.runtime.bindings.structured import is_json
from eventapi.runtime.cloudevent import (
    JSON_CONTENT_TYPE,
    PROTOBUF_CONTENT_TYPE,
    CloudEvent,
    ExtensionValue,
    attribute_string,
)
from eventapi.runtime.codecs import headers, proto_json, straight
from eventapi.runtime.codecs.schema import ContentType, EventSchema, Kind
from eventapi.runtime.errors import CodecError

T = TypeVar("T")


class EventCodec(Generic[T]):
    """Compiled encoder/decoder for one event schema."""

    def __init__(self, schema: EventSchema[T]) -> None:
        self.schema = schema
        excluded = frozenset(schema.header_fields)
        self._json = proto_json.compile_message(schema.message, excluded)
        self._pb: Any = None
        if schema.message.protobuf is not None:
            from eventapi.runtime.codecs import proto_binary

            self._pb = proto_binary.compile_message(schema.message, excluded)
        self._headers = [
            (
                schema.message.field(name).py_name,
                schema.extension_for(name),
                headers.compile_header(schema.message.field(name)),
            )
            for name in schema.header_fields
        ]
        self._subject_attr = (
            None if schema.subject_field is None else schema.message.field(schema.subject_field)
        )
        self._subject = headers.compile_header(self._subject_attr) if self._subject_attr else None
        self.content_type = schema.content_type.value
        self._json_first = schema.content_type is ContentType.JSON
        self._fast: Any = None
        self.dataschema = schema.dataschema
        if self.dataschema is None and schema.content_type is ContentType.PROTOBUF:
            self.dataschema = schema.message.full_name

    # -- data only ---------------------------------------------------------------------------
    def encode_data(self, event: T) -> bytes:
        if self.schema.content_type is ContentType.PROTOBUF:
            return bytes(self._pb.encode(event))
        return self._json.encode_bytes(event)

    def decode_data(self, data: bytes, content_type: str | None = None) -> dict[str, Any]:
        """The keyword arguments of the event class, without header fields."""
        if content_type is not None and not is_json(content_type):
            if content_type.split(";", 1)[0].strip().lower() != PROTOBUF_CONTENT_TYPE:
                raise CodecError(f"unsupported datacontenttype {content_type!r}")
            if self._pb is None:
                raise CodecError(f"{self.schema.message.full_name} has no protobuf class")
            return dict(self._pb.decode_kwargs(data))
        if content_type is None and self.schema.content_type is ContentType.PROTOBUF:
            return dict(self._pb.decode_kwargs(data))
        return self._json.decode_bytes_kwargs(data)

    # -- whole events ------------------------------------------------------------------------
    def to_cloudevent(
        self,
        event: T,
        *,
        source: str,
        subject: str | None = None,
        extensions: Mapping[str, ExtensionValue] | None = None,
        id: str | None = None,
        time: datetime | None = None,
    ) -> CloudEvent:
        """Encode ``event`` into a new CloudEvent (id/time generated unless given)."""
        ext: dict[str, ExtensionValue] = dict(extensions) if extensions else {}
        # Header fields win over extensions of the same name: the receiver reads the field
        # back from the extension, so anything else there would change the event.
        for attr, name, header in self._headers:
            value = getattr(event, attr)
            if value is not None:
                string = header.kind is Kind.STRING and type(value) is str
                ext[name] = value if string else header.to_extension(value)
        if subject is None and self._subject_attr is not None and self._subject is not None:
            value = getattr(event, self._subject_attr.py_name)
            if self._subject.kind is Kind.STRING and type(value) is str:
                subject = value or None
            elif value is not None and value != "":
                subject = attribute_string(self._subject.to_extension(value))
        return CloudEvent.create(
            type=self.schema.event_type,
            source=source,
            data=self.encode_data(event),
            datacontenttype=self.content_type,
            dataschema=self.dataschema,
            subject=subject,
            extensions=ext,
            id=id,
            time=time,
        )

    def fast_decoder(self) -> Any:
        """The straight-line decoder of a JSON event with its header fields (built on first use):
        ``(data, extensions) -> event``, raising anything on anything unusual."""
        if self._fast is None:
            headers = [
                (attr, name, header.from_extension, header.kind is Kind.STRING)
                for attr, name, header in self._headers
            ]
            json = self._json
            self._fast = straight.build_event(
                self.schema.message.cls, json.dec, json.specs, headers
            )
        return self._fast

    def from_cloudevent(self, event: CloudEvent) -> T:
        """Decode a received CloudEvent; type mismatches and bad data raise :class:`CodecError`."""
        content_type = event.datacontenttype
        json = content_type is None or content_type == JSON_CONTENT_TYPE
        if self._json_first and json and event.type == self.schema.event_type:
            fast = self._fast or self.fast_decoder()
            try:
                return fast(event.data or b"", event.extensions)  # type: ignore[no-any-return]
            except Exception:  # the reference path names the error
                pass
        return self.checked_from_cloudevent(event)

    def checked_from_cloudevent(self, event: CloudEvent) -> T:
        """The reference decoder (:meth:`from_cloudevent` without the straight-line shortcut)."""
        if event.type != self.schema.event_type:
            raise CodecError(
                f"event type {event.type!r} is not the expected {self.schema.event_type!r}"
            )
        kwargs = self.decode_data(event.data or b"", event.datacontenttype)
        for attr, name, header in self._headers:
            kwargs[attr] = header.from_extension(event.extensions.get(name), name)
        try:
            return self.schema.message.cls(**kwargs)
        except TypeError as exc:
            raise CodecError(f"cannot build {self.schema.message.full_name}: {exc}") from None
