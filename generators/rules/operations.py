"""Rules on operations, channels and bindings (EA201-EA212)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from eventapi.generators.diagnostics import Diagnostic, Fix, Related, Severity
from eventapi.generators.model import nodes as n
from eventapi.generators.model.options import suggest
from eventapi.generators.model.workspace import FileNode, Workspace
from eventapi.generators.naming import method_name
from eventapi.generators.rules.catalog import diag, replace_fix
from eventapi.generators.rules.engine import rule
from eventapi.generators.syntax.tokens import Span

_KAFKA = re.compile(r"[A-Za-z0-9._-]+")
_ROCKETMQ = re.compile(r"[%A-Za-z0-9_-]+")


def address_problem(protocol: str, address: str, action: str) -> str | None:
    """Why `address` is not a legal channel for `protocol`, or None."""
    receive = action == "RECEIVE"
    if protocol == "kafka":
        if len(address) > 249:
            return "a Kafka topic is at most 249 characters"
        if address in (".", ".."):
            return "a Kafka topic cannot be '.' or '..'"
        if not _KAFKA.fullmatch(address):
            return "a Kafka topic uses only letters, digits, '.', '_' and '-'"
    elif protocol == "rocketmq":
        if len(address) > 127:
            return "a RocketMQ topic is at most 127 characters"
        if not _ROCKETMQ.fullmatch(address):
            return "a RocketMQ topic uses only letters, digits, '%', '_' and '-'"
    elif protocol == "mqtt":
        if "\0" in address or len(address.encode()) > 65535:
            return "an MQTT topic has no NUL character and is at most 65535 bytes"
        if address.startswith("/"):
            return "an MQTT topic should not start with '/' (an empty first level)"
        levels = address.split("/")
        if not receive and ("+" in address or "#" in address):
            return "an MQTT publish topic cannot contain the wildcards '+' or '#'"
        for i, level in enumerate(levels):
            if "#" in level and (level != "#" or i != len(levels) - 1):
                return "'#' must be a whole level and the last one"
            if "+" in level and level != "+":
                return "'+' must be a whole level"
    elif protocol == "nats":
        if any(c.isspace() for c in address):
            return "a NATS subject cannot contain whitespace"
        tokens = address.split(".")
        if any(not t for t in tokens):
            return "a NATS subject has no empty tokens (no leading, trailing or double '.')"
        if not receive and ("*" in tokens or ">" in tokens):
            return "NATS wildcards '*' and '>' are only for RECEIVE"
        if ">" in tokens[:-1]:
            return "'>' must be the last token of a NATS subject"
    elif protocol == "amqp" and len(address.encode()) > 255:
        return "an AMQP queue or routing key is at most 255 bytes"
    return None


@rule
def operations(ws: Workspace) -> Iterator[Diagnostic]:
    for f, s in ws.services():
        if not s.is_event_bus:
            continue
        declared = set(s.protocol_names())
        names: dict[str, n.OperationNode] = {}
        for op in s.operations:
            if not op.has_operation:
                yield diag(
                    "EA201",
                    f.path,
                    op.name_span,
                    f"rpc {op.name} has no (eventapi.v1.operation); generation skips it",
                )
                continue
            yield from _operation(ws, f, s, op, declared)
            generated = method_name(op.name)
            other = names.get(generated)
            if other is not None:
                for a, b in ((op, other), (other, op)):
                    yield diag(
                        "EA211",
                        f.path,
                        a.name_span,
                        f"rpc {a.name} and rpc {b.name} both generate the method '{generated}'; rename one",
                        related=(Related(f.path, b.name_span, f"rpc {b.name}"),),
                    )
            else:
                names[generated] = op


def _operation(
    ws: Workspace, f: FileNode, s: n.ServiceNode, op: n.OperationNode, declared: set[str]
) -> Iterator[Diagnostic]:
    where = op.option_span or op.name_span
    action = op.action_name
    if action == "UNSPECIFIED":
        yield diag(
            "EA202",
            f.path,
            op.action.span if op.action else where,
            f"operation {op.name} needs action: SEND or RECEIVE",
        )
    if op.address is None or not op.address.value.strip():
        yield diag(
            "EA203",
            f.path,
            op.address.span if op.address else where,
            f'operation {op.name} needs channel {{ address: "..." }} (the topic, queue or subject)',
        )
    else:
        for proto in sorted(declared):
            problem = address_problem(proto, op.address.value, action)
            if problem:
                yield diag("EA204", f.path, op.address.span, f"'{op.address.value}': {problem}")
    if op.streaming:
        yield diag(
            "EA212",
            f.path,
            op.name_span,
            f"rpc {op.name} streams; an operation takes one event and returns google.protobuf.Empty",
        )
    event = ws.rpc_message(op.input, s)
    if event is not None and not event.is_event:
        yield diag(
            "EA210",
            f.path,
            op.input.span,
            f"{event.name} has no (eventapi.v1.event_type); add "
            f'option (eventapi.v1.event_type) = "<domain>.<name>.v1"; to the message',
        )
    out = ws.rpc_message(op.output, s)
    if out is not None and out.full_name != "google.protobuf.Empty":
        yield diag(
            "EA210",
            f.path,
            op.output.span,
            f"operations return google.protobuf.Empty, not {out.name}",
            replace_fix(
                "Return google.protobuf.Empty", f.path, op.output.span, "google.protobuf.Empty"
            ),
        )
    for proto, span in op.bindings.declared().items():
        if proto not in declared:
            yield diag(
                "EA205",
                f.path,
                span,
                f"binding for {proto}, which service {s.name} does not declare in its server protocols",
            )
    yield from _binding_values(f, op, event)


def _binding_values(
    f: FileNode, op: n.OperationNode, event: n.MessageNode | None
) -> Iterator[Diagnostic]:
    b = op.bindings
    if b.mqtt and b.mqtt.qos and b.mqtt.qos.value not in (0, 1, 2):
        yield diag("EA206", f.path, b.mqtt.qos.span, "mqtt qos is 0, 1 or 2")
    if b.kafka and b.kafka.partition and b.kafka.partition.value < 0:
        yield diag("EA206", f.path, b.kafka.partition.span, "kafka partition cannot be negative")
    keys: list[tuple[str, n.Located[str]]] = []
    if b.kafka and b.kafka.key:
        keys.append(("kafka", b.kafka.key))
    if b.rocketmq:
        r = b.rocketmq
        mtype = r.message_type.value if r.message_type else "NORMAL"
        if r.delay_level is not None:
            if not 1 <= r.delay_level.value <= 18:
                yield diag(
                    "EA206",
                    f.path,
                    r.delay_level.span,
                    "rocketmq delay_level is 1..18 (1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h)",
                )
            elif mtype != "DELAY":
                yield diag(
                    "EA206",
                    f.path,
                    r.delay_level.span,
                    f"delay_level only applies to message_type: DELAY (this is {mtype})",
                )
        if mtype == "ORDER" and (r.key is None or not r.key.value):
            yield diag(
                "EA206",
                f.path,
                r.message_type.span if r.message_type else r.span,
                "ORDER messages need key: the event field whose value is the message group",
            )
        if r.key and r.key.value:
            keys.append(("rocketmq", r.key))
    if event is None:
        return
    names = [fld.name for fld in event.fields]
    for proto, key in keys:
        if event.field(key.value) is None:
            hint = suggest(key.value, names)
            msg = f"{proto} key '{key.value}' is not a field of {event.name}"
            fixes: tuple[Fix, ...] = ()
            if hint:
                msg += f"; did you mean '{hint}'?"
                fixes = replace_fix(f"Change to '{hint}'", f.path, key.span, f'"{hint}"')
            yield diag("EA207", f.path, key.span, msg, fixes)


@rule
def channels(ws: Workspace) -> Iterator[Diagnostic]:
    """EA208 and EA209 look at every operation of every user file in the workspace."""
    by_address: dict[str, list[tuple[str, n.OperationNode, str]]] = defaultdict(list)
    for f in sorted(ws.files.values(), key=lambda x: x.path):
        if f.builtin:
            continue
        for s in f.services:
            if not s.is_event_bus:
                continue
            for op in s.operations:
                if not op.has_operation or op.address is None or not op.address.value:
                    continue
                event = ws.rpc_message(op.input, s)
                by_address[op.address.value].append((f.path, op, event.full_name if event else ""))
    for address, ops in by_address.items():
        # The senders define a channel's contract; receivers that disagree are the ones flagged.
        ordered = sorted(ops, key=lambda o: o[1].action_name != "SEND")
        events = [e for _, _, e in ordered if e]
        if len(set(events)) > 1:
            first = events[0]
            origin = next((p, o) for p, o, e in ops if e == first)
            for path, op, e in ops:
                if e and e != first:
                    assert op.address is not None
                    yield diag(
                        "EA208",
                        path,
                        op.address.span,
                        f"channel '{address}' carries {first} elsewhere but {e} here; "
                        "one channel, one event type",
                        related=(Related(origin[0], _span(origin[1]), f"{first} on '{address}'"),),
                    )
        actions = {op.action_name for _, op, _ in ops}
        for path, op, _ in ops:
            assert op.address is not None
            if op.action_name == "RECEIVE" and "SEND" not in actions:
                yield diag(
                    "EA209",
                    path,
                    op.address.span,
                    f"nothing in the workspace SENDs to '{address}'",
                )
            elif op.action_name == "SEND" and "RECEIVE" not in actions:
                yield diag(
                    "EA209",
                    path,
                    op.address.span,
                    f"nothing in the workspace RECEIVEs from '{address}'",
                    severity=Severity.INFORMATION,
                )


def _span(op: n.OperationNode) -> Span:
    return op.address.span if op.address else op.name_span
