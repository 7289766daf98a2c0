"""Which CloudEvents attribute a binary-mode header carries, remembered per header name.

Every binding reads attributes from prefixed headers (Kafka ``ce_``; AMQP ``ce-``, ``cloudEvents_``,
``cloudEvents:``; NATS ``ce-``), matched case-insensitively, and some from a content-type header.
Messages repeat the same few names, so the answer is worked out once per name and kept; bindings
look it up with ``routes.get(name) or routes.learn(name)``, one dict lookup on the hot path.
"""

from __future__ import annotations

from eventapi.runtime.cloudevent import CORE_ATTRIBUTES

#: What a header is: not a CloudEvents header, a core attribute, an extension, the content type.
OTHER, CORE, EXTENSION, CONTENT_TYPE = range(4)
Route = tuple[str, int]
_CORE = frozenset(CORE_ATTRIBUTES)
_LIMIT = 10_000  # names kept; beyond that (a sender inventing names) routes are recomputed


class HeaderRoutes(dict[str, Route]):
    """Header name → (attribute name, kind); ``learn`` works out and keeps a new name."""

    def __init__(self, prefixes: tuple[str, ...], content_type_header: str | None = None) -> None:
        super().__init__()
        self.prefixes = prefixes
        self.content_type_header = content_type_header

    def learn(self, name: str) -> Route:
        lower = name.lower()
        route: Route = ("", OTHER)
        if lower == self.content_type_header:
            route = ("datacontenttype", CONTENT_TYPE)
        else:
            for prefix in self.prefixes:
                if lower.startswith(prefix):
                    attr = lower[len(prefix) :]
                    route = (attr, CORE if attr in _CORE else EXTENSION)
                    break
        if len(self) < _LIMIT:
            self[name] = route
        return route
