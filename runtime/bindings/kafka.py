"""Kafka protocol binding: CloudEvent ⇄ :class:`KafkaMessage` (pure; no Kafka client imported).

Binary mode: every attribute as a record header ``ce_<attr>`` (UTF-8), ``datacontenttype`` as the
``content-type`` header, data as the record value. Structured mode: ``content-type:
application/cloudevents+json`` and the JSON event as the value. The record key is whatever the
caller passes (generated code passes the ``binding.kafka.key`` field's value); with no key the
binding sets none. :func:`partitionkey` is the opt-in mapper for the ``partitionkey`` extension
that the CloudEvents Kafka binding describes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eventapi.runtime.bindings import routes, structured
from eventapi.runtime.cloudevent import CloudEvent, attribute_string
from eventapi.runtime.errors import BindingError

PREFIX = "ce_"
CONTENT_TYPE_HEADER = "content-type"
Headers = tuple[tuple[str, bytes], ...]
_ROUTES = routes.HeaderRoutes((PREFIX,), CONTENT_TYPE_HEADER)


@dataclass(frozen=True, slots=True)
class KafkaMessage:
    """A Kafka record as the binding sees it: value, key and ordered headers."""

    value: bytes | None
    key: bytes | None = None
    headers: Headers = ()


def _key_bytes(key: bytes | str | None) -> bytes | None:
    return key.encode() if isinstance(key, str) else key


def partitionkey(event: CloudEvent) -> bytes | None:
    """The record key from the ``partitionkey`` extension (opt-in key mapper), if set."""
    value = event.extensions.get("partitionkey")
    return None if value is None else attribute_string(value).encode()


def to_binary(event: CloudEvent, key: bytes | str | None = None) -> KafkaMessage:
    """Binary content mode (headers in attribute order, ``content-type`` after ``ce_type``)."""
    headers = [
        (name, value.encode())
        for name, value in event.attributes(PREFIX, content_type=False).items()
    ]
    if event.datacontenttype is not None:
        headers.insert(4, (CONTENT_TYPE_HEADER, event.datacontenttype.encode()))
    return KafkaMessage(value=event.data, key=_key_bytes(key), headers=tuple(headers))


def to_structured(event: CloudEvent, key: bytes | str | None = None) -> KafkaMessage:
    """Structured content mode (JSON event format)."""
    headers = ((CONTENT_TYPE_HEADER, structured.CONTENT_TYPE.encode()),)
    return KafkaMessage(value=structured.to_json(event), key=_key_bytes(key), headers=headers)


def from_message(
    value: bytes | None, headers: Sequence[tuple[str, bytes | str | None]] | None
) -> CloudEvent:
    """Read a record in either mode (structured when ``content-type`` says so)."""
    core: dict[str, str] = {}
    extensions: dict[str, str] = {}
    route_of = _ROUTES.get
    try:
        for name, raw in headers or ():
            attr, kind = route_of(name) or _ROUTES.learn(name)
            if kind == routes.OTHER:
                continue
            text = raw.decode() if type(raw) is bytes else _text(raw)
            if kind == routes.EXTENSION:
                extensions[attr] = text
            else:  # a core attribute, or content-type: datacontenttype
                core[attr] = text
    except UnicodeDecodeError:
        raise BindingError("a ce_ or content-type header is not UTF-8") from None
    content_type = core.get("datacontenttype")
    if content_type is not None and structured.is_structured(content_type):
        return structured.from_json(value or b"")
    return structured.event_from_parts(core, extensions, value)


def from_kafka(message: KafkaMessage) -> CloudEvent:
    """:func:`from_message` over a :class:`KafkaMessage`."""
    return from_message(message.value, message.headers)


def _text(raw: bytes | str | None) -> str:
    if raw is None:
        return ""
    return raw if isinstance(raw, str) else raw.decode()
