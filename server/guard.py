"""Handlers never take the server down: exceptions are logged and an empty answer is returned."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
log = logging.getLogger("eventapi.server")


def guarded(default: Any = None) -> Callable[[F], F]:
    """Wrap an async handler: on any exception log it and answer `default`."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        async def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(*args, **kwargs)
            except Exception:
                log.exception("%s failed", fn.__name__)
                return default

        return cast(F, run)

    return wrap
