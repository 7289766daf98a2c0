"""Mapping resolution: one sink option -> the ordered column list every renderer and rule uses.

Explicit mappings come first, in the order written; then auto-inferred data fields (and header
fields with auto_map) in field order; then the default `event_id` / `event_time` columns when no
mapping produced them. Problems found on the way are EA4xx diagnostics on the exact entry.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from enum import Enum

from eventapi.generators.diagnostics import Diagnostic, Fix, Severity, TextEdit
from eventapi.generators.model import nodes as n
from eventapi.generators.model.options import suggest
from eventapi.generators.model.schema import INTEGERS
from eventapi.generators.model.workspace import FieldType, Workspace
from eventapi.generators.syntax.tokens import Span


class ColumnType(Enum):
    VARCHAR = "VARCHAR"
    BIGINT = "BIGINT"
    TIMESTAMP = "TIMESTAMP"
    DECIMAL = "DECIMAL"
    BOOLEAN = "BOOLEAN"
    JSON = "JSON"
    DOUBLE = "DOUBLE"


# CloudEvent context attributes, by canonical name, with the spellings users write.
ATTRIBUTES = (
    "id",
    "source",
    "specversion",
    "type",
    "datacontenttype",
    "dataschema",
    "subject",
    "time",
)
_ALIASES = {
    "spec_version": "specversion",
    "data_content_type": "datacontenttype",
    "data_schema": "dataschema",
    "contenttype": "datacontenttype",
}
_JSON_CAPABLE_ATTRIBUTES = frozenset({"source", "subject", "dataschema", "type"})
_WKT_TYPES = {
    "google.protobuf.Timestamp": ColumnType.TIMESTAMP,
    "google.protobuf.Duration": ColumnType.VARCHAR,
    "google.protobuf.StringValue": ColumnType.VARCHAR,
    "google.protobuf.BytesValue": ColumnType.VARCHAR,
    "google.protobuf.BoolValue": ColumnType.BOOLEAN,
    "google.protobuf.DoubleValue": ColumnType.DOUBLE,
    "google.protobuf.FloatValue": ColumnType.DOUBLE,
    "google.protobuf.Int32Value": ColumnType.BIGINT,
    "google.protobuf.Int64Value": ColumnType.BIGINT,
    "google.protobuf.UInt32Value": ColumnType.BIGINT,
    "google.protobuf.UInt64Value": ColumnType.BIGINT,
}
# Which explicit column types make sense for a proto kind (EA409 otherwise).
_COMPATIBLE: dict[str, frozenset[ColumnType]] = {
    "string": frozenset(
        {ColumnType.VARCHAR, ColumnType.JSON, ColumnType.DECIMAL, ColumnType.TIMESTAMP}
    ),
    "bytes": frozenset({ColumnType.VARCHAR}),
    "int": frozenset(
        {ColumnType.BIGINT, ColumnType.DECIMAL, ColumnType.DOUBLE, ColumnType.VARCHAR}
    ),
    "bool": frozenset({ColumnType.BOOLEAN, ColumnType.VARCHAR}),
    "float": frozenset({ColumnType.DOUBLE, ColumnType.DECIMAL, ColumnType.VARCHAR}),
    "enum": frozenset({ColumnType.VARCHAR}),
    "timestamp": frozenset({ColumnType.TIMESTAMP, ColumnType.VARCHAR}),
    "json": frozenset({ColumnType.JSON, ColumnType.VARCHAR}),
}
_IDENT = re.compile(r"[^A-Za-z0-9_]+")


def extension_name(field_name: str) -> str:
    """The CloudEvent extension attribute carrying an is_event_header field: lowercase [a-z0-9]."""
    return re.sub(r"[^a-z0-9]", "", field_name.lower())


@dataclass(frozen=True, slots=True)
class HeaderSource:
    """A value from the CloudEvent context: an attribute, an extension (header field) or a raw header."""

    kind: str  # "attribute", "extension", "raw"
    name: str  # canonical attribute / extension name, or the raw header name
    json_path: tuple[str, ...] = ()  # for $.ce_x.a.b: ("a", "b")
    field: n.FieldNode | None = None  # the is_event_header field behind an extension

    @property
    def kafka_header(self) -> str:
        """The Kafka record header carrying it (WIRE.md: ce_<attr>)."""
        return self.name if self.kind == "raw" else f"ce_{self.name}"


@dataclass(frozen=True, slots=True)
class DataSource:
    """A value inside the event data: the field chain from the event down to the leaf."""

    path: tuple[str, ...]
    fields: tuple[n.FieldNode, ...]
    proto_type: str  # a scalar name, "enum", a well-known type's full name, "message", "map"
    json_tail: tuple[str, ...] = ()  # keys below a JSON-valued field (Struct, map)


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType
    not_null: bool
    comment: str
    source: HeaderSource | DataSource
    origin: str  # "explicit", "auto", "default"
    proto_type: str  # what the value is in the event: scalar, "enum", WKT, "message", "attribute"
    span: Span  # the mapping entry, or the field for inferred columns
    mapping: n.MappingNode | None = None


@dataclass(frozen=True, slots=True)
class ResolvedSink:
    sink: n.SinkNode
    operation: n.OperationNode
    service: n.ServiceNode
    event: n.MessageNode | None
    path: str
    target: str  # starrocks, mysql, clickhouse, postgresql ("" when unset)
    database: str
    table: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    partition_key: tuple[str, ...]
    source_topic: str
    content_type: str  # JSON, PROTOBUF, AVRO
    checkpoint_interval: str | None
    batch_size: int | None
    parallelism: int | None
    properties: tuple[tuple[str, str], ...]

    def column(self, name: str) -> Column | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None


def _kind(proto_type: str) -> str:
    if proto_type in INTEGERS:
        return "int"
    if proto_type in ("float", "double"):
        return "float"
    if proto_type in ("string", "bytes", "bool", "enum"):
        return proto_type
    if proto_type == "google.protobuf.Timestamp":
        return "timestamp"
    if proto_type in _WKT_TYPES:
        return _kind_of_type(_WKT_TYPES[proto_type])
    return "json"


def _kind_of_type(t: ColumnType) -> str:
    return {
        ColumnType.BIGINT: "int",
        ColumnType.DOUBLE: "float",
        ColumnType.BOOLEAN: "bool",
        ColumnType.TIMESTAMP: "timestamp",
        ColumnType.VARCHAR: "string",
    }.get(t, "json")


def infer_type(proto_type: str) -> ColumnType:
    """Proto type -> column type, as the IDL documents it."""
    if proto_type in INTEGERS:
        return ColumnType.BIGINT
    if proto_type in ("string", "bytes", "enum"):
        return ColumnType.VARCHAR
    if proto_type == "bool":
        return ColumnType.BOOLEAN
    if proto_type in ("float", "double"):
        return ColumnType.DOUBLE
    return _WKT_TYPES.get(proto_type, ColumnType.JSON)


class Resolver:
    """Resolves the sinks of one operation; `diagnostics` collects the EA4xx findings."""

    def __init__(
        self, ws: Workspace, path: str, service: n.ServiceNode, op: n.OperationNode
    ) -> None:
        self.ws = ws
        self.path = path
        self.service = service
        self.op = op
        # Every symbol lookup is recorded, so a later snapshot can reuse this result when
        # none of the definitions it read have changed (see resolve_sinks).
        self.deps: dict[tuple[str, str, str | None], n.MessageNode | n.EnumNode | None] = {}
        found = ws.resolve(op.input.name, service.full_name, path)
        self.deps[(op.input.name, service.full_name, path)] = found[0] if found else None
        self.event = found[0] if found and isinstance(found[0], n.MessageNode) else None
        self.diagnostics: list[Diagnostic] = []

    def field_type(self, f: n.FieldNode, scope: str) -> FieldType:
        ft = self.ws.field_type(f, scope)
        if ft.scalar is None:
            self.deps[(f.type_name, scope, self.ws.home_of(f, scope))] = ft.symbol
        return ft

    def report(
        self, code: str, sev: Severity, span: Span, msg: str, fixes: tuple[Fix, ...] = ()
    ) -> None:
        self.diagnostics.append(Diagnostic(code, sev, self.path, span, msg, fixes))

    def replace(self, title: str, span: Span, text: str) -> tuple[Fix, ...]:
        return (Fix(title, (TextEdit(self.path, span, text),)),)

    # -- sources -----------------------------------------------------------------------------------

    def field_proto_type(self, f: n.FieldNode, scope: str) -> str:
        ft = self.field_type(f, scope)
        if ft.map_key is not None:
            return "map"
        if ft.repeated:
            return "repeated"
        if ft.scalar:
            return ft.scalar
        if ft.enum is not None:
            return "enum"
        if ft.symbol is not None:
            return ft.symbol.full_name if ft.well_known else "message"
        return "unknown"

    def header_fields(self) -> dict[str, n.FieldNode]:
        """Extension name -> the event's is_event_header field."""
        if self.event is None:
            return {}
        return {extension_name(f.name): f for f in self.event.fields if f.is_header}

    def header_source(self, loc: n.Located[str]) -> tuple[HeaderSource, str] | None:
        """Parse a header_path; returns the source and its proto type, or reports EA405."""
        text = loc.value.strip()
        if text.startswith("raw:"):
            name = text[4:].strip()
            if not name:
                self.report(
                    "EA405",
                    Severity.ERROR,
                    loc.span,
                    "raw: header path needs a header name, e.g. raw:x-trace",
                )
                return None
            return HeaderSource("raw", name), "string"
        json_path: tuple[str, ...] = ()
        if text.startswith("$."):
            parts = text[2:].split(".")
            text, json_path = parts[0], tuple(p for p in parts[1:] if p)
            if not json_path:
                self.report(
                    "EA405",
                    Severity.ERROR,
                    loc.span,
                    f"'{loc.value}' needs a key after the header, e.g. $.ce_source.tenant",
                )
                return None
        bare = text.removeprefix("ce_").removeprefix("ce-")
        bare = _ALIASES.get(bare, bare)
        headers = self.header_fields()
        if bare in ATTRIBUTES:
            source = HeaderSource("attribute", bare, json_path)
            proto = "google.protobuf.Timestamp" if bare == "time" else "string"
            if json_path and bare not in _JSON_CAPABLE_ATTRIBUTES:
                self.report(
                    "EA405",
                    Severity.ERROR,
                    loc.span,
                    f"ce_{bare} is not JSON; a $. path cannot read into it",
                )
                return None
        elif bare in headers or extension_name(bare) in headers:
            field = headers.get(bare) or headers[extension_name(bare)]
            scope = self.event.full_name if self.event else ""
            proto = self.field_proto_type(field, scope)
            source = HeaderSource("extension", extension_name(field.name), json_path, field)
            if json_path and proto != "string":
                self.report(
                    "EA405",
                    Severity.ERROR,
                    loc.span,
                    f"header field '{field.name}' is {proto}, not JSON; a $. path cannot read into it",
                )
                return None
        else:
            known = [f"ce_{a}" for a in ATTRIBUTES] + [f"ce_{h}" for h in headers]
            hint = suggest(text if text.startswith("ce_") else f"ce_{text}", known)
            msg = (
                f"header path '{loc.value}' names no CloudEvent attribute and no is_event_header field"
                " of the event; use ce_<attribute>, a header field, or raw:<header>"
            )
            fixes: tuple[Fix, ...] = ()
            if hint:
                msg += f"; did you mean '{hint}'?"
                new = f'"$.{hint}.{".".join(json_path)}"' if json_path else f'"{hint}"'
                fixes = self.replace(f"Change to '{hint}'", loc.span, new)
            self.report("EA405", Severity.ERROR, loc.span, msg, fixes)
            return None
        return source, proto

    def data_source(self, loc: n.Located[str]) -> tuple[DataSource, str] | None:
        """Walk a $.a.b data path through nested messages, or report EA406."""
        if self.event is None:
            return None
        text = loc.value.strip()
        body = text[2:] if text.startswith("$.") else text[1:] if text.startswith(".") else text
        parts = tuple(p for p in body.split(".")) if body else ()
        if not parts or any(not p for p in parts):
            self.report(
                "EA406",
                Severity.ERROR,
                loc.span,
                f"data path '{loc.value}' is not of the form $.field or $.field.nested",
            )
            return None
        msg: n.MessageNode | None = self.event
        chain: list[n.FieldNode] = []
        proto = "message"
        for i, part in enumerate(parts):
            if msg is None:
                break
            f = msg.field(part)
            if f is None:
                names = [x.name for x in msg.fields]
                hint = suggest(part, names)
                where = "the event" if msg is self.event else f"message {msg.name}"
                m = f"data path '{loc.value}': {where} has no field '{part}'"
                fixes: tuple[Fix, ...] = ()
                if hint:
                    m += f"; did you mean '{hint}'?"
                    fixed = "$." + ".".join([*parts[:i], hint, *parts[i + 1 :]])
                    fixes = self.replace(f"Change to '{fixed}'", loc.span, f'"{fixed}"')
                elif names:
                    m += (
                        "; its fields are "
                        + ", ".join(names[:8])
                        + (", ..." if len(names) > 8 else "")
                    )
                self.report("EA406", Severity.ERROR, loc.span, m, fixes)
                return None
            if f.is_header and msg is self.event:
                self.report(
                    "EA406",
                    Severity.ERROR,
                    loc.span,
                    f"'{part}' is an is_event_header field: it travels as a header, not in the data; "
                    f'use header_path: "ce_{extension_name(part)}"',
                    self.replace("Use the header path", loc.span, f'"ce_{extension_name(part)}"'),
                )
                return None
            chain.append(f)
            proto = self.field_proto_type(f, msg.full_name)
            ft = self.field_type(f, msg.full_name)
            rest = parts[i + 1 :]
            if rest and (proto in ("map", "google.protobuf.Struct", "google.protobuf.Value")):
                return DataSource(parts[: i + 1], tuple(chain), proto, rest), "json"
            if rest and (proto == "repeated"):
                self.report(
                    "EA406",
                    Severity.ERROR,
                    loc.span,
                    f"data path '{loc.value}' goes through repeated field '{part}'; map the whole list as JSON instead",
                )
                return None
            msg = ft.message if proto == "message" else None
            if rest and msg is None:
                self.report(
                    "EA406",
                    Severity.ERROR,
                    loc.span,
                    f"data path '{loc.value}': '{part}' is {proto}, not a message",
                )
                return None
        return DataSource(parts, tuple(chain), proto), proto

    # -- resolution --------------------------------------------------------------------------------

    def resolve(self, sink: n.SinkNode) -> ResolvedSink:
        columns: list[Column] = []
        by_name: dict[str, Column] = {}
        mapped_fields: set[str] = set()  # top-level data/header fields named by explicit mappings
        ignored: set[str] = set()
        auto_map = bool(sink.auto_map and sink.auto_map.value)
        auto_infer = sink.auto_infer is None or sink.auto_infer.value

        def add(col: Column, span: Span) -> None:
            prev = by_name.get(col.name)
            if prev is not None:
                if (
                    prev.origin == "explicit"
                    and col.origin == "auto"
                    and prev.mapping
                    and prev.mapping.target_column
                ):
                    # Point at what the user wrote, not at the field that was inferred.
                    span = prev.mapping.target_column.span
                    what = f"the auto-inferred field '{col.name}'"
                else:
                    what = "another mapping"
                self.report(
                    "EA407",
                    Severity.ERROR,
                    span,
                    f"column '{col.name}' is produced twice (here and by {what}); rename one target_column",
                )
                return
            by_name[col.name] = col
            columns.append(col)

        for m in sink.mappings:
            if m.ignore is not None and m.ignore.value:
                key = self._mapping_field(m)
                if key:
                    ignored.add(key)
                if not auto_map:
                    self.report(
                        "EA414",
                        Severity.WARNING,
                        m.ignore.span,
                        "ignore: true only has an effect with auto_map: true; remove it or set auto_map",
                    )
                continue
            col = self.explicit(m)
            if col is None:
                continue
            key = self._mapping_field(m)
            if key:
                mapped_fields.add(key)
            add(col, m.target_column.span if m.target_column else m.span)

        if self.event is not None:
            unmapped: list[str] = []
            for f in self.event.fields:
                if f.name in mapped_fields or f.name in ignored:
                    continue
                if f.is_header:
                    if auto_map:
                        add(self.inferred_header(f), sink.option_span)
                    continue
                if auto_infer or auto_map:
                    add(self.inferred(f), sink.option_span)
                else:
                    unmapped.append(f.name)
            if unmapped and sink.auto_infer is not None:
                self.report(
                    "EA413",
                    Severity.INFORMATION,
                    sink.auto_infer.span,
                    "auto_infer_data_mapping: false leaves these event fields unmapped: "
                    + ", ".join(unmapped),
                )

        defaults: list[Column] = []
        for name, attr in (("event_id", "id"), ("event_time", "time")):
            if name not in by_name:
                proto = "google.protobuf.Timestamp" if attr == "time" else "string"
                col = Column(
                    name,
                    infer_type(proto),
                    True,
                    f"CloudEvent {attr}",
                    HeaderSource("attribute", attr),
                    "default",
                    proto,
                    sink.span,
                )
                by_name[name] = col
                defaults.append(col)
        columns[:0] = defaults

        primary = self.keys(sink.primary_key, by_name, "primary_key")
        partition = self.keys(sink.partition_key, by_name, "partition_key")
        cfg = sink.config
        topic = (
            sink.source_topic.value
            if sink.source_topic
            else (self.op.address.value if self.op.address else "")
        )
        content = (
            sink.content_type.value
            if sink.content_type
            else (
                self.event.content_type.value
                if self.event and self.event.content_type
                else "CONTENT_TYPE_JSON"
            )
        )
        content = content.removeprefix("CONTENT_TYPE_")
        if content == "UNSPECIFIED":
            content = "JSON"
        return ResolvedSink(
            sink,
            self.op,
            self.service,
            self.event,
            self.path,
            sink.target_name,
            sink.database.value if sink.database else "",
            sink.table.value if sink.table else "",
            tuple(columns),
            primary,
            partition,
            topic,
            content,
            cfg.checkpoint_interval.value if cfg and cfg.checkpoint_interval else None,
            cfg.batch_size.value if cfg and cfg.batch_size else None,
            cfg.parallelism.value if cfg and cfg.parallelism else None,
            # Sorted: protoc keeps the written order of an option map, buf does not, so outputs
            # from the CLI and from either plugin host only agree in key order.
            tuple(sorted((k.value, v.value) for k, v in cfg.properties)) if cfg else (),
        )

    def _mapping_field(self, m: n.MappingNode) -> str | None:
        """The top-level event field an explicit mapping names, if any."""
        if m.data_path is not None:
            body = m.data_path.value.strip().removeprefix("$.").lstrip(".")
            return body.split(".")[0] or None
        if m.header_path is not None and self.event is not None:
            text = m.header_path.value.strip()
            if text.startswith(("raw:", "$.")):
                return None
            bare = text.removeprefix("ce_")
            f = self.header_fields().get(extension_name(bare))
            return f.name if f else None
        return None

    def keys(
        self, keys: tuple[n.Located[str], ...], by_name: dict[str, Column], label: str
    ) -> tuple[str, ...]:
        out: list[str] = []
        for k in keys:
            if k.value not in by_name:
                hint = suggest(k.value, list(by_name))
                msg = (
                    f"{label} names column '{k.value}', which no mapping or inferred field produces"
                )
                fixes: tuple[Fix, ...] = ()
                if hint:
                    msg += f"; did you mean '{hint}'?"
                    fixes = self.replace(f"Change to '{hint}'", k.span, f'"{hint}"')
                self.report("EA408", Severity.ERROR, k.span, msg, fixes)
                continue
            out.append(k.value)
        return tuple(out)

    def explicit(self, m: n.MappingNode) -> Column | None:
        if m.header_path is None and m.data_path is None:
            self.report(
                "EA410", Severity.ERROR, m.span, "mapping needs a source: header_path or data_path"
            )
            return None
        found: tuple[HeaderSource, str] | tuple[DataSource, str] | None
        if m.header_path is not None:
            found = self.header_source(m.header_path)
        else:
            assert m.data_path is not None
            found = self.data_source(m.data_path)
        if found is None:
            return None
        source, proto = found
        name = m.target_column.value.strip() if m.target_column else _derive_column(source)
        if not name:
            self.report(
                "EA410",
                Severity.ERROR,
                m.span,
                "mapping needs a target_column: none can be derived from its source",
            )
            return None
        explicit = m.type.value.removeprefix("COLUMN_TYPE_") if m.type else "UNSPECIFIED"
        if explicit == "UNSPECIFIED":
            if (
                proto in ("json", "message", "map", "repeated")
                and isinstance(source, DataSource)
                and source.json_tail
            ):
                self.report(
                    "EA418",
                    Severity.ERROR,
                    m.data_path.span if m.data_path else m.span,
                    f"the type of column '{name}' cannot be inferred from a path into JSON; set type:",
                )
                return None
            if proto == "unknown":
                self.report(
                    "EA418",
                    Severity.ERROR,
                    m.span,
                    f"the type of column '{name}' cannot be inferred; set type:",
                )
                return None
            ctype = infer_type(proto) if proto != "json" else ColumnType.JSON
            if isinstance(source, HeaderSource) and source.json_path:
                ctype = ColumnType.VARCHAR
        else:
            ctype = ColumnType(explicit)
            kind = (
                "string" if isinstance(source, HeaderSource) and source.json_path else _kind(proto)
            )
            # A path into JSON (Struct, map) has no proto type: the explicit type is the only one.
            into_json = isinstance(source, DataSource) and bool(source.json_tail)
            if not into_json and ctype not in _COMPATIBLE.get(kind, frozenset(ColumnType)):
                assert m.type is not None
                self.report(
                    "EA409",
                    Severity.WARNING,
                    m.type.span,
                    f"{ctype.value} does not fit a {proto} value; expected "
                    + " or ".join(sorted(t.value for t in _COMPATIBLE[kind])),
                )
        not_null = bool(m.not_null and m.not_null.value)
        comment = (
            m.comment.value
            if m.comment
            else (
                source.fields[-1].comment
                if isinstance(source, DataSource) and not source.json_tail
                else source.field.comment
                if isinstance(source, HeaderSource) and source.field
                else ""
            )
        )
        return Column(name, ctype, not_null, comment, source, "explicit", proto, m.span, m)

    def inferred(self, f: n.FieldNode) -> Column:
        assert self.event is not None
        proto = self.field_proto_type(f, self.event.full_name)
        # Absent optional, oneof and message-typed values are null; proto3 scalars always have a value.
        nullable = f.label == "optional" or bool(f.oneof) or proto not in _NOT_NULL_KINDS
        source = DataSource((f.name,), (f,), proto)
        return Column(
            f.name, infer_type(proto), not nullable, f.comment, source, "auto", proto, f.name_span
        )

    def inferred_header(self, f: n.FieldNode) -> Column:
        assert self.event is not None
        proto = self.field_proto_type(f, self.event.full_name)
        source = HeaderSource("extension", extension_name(f.name), (), f)
        return Column(
            f.name, infer_type(proto), False, f.comment, source, "auto", proto, f.name_span
        )


