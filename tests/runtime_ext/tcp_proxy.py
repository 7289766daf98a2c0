"""A TCP forwarder the tests control, to drop broker connections from the server side on demand.

Clients connect to the proxy instead of the broker; ``cut()`` aborts every open connection in both
directions (what a broker restart or a network failure looks like to a client) and can refuse new
ones for a while, without touching the shared broker service other tests use.
"""

from __future__ import annotations

import asyncio
import contextlib


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.host = "127.0.0.1"
        self.port = 0
        self.cuts = 0
        self.accepted = 0  # connections forwarded so far
        self.accepted_before_cut = 0
        self._server: asyncio.Server | None = None
        self._pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._accepting = True

    async def start(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._accept, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        self._abort_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def cut(self, down_for: float = 0.0) -> None:
        """Abort all connections; refuse new ones for ``down_for`` seconds."""
        self.cuts += 1
        self.accepted_before_cut = self.accepted
        self._accepting = False
        self._abort_all()
        await asyncio.sleep(down_for)
        self._accepting = True

    def _abort_all(self) -> None:
        for client, upstream in list(self._pairs):
            for writer in (client, upstream):
                writer.transport.abort()
        self._pairs.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self._accepting:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.accepted += 1
        pair = (writer, up_writer)
        self._pairs.add(pair)
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )
        self._pairs.discard(pair)
        for w in pair:
            w.transport.abort()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()
