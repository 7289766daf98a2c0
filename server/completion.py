"""placeholder."""

from __future__ import annotations

from eventapi.server.app import EventApiServer


def register(server: EventApiServer) -> None:
    pass
