"""SQL dialect facts as data (types, quoting, reserved words, key and partition rules) and their registry.

One class per target; subclasses override only what differs (`TYPE_MAPPING = {**Parent.TYPE_MAPPING, ...}`),
so the DDL renderers and the rules (EA403, EA411, EA412, EA417) read the same facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from eventapi.generators.model.sinks import Column, ColumnType, ResolvedSink
from eventapi.generators.sql import reserved

# Proto types whose values exceed a signed BIGINT: rendered as an unsigned/wider type.
UNSIGNED_64 = frozenset({"uint64", "fixed64", "google.protobuf.UInt64Value"})
DEFAULT_DECIMAL = (38, 9)
MAX_DECIMAL_PRECISION = (
    38  # the smallest maximum of all targets and Flink (StarRocks, ClickHouse, Flink)
)
_PLAIN_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DECIMAL_SPEC = re.compile(r"\s*(\d+)\s*,\s*(\d+)\s*")

# Logical types: the ColumnType names plus UBIGINT (BIGINT carrying an unsigned 64-bit proto value).
LOGICAL_TYPES = (
    "VARCHAR",
    "BIGINT",
    "UBIGINT",
    "TIMESTAMP",
    "DECIMAL",
    "BOOLEAN",
    "JSON",
    "DOUBLE",
)


def logical_type(column: Column) -> str:
    """The column's type, refined where the proto type needs more room than the column type says."""
    if column.type is ColumnType.BIGINT and column.proto_type in UNSIGNED_64:
        return "UBIGINT"
    return column.type.value


def decimal_spec(resolved: ResolvedSink, column: str) -> tuple[int, int]:
    """Precision and scale of a DECIMAL column: config property `decimal.<column>` = "P,S", or 38,9."""
    spec = dict(resolved.properties).get(f"decimal.{column}")
    parsed = parse_decimal(spec) if spec is not None else None
    return parsed or DEFAULT_DECIMAL


def parse_decimal(spec: str) -> tuple[int, int] | None:
    """ "18,2" -> (18, 2); None when malformed or out of the range every target accepts."""
    m = _DECIMAL_SPEC.fullmatch(spec)
    if not m:
        return None
    p, s = int(m.group(1)), int(m.group(2))
    if not (1 <= p <= MAX_DECIMAL_PRECISION and 0 <= s <= p):
        return None
    return p, s


