"""What differs between protocols in a generated client, as data: runtime classes, options, controls.

One `ProtocolSpec` per broker names the runtime classes the client is built on and the members of
the typed received wrapper; `send_params` / `receive_params` turn an operation's binding into the
keyword parameters (with the binding's values as defaults) and the runtime options they fill.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eventapi.generators.model import nodes as n
from eventapi.generators.sdk.layout import py_str

PROTOCOLS = ("kafka", "amqp", "mqtt", "nats", "rocketmq")


@dataclass(frozen=True, slots=True)
class Param:
    """A keyword parameter of a generated method."""

    name: str
    annotation: str
    default: str
    doc: str

    @property
    def text(self) -> str:
        return f"{self.name}: {self.annotation} = {self.default}"


@dataclass(frozen=True, slots=True)
class Member:
    """A property or method of the typed received wrapper, forwarding to the runtime's object."""

    name: str
    returns: str
    doc: str
    body: tuple[str, ...]
    params: str = ""  # after self; "" and is_property for properties
    is_property: bool = True
    is_async: bool = False


@dataclass(frozen=True, slots=True)
class ProtocolSpec:
    name: str
    title: str
    module: str
    config: str
    transport: str
    send_options: str
    raw_received: tuple[str, ...]  # runtime class(es) a handler receives
    subscribe_options: str | None
    extra: str
    config_example: str  # keyword arguments for the quickstart
    members: tuple[Member, ...]

    @property
    def raw_annotation(self) -> str:
        return " | ".join(self.raw_received)

    @property
    def imports(self) -> tuple[str, ...]:
        names = [self.config, self.transport, self.send_options, *self.raw_received]
        if self.subscribe_options:
            names.append(self.subscribe_options)
        return tuple(names)


def _prop(name: str, returns: str, doc: str, expr: str | None = None) -> Member:
    return Member(name, returns, doc, (f"return {expr or 'self._raw.' + name}",))


def _method(name: str, params: str, doc: str, call: str) -> Member:
    return Member(name, "None", doc, (f"await {call}",), params, False, True)


COMMON_MEMBERS = (
    _prop("attempt", "int", "1 for the first delivery; counts the redeliveries seen."),
    _prop("settled", "bool", "True once acked, committed or rejected."),
    _method(
        "ack",
        "",
        "Settle as handled (idempotent); returning normally does it too.",
        "self._raw.ack()",
    ),
)

SPECS: dict[str, ProtocolSpec] = {
    "kafka": ProtocolSpec(
        "kafka",
        "Kafka",
        "eventapi.runtime.transports.kafka",
        "KafkaConfig",
        "KafkaTransport",
        "KafkaSendOptions",
        ("KafkaReceived",),
        None,
        "kafka",
        'bootstrap_servers="127.0.0.1:9092"',
        (
            _prop("topic", "str", "The record's topic."),
            _prop("partition", "int", "The record's partition."),
            _prop("offset", "int", "The record's offset."),
            _prop("key", "bytes | None", "The record key."),
            _method("commit", "", "Mark handled and commit this offset now.", "self._raw.commit()"),
        ),
    ),
    "amqp": ProtocolSpec(
        "amqp",
        "AMQP",
        "eventapi.runtime.transports.amqp",
        "AmqpConfig",
        "AmqpTransport",
        "AmqpSendOptions",
        ("AmqpReceived",),
        "AmqpSubscribeOptions",
        "amqp",
        'url="amqp://guest:guest@127.0.0.1:5672/"',
        (
            _prop("delivery_tag", "int", "The channel's delivery tag."),
            _prop("redelivered", "bool", "RabbitMQ's redelivered flag."),
            _method(
                "nack",
                "requeue: bool = True",
                "Settle as failed: back to the queue, or to the dead-letter queue.",
                "self._raw.nack(requeue)",
            ),
        ),
    ),
    "mqtt": ProtocolSpec(
        "mqtt",
        "MQTT",
        "eventapi.runtime.transports.mqtt",
        "MqttConfig",
        "MqttTransport",
        "MqttSendOptions",
        ("MqttReceived",),
        "MqttSubscribeOptions",
        "mqtt",
        'host="127.0.0.1", port=1883',
        (
            _prop("topic", "str", "The PUBLISH topic."),
            _prop("qos", "int", "The delivery's QoS."),
            _prop("retain", "bool", "The retain flag."),
        ),
    ),
    "nats": ProtocolSpec(
        "nats",
        "NATS",
        "eventapi.runtime.transports.nats",
        "NatsConfig",
        "NatsTransport",
        "NatsSendOptions",
        ("NatsReceived", "NatsCoreReceived"),
        None,
        "nats",
        'servers=("nats://127.0.0.1:4222",)',
        (
            _prop("subject", "str", "The NATS subject.", "str(self._raw.msg.subject)"),
            Member(
                "stream_sequence",
                "int | None",
                "The JetStream stream sequence (None on core NATS).",
                (
                    "if isinstance(self._raw, NatsReceived):",
                    "    return self._raw.stream_sequence",
                    "return None",
                ),
            ),
            Member(
                "nak",
                "None",
                "Settle as failed; JetStream redelivers after `delay` seconds.",
                (
                    "if not isinstance(self._raw, NatsReceived):",
                    '    raise TransportError("core NATS has no negative acknowledgement")',
                    "await self._raw.nak(delay)",
                ),
                "delay: float | None = None",
                False,
                True,
            ),
            Member(
                "term",
                "None",
                "Settle as never to be redelivered (JetStream).",
                (
                    "if not isinstance(self._raw, NatsReceived):",
                    '    raise TransportError("core NATS has no term acknowledgement")',
                    "await self._raw.term()",
                ),
                "",
                False,
                True,
            ),
        ),
    ),
    "rocketmq": ProtocolSpec(
        "rocketmq",
        "RocketMQ",
        "eventapi.runtime.transports.rocketmq",
        "RocketMQConfig",
        "RocketMQTransport",
        "RocketMQSendOptions",
        ("RocketMQReceived",),
        "RocketMQSubscribeOptions",
        "rocketmq",
        'endpoints="127.0.0.1:8081"',
        (
            _prop("message_id", "str", "The broker's message id."),
            _prop("delivery_attempt", "int", "Deliveries so far, counted by the broker."),
            _prop("tag", "str | None", "The message tag."),
            _prop("keys", "frozenset[str]", "The message keys."),
            _prop("message_group", "str | None", "The FIFO message group."),
        ),
    ),
}

