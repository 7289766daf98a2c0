"""NATS binding: CloudEvent ⇄ :class:`NatsMessage` (pure; no NATS client imported).

Binary mode (NATS server ≥ 2.2 headers): every attribute, including ``datacontenttype``, as a header
``ce-<attr>`` whose value is percent-encoded: the UTF-8 bytes of space, ``"``, ``%`` and anything
outside printable ASCII become ``%XX``. Structured mode: header ``content-type:
application/cloudevents+json`` and the JSON event as data; a message without ``ce-specversion``
(e.g. from a pre-2.2 structured-only producer) is read as structured too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import unquote

from eventapi.runtime.bindings import routes, structured
from eventapi.runtime.cloudevent import CloudEvent
from eventapi.runtime.errors import BindingError

PREFIX = "ce-"
CONTENT_TYPE_HEADER = "content-type"
_NO_HEADERS: Mapping[str, str] = MappingProxyType({})
_ROUTES = routes.HeaderRoutes((PREFIX,), CONTENT_TYPE_HEADER)
# Bytes that stay as they are: printable ASCII except space, '"' and '%'.
_SAFE = frozenset(range(0x21, 0x7F)) - {0x22, 0x25}
_UNSAFE = re.compile(r"[^\x21\x23\x24\x26-\x7e]")


@dataclass(frozen=True, slots=True)
class NatsMessage:
    """Data and headers of a NATS message."""

    data: bytes
    headers: Mapping[str, str] = field(default_factory=lambda: _NO_HEADERS)


def percent_encode(value: str) -> str:
    """Percent-encode a header value as the binding requires."""
    if _UNSAFE.search(value) is None:
        return value
    return "".join(chr(b) if b in _SAFE else f"%{b:02X}" for b in value.encode())


def percent_decode(value: str) -> str:
    """Undo :func:`percent_encode`; bad UTF-8 is an error, not a replacement character."""
    if "%" not in value:
        return value
    try:
        return unquote(value, errors="strict")
    except UnicodeDecodeError:
        raise BindingError(f"header value {value!r} is not percent-encoded UTF-8") from None


def to_binary(event: CloudEvent) -> NatsMessage:
    """Binary content mode."""
    headers = {PREFIX + name: percent_encode(v) for name, v in event.attributes().items()}
    return NatsMessage(data=event.data or b"", headers=headers)


def to_structured(event: CloudEvent) -> NatsMessage:
    """Structured content mode (JSON event format)."""
    return NatsMessage(
        data=structured.to_json(event), headers={CONTENT_TYPE_HEADER: structured.CONTENT_TYPE}
    )


def from_message(data: bytes, headers: Mapping[str, str] | None) -> CloudEvent:
    """Read a message in either mode."""
    core: dict[str, str] = {}
    extensions: dict[str, str] = {}
    content_type: str | None = None
    route_of = _ROUTES.get
    for name, value in (headers or {}).items():
        attr, kind = route_of(name) or _ROUTES.learn(name)
        if kind == routes.OTHER:
            continue
        if kind == routes.CONTENT_TYPE:  # says structured or not; datacontenttype is a ce- header
            content_type = value
            continue
        if "%" in value:
            value = percent_decode(value)
        if kind == routes.CORE:
            core[attr] = value
        else:
            extensions[attr] = value
    if structured.is_structured(content_type) or "specversion" not in core:
        return structured.from_json(data)
    return structured.event_from_parts(core, extensions, data)


def from_nats(message: NatsMessage) -> CloudEvent:
    """:func:`from_message` over a :class:`NatsMessage`."""
    return from_message(message.data, message.headers)
