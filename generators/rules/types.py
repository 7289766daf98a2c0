"""Rules on imports, custom options and type references (EA002, EA003, EA005)."""

from __future__ import annotations

from collections.abc import Iterator

from eventapi.generators.diagnostics import Diagnostic, Fix, TextEdit
from eventapi.generators.model import nodes as n
from eventapi.generators.model.options import suggest
from eventapi.generators.model.schema import SCALARS, resolve_name
from eventapi.generators.model.workspace import FileNode, Workspace
from eventapi.generators.rules.catalog import diag
from eventapi.generators.rules.engine import rule
from eventapi.generators.syntax.tokens import Span


@rule
def imports(ws: Workspace) -> Iterator[Diagnostic]:
    for f in ws.target_files():
        resolved = ws.imports.get(f.path, {})
        for imp in f.imports:
            if resolved.get(imp.path) is None:
                yield diag(
                    "EA002",
                    f.path,
                    imp.span,
                    f'import "{imp.path}" not found in the include paths; add its root with -I '
                    "(eventapi/v1/* and google/protobuf/* always resolve)",
                )


@rule
def custom_options(ws: Workspace) -> Iterator[Diagnostic]:
    known: set[str] = set()
    for f in ws.files.values():
        known.update(e.full_name for e in f.extensions)
    for f in ws.target_files():
        for fo in f.foreign:
            head = fo.option.name[0]
            if resolve_name(head.name, fo.scope, known.__contains__) is None:
                hint = suggest(head.name, sorted(known))
                msg = f"unknown option ({head.name}): no extension of that name is declared or imported"
                yield diag(
                    "EA003", f.path, head.span, msg + (f"; did you mean ({hint})?" if hint else "")
                )


def _import_fix(ws: Workspace, f: FileNode, defining: str) -> tuple[Fix, ...]:
    target = ws.files.get(defining)
    if target is None:
        return ()
    name = target.import_name
    if f.imports:
        last = f.imports[-1].span
        lines = f.text.splitlines()
        end = len(lines[last.end_line]) if last.end_line < len(lines) else 0
        at = Span(last.end_line, end, last.end_line, end)
        text = f'\nimport "{name}";'
    else:
        line = (f.package_span.end_line + 1) if f.package_span else 0
        at = Span(line, 0, line, 0)
        text = f'import "{name}";\n'
    return (Fix(f'Add import "{name}"', (TextEdit(f.path, at, text),)),)


def _check_ref(
    ws: Workspace, f: FileNode, name: str, span: Span, scope: str, visible: frozenset[str]
) -> Diagnostic | None:
    if name in SCALARS:
        return None
    found = ws.resolve(name, scope, f.path)
    if found is None:
        short = {full.rsplit(".", 1)[-1]: full for full in ws.symbols}
        hint = suggest(name.rsplit(".", 1)[-1], list(short))
        msg = f"unknown type '{name}'"
        fixes: tuple[Fix, ...] = ()
        if hint:
            msg += f"; did you mean '{hint}'?"
            fixes = (Fix(f"Change to '{hint}'", (TextEdit(f.path, span, hint),)),)
        return diag("EA005", f.path, span, msg, fixes)
    symbol, defining = found
    if defining not in visible:
        where = ws.files[defining].import_name
        return diag(
            "EA005",
            f.path,
            span,
            f"type '{symbol.full_name}' is defined in \"{where}\", which this file does not import",
            _import_fix(ws, f, defining),
        )
    return None


def _message_refs(m: n.MessageNode) -> Iterator[tuple[n.FieldNode, str]]:
    for fld in m.fields:
        yield fld, m.full_name
    for nested in m.messages:
        yield from _message_refs(nested)


@rule
def type_references(ws: Workspace) -> Iterator[Diagnostic]:
    for f in ws.target_files():
        visible = ws.visible_paths(f.path)
        for m in f.messages:
            for fld, scope in _message_refs(m):
                d = _check_ref(ws, f, fld.type_name, fld.type_span, scope, visible)
                if d:
                    yield d
        for s in f.services:
            for op in s.operations:
                for ref in (op.input, op.output):
                    d = _check_ref(ws, f, ref.name, ref.span, s.full_name, visible)
                    if d:
                        yield d