#: Client constructor keywords that override the same-named TransportConfig settings.
CONFIG_OVERRIDES = (
    Param("source", "str | None", "None", "CloudEvent `source` of sent events."),
    Param("enabled", "bool | None", "None", "False turns sends into no-ops and never connects."),
    Param(
        "extensions_provider",
        "ExtensionsProvider | None",
        "None",
        "Called on every send; its extensions go under the event's own.",
    ),
    Param("send_middleware", "Sequence[SendMiddleware] | None", "None", "Send middleware chain."),
    Param(
        "receive_middleware",
        "Sequence[ReceiveMiddleware] | None",
        "None",
        "Receive middleware chain.",
    ),
    Param("error_hook", "ErrorHook | None", "None", "Hears about failed deliveries."),
)

#: Keywords of every send method, after the protocol's own.
COMMON_SEND = (
    Param("subject", "str | None", "None", "Overrides the subject taken from the event."),
    Param(
        "extensions",
        "Mapping[str, ExtensionValue] | None",
        "None",
        "Extra CloudEvent extension attributes.",
    ),
    Param("failure", "Failure | None", "None", "Marks the event as reporting a failure."),
    Param("id", "str | None", "None", "CloudEvent id (default: a new UUID)."),
    Param("time", "datetime | None", "None", "CloudEvent time (default: now)."),
    Param("structured", "bool | None", "None", "Structured content mode for this send."),
)

FieldExpr = Callable[[str, bool], str | None]
"""(proto field name, as_str) -> a Python expression reading it from `event`, or None."""


def _lit(value: str | None) -> str:
    return "None" if value is None else py_str(value)


@dataclass(frozen=True, slots=True)
class SendShape:
    """How a send method fills its protocol's SendOptions."""

    params: tuple[Param, ...]
    args: tuple[str, ...]  # SendOptions keyword arguments
    defaults: tuple[str, ...]  # statements filling defaults from the event (8-column indent)
    transactional: bool


def _default(name: str, expr: str) -> list[str]:
    return [f"if {name} is None:", f"    {name} = {expr}"]


