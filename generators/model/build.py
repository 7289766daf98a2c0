"""Turn one parsed chunk into typed model nodes, checking its options on the way."""

from __future__ import annotations

from eventapi.generators.model import nodes as n
from eventapi.generators.model.options import Interpreted, OMessage, OptionChecker, OScalar
from eventapi.generators.model.schema import Schema
from eventapi.generators.syntax import ast
from eventapi.generators.syntax.tokens import Span

EV = "eventapi.v1."


def _str(m: OMessage | None, name: str) -> n.Located[str] | None:
    s = m.scalar(name) if m else None
    return n.Located(str(s.value), s.span) if s is not None else None


def _int(m: OMessage | None, name: str) -> n.Located[int] | None:
    s = m.scalar(name) if m else None
    return n.Located(int(s.value), s.span) if s is not None else None


def _bool(m: OMessage | None, name: str) -> n.Located[bool] | None:
    s = m.scalar(name) if m else None
    return n.Located(bool(s.value), s.span) if s is not None else None


def _strs(m: OMessage, name: str) -> tuple[n.Located[str], ...]:
    return tuple(n.Located(str(s.value), s.span) for s in m.scalars(name))


def _one(interp: Interpreted, name: str) -> tuple[OScalar | OMessage | None, Span | None]:
    values = interp.ext.get(EV + name)
    if not values:
        return None, None
    return values[-1], interp.ext_spans.get(EV + name)


