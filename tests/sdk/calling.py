"""Calling code written once against a generated package, whatever its protocol.

This is the seed's promise under test: switching Kafka to AMQP (or any other) is a regeneration
and an import change; the code below never names a protocol.
"""

from __future__ import annotations

import asyncio
from types import ModuleType
from typing import Any


async def place_and_receive(
    sdk: ModuleType, config: Any, event: Any, group: str, timeout: float = 30.0
) -> tuple[Any, Any]:
    """Subscribe, send `event`, and return (the CloudEvent sent, the typed received wrapper)."""
    got: asyncio.Queue[Any] = asyncio.Queue()

    async def handle(received: Any) -> None:
        if received.event.order_id == event.order_id:
            await got.put(received)

    async with sdk.Client(config, source="tests/sdk") as client:
        sub = await client.receive_order_placed(handle, group=group)
        await sub.wait_ready()
        sent = await client.send_order_placed(event)
        received = await asyncio.wait_for(got.get(), timeout)
        await sub.stop()
    return sent, received


async def announce_and_receive(
    sdk: ModuleType, config: Any, event: Any, group: str, timeout: float = 30.0
) -> tuple[Any, Any]:
    """The same for UserEventBus (send_user_created / receive_user_created_iter)."""
    async with sdk.Client(config, source="tests/sdk") as client:
        items = client.receive_user_created_iter(group=group)
        first = asyncio.ensure_future(anext(items))
        await asyncio.sleep(0)  # let the iterator subscribe before sending
        await _subscribed(client)
        sent = await client.send_user_created(event)
        received = await asyncio.wait_for(first, timeout)
        while received.event != event:
            received = await asyncio.wait_for(anext(items), timeout)
        await received.ack()
        await items.aclose()
    return sent, received


async def _subscribed(client: Any, timeout: float = 30.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if client.transport.subscriptions:
            await client.transport.subscriptions[0].wait_ready(timeout)
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the iterator never subscribed")
