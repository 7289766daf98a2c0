"""The typed model's immutable nodes: files, events, services, operations, bindings and sinks.

Every value the user wrote keeps the span of its token (`Located`), so rules and the language
server can point at one option field, one list entry or one mapping entry. Nodes compare by
identity (eq=False): unchanged nodes are reused across edits and serve as cache keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from eventapi.generators.diagnostics import Diagnostic
from eventapi.generators.syntax import ast
from eventapi.generators.syntax.tokens import Span

T = TypeVar("T")


@dataclass(frozen=True, slots=True, eq=False)
class Located(Generic[T]):
    value: T
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class FieldNode:
    name: str
    name_span: Span
    number: int | None
    label: str  # "", "optional", "repeated"
    type_name: str  # as written; resolve through the workspace
    type_span: Span
    map_key: str | None
    oneof: str
    comment: str
    subject: Located[bool] | None
    header: Located[bool] | None
    json_name: str | None
    span: Span

    @property
    def is_subject(self) -> bool:
        return bool(self.subject and self.subject.value)

    @property
    def is_header(self) -> bool:
        return bool(self.header and self.header.value)

    @property
    def repeated(self) -> bool:
        return self.label == "repeated" or self.map_key is not None


@dataclass(frozen=True, slots=True, eq=False)
class EnumValueNode:
    name: str
    number: int | None
    comment: str
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class EnumNode:
    name: str
    full_name: str
    name_span: Span
    values: tuple[EnumValueNode, ...]
    comment: str
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class MessageNode:
    name: str
    full_name: str
    name_span: Span
    fields: tuple[FieldNode, ...]
    messages: tuple[MessageNode, ...]
    enums: tuple[EnumNode, ...]
    oneofs: tuple[str, ...]
    event_type: Located[str] | None
    content_type: Located[str] | None  # an EventDataContentType value name
    comment: str
    span: Span

    def field(self, name: str) -> FieldNode | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def is_event(self) -> bool:
        return self.event_type is not None


@dataclass(frozen=True, slots=True, eq=False)
class Protocol:
    name: Located[str]
    version: Located[str] | None
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class KafkaBinding:
    key: Located[str] | None
    partition: Located[int] | None
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class AmqpBinding:
    exchange: Located[str] | None
    routing_key: Located[str] | None
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class MqttBinding:
    qos: Located[int] | None
    retain: Located[bool] | None
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class NatsBinding:
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class RocketmqBinding:
    tag: Located[str] | None
    key: Located[str] | None
    message_type: Located[str] | None
    delay_level: Located[int] | None
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class Bindings:
    kafka: KafkaBinding | None = None
    amqp: AmqpBinding | None = None
    mqtt: MqttBinding | None = None
    nats: NatsBinding | None = None
    rocketmq: RocketmqBinding | None = None

    def declared(self) -> dict[str, Span]:
        """Protocol name -> span of its binding literal, for the bindings present."""
        out: dict[str, Span] = {}
        for name in ("kafka", "amqp", "mqtt", "nats", "rocketmq"):
            b = getattr(self, name)
            if b is not None:
                out[name] = b.span
        return out


@dataclass(frozen=True, slots=True, eq=False)
class MappingNode:
    header_path: Located[str] | None
    data_path: Located[str] | None
    target_column: Located[str] | None
    type: Located[str] | None  # a ColumnType value name
    not_null: Located[bool] | None
    comment: Located[str] | None
    ignore: Located[bool] | None
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class SinkConfigNode:
    checkpoint_interval: Located[str] | None
    batch_size: Located[int] | None
    parallelism: Located[int] | None
    properties: tuple[tuple[Located[str], Located[str]], ...]
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class SinkNode:
    target: Located[str] | None  # a SinkType value name
    database: Located[str] | None
    table: Located[str] | None
    primary_key: tuple[Located[str], ...]
    partition_key: tuple[Located[str], ...]
    mappings: tuple[MappingNode, ...]
    config: SinkConfigNode | None
    source_topic: Located[str] | None
    content_type: Located[str] | None
    auto_infer: Located[bool] | None
    auto_map: Located[bool] | None
    option_span: Span  # the option's name, e.g. (eventapi.v1.sink)
    span: Span  # the literal

    @property
    def target_name(self) -> str:
        """starrocks, mysql, clickhouse, postgresql, or "" when unset."""
        if self.target is None or self.target.value == "SINK_TYPE_UNSPECIFIED":
            return ""
        return self.target.value.removeprefix("SINK_TYPE_").lower()


@dataclass(frozen=True, slots=True, eq=False)
class TypeRef:
    name: str
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class OperationNode:
    name: str
    name_span: Span
    input: TypeRef
    output: TypeRef
    streaming: bool
    has_operation: bool
    option_span: Span | None
    action: Located[str] | None  # SEND, RECEIVE, UNSPECIFIED
    address: Located[str] | None
    description: str
    bindings: Bindings
    sinks: tuple[SinkNode, ...]
    comment: str
    span: Span

    @property
    def action_name(self) -> str:
        return self.action.value if self.action else "UNSPECIFIED"


@dataclass(frozen=True, slots=True, eq=False)
class ServiceNode:
    name: str
    full_name: str
    name_span: Span
    server_span: Span | None  # the (eventapi.v1.server) option name, when present
    protocols: tuple[Protocol, ...]
    operations: tuple[OperationNode, ...]  # every rpc, with or without an operation option
    comment: str
    span: Span

    @property
    def is_event_bus(self) -> bool:
        return self.server_span is not None

    def protocol_names(self) -> tuple[str, ...]:
        return tuple(p.name.value for p in self.protocols)


@dataclass(frozen=True, slots=True, eq=False)
class ExtensionDecl:
    """A user's own `extend google.protobuf.XOptions { ... }` field (a custom option)."""

    full_name: str
    extendee: str
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class ForeignOption:
    """A custom option from outside the IDL, checked against the workspace's extensions."""

    option: ast.Option
    scope: str


@dataclass(frozen=True, slots=True, eq=False)
class Part:
    """What one parsed chunk contributes to its file."""

    messages: tuple[MessageNode, ...]
    enums: tuple[EnumNode, ...]
    services: tuple[ServiceNode, ...]
    extensions: tuple[ExtensionDecl, ...]
    foreign: tuple[ForeignOption, ...]
    diagnostics: tuple[Diagnostic, ...]
