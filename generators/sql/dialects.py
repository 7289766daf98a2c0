"""One class per SQL target, differences as data; `dialect(name)` is the registry.

The rules engine asks these classes the target's facts (identifier rules, reserved words, key and
partition rules); the DDL renderers read the same classes, so a rule and the SQL it protects
cannot drift apart.
"""

from __future__ import annotations

import re
from typing import ClassVar

from eventapi.generators.model.sinks import ColumnType

_SQL_COMMON_RESERVED = frozenset(
    [
        "add",
        "all",
        "alter",
        "and",
        "as",
        "asc",
        "between",
        "by",
        "case",
        "check",
        "column",
        "constraint",
        "create",
        "cross",
        "current_date",
        "current_time",
        "current_timestamp",
        "database",
        "default",
        "delete",
        "desc",
        "distinct",
        "drop",
        "else",
        "end",
        "exists",
        "false",
        "for",
        "foreign",
        "from",
        "full",
        "grant",
        "group",
        "having",
        "in",
        "index",
        "inner",
        "insert",
        "interval",
        "into",
        "is",
        "join",
        "key",
        "left",
        "like",
        "limit",
        "not",
        "null",
        "on",
        "or",
        "order",
        "outer",
        "partition",
        "primary",
        "references",
        "right",
        "select",
        "set",
        "table",
        "then",
        "to",
        "true",
        "union",
        "unique",
        "update",
        "using",
        "values",
        "when",
        "where",
        "with",
    ]
)


class Dialect:
    """Facts shared by every target; subclasses override what differs."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    max_identifier: ClassVar[int] = 64
    identifier_pattern: ClassVar[re.Pattern[str]] = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
    reserved: ClassVar[frozenset[str]] = _SQL_COMMON_RESERVED
    partition_types: ClassVar[tuple[ColumnType, ...]] = (ColumnType.TIMESTAMP, ColumnType.BIGINT)
    partition_in_key: ClassVar[bool] = True  # partition columns must be part of the primary key
    key_not_null: ClassVar[bool] = False  # key columns must be NOT NULL (beyond implicit)

    @property
    def identifier_rule(self) -> str:
        return f"letters, digits and '_', not starting with a digit, at most {self.max_identifier} characters"

    def valid_identifier(self, name: str) -> bool:
        return len(name) <= self.max_identifier and bool(self.identifier_pattern.fullmatch(name))

    def is_reserved(self, name: str) -> bool:
        return name.lower() in self.reserved

    def column_name_problem(self, name: str) -> str | None:
        """Why a column name needs quoting (EA411), or None."""
        if not self.valid_identifier(name):
            return "is not a plain identifier"
        if self.is_reserved(name):
            return "is a reserved word"
        return None

    def partitionable(self, column_type: ColumnType) -> bool:
        return column_type in self.partition_types


class MySQL(Dialect):
    name = "mysql"
    title = "MySQL"
    reserved = _SQL_COMMON_RESERVED | frozenset({"range", "rows", "div", "mod", "keys", "status"})


class StarRocks(MySQL):
    name = "starrocks"
    title = "StarRocks"
    max_identifier = 64
    reserved = MySQL.reserved | frozenset({"bitmap", "hll", "largeint", "rollup", "distributed"})
    key_not_null = True


class PostgreSQL(Dialect):
    name = "postgresql"
    title = "PostgreSQL"
    max_identifier = 63
    reserved = _SQL_COMMON_RESERVED | frozenset({"user", "analyse", "analyze", "offset", "only"})
    partition_types = (
        ColumnType.TIMESTAMP,
        ColumnType.BIGINT,
        ColumnType.DECIMAL,
        ColumnType.VARCHAR,
    )


class ClickHouse(Dialect):
    name = "clickhouse"
    title = "ClickHouse"
    max_identifier = 255
    partition_types = (
        ColumnType.TIMESTAMP,
        ColumnType.BIGINT,
        ColumnType.VARCHAR,
        ColumnType.BOOLEAN,
    )
    partition_in_key = False  # PARTITION BY is independent of ORDER BY / PRIMARY KEY


DIALECTS: dict[str, type[Dialect]] = {d.name: d for d in (MySQL, StarRocks, PostgreSQL, ClickHouse)}


def dialect(name: str) -> Dialect:
    """The dialect for a target name (starrocks, mysql, clickhouse, postgresql)."""
    return DIALECTS[name]()
