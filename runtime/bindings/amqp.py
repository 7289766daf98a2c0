"""AMQP 0-9-1 (RabbitMQ) binding: CloudEvent ⇄ :class:`AmqpMessage` (pure; no AMQP client imported).

Binary mode: attributes as message headers ``ce-<attr>`` (string values), ``datacontenttype`` as the
``content_type`` basic property. Receivers also accept the AMQP 1.0 binding's ``cloudEvents_``
and ``cloudEvents:`` prefixes (case-insensitive) and a ``ce-datacontenttype`` header when the
property is missing. Structured mode: ``content_type`` ``application/cloudevents+json`` and the
JSON event as body.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from eventapi.runtime.bindings import routes, structured
from eventapi.runtime.cloudevent import CloudEvent, ExtensionValue, format_time
from eventapi.runtime.errors import BindingError

PREFIX = "ce-"
ACCEPTED_PREFIXES = ("ce-", "cloudevents_", "cloudevents:")
_NO_HEADERS: Mapping[str, str] = MappingProxyType({})
_ROUTES = routes.HeaderRoutes(ACCEPTED_PREFIXES)


@dataclass(frozen=True, slots=True)
class AmqpMessage:
    """Body, ``content_type`` property and application headers of an AMQP message."""

    body: bytes
    content_type: str | None = None
    headers: Mapping[str, str] = field(default_factory=lambda: _NO_HEADERS)


def to_binary(event: CloudEvent) -> AmqpMessage:
    """Binary content mode."""
    headers = event.attributes(PREFIX, content_type=False)
    return AmqpMessage(body=event.data or b"", content_type=event.datacontenttype, headers=headers)


def to_structured(event: CloudEvent) -> AmqpMessage:
    """Structured content mode (JSON event format)."""
    return AmqpMessage(body=structured.to_json(event), content_type=structured.CONTENT_TYPE)


def from_message(
    body: bytes, content_type: str | None, headers: Mapping[str, object] | None
) -> CloudEvent:
    """Read a message in either mode; header values may be any AMQP table type."""
    if content_type and structured.is_structured(content_type):
        return structured.from_json(body)
    core: dict[str, str] = {}
    extensions: dict[str, ExtensionValue] = {}
    text_only = True
    route_of = _ROUTES.get
    for name, raw in (headers or {}).items():
        attr, kind = route_of(name) or _ROUTES.learn(name)
        if kind == routes.OTHER:
            continue
        value = raw if type(raw) is str else _attribute_value(name, raw)
        if type(value) is not str:
            text_only = False
        if kind == routes.CORE:
            core[attr] = value  # type: ignore[assignment]  # checked below when not text
        else:
            extensions[attr] = value
    if content_type:
        core["datacontenttype"] = content_type
    if text_only:
        return structured.event_from_parts(core, extensions, body)  # type: ignore[arg-type]
    return structured.event_from_attributes({**core, **extensions}, body)


def from_amqp(message: AmqpMessage) -> CloudEvent:
    """:func:`from_message` over an :class:`AmqpMessage`."""
    return from_message(message.body, message.content_type, message.headers)


def _attribute_value(name: str, raw: object) -> ExtensionValue:
    if isinstance(raw, str | bool | int):
        return raw
    if isinstance(raw, bytes | bytearray):
        try:
            return bytes(raw).decode()
        except UnicodeDecodeError:
            raise BindingError(f"header {name!r} is not UTF-8") from None
    if isinstance(raw, datetime):
        return format_time(raw)
    raise BindingError(f"header {name!r} has unsupported type {type(raw).__name__}")