class Dialect:
    """Facts every target has; the base is generic ANSI-ish SQL and is never used on its own."""

    name = ""
    display = ""
    IDENTIFIER_QUOTE = '"'
    MAX_IDENTIFIER_LENGTH = 63
    RESERVED: frozenset[str] = frozenset()
    # Logical type -> column type. {p} and {s} are a DECIMAL's precision and scale.
    TYPE_MAPPING: dict[str, str] = {
        "VARCHAR": "VARCHAR",
        "BIGINT": "BIGINT",
        "UBIGINT": "DECIMAL(20, 0)",
        "TIMESTAMP": "TIMESTAMP(3)",
        "DECIMAL": "DECIMAL({p}, {s})",
        "BOOLEAN": "BOOLEAN",
        "JSON": "JSON",
        "DOUBLE": "DOUBLE",
    }
    # Overrides for key (primary / partition) columns, where a target limits the key's size.
    KEY_TYPE_MAPPING: dict[str, str] = {}
    # Logical types allowed in a primary key / sort key, and as partition columns.
    KEYABLE: frozenset[str] = frozenset(LOGICAL_TYPES) - {"JSON"}
    PARTITIONABLE: frozenset[str] = frozenset(LOGICAL_TYPES) - {"JSON"}
    # The target requires every partition column inside the primary key (unique keys).
    PARTITION_IN_KEY = True
    # Key columns must be declared NOT NULL (the renderer forces it; the rule flags nullable sources).
    KEY_NOT_NULL = False
    MAX_COMMENT_LENGTH: int | None = None

    # -- queries the rules engine uses -------------------------------------------------------------

    def is_reserved(self, name: str) -> bool:
        return name.lower() in self.RESERVED

    def valid_identifier(self, name: str) -> bool:
        """Usable without quoting: a plain name, not reserved, within the length limit."""
        return self.identifier_problem(name) is None

    def identifier_problem(self, name: str) -> str | None:
        """Why `name` is a poor identifier for this target (None when it is fine)."""
        if not name:
            return "is empty"
        if "\x00" in name:
            return "contains a NUL character"
        if len(name) > self.MAX_IDENTIFIER_LENGTH:
            return (
                f"is longer than {self.display}'s limit of {self.MAX_IDENTIFIER_LENGTH} characters"
            )
        if not _PLAIN_IDENTIFIER.fullmatch(name):
            return "is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*); it must always be quoted"
        if self.is_reserved(name):
            return f"is a reserved word in {self.display}; it must always be quoted"
        return None

    def keyable(self, logical: str) -> bool:
        return logical in self.KEYABLE

    def partitionable(self, logical: str) -> bool:
        """Whether a column of this logical type (see `logical_type`) can be a partition column."""
        return logical in self.PARTITIONABLE

    def partition_problem(self, logicals: list[str]) -> str | None:
        """A target rule on the combination of partition column types (None when renderable)."""
        bad = [t for t in logicals if not self.partitionable(t)]
        if bad:
            return f"{self.display} cannot partition by {', '.join(sorted(set(bad)))} columns"
        return None

    def key_problems(self, resolved: ResolvedSink) -> list[str]:
        """Every violated key / partition rule of this target for a resolved sink (EA412 / EA417)."""
        problems: list[str] = []
        pk = set(resolved.primary_key)
        for name in resolved.primary_key:
            col = resolved.column(name)
            if col is not None and not self.keyable(logical_type(col)):
                problems.append(
                    f"key column '{name}' is {logical_type(col)}, which {self.display} cannot use in a key"
                )
        if resolved.partition_key:
            if self.PARTITION_IN_KEY and pk:
                outside = [c for c in resolved.partition_key if c not in pk]
                if outside:
                    problems.append(
                        f"{self.display} needs the partition columns inside the primary key; add "
                        + ", ".join(outside)
                        + " to primary_key"
                    )
            cols = [resolved.column(c) for c in resolved.partition_key]
            problem = self.partition_problem([logical_type(c) for c in cols if c is not None])
            if problem:
                problems.append(problem)
        return problems

    # -- rendering helpers -------------------------------------------------------------------------

    def quote(self, name: str) -> str:
        q = self.IDENTIFIER_QUOTE
        return q + name.replace("\x00", "").replace(q, q + q) + q

    def quote_all(self, names: Iterable[str]) -> str:
        return ", ".join(self.quote(n) for n in names)

    def literal(self, text: str) -> str:
        """A string literal; standard SQL doubling of quotes."""
        return "'" + text.replace("\x00", "").replace("'", "''") + "'"

    def comment_text(self, text: str) -> str:
        text = text.strip()
        if self.MAX_COMMENT_LENGTH is not None and len(text) > self.MAX_COMMENT_LENGTH:
            text = text[: self.MAX_COMMENT_LENGTH - 3] + "..."
        return text

    def column_type(self, resolved: ResolvedSink, column: Column, key: bool = False) -> str:
        logical = logical_type(column)
        template = (self.KEY_TYPE_MAPPING.get(logical) if key else None) or self.TYPE_MAPPING[
            logical
        ]
        p, s = decimal_spec(resolved, column.name)
        return template.format(p=p, s=s)

    def qualified(self, resolved: ResolvedSink) -> str:
        if resolved.database:
            return f"{self.quote(resolved.database)}.{self.quote(resolved.table)}"
        return self.quote(resolved.table)


def ordered_columns(resolved: ResolvedSink) -> list[Column]:
    """Key columns first, in key order (StarRocks requires it; it reads well everywhere)."""
    keys = [c for c in (resolved.column(k) for k in resolved.primary_key) if c is not None]
    rest = [c for c in resolved.columns if c.name not in resolved.primary_key]
    return keys + rest


def key_columns(resolved: ResolvedSink) -> frozenset[str]:
    """Columns rendered as keys (NOT NULL, key-sized types): the primary and partition key."""
    return frozenset(resolved.primary_key) | frozenset(resolved.partition_key)


def table_properties(resolved: ResolvedSink) -> list[tuple[str, str]]:
    """config.properties without the keys the generator itself interprets (see docs/sql.md)."""
    return [(k, v) for k, v in resolved.properties if not is_generator_property(k)]


GENERATOR_PROPERTIES = frozenset({"buckets", "partition_granularity", "partitions"})
GENERATOR_PREFIXES = ("decimal.", "source.", "connector.")


def is_generator_property(key: str) -> bool:
    return key in GENERATOR_PROPERTIES or key.startswith(GENERATOR_PREFIXES)


_REGISTRY: dict[str, type[Dialect]] = {}


def register_dialect(cls: type[Dialect]) -> type[Dialect]:
    _REGISTRY[cls.name] = cls
    return cls


def dialect(target: str) -> Dialect:
    """The dialect of a sink target ("starrocks", "mysql", "postgresql", "clickhouse")."""
    from eventapi.generators.sql import targets  # registers the target classes

    del targets
    try:
        return _REGISTRY[target]()
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"unknown sink target {target!r}; known: {known}") from None


def dialect_names() -> tuple[str, ...]:
    from eventapi.generators.sql import targets

    del targets
    return tuple(sorted(_REGISTRY))


__all__ = ["Dialect", "dialect", "dialect_names", "logical_type", "reserved"]
