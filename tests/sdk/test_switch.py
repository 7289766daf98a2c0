"""Switching protocols: edit `server.protocols`, regenerate, change the import; calling code stays.

The seed's example (UserEventBus) goes Kafka -> AMQP -> MQTT -> NATS -> RocketMQ. After each
regeneration the previous protocol's package is removed from the output, and the one function in
calling.py sends and receives through the new package on the real broker.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .calling import announce_and_receive
from .conftest import EXAMPLES, KAFKA_CONSUMER, generate, import_fresh, write_outputs

ORIGINAL = 'protocols: [{ name: "kafka", version: "3.5.0" }]'


async def test_same_calling_code_after_switching_protocol_and_regenerating(
    tmp_path: Path,
    kafka_bootstrap: str,
    rabbitmq_url: str,
    mosquitto: tuple[str, int],
    nats_server: tuple[str, int],
    rocketmq_proxy: Any,
) -> None:
    text = (EXAMPLES / "user_event_bus" / "user_event_bus.proto").read_text(encoding="utf-8")
    assert ORIGINAL in text
    src, out = tmp_path / "proto", tmp_path / "gen"
    src.mkdir()
    proto = src / "user_event_bus.proto"
    nats = f"nats://{nats_server[0]}:{nats_server[1]}"
    configs: dict[str, Callable[[Any], Any]] = {
        "kafka": lambda sdk: sdk.Config(bootstrap_servers=kafka_bootstrap, consumer=KAFKA_CONSUMER),
        "amqp": lambda sdk: sdk.Config(url=rabbitmq_url),
        "mqtt": lambda sdk: sdk.Config(host=mosquitto[0], port=mosquitto[1]),
        "nats": lambda sdk: sdk.Config(servers=(nats,)),
        "rocketmq": lambda sdk: sdk.Config(endpoints=rocketmq_proxy.endpoint, await_duration=1),
    }
    previous: str | None = None
    try:
        for protocol, make_config in configs.items():
            edited = text.replace(ORIGINAL, f'protocols: [{{ name: "{protocol}" }}]')
            if protocol == "rocketmq":
                # RocketMQ topics take no dots (EA204 says so); the address is not calling code.
                edited = edited.replace('"user.events"', '"user-events"')
            proto.write_text(edited, encoding="utf-8")
            report = write_outputs(str(out), generate([src]))
            assert not report.problems
            packages = [p.parent.name for p in (out / "user_event_bus").glob("*/__init__.py")]
            assert packages == [protocol]
            if previous is not None:
                assert any(f"/{previous}/" in path for path in report.removed)
            sdk = import_fresh(out, f"user_event_bus.{protocol}")
            config = make_config(sdk)
            if protocol == "kafka":
                async with sdk.Client(config) as admin:
                    await admin.transport.create_topics(["user.events"])
            event = sdk.UserCreatedEvent(user_id=f"u-{uuid.uuid4()}", email=f"{protocol}@x.io")
            sent, received = await announce_and_receive(
                sdk, config, event, f"switch-{uuid.uuid4()}"
            )
            assert received.event == event, protocol
            assert received.cloudevent.id == sent.id
            assert received.cloudevent.subject == event.user_id
            previous = protocol
    finally:
        for name in [m for m in sys.modules if m.split(".")[0] == "user_event_bus"]:
            del sys.modules[name]
