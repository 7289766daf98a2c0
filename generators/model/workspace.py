"""An immutable snapshot of a workspace: files, the symbol index and name resolution."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from eventapi.generators.diagnostics import Diagnostic
from eventapi.generators.model import nodes as n
from eventapi.generators.model.schema import SCALARS, resolve_name
from eventapi.generators.syntax import ast
from eventapi.generators.syntax.tokens import Span

Symbol = n.MessageNode | n.EnumNode


@dataclass(frozen=True, slots=True, eq=False)
class FileNode:
    path: str  # absolute path, or "<builtin>/..." for the shipped IDL and well-known types
    import_name: str  # as other files import it, e.g. "acme/v1/orders.proto"
    text: str
    package: str
    package_span: Span | None
    imports: tuple[ast.Import, ...]
    messages: tuple[n.MessageNode, ...]
    enums: tuple[n.EnumNode, ...]
    services: tuple[n.ServiceNode, ...]
    extensions: tuple[n.ExtensionDecl, ...]
    foreign: tuple[n.ForeignOption, ...]
    diagnostics: tuple[Diagnostic, ...]  # syntax and option checks of this file alone
    builtin: bool = False

    def all_messages(self) -> Iterator[n.MessageNode]:
        stack = list(reversed(self.messages))
        while stack:
            m = stack.pop()
            yield m
            stack.extend(reversed(m.messages))

    def all_enums(self) -> Iterator[n.EnumNode]:
        yield from self.enums
        for m in self.all_messages():
            yield from m.enums


@dataclass(frozen=True, slots=True)
class FieldType:
    """A field's resolved type: a scalar name, or a message/enum symbol, plus map/repeated."""

    scalar: str | None
    symbol: Symbol | None
    repeated: bool
    map_key: str | None

    @property
    def message(self) -> n.MessageNode | None:
        return self.symbol if isinstance(self.symbol, n.MessageNode) else None

    @property
    def enum(self) -> n.EnumNode | None:
        return self.symbol if isinstance(self.symbol, n.EnumNode) else None

    @property
    def well_known(self) -> str | None:
        s = self.symbol
        return s.full_name if s is not None and s.full_name.startswith("google.protobuf.") else None


@dataclass(frozen=True, eq=False)
class Workspace:
    files: dict[str, FileNode]
    targets: tuple[str, ...]  # the user's files (checked and generated), in a stable order
    imports: dict[str, dict[str, str | None]]  # path -> import name -> resolved path
    _cache: dict[object, object] = field(default_factory=dict, repr=False)
    _resolved: dict[tuple[str, str, str | None], tuple[Symbol, str] | None] = field(
        default_factory=dict, repr=False
    )

    @cached_property
    def definitions(self) -> dict[str, list[tuple[Symbol, str]]]:
        """Full name -> every (message or enum, defining file), in path order.

        Unrelated protos in one workspace may define the same name; resolution then prefers the
        referencing file and its imports, and the path order keeps every front end in agreement.
        """
        table: dict[str, list[tuple[Symbol, str]]] = {}
        for path in sorted(self.files):
            f = self.files[path]
            for m in f.all_messages():
                table.setdefault(m.full_name, []).append((m, path))
            for e in f.all_enums():
                table.setdefault(e.full_name, []).append((e, path))
        return table

    @cached_property
    def symbols(self) -> dict[str, tuple[Symbol, str]]:
        """Full name -> (message or enum, path of the defining file); the first in path order."""
        return {name: defs[0] for name, defs in self.definitions.items()}

    @cached_property
    def _service_paths(self) -> dict[int, str]:
        return {id(s): path for path, f in self.files.items() for s in f.services}

    @cached_property
    def packages(self) -> frozenset[str]:
        out: set[str] = set()
        for f in self.files.values():
            parts = f.package.split(".") if f.package else []
            for i in range(1, len(parts) + 1):
                out.add(".".join(parts[:i]))
        return frozenset(out)

    def target_files(self) -> Iterator[FileNode]:
        for path in self.targets:
            yield self.files[path]

    def visible_paths(self, path: str) -> frozenset[str]:
        """The file itself, its imports, and what those re-export with `import public`."""
        key = ("visible", path)
        cached = self._cache.get(key)
        if cached is not None:
            return cached  # type: ignore[return-value]
        seen = {path}
        direct = [p for p in self.imports.get(path, {}).values() if p]
        stack = list(direct)
        seen.update(direct)
        while stack:
            p = stack.pop()
            f = self.files.get(p)
            if f is None:
                continue
            for imp in f.imports:
                if imp.kind == "public":
                    target = self.imports.get(p, {}).get(imp.path)
                    if target and target not in seen:
                        seen.add(target)
                        stack.append(target)
        result = frozenset(seen)
        self._cache[key] = result
        return result

    def resolve(
        self, name: str, scope: str, from_path: str | None = None
    ) -> tuple[Symbol, str] | None:
        """Resolve a type name as written in `scope` (a message, service or package full name).

        With several definitions of the name, the one in `from_path` (the referencing file) or in
        a file it imports wins.
        """
        key = (name, scope, from_path)
        if key in self._resolved:
            return self._resolved[key]
        full = resolve_name(name, scope, self.definitions.__contains__)
        found: tuple[Symbol, str] | None = None
        if full is not None:
            candidates = self.definitions[full]
            found = candidates[0]
            if from_path is not None and len(candidates) > 1:
                visible = self.visible_paths(from_path)
                found = next(
                    (c for c in candidates if c[1] == from_path),
                    next((c for c in candidates if c[1] in visible), found),
                )
        self._resolved[key] = found
        return found

    def home_of(self, f: n.FieldNode, scope: str) -> str | None:
        """The file of the message `scope` that declares field `f` (when the name is ambiguous)."""
        defs = self.definitions.get(scope, ())
        if len(defs) < 2:
            return None
        for symbol, path in defs:
            if isinstance(symbol, n.MessageNode) and any(x is f for x in symbol.fields):
                return path
        return None

    def field_type(self, f: n.FieldNode, scope: str) -> FieldType:
        """The resolved type of a field of the message whose full name is `scope`."""
        key = ("ft", id(f))
        cached = self._cache.get(key)
        if cached is not None:
            return cached[1]  # type: ignore[index,no-any-return]
        if f.type_name in SCALARS:
            ft = FieldType(f.type_name, None, f.repeated, f.map_key)
        else:
            found = self.resolve(f.type_name, scope, self.home_of(f, scope))
            ft = FieldType(None, found[0] if found else None, f.repeated, f.map_key)
        self._cache[key] = (f, ft)
        return ft

    def message(self, full_name: str) -> n.MessageNode | None:
        found = self.symbols.get(full_name)
        return found[0] if found and isinstance(found[0], n.MessageNode) else None

    def rpc_message(self, ref: n.TypeRef, service: n.ServiceNode) -> n.MessageNode | None:
        found = self.resolve(ref.name, service.full_name, self._service_paths.get(id(service)))
        return found[0] if found and isinstance(found[0], n.MessageNode) else None

    def file_of(self, full_name: str) -> FileNode | None:
        found = self.symbols.get(full_name)
        return self.files.get(found[1]) if found else None

    def services(self) -> Iterator[tuple[FileNode, n.ServiceNode]]:
        for f in self.target_files():
            for s in f.services:
                yield f, s