class ChunkBuilder:
    """Builds the nodes of one chunk; `checker` collects the option diagnostics."""

    def __init__(self, schema: Schema, path: str, package: str) -> None:
        self.package = package
        self.checker = OptionChecker(schema, path, package)
        self.foreign: list[n.ForeignOption] = []
        self.extensions: list[n.ExtensionDecl] = []

    def _options(self, options: tuple[ast.Option, ...], where: str, scope: str) -> Interpreted:
        interp = self.checker.interpret(options, where)
        self.foreign.extend(n.ForeignOption(o, scope) for o in interp.foreign)
        return interp

    def build(self, chunk: ast.Chunk) -> n.Part:
        messages: list[n.MessageNode] = []
        enums: list[n.EnumNode] = []
        services: list[n.ServiceNode] = []
        file_options: list[ast.Option] = []
        prefix = self.package
        for d in chunk.decls:
            if isinstance(d, ast.Message):
                messages.append(self.message(d, prefix))
            elif isinstance(d, ast.Enum):
                enums.append(self.enum(d, prefix))
            elif isinstance(d, ast.Service):
                services.append(self.service(d, prefix))
            elif isinstance(d, ast.Extend):
                self.extend(d, prefix)
            elif isinstance(d, ast.Option):
                file_options.append(d)
        if file_options:
            self._options(tuple(file_options), "file", prefix)
        return n.Part(
            tuple(messages),
            tuple(enums),
            tuple(services),
            tuple(self.extensions),
            tuple(self.foreign),
            tuple(self.checker.diagnostics),
        )

    def extend(self, d: ast.Extend, scope: str) -> None:
        for f in d.fields:
            full = f"{scope}.{f.name}" if scope else f.name
            self.extensions.append(n.ExtensionDecl(full, d.extendee.name, f.name_span))
            self._options(f.options, "field", scope)

    def enum(self, d: ast.Enum, scope: str) -> n.EnumNode:
        full = f"{scope}.{d.name}" if scope else d.name
        self._options(d.options, "enum", full)
        values = []
        for v in d.values:
            self._options(v.options, "enum_value", full)
            values.append(n.EnumValueNode(v.name, v.number, v.comment, v.span))
        return n.EnumNode(d.name, full, d.name_span, tuple(values), d.comment, d.span)

    def message(self, d: ast.Message, scope: str) -> n.MessageNode:
        full = f"{scope}.{d.name}" if scope else d.name
        interp = self._options(d.options, "message", full)
        et, _ = _one(interp, "event_type")
        ct, _ = _one(interp, "event_data_content_type")
        fields = tuple(self.field(f, full) for f in d.fields)
        for x in d.extends:
            self.extend(x, full)
        return n.MessageNode(
            d.name,
            full,
            d.name_span,
            fields,
            tuple(self.message(m, full) for m in d.messages),
            tuple(self.enum(e, full) for e in d.enums),
            d.oneofs,
            n.Located(str(et.value), et.span) if isinstance(et, OScalar) else None,
            n.Located(str(ct.value), ct.span) if isinstance(ct, OScalar) else None,
            d.comment,
            d.span,
        )

    def field(self, f: ast.Field, scope: str) -> n.FieldNode:
        interp = self._options(f.options, "field", scope)
        subj, _ = _one(interp, "is_event_subject")
        head, _ = _one(interp, "is_event_header")
        json_name = interp.standard.get("json_name")
        return n.FieldNode(
            f.name,
            f.name_span,
            f.number,
            f.label,
            f.type.name,
            f.type.span,
            f.map_key.name if f.map_key else None,
            f.oneof,
            f.comment,
            n.Located(bool(subj.value), subj.span) if isinstance(subj, OScalar) else None,
            n.Located(bool(head.value), head.span) if isinstance(head, OScalar) else None,
            str(json_name.value) if isinstance(json_name, ast.Scalar) else None,
            f.span,
        )

    def service(self, d: ast.Service, scope: str) -> n.ServiceNode:
        full = f"{scope}.{d.name}" if scope else d.name
        interp = self._options(d.options, "service", full)
        server, server_span = _one(interp, "server")
        protocols: list[n.Protocol] = []
        if isinstance(server, OMessage):
            for p in server.messages("protocols"):
                name = _str(p, "name") or n.Located("", p.span)
                protocols.append(n.Protocol(name, _str(p, "version"), p.span))
        # A server option whose literal failed its checks still makes this an event bus.
        server_span = server_span or _ext_span(d.options, "server")
        ops = tuple(self.operation(r, full) for r in d.rpcs)
        return n.ServiceNode(
            d.name, full, d.name_span, server_span, tuple(protocols), ops, d.comment, d.span
        )

    def operation(self, r: ast.Rpc, scope: str) -> n.OperationNode:
        interp = self._options(r.options, "method", scope)
        op, op_span = _one(interp, "operation")
        op_span = op_span or _ext_span(r.options, "operation")
        opm = op if isinstance(op, OMessage) else None
        channel = opm.message("channel") if opm else None
        binding = channel.message("binding") if channel else None
        sinks = [
            self.sink(v, interp.ext_spans.get(EV + name, r.name_span))
            for name in ("sink", "sinks")
            for v in interp.ext.get(EV + name, [])
            if isinstance(v, OMessage)
        ]
        desc = _str(channel, "description")
        action = _str(opm, "action")
        if action is None and opm is not None and "action" in opm.invalid:
            # A misspelled value is reported once (EA004), not again as a missing action.
            action = n.Located(
                "INVALID", opm.fields["action"].span if "action" in opm.fields else opm.span
            )
        return n.OperationNode(
            r.name,
            r.name_span,
            n.TypeRef(r.input.name, r.input.span),
            n.TypeRef(r.output.name, r.output.span),
            r.input_stream or r.output_stream,
            op_span is not None,
            op_span,
            action,
            _str(channel, "address"),
            desc.value if desc else "",
            self.bindings(binding),
            tuple(sinks),
            r.comment,
            r.span,
        )

    def bindings(self, b: OMessage | None) -> n.Bindings:
        if b is None:
            return n.Bindings()
        k, a, m, nt, r = (b.message(x) for x in ("kafka", "amqp", "mqtt", "nats", "rocketmq"))
        return n.Bindings(
            n.KafkaBinding(_str(k, "key"), _int(k, "partition"), k.span) if k else None,
            n.AmqpBinding(_str(a, "exchange"), _str(a, "routing_key"), a.span) if a else None,
            n.MqttBinding(_int(m, "qos"), _bool(m, "retain"), m.span) if m else None,
            n.NatsBinding(nt.span) if nt else None,
            n.RocketmqBinding(
                _str(r, "tag"),
                _str(r, "key"),
                _str(r, "message_type"),
                _int(r, "delay_level"),
                r.span,
            )
            if r
            else None,
        )

    def sink(self, s: OMessage, option_span: Span) -> n.SinkNode:
        mappings = tuple(
            n.MappingNode(
                _str(m, "header_path"),
                _str(m, "data_path"),
                _str(m, "target_column"),
                _str(m, "type"),
                _bool(m, "not_null"),
                _str(m, "comment"),
                _bool(m, "ignore"),
                m.span,
            )
            for m in s.messages("mapping")
        )
        c = s.message("config")
        config = None
        if c is not None:
            props = []
            for entry in c.messages("properties"):
                key, value = _str(entry, "key"), _str(entry, "value")
                if key is not None:
                    props.append((key, value or n.Located("", key.span)))
            config = n.SinkConfigNode(
                _str(c, "checkpoint_interval"),
                _int(c, "batch_size"),
                _int(c, "parallelism"),
                tuple(props),
                c.span,
            )
        return n.SinkNode(
            _str(s, "target"),
            _str(s, "database"),
            _str(s, "table"),
            _strs(s, "primary_key"),
            _strs(s, "partition_key"),
            mappings,
            config,
            _str(s, "source_topic"),
            _str(s, "event_data_content_type"),
            _bool(s, "auto_infer_data_mapping"),
            _bool(s, "auto_map"),
            option_span,
            s.span,
        )


def _ext_span(options: tuple[ast.Option, ...], short: str) -> Span | None:
    """The name span of our option `short`, even when its value failed to check."""
    for o in options:
        head = o.name[0]
        if head.is_extension and head.name in (EV + short, short):
            return head.span
    return None
