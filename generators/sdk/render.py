"""Rendering the SDK view-model with jinja2 templates (dumb: they loop and read properties)."""

from __future__ import annotations

from functools import cache

import jinja2

from eventapi.generators.model import nodes as n
from eventapi.generators.model.workspace import FileNode, Workspace
from eventapi.generators.registry import OutputFile
from eventapi.generators.sdk import protobuf
from eventapi.generators.sdk.model import (
    ProtocolSdk,
    ReceiveOp,
    SendOp,
    ServiceSdk,
    build_service,
)


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("eventapi.generators.sdk", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


def _render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)


def render_protocol(sdk: ServiceSdk, proto: ProtocolSdk) -> dict[str, str]:
    """The files of one protocol package, relative to the service folder."""
    base = proto.spec.name
    return {
        f"{base}/__init__.py": _render("protocol_init.py.j2", sdk=sdk, proto=proto),
        f"{base}/client.py": _render("client.py.j2", sdk=sdk, proto=proto),
    }


def render_service(ws: Workspace, file: FileNode, service: n.ServiceNode) -> list[OutputFile]:
    """Every file of one service's SDK: the shared event types and one package per protocol."""
    sdk = build_service(ws, file, service)
    root = sdk.snake
    files: dict[str, str] = {
        f"{root}/__init__.py": _render("service_init.py.j2", sdk=sdk),
        f"{root}/events.py": _render("events.py.j2", sdk=sdk, types=sdk.types),
    }
    for proto in sdk.protocols:
        for rel, text in render_protocol(sdk, proto).items():
            files[f"{root}/{rel}"] = text
    outputs = [OutputFile(path, text, file.path) for path, text in files.items()]
    if sdk.pb_paths:
        modules = protobuf.module_names(ws, list(sdk.pb_paths))
        header = sdk.header
        outputs.append(
            OutputFile(
                f"{root}/_pb/__init__.py",
                header
                + '"""protoc\'s classes for the PROTOBUF events (do not import directly)."""\n',
                file.path,
            )
        )
        for pb in protobuf.run_protoc(ws, list(sdk.pb_paths), modules):
            outputs.append(OutputFile(f"{root}/_pb/{pb.name}", pb.content, pb.source))
    return outputs


def render_signatures(sdk: ServiceSdk, op_name: str) -> dict[str, str]:
    """Protocol -> the generated method signature(s) of rpc `op_name` plus a usage snippet."""
    out: dict[str, str] = {}
    for proto in sdk.protocols:
        sends = [op for op in proto.sends if op.name == op_name]
        receives = [op for op in proto.receives if op.name == op_name]
        if not sends and not receives:
            continue
        usage = _usage(proto, sends[0].method if sends else receives[0].method, bool(sends))
        out[proto.spec.name] = _render(
            "signature.py.j2", proto=proto, sends=sends, receives=receives, usage=usage
        )
    return out


def _usage(proto: ProtocolSdk, method: str, send: bool) -> tuple[str, ...]:
    ops: tuple[SendOp | ReceiveOp, ...] = (*proto.sends, *proto.receives)
    op = next(o for o in ops if o.method == method)
    event = op.event.py_name
    head = (
        f"from {proto.package} import Client, Config, {event}"
        if send
        else f"from {proto.package} import Client, Config, {op.event.received_alias}"
    )
    lines = [head, "", f"async with Client(Config({proto.spec.config_example})) as client:"]
    if send:
        lines.append(f"    await client.{method}({event}(...))")
    else:
        lines += [
            "",
            f"    async def handle(received: {op.event.received_alias}) -> None:",
            "        print(received.event)",
            "",
            f'    await client.{method}(handle, group="my-group")',
        ]
    return tuple(lines)
