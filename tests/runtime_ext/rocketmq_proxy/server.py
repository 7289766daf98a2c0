"""Runs the RocketMQ test proxy (gRPC test double of MessagingService) on its own thread.

The proxy owns one event loop thread; the broker state lives there and survives ``restart()``, which
closes every client connection and stream (a server-side connection drop) and listens again on the
same port. Inspection helpers hop onto that thread so tests can read state safely from anywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

import grpc
from rocketmq.grpc_protocol import service_pb2_grpc

from .broker import DLQ_PREFIX, Broker, BrokerConfig, StoredMessage
from .service import MessagingService

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RocketMQTestProxy:
    """Start with ``start()``; clients connect to ``endpoint`` (``127.0.0.1:<port>``)."""

    def __init__(self, config: BrokerConfig | None = None, port: int | None = None) -> None:
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.broker = Broker(config)
        self.service = MessagingService(self.broker, self.host, self.port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="rmq-proxy", daemon=True
        )
        self._server: grpc.aio.Server | None = None
        self._ticker: asyncio.Task[None] | None = None

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> RocketMQTestProxy:
        self._thread.start()
        self._call(self._serve())
        self._ticker = self._call(self._start_ticker())
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._call(self._shutdown(cancel_ticker=True))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def restart(self, down_for: float = 0.0) -> None:
        """Drop all connections and streams, stay down ``down_for`` s, listen again; keeps state."""
        self._call(self._shutdown(cancel_ticker=False))
        self._call(asyncio.sleep(down_for))
        self._call(self._serve())

    async def _serve(self) -> None:
        server = grpc.aio.server(options=[("grpc.so_reuseport", 1)])
        service_pb2_grpc.add_MessagingServiceServicer_to_server(self.service, server)
        bound = server.add_insecure_port(self.endpoint)
        if bound != self.port:
            raise RuntimeError(f"RocketMQ test proxy could not bind {self.endpoint}")
        await server.start()
        self._server = server

    async def _shutdown(self, cancel_ticker: bool) -> None:
        if self._server is not None:
            await self._server.stop(grace=None)
            self._server = None
        self.service.peers.clear()
        self.service.wake()
        if cancel_ticker and self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker

    async def _start_ticker(self) -> asyncio.Task[None]:
        return asyncio.create_task(self._tick())

    async def _tick(self) -> None:
        # Delayed and invisible messages become visible by time alone: wake long polls now and then,
        # and push due transaction checks.
        while True:
            await asyncio.sleep(0.1)
            self.service.push_transaction_checks()
            self.service.wake()

    def _call(self, coro: object) -> T:  # type: ignore[type-var]
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self._loop)  # type: ignore[arg-type]
        return future.result(30)

    def _run(self, fn: Callable[[], T]) -> T:
        async def wrapper() -> T:
            return fn()

        return self._call(wrapper())

    # --- inspection and configuration for tests ----------------------------------------------

    def messages(self, topic: str) -> list[StoredMessage]:
        """Committed messages of a topic, oldest first."""
        return self._run(lambda: list(self.broker.logs.get(topic, [])))

    def dead_letters(self, group: str) -> list[StoredMessage]:
        return self.messages(DLQ_PREFIX + group)

    def half_messages(self) -> int:
        return self._run(lambda: len(self.broker.half))

    def stats(self) -> dict[str, int]:
        return self._run(lambda: dict(self.broker.stats))

    def inject(self, topic: str, body: bytes, properties: dict[str, str]) -> None:
        """Store a message as if a producer had sent it (for poison messages in tests)."""

        def store() -> None:
            message = StoredMessage(
                topic=topic,
                message_id=uuid.uuid4().hex.upper(),
                body=body,
                user_properties=dict(properties),
                tag=None,
                keys=[],
                message_group=None,
                message_type=1,  # NORMAL
                born_host=self.host,
                born_at=time.time(),
                queue_id=0,
            )
            self.broker.store(message)
            self.service.wake()

        self._run(store)

    def set_max_delivery_attempts(self, group: str, attempts: int) -> None:
        self._run(lambda: self.broker.group_max_attempts.__setitem__(group, attempts))

    def __enter__(self) -> RocketMQTestProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
