"""Exceptions raised by the runtime; each names what was wrong, never a bare traceback."""

from __future__ import annotations

from collections.abc import Sequence


class EventApiError(Exception):
    """Base class of every error the runtime raises on purpose."""


class CloudEventError(EventApiError, ValueError):
    """A CloudEvent is invalid; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("invalid CloudEvent: " + "; ".join(self.problems))


class BindingError(EventApiError, ValueError):
    """A protocol message cannot be read as a CloudEvent (bad headers, bad structured body)."""


class CodecError(EventApiError, ValueError):
    """Event data cannot be encoded or decoded with the event's schema.

    ``path`` is the JSON-path-like location of the bad value (``$.order.items[2].price``).
    """

    def __init__(self, message: str, path: str = "$") -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


class SchemaError(EventApiError, TypeError):
    """An event schema (usually from generated code) is inconsistent."""


class TransportError(EventApiError):
    """A transport could not do what was asked (not started, closed, broker refused)."""
