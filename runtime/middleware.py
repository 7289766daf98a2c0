"""Shipped middleware: logging and retry, each usable on the send and the receive side.

Send middleware is ``async (ctx: SendContext, call_next) -> None``; receive middleware is
``async (received: Received, call_next) -> None``. Both classes here accept either, so the same
instance can go into ``send_middleware`` and ``receive_middleware``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from eventapi.runtime.transports.base import Backoff, Received, SendContext

log = logging.getLogger("eventapi.runtime")


class LoggingMiddleware:
    """Logs every send and every handled/failed delivery with its duration."""

    def __init__(self, logger: logging.Logger = log, level: int = logging.DEBUG) -> None:
        self.logger = logger
        self.level = level

    async def __call__(self, item: Any, call_next: Callable[[Any], Awaitable[None]]) -> None:
        event = item.event if isinstance(item, SendContext) else item.cloudevent
        verb = "sent" if isinstance(item, SendContext) else "handled"
        start = time.perf_counter()
        try:
            await call_next(item)
        except Exception as exc:
            self.logger.warning(
                "%s failed: %s %s on %r: %r", verb, event.type, event.id, item.channel, exc
            )
            raise
        self.logger.log(
            self.level,
            "%s %s %s on %r in %.1f ms",
            verb,
            event.type,
            event.id,
            item.channel,
            (time.perf_counter() - start) * 1000,
        )


class RetryMiddleware:
    """Retries the rest of the chain on exceptions, ``attempts`` times in all, with backoff.

    On the receive side this retries inside one delivery, before the transport's own redelivery
    and dead-letter logic sees a failure. ``retry_on`` narrows which exceptions are retried.
    """

    def __init__(
        self,
        attempts: int = 3,
        backoff: Backoff | None = None,
        retry_on: tuple[type[BaseException], ...] = (Exception,),
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.attempts = attempts
        self.backoff = backoff or Backoff(initial=0.05, maximum=2.0)
        self.retry_on = retry_on

    async def __call__(self, item: Any, call_next: Callable[[Any], Awaitable[None]]) -> None:
        for attempt in range(1, self.attempts + 1):
            try:
                await call_next(item)
                return
            except self.retry_on:
                if attempt == self.attempts:
                    raise
                await asyncio.sleep(self.backoff.delay(attempt))


__all__ = ["LoggingMiddleware", "Received", "RetryMiddleware"]
