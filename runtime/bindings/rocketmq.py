"""RocketMQ 5 binding: CloudEvent ⇄ :class:`RocketMqMessage` (pure; no RocketMQ client imported).

Binary mode (rocketmq-externals CloudEvents binding draft): attributes as user properties
``CE_<attr>``, ``datacontenttype`` as the property ``CE_contenttype``. Structured mode:
``CE_contenttype`` ``application/cloudevents+json`` and the JSON event as body. Tag, keys and
message group are not CloudEvent attributes; they come from the operation's binding and ride along.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from eventapi.runtime.bindings import structured
from eventapi.runtime.cloudevent import CloudEvent, ExtensionValue

PREFIX = "CE_"
CONTENT_TYPE_PROPERTY = "CE_contenttype"
_NO_PROPERTIES: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class RocketMqMessage:
    """Body, user properties and the binding's tag / keys / message group."""

    body: bytes
    properties: Mapping[str, str] = field(default_factory=lambda: _NO_PROPERTIES)
    tag: str | None = None
    keys: tuple[str, ...] = ()
    message_group: str | None = None


def to_binary(
    event: CloudEvent,
    *,
    tag: str | None = None,
    keys: Sequence[str] = (),
    message_group: str | None = None,
) -> RocketMqMessage:
    """Binary content mode."""
    attrs = event.attributes()
    content_type = attrs.pop("datacontenttype", None)
    properties = {PREFIX + name: value for name, value in attrs.items()}
    if content_type is not None:
        properties[CONTENT_TYPE_PROPERTY] = content_type
    return RocketMqMessage(
        body=event.data or b"",
        properties=properties,
        tag=tag,
        keys=tuple(keys),
        message_group=message_group,
    )


def to_structured(
    event: CloudEvent,
    *,
    tag: str | None = None,
    keys: Sequence[str] = (),
    message_group: str | None = None,
) -> RocketMqMessage:
    """Structured content mode (JSON event format)."""
    return RocketMqMessage(
        body=structured.to_json(event),
        properties={CONTENT_TYPE_PROPERTY: structured.CONTENT_TYPE},
        tag=tag,
        keys=tuple(keys),
        message_group=message_group,
    )


def from_message(body: bytes, properties: Mapping[str, str] | None) -> CloudEvent:
    """Read a message in either mode."""
    props = properties or {}
    content_type = props.get(CONTENT_TYPE_PROPERTY)
    if structured.is_structured(content_type):
        return structured.from_json(body)
    attrs: dict[str, ExtensionValue] = {}
    for name, value in props.items():
        if name.startswith(PREFIX) and name != CONTENT_TYPE_PROPERTY:
            attrs[name[len(PREFIX) :].lower()] = value
    if content_type is not None:
        attrs["datacontenttype"] = content_type
    return structured.event_from_attributes(attrs, body)


def from_rocketmq(message: RocketMqMessage) -> CloudEvent:
    """:func:`from_message` over a :class:`RocketMqMessage`."""
    return from_message(message.body, message.properties)
