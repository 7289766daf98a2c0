"""Check option statements against the schema and turn their literals into positioned values.

Every value keeps the span of its token, so a diagnostic can point at `adress:` inside a literal
or at one entry of `primary_key: ["a", "b"]`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from eventapi.generators.diagnostics import Diagnostic, Fix, Severity, TextEdit
from eventapi.generators.model.schema import (
    INTEGERS,
    OPTIONS_MESSAGES,
    FieldSchema,
    Schema,
    resolve_name,
)
from eventapi.generators.model.wellknown import FIELD_PSEUDO_OPTIONS
from eventapi.generators.syntax import ast
from eventapi.generators.syntax.tokens import Span

_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "sint32": (-(2**31), 2**31 - 1),
    "sfixed32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
    "fixed32": (0, 2**32 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "sint64": (-(2**63), 2**63 - 1),
    "sfixed64": (-(2**63), 2**63 - 1),
    "uint64": (0, 2**64 - 1),
    "fixed64": (0, 2**64 - 1),
}
_TRUE = frozenset({"true", "True", "t"})
_FALSE = frozenset({"false", "False", "f"})


@dataclass(frozen=True, slots=True, eq=False)
class OScalar:
    """A checked scalar: str for strings and enum names, int, float or bool."""

    value: str | int | float | bool
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class OField:
    name: str
    name_span: Span
    values: tuple[OValue, ...]
    span: Span


@dataclass(frozen=True, slots=True, eq=False)
class OMessage:
    type_name: str
    fields: dict[str, OField]
    span: Span
    invalid: frozenset[str] = frozenset()  # keys present but with a value that failed its check

    def scalar(self, name: str) -> OScalar | None:
        f = self.fields.get(name)
        if f is None or not f.values:
            return None
        v = f.values[-1]
        return v if isinstance(v, OScalar) else None

    def message(self, name: str) -> OMessage | None:
        f = self.fields.get(name)
        if f is None or not f.values:
            return None
        v = f.values[-1]
        return v if isinstance(v, OMessage) else None

    def scalars(self, name: str) -> tuple[OScalar, ...]:
        f = self.fields.get(name)
        return tuple(v for v in f.values if isinstance(v, OScalar)) if f else ()

    def messages(self, name: str) -> tuple[OMessage, ...]:
        f = self.fields.get(name)
        return tuple(v for v in f.values if isinstance(v, OMessage)) if f else ()


OValue = OScalar | OMessage


@dataclass(slots=True)
class Interpreted:
    """The options of one element: our extensions by full name, foreign ones, standard ones."""

    ext: dict[str, list[OValue]] = field(default_factory=dict)
    ext_spans: dict[str, Span] = field(default_factory=dict)
    foreign: list[ast.Option] = field(default_factory=list)
    standard: dict[str, ast.Value] = field(default_factory=dict)


def suggest(name: str, candidates: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The closest candidate, for "did you mean"."""
    matches = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    if not matches and len(name) > 3:
        lowered = {c.lower(): c for c in candidates}
        if name.lower() in lowered:
            return lowered[name.lower()]
    return matches[0] if matches else None


