"""Receive timing shared by the runtime benchmarks: first to last event, so consumer set-up
(group joins, stream creation) counts on neither side."""

from __future__ import annotations

import asyncio
import time


class Clock:
    """Counts received events; ``rate()`` is events per second between the first and the last."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.count = 0
        self.first = 0.0
        self.last = 0.0
        self.done = asyncio.Event()

    def tick(self) -> None:
        now = time.perf_counter()
        if self.count == 0:
            self.first = now
        self.count += 1
        self.last = now
        if self.count >= self.expected:
            self.done.set()

    def rate(self) -> float:
        return (self.count - 1) / (self.last - self.first)

    async def wait(self, timeout: float) -> None:
        """Until ``expected`` events arrived; a clear error naming the shortfall otherwise."""
        try:
            await asyncio.wait_for(self.done.wait(), timeout)
        except TimeoutError:
            raise RuntimeError(f"only {self.count} of {self.expected} events arrived") from None