_NOT_NULL_KINDS = frozenset({"string", "bytes", "bool", "enum", "double", "float", *INTEGERS})


def _derive_column(source: HeaderSource | DataSource) -> str:
    if isinstance(source, DataSource):
        return "_".join(source.path + source.json_tail)
    base = source.name if source.kind != "raw" else _IDENT.sub("_", source.name).strip("_").lower()
    return "_".join((base, *source.json_path))


_Result = tuple[list[ResolvedSink], list[Diagnostic]]
_MEMO: OrderedDict[
    int, tuple[n.OperationNode, str, dict[tuple[str, str, str | None], object], _Result]
] = OrderedDict()
_MEMO_SIZE = 20000


def resolve_sinks(ws: Workspace, path: str, service: n.ServiceNode, op: n.OperationNode) -> _Result:
    """Every sink of `op`, resolved. Reused across snapshots while its inputs are the same nodes."""
    hit = _MEMO.get(id(op))
    if (
        hit is not None
        and hit[0] is op
        and hit[1] == path
        and all(_lookup(ws, *key) is node for key, node in hit[2].items())
    ):
        _MEMO.move_to_end(id(op))
        return hit[3]
    r = Resolver(ws, path, service, op)
    result = ([r.resolve(s) for s in op.sinks], r.diagnostics)
    _MEMO[id(op)] = (op, path, dict(r.deps), result)
    if len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)
    return result


def _lookup(ws: Workspace, name: str, scope: str, from_path: str | None) -> object:
    found = ws.resolve(name, scope, from_path)
    return found[0] if found else None
