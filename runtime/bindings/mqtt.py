"""MQTT binding: CloudEvent ⇄ :class:`MqttMessage` (pure; no MQTT client imported).

MQTT 5 binary mode: attributes as user properties named by the bare attribute (``specversion``,
``id``, …), ``datacontenttype`` as the PUBLISH Content Type property. Structured mode: Content Type
``application/cloudevents+json`` and the JSON event as payload. MQTT 3.1.1 has no properties, so it
is structured only: :func:`from_message` reads a property-less message as a structured event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eventapi.runtime.bindings import structured
from eventapi.runtime.cloudevent import CloudEvent, ExtensionValue

UserProperties = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class MqttMessage:
    """Payload, Content Type property and user properties of a PUBLISH packet."""

    payload: bytes
    content_type: str | None = None
    user_properties: UserProperties = ()


def to_binary(event: CloudEvent) -> MqttMessage:
    """MQTT 5 binary content mode."""
    attrs = event.attributes()
    content_type = attrs.pop("datacontenttype", None)
    return MqttMessage(
        payload=event.data or b"", content_type=content_type, user_properties=tuple(attrs.items())
    )


def to_structured(event: CloudEvent) -> MqttMessage:
    """Structured content mode; the only mode for MQTT 3.1.1 (no content type there)."""
    return MqttMessage(payload=structured.to_json(event), content_type=structured.CONTENT_TYPE)


def from_message(
    payload: bytes, content_type: str | None, user_properties: Sequence[tuple[str, str]] | None
) -> CloudEvent:
    """Read a PUBLISH in either mode (v5), or a property-less v3.1.1 message as structured."""
    if structured.is_structured(content_type):
        return structured.from_json(payload)
    attrs: dict[str, ExtensionValue] = {name: value for name, value in user_properties or ()}
    if "specversion" not in attrs and content_type is None:
        return structured.from_json(payload)
    if content_type is not None:
        attrs["datacontenttype"] = content_type
    return structured.event_from_attributes(attrs, payload)


def from_mqtt(message: MqttMessage) -> CloudEvent:
    """:func:`from_message` over an :class:`MqttMessage`."""
    return from_message(message.payload, message.content_type, message.user_properties)
