"""Hover text: operation_signatures renders the generated methods from the same templates."""

from __future__ import annotations

from eventapi.generators.pipeline import load_and_check
from eventapi.generators.sdk.signatures import operation_signatures

from .conftest import EXAMPLES, generate


def _op(name: str):  # type: ignore[no-untyped-def]
    ws = load_and_check([str(EXAMPLES / "commerce")], []).workspace
    for _file, service in ws.services():
        for op in service.operations:
            if op.name == name:
                return ws, service, op
    raise AssertionError(name)


def test_send_signature_per_protocol_matches_the_generated_client() -> None:
    ws, service, op = _op("SendOrderPlaced")
    sigs = operation_signatures(ws, service, op)
    assert sorted(sigs) == ["amqp", "kafka", "mqtt", "nats", "rocketmq"]
    clients = {o.path: o.content for o in generate([EXAMPLES / "commerce"])}
    for protocol, text in sigs.items():
        head = text.split("    ) -> CloudEvent:")[0].split("async def ", 1)[1]
        assert "async def " + head in clients[f"order_event_bus/{protocol}/client.py"]
        assert f"from order_event_bus.{protocol} import Client, Config, OrderPlaced" in text
    assert 'routing_key: str | None = "order.placed"' in sigs["amqp"]
    assert 'tag: str | None = "placed"' in sigs["rocketmq"]
    assert "qos: int = 1" in sigs["mqtt"]


def test_receive_signature_shows_handler_and_iterator_forms() -> None:
    ws, service, op = _op("ReceiveOrderCancelled")
    text = operation_signatures(ws, service, op)["kafka"]
    assert "handler: Callable[[ReceivedOrderCancelled], Awaitable[None]]" in text
    assert "async def receive_order_cancelled_iter(" in text
    assert "-> AsyncIterator[ReceivedOrderCancelled]:" in text


def test_signatures_cover_only_the_services_protocols() -> None:
    ws, service, op = _op("SendParcelShipped")
    assert sorted(operation_signatures(ws, service, op)) == ["kafka", "nats"]