class OptionChecker:
    """Interprets the options of one file's elements; collects EA003/EA004 diagnostics."""

    def __init__(self, schema: Schema, path: str, package: str) -> None:
        self.schema = schema
        self.path = path
        self.package = package
        self.diagnostics: list[Diagnostic] = []

    def report(
        self, code: str, span: Span, message: str, fix: tuple[str, str] | None = None
    ) -> None:
        fixes: tuple[Fix, ...] = ()
        if fix is not None:
            title, new = fix
            fixes = (Fix(title, (TextEdit(self.path, span, new),)),)
        self.diagnostics.append(Diagnostic(code, Severity.ERROR, self.path, span, message, fixes))

    def interpret(self, options: tuple[ast.Option, ...], where: str) -> Interpreted:
        """Check `options` placed on an element of kind `where` (see OPTIONS_MESSAGES)."""
        out = Interpreted()
        if not options:
            return out
        extendee = OPTIONS_MESSAGES[where]
        for opt in options:
            head = opt.name[0]
            if not head.is_extension:
                self._standard(opt, extendee, where, out)
                continue
            ext_name = resolve_name(head.name, self.package, self.schema.extensions.__contains__)
            if ext_name is None:
                if head.name.split(".")[0] == "eventapi" or head.name.startswith("eventapi."):
                    self._unknown_extension(head, extendee)
                else:
                    out.foreign.append(opt)
                continue
            ext = self.schema.extensions[ext_name]
            if ext.extendee != extendee:
                applies = next((k for k, v in OPTIONS_MESSAGES.items() if v == ext.extendee), "?")
                self.report(
                    "EA003",
                    head.span,
                    f"option ({ext_name}) applies to {applies.replace('_', ' ')}s, not to {where.replace('_', ' ')}s",
                )
                continue
            value = _nest(opt.name[1:], opt.value)
            checked = self.value(ext.field, value, f"({ext_name})")
            if checked is None:
                continue
            bucket = out.ext.setdefault(ext_name, [])
            if not ext.field.repeated and bucket:
                merged = self._merge(bucket[-1], checked, opt)
                if merged is not None:
                    bucket[-1] = merged
                continue
            bucket.append(checked)
            out.ext_spans.setdefault(ext_name, head.span)
        return out

    def _standard(self, opt: ast.Option, extendee: str, where: str, out: Interpreted) -> None:
        head = opt.name[0]
        if where == "field" and head.name in FIELD_PSEUDO_OPTIONS:
            out.standard[head.name] = opt.value
            return
        fields = self.schema.messages[extendee].fields
        if head.name not in fields:
            hint = suggest(head.name, list(fields))
            msg = f"unknown option '{head.name}' for {where.replace('_', ' ')}s"
            self.report(
                "EA003",
                head.span,
                msg + (f"; did you mean '{hint}'?" if hint else ""),
                (f"Change to '{hint}'", hint) if hint else None,
            )
            return
        self.value(fields[head.name], opt.value, head.name)
        out.standard[head.name] = opt.value

    def _unknown_extension(self, head: ast.NamePart, extendee: str) -> None:
        ours = [e.full_name for e in self.schema.extensions.values() if e.extendee == extendee]
        every = [e.full_name for e in self.schema.extensions.values()]
        hint = suggest(head.name, ours) or suggest(head.name, every)
        msg = f"unknown option ({head.name})"
        if hint:
            msg += f"; did you mean ({hint})?"
        else:
            msg += "; EventAPI options are " + ", ".join(f"({n})" for n in sorted(every))
        self.report("EA003", head.span, msg, (f"Change to ({hint})", f"({hint})") if hint else None)

    def _merge(self, old: OValue, new: OValue, opt: ast.Option) -> OValue | None:
        if isinstance(old, OMessage) and isinstance(new, OMessage) and len(opt.name) > 1:
            fields = dict(old.fields)
            for name, f in new.fields.items():
                if name in fields:
                    self.report("EA004", f.name_span, f"option field '{name}' is set twice")
                    continue
                fields[name] = f
            return OMessage(old.type_name, fields, old.span, old.invalid | new.invalid)
        self.report("EA004", opt.name_span, f"option {opt.dotted} is set twice; it takes one value")
        return None

    # -- values ----------------------------------------------------------------------------------

    def value(self, fs: FieldSchema, value: ast.Value, label: str) -> OValue | None:
        if fs.kind == "message":
            if not isinstance(value, ast.MessageValue):
                self.report("EA004", value.span, f"{label} takes a message literal {{ ... }}")
                return None
            if fs.is_map:
                return self._map_entry(value, label)
            return self.message(fs.type_name, value, label)
        if not isinstance(value, ast.Scalar):
            kind = "a list" if isinstance(value, ast.ListValue) else "a message"
            self.report("EA004", value.span, f"{label} takes {_describe(fs)}, not {kind}")
            return None
        return self.scalar(fs, value, label)

    def scalar(self, fs: FieldSchema, v: ast.Scalar, label: str) -> OScalar | None:
        kind = fs.kind
        if kind in ("string", "bytes"):
            if v.kind == "string":
                return OScalar(v.value, v.span)
        elif kind == "bool":
            if v.kind == "ident" and (v.value in _TRUE or v.value in _FALSE):
                return OScalar(v.value in _TRUE, v.span)
            if v.kind == "int" and v.value in (0, 1):
                return OScalar(bool(v.value), v.span)
        elif kind in INTEGERS:
            if v.kind == "int" and isinstance(v.value, int):
                lo, hi = _RANGES[kind]
                if lo <= v.value <= hi:
                    return OScalar(v.value, v.span)
                self.report("EA004", v.span, f"{label}: {v.value} is out of range for {kind}")
                return None
        elif kind in ("float", "double"):
            if v.kind in ("int", "float") and isinstance(v.value, (int, float)):
                return OScalar(float(v.value), v.span)
        elif kind == "enum":
            names = self.schema.enums.get(fs.type_name, ())
            if v.kind == "ident" and v.value in names:
                return OScalar(v.value, v.span)
            if v.kind == "int" and isinstance(v.value, int) and 0 <= v.value < len(names):
                return OScalar(names[v.value], v.span)
            if v.kind == "ident":
                hint = suggest(str(v.value), names)
                msg = f"unknown value {v.value} for {label}"
                msg += (
                    f"; did you mean {hint}?" if hint else f"; expected one of {', '.join(names)}"
                )
                self.report("EA004", v.span, msg, (f"Change to {hint}", hint) if hint else None)
                return None
        shown = f'"{v.value}"' if v.kind == "string" else str(v.value)
        self.report("EA004", v.span, f"{label} takes {_describe(fs)}, not {shown}")
        return None

    def message(self, type_name: str, value: ast.MessageValue, label: str) -> OMessage:
        ms = self.schema.messages.get(type_name)
        fields: dict[str, OField] = {}
        invalid: set[str] = set()
        oneof_seen: dict[str, str] = {}
        for entry in value.entries:
            fs = ms.fields.get(entry.name) if ms else None
            if fs is None or entry.is_extension:
                known = list(ms.fields) if ms else []
                hint = suggest(entry.name, known)
                short = type_name.rsplit(".", 1)[-1]
                msg = f"unknown field '{entry.name}' in {short}"
                msg += f"; did you mean '{hint}'?" if hint else f"; fields are {', '.join(known)}"
                self.report(
                    "EA004", entry.name_span, msg, (f"Change to '{hint}'", hint) if hint else None
                )
                continue
            sub_label = f"{label}.{entry.name}" if label else entry.name
            if isinstance(entry.value, ast.ListValue):
                if not fs.repeated:
                    self.report(
                        "EA004",
                        entry.value.span,
                        f"{sub_label} takes one value, not a list",
                    )
                    continue
                items = [self.value(fs, item, sub_label) for item in entry.value.items]
                checked = tuple(i for i in items if i is not None)
            else:
                one = self.value(fs, entry.value, sub_label)
                checked = (one,) if one is not None else ()
                if one is None:
                    invalid.add(entry.name)
            if fs.oneof:
                other = oneof_seen.get(fs.oneof)
                if other is not None and other != entry.name:
                    self.report(
                        "EA004",
                        entry.name_span,
                        f"'{entry.name}' and '{other}' are alternatives ({fs.oneof}); set only one",
                    )
                    continue
                oneof_seen[fs.oneof] = entry.name
            prev = fields.get(entry.name)
            if prev is not None:
                if not fs.repeated:
                    self.report("EA004", entry.name_span, f"'{entry.name}' is set twice")
                    continue
                checked = prev.values + checked
                fields[entry.name] = OField(entry.name, prev.name_span, checked, prev.span)
                continue
            fields[entry.name] = OField(entry.name, entry.name_span, checked, entry.span)
        return OMessage(type_name, fields, value.span, frozenset(invalid))

    def _map_entry(self, value: ast.MessageValue, label: str) -> OMessage:
        fields: dict[str, OField] = {}
        for entry in value.entries:
            if entry.name not in ("key", "value"):
                hint = suggest(entry.name, ["key", "value"])
                self.report(
                    "EA004",
                    entry.name_span,
                    f"map entry of {label} has 'key' and 'value', not '{entry.name}'",
                    (f"Change to '{hint}'", hint) if hint else None,
                )
                continue
            if not isinstance(entry.value, ast.Scalar) or entry.value.kind != "string":
                self.report("EA004", entry.value.span, f"{label} {entry.name} must be a string")
                continue
            checked = OScalar(entry.value.value, entry.value.span)
            fields[entry.name] = OField(entry.name, entry.name_span, (checked,), entry.span)
        return OMessage("map", fields, value.span)


def _nest(path: tuple[ast.NamePart, ...], value: ast.Value) -> ast.Value:
    """`(x).a.b = v` is `(x) = { a: { b: v } }`."""
    for part in reversed(path):
        entry = ast.Entry(part.name, part.span, value, part.span.to(value.span), part.is_extension)
        value = ast.MessageValue((entry,), part.span.to(value.span))
    return value


def _describe(fs: FieldSchema) -> str:
    if fs.kind == "enum":
        return f"an enum value of {fs.type_name.rsplit('.', 1)[-1]}"
    if fs.kind in ("string", "bytes"):
        return "a string"
    if fs.kind == "bool":
        return "true or false"
    if fs.kind == "message":
        return "a message literal"
    return f"a number ({fs.kind})"