def send_params(protocol: str, op: n.OperationNode, field_expr: FieldExpr) -> SendShape:
    """The protocol keywords of a send method and how they become SendOptions."""
    b = op.bindings
    params: list[Param] = []
    args: list[str] = []
    defaults: list[str] = []
    transactional = False
    if protocol == "kafka":
        kb = b.kafka
        key_field = kb.key.value if kb and kb.key else None
        key_expr = field_expr(key_field, False) if key_field else None
        doc = f"Record key (default: the event's `{key_field}`)." if key_expr else "Record key."
        params.append(Param("key", "bytes | str | None", "None", doc))
        args.append("key=key")
        if key_expr:
            defaults += _default("key", key_expr)
        part = str(kb.partition.value) if kb and kb.partition else "None"
        params.append(Param("partition", "int | None", part, "Pin the record to a partition."))
        args.append("partition=partition")
    elif protocol == "amqp":
        ab = b.amqp
        exchange = ab.exchange.value if ab and ab.exchange else None
        routing = ab.routing_key.value if ab and ab.routing_key else None
        params += [
            Param("exchange", "str | None", _lit(exchange), "Exchange (None: the config's)."),
            Param("routing_key", "str | None", _lit(routing), "Routing key (None: the address)."),
            Param("priority", "int | None", "None", "Message priority."),
            Param("persistent", "bool", "True", "Persistent delivery mode."),
        ]
        args += [
            "exchange=exchange",
            "routing_key=routing_key",
            "priority=priority",
            "persistent=persistent",
        ]
    elif protocol == "mqtt":
        mb = b.mqtt
        qos = str(mb.qos.value) if mb and mb.qos else "1"
        retain = "True" if mb and mb.retain and mb.retain.value else "False"
        params += [
            Param("qos", "int", qos, "MQTT QoS (0, 1 or 2)."),
            Param("retain", "bool", retain, "Ask the broker to retain the message."),
        ]
        args += ["qos=qos", "retain=retain"]
    elif protocol == "rocketmq":
        rb = b.rocketmq
        tag = rb.tag.value if rb and rb.tag else None
        key_field = rb.key.value if rb and rb.key else None
        key_expr = field_expr(key_field, True) if key_field else None
        kind = rb.message_type.value if rb and rb.message_type else "NORMAL"
        level = str(rb.delay_level.value) if rb and rb.delay_level and kind == "DELAY" else "None"
        params.append(Param("tag", "str | None", _lit(tag), "Message tag."))
        args.append("tag=tag")
        if key_expr:
            params.append(
                Param(
                    "keys",
                    "Sequence[str] | None",
                    "None",
                    f"Message keys (default: the event's `{key_field}`).",
                )
            )
            defaults += _default("keys", f"({key_expr},)")
            args.append("keys=tuple(keys)")
        else:
            params.append(Param("keys", "Sequence[str]", "()", "Message keys."))
            args.append("keys=tuple(keys)")
        group_expr = (key_expr or field_expr("", True)) if kind == "ORDER" else None
        if group_expr:
            params.append(
                Param(
                    "message_group",
                    "str | None",
                    "None",
                    "FIFO message group (default: the event's key or subject).",
                )
            )
            # Transactional messages cannot be FIFO, so the default group only applies without one.
            defaults += [
                "if message_group is None and transaction is None:",
                f"    message_group = {group_expr}",
            ]
            args.append("message_group=message_group")
        else:
            params.append(Param("message_group", "str | None", "None", "FIFO message group."))
            args.append("message_group=message_group")
        params += [
            Param("delay_level", "int | None", level, "Delay level 1..18 (1s .. 2h)."),
            Param("delay", "timedelta | None", "None", "Deliver after this delay."),
            Param("deliver_at", "datetime | None", "None", "Deliver at this time."),
            Param(
                "transaction",
                "LocalTransaction | None",
                "None",
                "Send as a transactional half message, commit if this returns True.",
            ),
        ]
        # The binding's level is only a default: an explicit delay or time replaces it.
        defaults += ["if delay is not None or deliver_at is not None:", "    delay_level = None"]
        args += [
            "delay_level=delay_level",
            "delay=delay",
            "deliver_at=deliver_at",
        ]
        transactional = True
    args.append("structured=structured")
    return SendShape(tuple(params), tuple(args), tuple(defaults), transactional)


def receive_params(
    protocol: str, op: n.OperationNode, send_bindings: n.Bindings | None
) -> tuple[tuple[Param, ...], tuple[str, ...]]:
    """The protocol keywords of a receive method and its subscribe-options arguments.

    A RECEIVE operation without its own binding takes the AMQP exchange/routing key of the SEND
    operation on the same address, so that a generated receiver finds what the sender publishes.
    """
    b = op.bindings
    if protocol == "amqp":
        ab = b.amqp or (send_bindings.amqp if send_bindings else None)
        exchange = ab.exchange.value if ab and ab.exchange else None
        routing = ab.routing_key.value if ab and ab.routing_key else None
        return (
            Param("queue", "str | None", "None", "Queue name (default: <address>.<group>)."),
            Param("exchange", "str | None", _lit(exchange), "Exchange to bind to."),
            Param("routing_key", "str | None", _lit(routing), "Binding key (default: address)."),
        ), ("queue=queue", "exchange=exchange", "routing_key=routing_key")
    if protocol == "mqtt":
        mb = b.mqtt
        qos = str(mb.qos.value) if mb and mb.qos else "1"
        return (Param("qos", "int", qos, "Subscription QoS."),), ("qos=qos",)
    if protocol == "rocketmq":
        rb = b.rocketmq
        tag = rb.tag.value if rb and rb.tag else "*"
        return (Param("tag_expression", "str", py_str(tag), "Tag filter, e.g. 'a||b'."),), (
            "tag_expression=tag_expression",
        )
    return (), ()
