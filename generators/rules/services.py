"""Rules on event-bus services and their protocols (EA101-EA104)."""

from __future__ import annotations

from collections.abc import Iterator

from eventapi.generators.diagnostics import Diagnostic, Fix, Related
from eventapi.generators.model.options import suggest
from eventapi.generators.model.workspace import Workspace
from eventapi.generators.rules.catalog import diag, replace_fix
from eventapi.generators.rules.engine import rule

PROTOCOLS = ("kafka", "amqp", "rocketmq", "mqtt", "nats")


@rule
def services(ws: Workspace) -> Iterator[Diagnostic]:
    for f, s in ws.services():
        with_op = [op for op in s.operations if op.has_operation]
        if not s.is_event_bus:
            if with_op:
                yield diag(
                    "EA101",
                    f.path,
                    s.name_span,
                    f"service {s.name} has rpcs with (eventapi.v1.operation) but no "
                    "(eventapi.v1.server) option, so nothing is generated; declare its protocols",
                )
            continue
        assert s.server_span is not None
        if not with_op:
            yield diag(
                "EA104",
                f.path,
                s.server_span,
                f"service {s.name} declares a server but none of its rpcs has (eventapi.v1.operation)",
            )
        if not s.protocols:
            yield diag(
                "EA102",
                f.path,
                s.server_span,
                'the server lists no protocols; add protocols: [{ name: "kafka" }] '
                "(one of " + ", ".join(PROTOCOLS) + ")",
            )
        seen: dict[str, Related] = {}
        for p in s.protocols:
            name = p.name.value
            if name not in PROTOCOLS:
                hint = suggest(name.lower(), list(PROTOCOLS))
                msg = f"unknown protocol '{name}'; expected one of {', '.join(PROTOCOLS)}"
                fixes: tuple[Fix, ...] = ()
                if hint:
                    msg = f"unknown protocol '{name}'; did you mean '{hint}'?"
                    fixes = replace_fix(f"Change to '{hint}'", f.path, p.name.span, f'"{hint}"')
                yield diag("EA102", f.path, p.name.span, msg, fixes)
                continue
            if name in seen:
                yield diag(
                    "EA103",
                    f.path,
                    p.name.span,
                    f"protocol '{name}' is listed twice; remove one",
                    related=(seen[name],),
                )
                continue
            seen[name] = Related(f.path, p.name.span, "first listed here")
