"""Structured content mode shared by every binding: the whole event as one JSON document.

The JSON event format (``application/cloudevents+json``): attributes as members, ``data`` as a JSON
value when the data content type is JSON, otherwise ``data_base64``. Used for sending in structured
mode and for reading any message whose content type starts with ``application/cloudevents``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final

from eventapi.runtime.cloudevent import (
    CORE_ATTRIBUTES,
    STRUCTURED_JSON_CONTENT_TYPE,
    CloudEvent,
    ExtensionValue,
    from_text_attributes,
    parse_time,
)
from eventapi.runtime.codecs import jsontext
from eventapi.runtime.errors import BindingError, CloudEventError

CONTENT_TYPE = STRUCTURED_JSON_CONTENT_TYPE


@lru_cache(maxsize=256)
def is_structured(content_type: str | None) -> bool:
    """True for ``application/cloudevents`` content types (matched case-insensitively).

    Remembered per content type: every received message asks, with one of a few values.
    """
    return content_type is not None and content_type.lower().startswith("application/cloudevents")


@lru_cache(maxsize=256)
def is_json(content_type: str | None) -> bool:
    """True when data with this content type is JSON (absent means JSON, as in the spec)."""
    if content_type is None:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json") or media == "text/json"


def to_json(event: CloudEvent) -> bytes:
    """Serialise an event in the JSON event format."""
    doc: dict[str, Any] = dict(event.attributes())
    if event.data is not None:
        if is_json(event.datacontenttype):
            try:
                doc["data"] = json.loads(event.data)
            except ValueError as exc:
                raise BindingError(f"data says it is JSON but is not: {exc}") from None
        else:
            doc["data_base64"] = base64.b64encode(event.data).decode("ascii")
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()


def from_json(body: bytes) -> CloudEvent:
    """Read an event in the JSON event format; every problem is reported in one BindingError."""
    try:
        doc = jsontext.loads(body)
    except ValueError as exc:
        raise BindingError(f"structured event is not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise BindingError("structured event must be a JSON object")
    data: bytes | None = None
    if "data_base64" in doc:
        try:
            data = base64.b64decode(doc.pop("data_base64"), validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise BindingError("data_base64 is not valid base64") from None
    if "data" in doc:
        value = doc.pop("data")
        if isinstance(value, str) and not is_json(doc.get("datacontenttype")):
            data = value.encode()
        else:
            data = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    attrs: dict[str, ExtensionValue] = {}
    for name, value in doc.items():
        if not isinstance(value, str | bool | int) or isinstance(value, float):
            raise BindingError(f"attribute {name!r} must be a string, boolean or integer")
        attrs[name] = value
    return event_from_attributes(attrs, data)


CORE: Final = frozenset(CORE_ATTRIBUTES)


def event_from_parts(
    core: dict[str, str], extensions: dict[str, str], data: bytes | None
) -> CloudEvent:
    """:func:`event_from_attributes` for a binding that already put the core attributes
    (:data:`CORE`) and the extensions apart."""
    event = from_text_attributes(core, extensions, data)
    return _checked_event({**core, **extensions}, data) if event is None else event


def event_from_attributes(attrs: Mapping[str, ExtensionValue], data: bytes | None) -> CloudEvent:
    """Build a received event from attribute values keyed by attribute name.

    Core attributes must be strings; the rest are extensions. Raises :class:`BindingError` with
    every problem at once.
    """
    # Fast path for a well-formed event; anything it trips over is re-read by the checking path
    # below, which names every problem.
    try:
        time_text = attrs.get("time")
        return CloudEvent(
            attrs["id"],  # type: ignore[arg-type]
            attrs["source"],  # type: ignore[arg-type]
            attrs["type"],  # type: ignore[arg-type]
            attrs["specversion"],  # type: ignore[arg-type]
            None if time_text is None else parse_time(time_text),  # type: ignore[arg-type]
            attrs.get("subject"),  # type: ignore[arg-type]
            attrs.get("datacontenttype"),  # type: ignore[arg-type]
            attrs.get("dataschema"),  # type: ignore[arg-type]
            {k: v for k, v in attrs.items() if k not in CORE},
            data,
        )
    except (KeyError, TypeError, ValueError, CloudEventError):
        return _checked_event(attrs, data)


def _checked_event(attrs: Mapping[str, ExtensionValue], data: bytes | None) -> CloudEvent:
    problems: list[str] = []
    core: dict[str, str] = {}
    extensions: dict[str, ExtensionValue] = {}
    for name, value in attrs.items():
        if name in CORE_ATTRIBUTES:
            if isinstance(value, str):
                core[name] = value
            else:
                problems.append(f"attribute {name!r} must be a string")
        else:
            extensions[name] = value
    for required in ("specversion", "id", "source", "type"):
        if required not in core:
            problems.append(f"missing required attribute {required!r}")
    time = None
    if "time" in core:
        try:
            time = parse_time(core["time"])
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise BindingError("invalid CloudEvent: " + "; ".join(problems))
    try:
        return CloudEvent(
            id=core["id"],
            source=core["source"],
            type=core["type"],
            specversion=core["specversion"],
            time=time,
            subject=core.get("subject"),
            datacontenttype=core.get("datacontenttype"),
            dataschema=core.get("dataschema"),
            extensions=extensions,
            data=data,
        )
    except CloudEventError as exc:
        raise BindingError(str(exc)) from None
