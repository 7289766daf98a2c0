"""The SDK view-model: one immutable `ServiceSdk` per event-bus service, read by dumb templates.

Everything a template prints is decided here: names, docstrings, defaults from the bindings,
import lists and the layout of long constructs (see layout.py). Building it reads only the
Workspace, so the CLI, the language server and the protoc plugin render identical bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventapi.generators.model import nodes as n
from eventapi.generators.model.workspace import FileNode, Workspace
from eventapi.generators.naming import method_name, snake_case
from eventapi.generators.registry import PY_HEADER
from eventapi.generators.sdk import protobuf
from eventapi.generators.sdk.layout import (
    call,
    docstring,
    from_import,
    indent_lines,
    py_str,
    sort_all,
)
from eventapi.generators.sdk.messages import EventView, TypeSet, build_types
from eventapi.generators.sdk.protocols import (
    COMMON_MEMBERS,
    COMMON_SEND,
    CONFIG_OVERRIDES,
    SPECS,
    FieldExpr,
    Member,
    Param,
    ProtocolSpec,
    receive_params,
    send_params,
)


@dataclass(frozen=True, slots=True)
class SendOp:
    name: str  # the rpc
    method: str
    doc: tuple[str, ...]
    event: EventView
    address: str
    params: tuple[Param, ...]
    defaults: tuple[str, ...]  # statements filling defaults from the event
    options: tuple[str, ...]  # the `options = SendOptions(...)` statement
    transactional: bool

    @property
    def address_literal(self) -> str:
        return py_str(self.address)


@dataclass(frozen=True, slots=True)
class ReceiveOp:
    name: str
    method: str
    iter_method: str
    doc: tuple[str, ...]
    iter_doc: tuple[str, ...]
    event: EventView
    address: str
    params: tuple[Param, ...]
    options: tuple[str, ...]  # `options=...` argument lines, or ()

    @property
    def address_literal(self) -> str:
        return py_str(self.address)


@dataclass(frozen=True, slots=True)
class ProtocolSdk:
    spec: ProtocolSpec
    service: str
    package: str  # <service_snake>.<protocol>
    client_doc: tuple[str, ...]
    init_doc: tuple[str, ...]
    sends: tuple[SendOp, ...]
    receives: tuple[ReceiveOp, ...]
    client_imports: tuple[str, ...]  # import lines of client.py (isort-ordered)
    init_imports: tuple[str, ...]
    exports: tuple[str, ...]  # __all__ of the package
    config_overrides: tuple[Param, ...]
    common_send: tuple[Param, ...]

    @property
    def transactional(self) -> bool:
        return any(op.transactional for op in self.sends)

    @property
    def members(self) -> tuple[Member, ...]:
        return (*COMMON_MEMBERS, *self.spec.members)

    @property
    def events(self) -> tuple[EventView, ...]:
        seen: dict[str, EventView] = {}
        ops: tuple[SendOp | ReceiveOp, ...] = (*self.sends, *self.receives)
        for op in ops:
            seen.setdefault(op.event.message.full_name, op.event)
        return tuple(seen.values())

    @property
    def received_events(self) -> tuple[EventView, ...]:
        seen: dict[str, EventView] = {}
        for op in self.receives:
            seen.setdefault(op.event.message.full_name, op.event)
        return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class ServiceSdk:
    source: str  # import name of the proto file
    path: str
    name: str
    snake: str
    header: str
    doc: tuple[str, ...]
    events_doc: tuple[str, ...]
    types: TypeSet
    events_imports: tuple[str, ...]
    protocols: tuple[ProtocolSdk, ...]
    pb_paths: tuple[str, ...]  # proto files compiled with protoc (PROTOBUF events only)


def _operations(
    ws: Workspace, service: n.ServiceNode
) -> list[tuple[n.OperationNode, n.MessageNode]]:
    out = []
    for op in service.operations:
        if not op.has_operation or op.action_name not in ("SEND", "RECEIVE"):
            continue
        msg = ws.rpc_message(op.input, service)
        if msg is not None:
            out.append((op, msg))
    return out


def _field_expr(event: EventView) -> FieldExpr:
    def expr(name: str, as_str: bool) -> str | None:
        fname = name or event.subject
        fv = event.message.field(fname) if fname else None
        if fv is None:
            return None
        value = f"event.{fv.attr}"
        if fv.py_type == "str" or (fv.py_type == "bytes" and not as_str):
            return value
        return f"str({value})"

    return expr


def _send(protocol: str, op: n.OperationNode, event: EventView) -> SendOp:
    spec = SPECS[protocol]
    shape = send_params(protocol, op, _field_expr(event))
    address = op.address.value if op.address else ""
    doc_text = op.comment or f"Send a {event.py_name} event to {address!r}."
    extra = [f"Channel: ``{address}``; CloudEvent type ``{event.event_type}``."]
    doc = docstring(doc_text.rstrip() + "\n\n" + " ".join(extra), 8)
    return SendOp(
        op.name,
        method_name(op.name),
        tuple(doc),
        event,
        address,
        shape.params,
        indent_lines(shape.defaults, 8),
        indent_lines(call(f"options = {spec.send_options}", shape.args, 8), 8),
        shape.transactional,
    )


def _receive(
    protocol: str, op: n.OperationNode, event: EventView, send_bindings: n.Bindings | None
) -> ReceiveOp:
    spec = SPECS[protocol]
    params, args = receive_params(protocol, op, send_bindings)
    address = op.address.value if op.address else ""
    method = method_name(op.name)
    doc_text = op.comment or f"Receive {event.py_name} events from {address!r}."
    doc = docstring(
        doc_text.rstrip()
        + f"\n\n`handler` gets a typed {event.received_alias}; returning acks it, raising"
        " retries it (then dead-letters it). `group` is the consumer group.",
        8,
    )
    iter_doc = docstring(
        f"Iterate over {event.py_name} events from {address!r}; leaving an item acks it.", 8
    )
    options: tuple[str, ...] = ()
    if spec.subscribe_options:
        options = indent_lines(call(f"options={spec.subscribe_options}", args, 12, ","), 12)
    return ReceiveOp(
        op.name,
        method,
        f"{method}_iter",
        tuple(doc),
        tuple(iter_doc),
        event,
        address,
        params,
        options,
    )


def build_service(ws: Workspace, file: FileNode, service: n.ServiceNode) -> ServiceSdk:
    """The view-model of one service (all its protocols)."""
    ops = _operations(ws, service)
    events = [msg for _, msg in ops]
    pb_modules: dict[str, str] | None = None
    pb_paths: list[str] = []
    if any(
        m.content_type is not None and m.content_type.value == "CONTENT_TYPE_PROTOBUF"
        for m in events
    ):
        pb_paths = _pb_closure(ws, events)
        pb_modules = protobuf.module_names(ws, pb_paths)
    types = build_types(ws, events, pb_modules)
    snake = snake_case(service.name)
    protocols = []
    sends_by_address = {
        op.address.value: op.bindings
        for op, _ in ops
        if op.action_name == "SEND" and op.address is not None
    }
    for proto in service.protocol_names():
        if proto not in SPECS:
            continue
        spec = SPECS[proto]
        sends, receives = [], []
        for op, msg in ops:
            ev = types.event(msg.full_name)
            if op.action_name == "SEND":
                sends.append(_send(proto, op, ev))
            else:
                inherited = sends_by_address.get(op.address.value) if op.address else None
                receives.append(_receive(proto, op, ev, inherited))
        protocols.append(
            _protocol(spec, service, snake, file, types, tuple(sends), tuple(receives))
        )
    header = PY_HEADER.format(source=file.import_name)
    doc = docstring(
        (service.comment.strip() or f"The {service.name} event bus.")
        + f"\n\nGenerated from {file.import_name}: one typed client per protocol ("
        + ", ".join(p.spec.name for p in protocols)
        + "), and the event types in `events`.",
        0,
    )
    events_doc = docstring(
        f"Event types of {service.name}: dataclasses, enums and their runtime schemas.", 0
    )
    return ServiceSdk(
        file.import_name,
        file.path,
        service.name,
        snake,
        header,
        tuple(doc),
        tuple(events_doc),
        types,
        _events_imports(types),
        tuple(protocols),
        tuple(pb_paths),
    )


def _pb_closure(ws: Workspace, events: list[n.MessageNode]) -> list[str]:
    roots: list[str] = []
    stack = list(events)
    seen: set[str] = set()
    while stack:
        m = stack.pop()
        if m.full_name in seen:
            continue
        seen.add(m.full_name)
        found = ws.symbols.get(m.full_name)
        if found:
            roots.append(found[1])
        for f in m.fields:
            target = ws.field_type(f, m.full_name).message
            if target is not None:
                stack.append(target)
    return protobuf.closure(ws, list(dict.fromkeys(roots)))


def _events_imports(types: TypeSet) -> tuple[str, ...]:
    annotations = " ".join(f.annotation for m in types.messages for f in m.fields)
    std: list[str] = ["import dataclasses"]
    dt = [n for n in ("datetime", "timedelta") if n in annotations]
    if dt:
        std += from_import("datetime", dt)
    if types.enums:
        std += from_import("enum", ["IntEnum"])
    if "Any" in annotations.replace("[", " ").replace("]", " ").replace(",", " ").split():
        std += from_import("typing", ["Any"])
    third = from_import(
        "eventapi.runtime.codecs.schema",
        ["ContentType", "EventSchema", "FieldSpec", "Kind", "MessageSchema"],
    )
    local = from_import("._pb", types.pb_modules) if types.pb_modules else []
    return tuple(_sections(std, third, local))


def _sections(*groups: list[str]) -> list[str]:
    out: list[str] = []
    for g in groups:
        if g:
            if out:
                out.append("")
            out.extend(g)
    return out


def _protocol(
    spec: ProtocolSpec,
    service: n.ServiceNode,
    snake: str,
    file: FileNode,
    types: TypeSet,
    sends: tuple[SendOp, ...],
    receives: tuple[ReceiveOp, ...],
) -> ProtocolSdk:
    ops: tuple[SendOp | ReceiveOp, ...] = (*sends, *receives)
    events = list(dict.fromkeys(op.event.py_name for op in ops))
    schema_names = list(dict.fromkeys(op.event.schema_name for op in ops))
    received_aliases = list(dict.fromkeys(op.event.received_alias for op in receives))
    annotations = " ".join(p.annotation for op in sends for p in op.params)
    # client.py imports, by isort section.
    transactional = any(op.transactional for op in sends)
    abc = ["AsyncGenerator", "Sequence"] if receives else ["Sequence"]
    if sends:
        abc.append("Mapping")
    if receives:
        abc += ["AsyncIterator", "Awaitable", "Callable"]
    if transactional:
        abc += ["Awaitable", "Callable"]
    std = ["import dataclasses"]
    std += from_import("collections.abc", abc)
    dt = []
    if sends:
        dt.append("datetime")
    if "timedelta" in annotations:
        dt.append("timedelta")
    if dt:
        std += from_import("datetime", dt)
    std += from_import("types", ["TracebackType"])
    typing = ["Any", "Generic", "Self", "TypeVar"]
    if receives:
        typing.append("cast")
    std += from_import("typing", typing)
    runtime: dict[str, list[str]] = {"eventapi.runtime.cloudevent": ["CloudEvent"]}
    if sends:
        runtime["eventapi.runtime.cloudevent"].append("ExtensionValue")
    if transactional:
        runtime["eventapi.runtime.codecs.schema"] = ["EventSchema"]
    if spec.name == "nats":
        runtime["eventapi.runtime.errors"] = ["TransportError"]
    base = ["ErrorHook", "ExtensionsProvider", "ReceiveMiddleware", "SendMiddleware"]
    if sends:
        base.append("Failure")
    if receives:
        base.append("Subscription")
    runtime["eventapi.runtime.transports.base"] = base
    runtime[spec.module] = list(spec.imports)
    third = [line for mod in sorted(runtime) for line in from_import(mod, runtime[mod])]
    local = from_import("..events", [*events, *schema_names])
    client_imports = tuple(_sections(std, third, local))
    # Every type of the service, so calling code needs only this package.
    all_types = [e.py_name for e in types.enums] + [m.py_name for m in types.messages]
    exports = ["Client", "Config", "Received", spec.config, *all_types, *received_aliases]
    init_imports = tuple(
        _sections(
            from_import(spec.module, [spec.config]),
            from_import("..events", all_types)
            + from_import(".client", ["Client", "Config", "Received", *received_aliases]),
        )
    )
    client_doc = docstring(
        f"Typed {spec.title} client of {service.name}: one method per operation.\n\n"
        f"Use it as ``async with Client({spec.config}(...)) as client:``; the keyword arguments"
        " override the config's common settings.",
        4,
    )
    example_send = sends[0] if sends else None
    usage = ""
    if example_send is not None:
        usage = (
            f"\n\nExample::\n\n    async with Client({spec.config}({spec.config_example})) as client:\n"
            f"        await client.{example_send.method}({example_send.event.py_name}(...))"
        )
    init_doc = docstring(
        f"{service.name} over {spec.title} (generated from {file.import_name}).{usage}", 0
    )
    return ProtocolSdk(
        spec,
        service.name,
        f"{snake}.{spec.name}",
        tuple(client_doc),
        tuple(init_doc),
        sends,
        receives,
        client_imports,
        init_imports,
        tuple(sort_all(exports)),
        CONFIG_OVERRIDES,
        COMMON_SEND,
    )
