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

from eventapi.runtime.bindings import structured
from eventapi.runtime.cloudevent import CloudEvent, attribute_string
from eventapi.runtime.errors import BindingError

PREFIX = "ce_"
CONTENT_TYPE_HEADER = "content-type"
Headers = tuple[tuple[str, bytes], ...]
#: Header name → attribute name for the lowercase headers already seen.
_CORE_OF: dict[str, str] = {}
_EXTENSION_OF: dict[str, str] = {}


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
    core_of, extension_of = _CORE_OF.get, _EXTENSION_OF.get
    try:
        for name, raw in headers or ():
            # Fast path: a lowercase name seen before (events repeat the same few).
            if type(raw) is bytes:
                attr = core_of(name)
                if attr is not None:
                    core[attr] = raw.decode()
                    continue
                attr = extension_of(name)
                if attr is not None:
                    extensions[attr] = raw.decode()
                    continue
            lower = name.lower()
            if lower == CONTENT_TYPE_HEADER:
                attr = "datacontenttype"
            elif lower.startswith(PREFIX):
                attr = lower[len(PREFIX) :]
            else:
                continue
            is_core = attr in structured.CORE
            if is_core:
                core[attr] = _text(raw)
            else:
                extensions[attr] = _text(raw)
            if name == lower and len(_EXTENSION_OF) < 10_000:
                (_CORE_OF if is_core else _EXTENSION_OF)[name] = attr
    except UnicodeDecodeError:
        raise BindingError("a ce_ or content-type header is not UTF-8") from None
    content_type = core.get("datacontenttype")
    if content_type is not None and structured.is_structured_fast(content_type):
        return structured.from_json(value or b"")
    return structured.event_from_parts(core, extensions, value)


def from_kafka(message: KafkaMessage) -> CloudEvent:
    """:func:`from_message` over a :class:`KafkaMessage`."""
    return from_message(message.value, message.headers)


def _text(raw: bytes | str | None) -> str:
    if raw is None:
        return ""
    return raw if isinstance(raw, str) else raw.decode()
