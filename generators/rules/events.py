"""Rules on event messages: types, subject and header fields, content types (EA301-EA306)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from eventapi.generators.diagnostics import Diagnostic, Related
from eventapi.generators.model import nodes as n
from eventapi.generators.model.sinks import ATTRIBUTES, extension_name
from eventapi.generators.model.workspace import FileNode, Workspace
from eventapi.generators.rules.catalog import diag
from eventapi.generators.rules.engine import rule

_EVENT_TYPE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*(?:\.[a-z0-9]+(?:[-_][a-z0-9]+)*)+\.v\d+")
_RESERVED_EXTENSIONS = frozenset({*ATTRIBUTES, "data", "data_base64"})


@rule
def event_types(ws: Workspace) -> Iterator[Diagnostic]:
    """EA301 across the workspace, EA302 per message."""
    first: dict[str, tuple[str, n.MessageNode]] = {}
    for f in sorted(ws.files.values(), key=lambda x: x.path):
        if f.builtin:
            continue
        for m in f.all_messages():
            if m.event_type is None:
                continue
            et = m.event_type.value
            if et in first and first[et][1] is not m:
                path, other = first[et]
                yield diag(
                    "EA301",
                    f.path,
                    m.event_type.span,
                    f"event_type '{et}' is already the type of {other.full_name}; each message needs its own",
                    related=(
                        Related(
                            path,
                            other.event_type.span if other.event_type else other.name_span,
                            other.full_name,
                        ),
                    ),
                )
            else:
                first.setdefault(et, (f.path, m))
            if not _EVENT_TYPE.fullmatch(et):
                yield diag(
                    "EA302",
                    f.path,
                    m.event_type.span,
                    f"event_type '{et}' is not reverse-DNS dotted with a version suffix, e.g. 'acme.user.created.v1'",
                )


@rule
def event_fields(ws: Workspace) -> Iterator[Diagnostic]:
    for f in ws.target_files():
        for m in f.all_messages():
            yield from _message(ws, f, m)


def _message(ws: Workspace, f: FileNode, m: n.MessageNode) -> Iterator[Diagnostic]:
    subjects = [fld for fld in m.fields if fld.subject is not None and fld.subject.value]
    for extra in subjects[1:]:
        assert extra.subject is not None
        yield diag(
            "EA303",
            f.path,
            extra.subject.span,
            f"{m.name} already has subject field '{subjects[0].name}'; an event has one subject",
            related=(Related(f.path, subjects[0].name_span, "subject field"),),
        )
    for fld in subjects[:1]:
        ft = ws.field_type(fld, m.full_name)
        if ft.repeated or ft.message is not None:
            assert fld.subject is not None
            yield diag(
                "EA303",
                f.path,
                fld.subject.span,
                f"subject field '{fld.name}' must be a scalar (string, number, bool or enum)",
            )
    extensions: dict[str, n.FieldNode] = {}
    for fld in m.fields:
        if not fld.is_header:
            continue
        assert fld.header is not None
        ft = ws.field_type(fld, m.full_name)
        if ft.repeated or (
            ft.message is not None and ft.message.full_name != "google.protobuf.Timestamp"
        ):
            kind = "map" if ft.map_key else "repeated" if ft.repeated else "message"
            yield diag(
                "EA304",
                f.path,
                fld.header.span,
                f"'{fld.name}' is a {kind} field; only scalar fields (and Timestamp) can travel as headers",
            )
            continue
        ext = extension_name(fld.name)
        if not ext or ext in _RESERVED_EXTENSIONS:
            yield diag(
                "EA306",
                f.path,
                fld.name_span,
                f"header field '{fld.name}' would be the extension attribute '{ext}', "
                "which is a CloudEvent attribute; rename the field",
            )
        elif ext in extensions:
            yield diag(
                "EA306",
                f.path,
                fld.name_span,
                f"header fields '{extensions[ext].name}' and '{fld.name}' both become extension '{ext}' "
                "(extension names are lowercase letters and digits); rename one",
            )
        extensions.setdefault(ext, fld)
    ct = m.content_type
    if ct is not None and ct.value in ("CONTENT_TYPE_AVRO", "CONTENT_TYPE_UNSPECIFIED"):
        msg = (
            "CONTENT_TYPE_AVRO has no codec yet; use CONTENT_TYPE_JSON or CONTENT_TYPE_PROTOBUF"
            if ct.value == "CONTENT_TYPE_AVRO"
            else "CONTENT_TYPE_UNSPECIFIED is treated as JSON; say CONTENT_TYPE_JSON"
        )
        yield diag("EA305", f.path, ct.span, msg)
