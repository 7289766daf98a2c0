"""A consumer process for kill tests: prints the seq of every handled event, one per line.

Usage: python consumer_proc.py kafka <bootstrap> <topic> <group> | amqp <url> <exchange> <channel> <group>
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from events import USER_CREATED  # run as a script: this folder is on sys.path

from eventapi.runtime.transports.base import Received, Transport


def make(argv: list[str]) -> tuple[Transport, str, str]:
    kind = argv[0]
    if kind == "kafka":
        from eventapi.runtime.transports.kafka import KafkaConfig, KafkaTransport

        consumer = {"session.timeout.ms": 2000, "heartbeat.interval.ms": 300}
        config = KafkaConfig(bootstrap_servers=argv[1], consumer=consumer, batch_size=100)
        return KafkaTransport(config), argv[2], argv[3]
    from eventapi.runtime.transports.amqp import AmqpConfig, AmqpTransport

    amqp = AmqpConfig(
        url=argv[1], exchange=argv[2], connection_name="test", prefetch=50, queue_expires_ms=600_000
    )
    return AmqpTransport(amqp), argv[3], argv[4]


async def main() -> None:
    transport, channel, group = make(sys.argv[1:])

    async def handle(received: Received[Any]) -> None:
        await asyncio.sleep(0.001)  # some work, so a kill lands mid-stream
        sys.stdout.write(f"{received.event.seq}\n")
        sys.stdout.flush()

    async with transport:
        sub = await transport.subscribe(channel, handle, group=group, schema=USER_CREATED)
        await sub.wait_ready(60)
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
