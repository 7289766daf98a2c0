"""View-model of a service's event types: Python classes and runtime schemas for messages and enums.

Every message reachable from the service's events becomes a frozen dataclass plus a
`MessageSchema`; enums become `IntEnum`s; event messages also get an `EventSchema`. Names are
allocated once per service, deterministically, avoiding the module's own imports.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass

from eventapi.generators.model import nodes as n
from eventapi.generators.model.sinks import extension_name
from eventapi.generators.model.workspace import FieldType, Workspace
from eventapi.generators.naming import snake_case
from eventapi.generators.sdk.layout import call, cap_words, comment_lines, docstring, py_str

_SCALAR_PY = {
    "double": "float",
    "float": "float",
    "bool": "bool",
    "string": "str",
    "bytes": "bytes",
}
_ZERO = {"float": "0.0", "bool": "False", "str": '""', "bytes": 'b""', "int": "0"}
# Well-known types the runtime maps to Python values directly (runtime/codecs/schema.py).
_WKT: dict[str, tuple[str, str]] = {
    "google.protobuf.Timestamp": ("TIMESTAMP", "datetime"),
    "google.protobuf.Duration": ("DURATION", "timedelta"),
    "google.protobuf.Struct": ("STRUCT", "dict[str, Any]"),
    "google.protobuf.Value": ("VALUE", "Any"),
    "google.protobuf.ListValue": ("LIST_VALUE", "list[Any]"),
    "google.protobuf.DoubleValue": ("DOUBLE_VALUE", "float"),
    "google.protobuf.FloatValue": ("FLOAT_VALUE", "float"),
    "google.protobuf.Int64Value": ("INT64_VALUE", "int"),
    "google.protobuf.UInt64Value": ("UINT64_VALUE", "int"),
    "google.protobuf.Int32Value": ("INT32_VALUE", "int"),
    "google.protobuf.UInt32Value": ("UINT32_VALUE", "int"),
    "google.protobuf.BoolValue": ("BOOL_VALUE", "bool"),
    "google.protobuf.StringValue": ("STRING_VALUE", "str"),
    "google.protobuf.BytesValue": ("BYTES_VALUE", "bytes"),
}
#: Names events.py imports or uses in annotations; classes and attributes must not shadow them.
RESERVED = frozenset(
    {
        "annotations",
        "dataclasses",
        "datetime",
        "timedelta",
        "IntEnum",
        "Any",
        "ContentType",
        "EventSchema",
        "FieldSpec",
        "Kind",
        "MessageSchema",
        "int",
        "float",
        "bool",
        "str",
        "bytes",
        "list",
        "dict",
        "None",
    }
)


class SdkError(Exception):
    """The workspace cannot be rendered into an SDK (a problem the rules did not report)."""


@dataclass(frozen=True, slots=True)
class EnumView:
    py_name: str
    full_name: str
    doc: tuple[str, ...]
    values: tuple[tuple[str, int, tuple[str, ...]], ...]  # name, number, comment lines

    @property
    def zero(self) -> str:
        for name, number, _ in self.values:
            if number == 0:
                return f"{self.py_name}.{name}"
        return f"{self.py_name}(0)"


@dataclass(frozen=True, slots=True)
class FieldView:
    name: str
    attr: str
    annotation: str
    default: str
    comments: tuple[str, ...]
    spec: tuple[str, ...]  # FieldSpec(...) lines at 8 columns
    py_type: str  # the element type (for key expressions)
    nullable: bool

    @property
    def declaration(self) -> str:
        return f"{self.attr}: {self.annotation} = {self.default}"


@dataclass(frozen=True, slots=True)
class MessageView:
    py_name: str
    full_name: str
    doc: tuple[str, ...]
    fields: tuple[FieldView, ...]
    schema_name: str
    schema: tuple[str, ...]  # the `X_SCHEMA = MessageSchema(...)` lines at column 0

    def field(self, name: str) -> FieldView | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


@dataclass(frozen=True, slots=True)
class EventView:
    message: MessageView
    event_type: str
    content_type: str  # JSON or PROTOBUF
    schema_name: str
    schema: tuple[str, ...]
    subject: str | None  # proto field name
    headers: tuple[tuple[str, str], ...]  # (field, extension attribute)

    @property
    def py_name(self) -> str:
        return self.message.py_name

    @property
    def received_alias(self) -> str:
        return f"Received{self.message.py_name}"


@dataclass(frozen=True, slots=True)
class TypeSet:
    enums: tuple[EnumView, ...]
    messages: tuple[MessageView, ...]  # declaration order
    schemas: tuple[MessageView, ...]  # dependency order (schemas refer to earlier ones)
    events: tuple[EventView, ...]
    pb_modules: tuple[str, ...]  # _pb modules events.py imports

    def event(self, full_name: str) -> EventView:
        for e in self.events:
            if e.message.full_name == full_name:
                return e
        raise KeyError(full_name)


def _attr(name: str) -> str:
    return name + "_" if keyword.iskeyword(name) or name in RESERVED else name


class _Builder:
    def __init__(self, ws: Workspace, pb_module: dict[str, str] | None) -> None:
        self.ws = ws
        self.pb_module = pb_module  # proto file path -> _pb module name, when protobuf is used
        self.messages: list[n.MessageNode] = []
        self.enums: list[n.EnumNode] = []
        self.names: dict[str, str] = {}
        self.deps: dict[str, list[str]] = {}
        self.used_modules: set[str] = set()

    # -- discovery -------------------------------------------------------------------------
    def add_message(self, msg: n.MessageNode) -> None:
        if msg.full_name in self.deps:
            return
        self.deps[msg.full_name] = []
        self.messages.append(msg)
        for f in msg.fields:
            ft = self.field_type(f, msg)
            if ft.enum is not None and ft.enum not in self.enums:
                self.enums.append(ft.enum)
            target = ft.message
            if target is not None and target.full_name not in _WKT:
                self.deps[msg.full_name].append(target.full_name)
                self.add_message(target)

    def field_type(self, f: n.FieldNode, msg: n.MessageNode) -> FieldType:
        ft = self.ws.field_type(f, msg.full_name)
        if ft.scalar is None and ft.symbol is None:
            raise SdkError(f"{msg.full_name}.{f.name}: unknown type {f.type_name!r}")
        return ft

    def allocate(self) -> None:
        taken: set[str] = set(RESERVED)
        symbols: list[n.EnumNode | n.MessageNode] = [*self.enums, *self.messages]
        for sym in symbols:
            found = self.ws.file_of(sym.full_name)
            package = found.package if found else ""
            local = sym.full_name[len(package) + 1 :] if package else sym.full_name
            base = cap_words(local.replace(".", "_")) if "." in local else local
            candidates = [base, cap_words(package.split(".")[-1]) + base, cap_words(package) + base]
            name = next((c for c in candidates if c not in taken), "")
            i = 2
            while not name:
                name = base + str(i) if base + str(i) not in taken else ""
                i += 1
            taken.add(name)
            self.names[sym.full_name] = name

    # -- views -----------------------------------------------------------------------------
    def schema_name(self, full_name: str) -> str:
        return snake_case(self.names[full_name]).upper() + "_MESSAGE"

    def enum_view(self, e: n.EnumNode) -> EnumView:
        values = tuple(
            (v.name, v.number or 0, tuple(comment_lines(v.comment, 4))) for v in e.values
        )
        return EnumView(
            self.names[e.full_name],
            e.full_name,
            tuple(docstring(e.comment, 4, f"The {e.full_name} enum.")),
            values,
        )

    def field_view(self, f: n.FieldNode, msg: n.MessageNode, defined: set[str]) -> FieldView:
        ft = self.field_type(f, msg)
        attr = _attr(f.name)
        extra: list[str] = []
        nullable = False
        if ft.scalar is not None:
            kind = ft.scalar.upper()
            py = _SCALAR_PY.get(ft.scalar, "int")
        elif ft.enum is not None:
            kind, py = "ENUM", self.names[ft.enum.full_name]
            extra.append(f"enum={py}")
        elif ft.symbol is not None and ft.symbol.full_name in _WKT:
            kind, py = _WKT[ft.symbol.full_name]
            # Struct and ListValue are JSON containers (empty, never absent); Value may be null.
            nullable = kind not in ("STRUCT", "LIST_VALUE")
        else:
            assert ft.symbol is not None
            kind, py = "MESSAGE", self.names[ft.symbol.full_name]
            target = self.schema_name(ft.symbol.full_name)
            extra.append(f"message={target}" if target in defined else f"message=lambda: {target}")
            nullable = True
        args = [py_str(f.name), f"Kind.{kind}", str(f.number or 0)]
        if attr != f.name:
            args.append(f"attr={py_str(attr)}")
        if ft.map_key is not None:
            key_py = _SCALAR_PY.get(ft.map_key, "int")
            args.append(f"map_key=Kind.{ft.map_key.upper()}")
            annotation, default = f"dict[{key_py}, {py}]", "dataclasses.field(default_factory=dict)"
            nullable = False
        elif f.label == "repeated":
            args.append("repeated=True")
            annotation, default = f"list[{py}]", "dataclasses.field(default_factory=list)"
            nullable = False
        else:
            if f.label == "optional":
                args.append("optional=True")
                nullable = True
            if f.oneof:
                args.append(f"oneof={py_str(f.oneof)}")
                nullable = True
            if nullable:
                annotation = py if py == "Any" else f"{py} | None"
                default = "None"
            elif ft.enum is not None:
                annotation = py
                default = self.enum_view(ft.enum).zero
            elif kind in ("STRUCT", "LIST_VALUE"):
                annotation = py
                factory = "dict" if kind == "STRUCT" else "list"
                default = f"dataclasses.field(default_factory={factory})"
            else:
                annotation, default = py, _ZERO.get(py, "0")
        args.extend(extra)
        comments = comment_lines(f.comment, 4, "#: ")
        return FieldView(
            f.name,
            attr,
            annotation,
            default,
            tuple(comments),
            tuple(call("FieldSpec", args, 8, ",")),
            py,
            nullable,
        )

    def message_view(self, msg: n.MessageNode, defined: set[str]) -> MessageView:
        fields = tuple(self.field_view(f, msg, defined) for f in msg.fields)
        name = self.names[msg.full_name]
        schema_name = self.schema_name(msg.full_name)
        lines = [
            # Annotated: a recursive message refers to its own schema through a lambda.
            f"{schema_name}: MessageSchema[{name}] = MessageSchema(",
            f"    {py_str(msg.full_name)},",
            f"    {name},",
        ]
        if fields:
            lines.append("    (")
            for fv in fields:
                lines.extend("        " + line for line in fv.spec)
            lines.append("    ),")
        else:
            lines.append("    (),")
        pb = self.protobuf_class(msg)
        if pb:
            lines.append(f"    protobuf={pb},")
        lines.append(")")
        doc = docstring(msg.comment, 4, f"The {msg.full_name} message.")
        return MessageView(name, msg.full_name, tuple(doc), fields, schema_name, tuple(lines))

    def protobuf_class(self, msg: n.MessageNode) -> str | None:
        if self.pb_module is None:
            return None
        found = self.ws.symbols.get(msg.full_name)
        if found is None or found[1] not in self.pb_module:
            return None
        f = self.ws.files[found[1]]
        local = msg.full_name[len(f.package) + 1 :] if f.package else msg.full_name
        module = self.pb_module[found[1]]
        self.used_modules.add(module)
        return f"{module}.{local}"

    def ordered(self) -> list[n.MessageNode]:
        """Messages with dependencies first (a cycle falls back to a lazy reference)."""
        by_name = {m.full_name: m for m in self.messages}
        out: list[n.MessageNode] = []
        state: dict[str, int] = {}

        def visit(name: str) -> None:
            if state.get(name):
                return
            state[name] = 1
            for dep in self.deps[name]:
                visit(dep)
            state[name] = 2
            out.append(by_name[name])

        for m in self.messages:
            visit(m.full_name)
        return out


def event_view(b: _Builder, msg: n.MessageNode, mv: MessageView) -> EventView:
    content = msg.content_type.value if msg.content_type else "CONTENT_TYPE_JSON"
    content = "PROTOBUF" if content == "CONTENT_TYPE_PROTOBUF" else "JSON"
    subject = next((f.name for f in msg.fields if f.is_subject), None)
    headers = tuple((f.name, extension_name(f.name)) for f in msg.fields if f.is_header)
    event_type = msg.event_type.value if msg.event_type else msg.full_name
    name = snake_case(mv.py_name).upper()
    name = name if name.endswith("_EVENT") else name + "_EVENT"
    args = [mv.schema_name, py_str(event_type), f"content_type=ContentType.{content}"]
    if subject:
        args.append(f"subject_field={py_str(subject)}")
    if headers:
        fields = ", ".join(py_str(h) for h, _ in headers)
        args.append(f"header_fields=({fields},)")
        names = ", ".join(f"{py_str(h)}: {py_str(e)}" for h, e in headers)
        args.append(f"header_names={{{names}}}")
    lines = call(f"{name}: EventSchema[{mv.py_name}] = EventSchema", args, 0)
    return EventView(mv, event_type, content, name, tuple(lines), subject, headers)


def build_types(
    ws: Workspace, events: list[n.MessageNode], pb_module: dict[str, str] | None
) -> TypeSet:
    """The classes and schemas for `events` and everything they reach."""
    b = _Builder(ws, pb_module)
    for msg in events:
        b.add_message(msg)
    b.allocate()
    defined: set[str] = set()
    views: dict[str, MessageView] = {}
    schemas: list[MessageView] = []
    for msg in b.ordered():
        mv = b.message_view(msg, defined)
        defined.add(mv.schema_name)
        views[msg.full_name] = mv
        schemas.append(mv)
    event_views = tuple(
        event_view(b, msg, views[msg.full_name])
        for msg in dict.fromkeys(events)  # unique, in operation order
    )
    return TypeSet(
        tuple(b.enum_view(e) for e in b.enums),
        tuple(views[m.full_name] for m in b.messages),
        tuple(schemas),
        event_views,
        tuple(sorted(b.used_modules)),
    )
