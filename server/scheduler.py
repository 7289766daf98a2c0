"""Debounced, coalescing analysis on one worker thread; stale results are dropped.

Every edit bumps the generation. An edit after a quiet moment is analysed at once (no added
latency for a single change); edits in quick succession (a burst of typing) re-arm a short timer
instead, so one analysis covers the burst. A result whose generation is no longer the latest is
never published (the newer run will be). Requests that need an up-to-date model (`current()`)
skip the debounce and wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from eventapi.server.analysis import Analysis, Snapshot
from eventapi.server.documents import DocumentManager

log = logging.getLogger(__name__)
DEBOUNCE_SECONDS = 0.075
QUIET_SECONDS = 0.05  # an edit this long after the previous one is not part of a burst


class Scheduler:
    def __init__(
        self,
        analysis: Analysis,
        documents: DocumentManager,
        on_result: Callable[[Snapshot, Snapshot | None, set[str]], None],
    ) -> None:
        self.analysis = analysis
        self.documents = documents
        self.on_result = on_result
        self.generation = 0
        self.latest: Snapshot | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="eventapi-analysis")
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._rerun = False
        self._changed: set[str] = set()
        self._waiters: list[tuple[int, asyncio.Future[Snapshot]]] = []
        self._last_touch = 0.0

    def touch(self, changed: str | None = None, delay: float = DEBOUNCE_SECONDS) -> None:
        """Something changed (a path, or everything when None): analyse again after `delay`."""
        self.generation += 1
        if changed is not None:
            self._changed.add(changed)
        loop = asyncio.get_running_loop()
        now = loop.time()
        burst = now - self._last_touch < QUIET_SECONDS
        self._last_touch = now
        busy = self._task is not None and not self._task.done()
        if self._timer is not None:
            self._timer.cancel()
        elif not burst and not busy:
            delay = 0
        self._timer = loop.call_later(delay, self._fire)

    def _fire(self) -> None:
        self._timer = None
        if self._task is not None and not self._task.done():
            self._rerun = True
            return
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._rerun = False
            generation = self.generation
            overlay = self.documents.overlay()
            versions = self.documents.versions()
            changed, self._changed = self._changed, set()
            try:
                snap = await loop.run_in_executor(
                    self._executor, self.analysis.analyze, generation, overlay, versions
                )
            except Exception:
                log.exception("analysis failed")
                self._fail_waiters(generation)
                snap = None
            if snap is not None:
                self._deliver(snap, changed)
            if not self._rerun and self.generation == generation:
                return
            if self.generation != generation and self._timer is not None:
                return  # a debounce timer is armed; it starts the next run

    def _deliver(self, snap: Snapshot, changed: set[str]) -> None:
        previous = self.latest
        if snap.generation != self.generation:
            # Stale: keep the paths for the next run, do not publish.
            self._changed |= changed
            self._resolve_waiters(snap, stale=True)
            return
        self.latest = snap
        try:
            self.on_result(snap, previous, changed)
        except Exception:
            log.exception("publishing results failed")
        self._resolve_waiters(snap, stale=False)

    def _resolve_waiters(self, snap: Snapshot, stale: bool) -> None:
        keep: list[tuple[int, asyncio.Future[Snapshot]]] = []
        for generation, fut in self._waiters:
            if fut.done():
                continue
            if generation <= snap.generation and not stale:
                fut.set_result(snap)
            else:
                keep.append((generation, fut))
        self._waiters = keep

    def _fail_waiters(self, generation: int) -> None:
        for gen, fut in self._waiters:
            if gen <= generation and not fut.done():
                fut.set_exception(RuntimeError("analysis failed; see the server log"))
        self._waiters = [(g, f) for g, f in self._waiters if not f.done()]

    async def current(self) -> Snapshot:
        """A snapshot of the latest texts, analysing now if needed (no debounce)."""
        latest = self.latest
        if latest is not None and latest.generation == self.generation:
            return latest
        fut: asyncio.Future[Snapshot] = asyncio.get_running_loop().create_future()
        self._waiters.append((self.generation, fut))
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._fire()
        return await fut

    def shutdown(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)
