"""What is at a position: the model node under the cursor (LSP-agnostic, code-point columns).

Hover, navigation and completion ask `at(file, line, col)` and get one `Hit` naming the kind of
thing found (a sink option, a data path, a channel address, a type reference, ...) plus the
enclosing service / operation / sink / message, so handlers never walk the model themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from eventapi.generators.model import nodes as n
from eventapi.generators.model.workspace import FileNode, Symbol, Workspace
from eventapi.generators.syntax.tokens import Span


@dataclass(frozen=True)
class Hit:
    kind: str  # service protocol operation address sink data_path header_path column key type message field enum
    span: Span
    file: FileNode
    service: n.ServiceNode | None = None
    operation: n.OperationNode | None = None
    sink: n.SinkNode | None = None
    mapping: n.MappingNode | None = None
    message: n.MessageNode | None = None
    field: n.FieldNode | None = None
    enum: n.EnumNode | None = None
    name: str = ""  # the type name, key column or address as written
    scope: str = ""  # where a type name resolves from


def _in(span: Span | None, line: int, col: int) -> bool:
    return span is not None and span.contains(line, col)


def _size(span: Span) -> tuple[int, int]:
    return (span.end_line - span.start_line, span.end_col - span.start_col)


def _sink_hit(base: Hit, sink: n.SinkNode, line: int, col: int) -> Hit:
    kw = {"service": base.service, "operation": base.operation, "sink": sink}
    for m in sink.mappings:
        for kind, loc in (
            ("data_path", m.data_path),
            ("header_path", m.header_path),
            ("column", m.target_column),
        ):
            if loc is not None and _in(loc.span, line, col):
                return Hit(kind, loc.span, base.file, mapping=m, name=loc.value, **kw)  # type: ignore[arg-type]
    for key in (*sink.primary_key, *sink.partition_key):
        if _in(key.span, line, col):
            return Hit("key", key.span, base.file, name=key.value, **kw)  # type: ignore[arg-type]
    return Hit("sink", sink.option_span, base.file, **kw)  # type: ignore[arg-type]


def _operation_hit(f: FileNode, s: n.ServiceNode, op: n.OperationNode, line: int, col: int) -> Hit:
    base = Hit("operation", op.name_span, f, service=s, operation=op, name=op.name)
    for sink in op.sinks:
        if _in(sink.span, line, col) or _in(sink.option_span, line, col):
            return _sink_hit(base, sink, line, col)
    if op.address is not None and _in(op.address.span, line, col):
        return Hit("address", op.address.span, f, s, op, name=op.address.value)
    for ref in (op.input, op.output):
        if _in(ref.span, line, col):
            return Hit("type", ref.span, f, s, op, name=ref.name, scope=s.full_name)
    return base


def at(f: FileNode, line: int, col: int) -> Hit | None:
    """The innermost model element at (line, col) of file `f`, or None."""
    for s in f.services:
        if not _in(s.span, line, col):
            continue
        for op in s.operations:
            if _in(op.span, line, col):
                return _operation_hit(f, s, op, line, col)
        for p in s.protocols:
            if _in(p.name.span, line, col):
                return Hit("protocol", p.name.span, f, s, name=p.name.value)
        return Hit("service", s.name_span, f, s, name=s.name)
    best: Hit | None = None
    for m in f.all_messages():
        if not _in(m.span, line, col):
            continue
        if (
            best is not None
            and best.message is not None
            and _size(m.span) > _size(best.message.span)
        ):
            continue
        best = Hit("message", m.name_span, f, message=m, name=m.full_name)
        for fl in m.fields:
            if _in(fl.type_span, line, col):
                best = Hit(
                    "type",
                    fl.type_span,
                    f,
                    message=m,
                    field=fl,
                    name=fl.type_name,
                    scope=m.full_name,
                )
                break
            if _in(fl.span, line, col):
                best = Hit("field", fl.name_span, f, message=m, field=fl, name=fl.name)
                break
    for e in f.all_enums():
        inner = best is None or best.message is None or _size(e.span) <= _size(best.message.span)
        if _in(e.span, line, col) and (best is None or best.kind == "message") and inner:
            best = Hit("enum", e.name_span, f, enum=e, name=e.full_name)
    return best


def symbol_of(ws: Workspace, hit: Hit) -> tuple[Symbol, str] | None:
    """The message or enum a hit names (a declaration or a resolved type reference)."""
    if hit.kind == "type":
        return ws.resolve(hit.name, hit.scope)
    if hit.kind == "message" and hit.message is not None:
        return ws.symbols.get(hit.message.full_name)
    if hit.kind == "enum" and hit.enum is not None:
        return ws.symbols.get(hit.enum.full_name)
    return None


def operations_on(
    ws: Workspace, address: str
) -> Iterator[tuple[FileNode, n.ServiceNode, n.OperationNode]]:
    """Every operation of the workspace's targets on channel `address`."""
    for f, s in ws.services():
        for op in s.operations:
            if op.address is not None and op.address.value == address:
                yield f, s, op


def type_references(ws: Workspace, full_name: str) -> Iterator[tuple[str, Span]]:
    """Every place a target file names the type `full_name` (fields and rpc input/output)."""
    for f in ws.target_files():
        for m in f.all_messages():
            for fl in m.fields:
                found = (
                    ws.resolve(fl.type_name, m.full_name) if fl.type_name == fl.type_name else None
                )
                if found is not None and found[0].full_name == full_name:
                    yield f.path, fl.type_span
        for s in f.services:
            for op in s.operations:
                for ref in (op.input, op.output):
                    found = ws.resolve(ref.name, s.full_name)
                    if found is not None and found[0].full_name == full_name:
                        yield f.path, ref.span


def enclosing(ws: Workspace, path: str, op: n.OperationNode) -> n.ServiceNode | None:
    f = ws.files.get(path)
    if f is None:
        return None
    for s in f.services:
        if op in s.operations:
            return s
    return None
