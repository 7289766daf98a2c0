"""The four DDL targets, one class each: their type maps and rules as data, and their CREATE TABLE shape."""

from __future__ import annotations

import re

from eventapi.generators.model.sinks import Column, ResolvedSink
from eventapi.generators.sql import reserved
from eventapi.generators.sql.dialect import (
    Dialect,
    key_columns,
    logical_type,
    ordered_columns,
    register_dialect,
    table_properties,
)

GRANULARITIES = ("hour", "day", "month", "year")
_OPTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_BARE_VALUE = re.compile(r"-?[0-9]+(\.[0-9]+)?|[A-Za-z_][A-Za-z0-9_]*")


def granularity(resolved: ResolvedSink) -> str:
    """Time-partition granularity from config property `partition_granularity` (default day)."""
    value = dict(resolved.properties).get("partition_granularity", "day").strip().lower()
    return value if value in GRANULARITIES else "day"


def int_property(resolved: ResolvedSink, key: str) -> int | None:
    value = dict(resolved.properties).get(key, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def handoff_topic(resolved: ResolvedSink) -> str:
    """The Kafka topic a ClickHouse sink's Flink job writes rows to (property `connector.topic`)."""
    props = dict(resolved.properties)
    default = f"{resolved.database}.{resolved.table}" if resolved.database else resolved.table
    return props.get("connector.topic", default)


def _comment_of(resolved: ResolvedSink) -> str:
    return resolved.event.comment if resolved.event is not None else ""


class _Renderer(Dialect):
    """Shared CREATE TABLE plumbing; each target fills in its own clauses."""

    def render(self, resolved: ResolvedSink) -> str:
        raise NotImplementedError

    def column_def(self, resolved: ResolvedSink, column: Column) -> str:
        keys = key_columns(resolved)
        key = column.name in keys
        not_null = column.not_null or key
        out = f"{self.quote(column.name)} {self.column_type(resolved, column, key)}"
        return out + (" NOT NULL" if not_null else " NULL")

    def time_partition(self, resolved: ResolvedSink) -> Column | None:
        """The single TIMESTAMP partition column, when the partition key is exactly that."""
        if len(resolved.partition_key) != 1:
            return None
        col = resolved.column(resolved.partition_key[0])
        return col if col is not None and logical_type(col) == "TIMESTAMP" else None


@register_dialect
class MySQL(_Renderer):
    """MySQL 8 / MariaDB 10.11: InnoDB, utf8mb4 with a binary collation (ids are case-sensitive)."""

    name = "mysql"
    display = "MySQL"
    IDENTIFIER_QUOTE = "`"
    MAX_IDENTIFIER_LENGTH = 64
    RESERVED = reserved.MYSQL
    TYPE_MAPPING = {
        **Dialect.TYPE_MAPPING,
        "VARCHAR": "TEXT",
        "UBIGINT": "BIGINT UNSIGNED",
        "TIMESTAMP": "DATETIME(3)",
    }
    # TEXT cannot be a key; 255 utf8mb4 characters fit InnoDB's 3072-byte index limit with room to spare.
    KEY_TYPE_MAPPING = {"VARCHAR": "VARCHAR(255)"}
    PARTITIONABLE = frozenset(
        {"VARCHAR", "BIGINT", "UBIGINT", "TIMESTAMP", "BOOLEAN", "DECIMAL", "DOUBLE"}
    )
    MAX_COMMENT_LENGTH = 1024  # column comments; longer ones are an error in strict mode

    def literal(self, text: str) -> str:
        # Backslash is an escape character in MySQL-family strings (unless NO_BACKSLASH_ESCAPES).
        body = (
            text.replace("\\", "\\\\")
            .replace("'", "''")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace("\x00", "\\0")
            .replace("\x1a", "\\Z")
        )
        return f"'{body}'"

    def column_def(self, resolved: ResolvedSink, column: Column) -> str:
        out = super().column_def(resolved, column)
        comment = self.comment_text(column.comment)
        return out + (f" COMMENT {self.literal(comment)}" if comment else "")

    def table_options(self, resolved: ResolvedSink) -> list[str]:
        opts = ["ENGINE = InnoDB", "DEFAULT CHARSET = utf8mb4", "COLLATE = utf8mb4_bin"]
        comment = _comment_of(resolved).strip()[:2048]
        if comment:
            opts.append(f"COMMENT = {self.literal(comment)}")
        for k, v in table_properties(resolved):
            if _OPTION_NAME.fullmatch(k):
                value = v if _BARE_VALUE.fullmatch(v) else self.literal(v)
                opts.append(f"{k.upper()} = {value}")
        return opts

    def partition_clause(self, resolved: ResolvedSink) -> str:
        if not resolved.partition_key:
            return ""
        time_col = self.time_partition(resolved)
        if time_col is not None:
            # RANGE needs at least one partition: a catch-all that operators split as data arrives.
            return (
                f"PARTITION BY RANGE COLUMNS ({self.quote(time_col.name)}) "
                "(PARTITION `p_max` VALUES LESS THAN (MAXVALUE))"
            )
        count = int_property(resolved, "partitions") or 4
        return f"PARTITION BY KEY ({self.quote_all(resolved.partition_key)}) PARTITIONS {count}"

    def render(self, resolved: ResolvedSink) -> str:
        lines = [self.column_def(resolved, c) for c in ordered_columns(resolved)]
        if resolved.primary_key:
            lines.append(f"PRIMARY KEY ({self.quote_all(resolved.primary_key)})")
        out = []
        if resolved.database:
            out.append(
                f"CREATE DATABASE IF NOT EXISTS {self.quote(resolved.database)} "
                "DEFAULT CHARACTER SET utf8mb4;\n\n"
            )
        body = ",\n".join(f"  {line}" for line in lines)
        stmt = f"CREATE TABLE IF NOT EXISTS {self.qualified(resolved)} (\n{body}\n)"
        stmt += "\n" + " ".join(self.table_options(resolved))
        partition = self.partition_clause(resolved)
        if partition:
            stmt += "\n" + partition
        out.append(stmt + ";\n")
        return "".join(out)


@register_dialect
class StarRocks(MySQL):
    """StarRocks 3.x: primary-key (or duplicate-key) OLAP tables, expression partitioning, hash buckets."""

    name = "starrocks"
    display = "StarRocks"
    RESERVED = reserved.STARROCKS
    TYPE_MAPPING = {
        **MySQL.TYPE_MAPPING,
        "VARCHAR": "VARCHAR(65533)",
        "UBIGINT": "LARGEINT",
        "TIMESTAMP": "DATETIME",
    }
    # A primary key's encoded length is limited (128 bytes by default), so key strings stay short.
    KEY_TYPE_MAPPING = {"VARCHAR": "VARCHAR(128)"}
    KEYABLE = frozenset({"VARCHAR", "BIGINT", "UBIGINT", "TIMESTAMP", "BOOLEAN"})
    # date_trunc expression partitioning for one DATETIME; column (list) partitioning for the rest.
    PARTITIONABLE = frozenset({"VARCHAR", "BIGINT", "UBIGINT", "TIMESTAMP", "BOOLEAN"})
    KEY_NOT_NULL = True
    MAX_COMMENT_LENGTH = 1024

    def partition_problem(self, logicals: list[str]) -> str | None:
        problem = super().partition_problem(logicals)
        if problem is None and "TIMESTAMP" in logicals and len(logicals) > 1:
            return (
                "StarRocks partitions by one DATETIME column (date_trunc) or by non-time columns,"
                " not both"
            )
        return problem

    def sort_key(self, resolved: ResolvedSink) -> list[str]:
        """Key columns: the primary key, or for a duplicate-key table the first keyable column."""
        if resolved.primary_key:
            return list(resolved.primary_key)
        for c in resolved.columns:
            if self.keyable(logical_type(c)):
                return [c.name]
        return [resolved.columns[0].name] if resolved.columns else []

    def render(self, resolved: ResolvedSink) -> str:
        keys = self.sort_key(resolved)
        first = [c for c in (resolved.column(k) for k in keys) if c is not None]
        cols = first + [c for c in resolved.columns if c.name not in keys]
        body = ",\n".join(f"  {self.column_def(resolved, c)}" for c in cols)
        out = []
        if resolved.database:
            out.append(f"CREATE DATABASE IF NOT EXISTS {self.quote(resolved.database)};\n\n")
        stmt = (
            f"CREATE TABLE IF NOT EXISTS {self.qualified(resolved)} (\n{body}\n)\nENGINE = OLAP\n"
        )
        kind = "PRIMARY KEY" if resolved.primary_key else "DUPLICATE KEY"
        stmt += f"{kind} ({self.quote_all(keys)})\n"
        comment = _comment_of(resolved).strip()
        if comment:
            stmt += f"COMMENT {self.literal(self.comment_text(comment))}\n"
        time_col = self.time_partition(resolved)
        if time_col is not None:
            stmt += (
                f"PARTITION BY date_trunc('{granularity(resolved)}', {self.quote(time_col.name)})\n"
            )
        elif resolved.partition_key:
            stmt += f"PARTITION BY ({self.quote_all(resolved.partition_key)})\n"
        # Hash on the key minus the partition columns: rows of one key stay in one bucket.
        dist = [k for k in keys if k not in resolved.partition_key] or keys
        stmt += f"DISTRIBUTED BY HASH({self.quote_all(dist)})"
        buckets = int_property(resolved, "buckets")
        stmt += f" BUCKETS {buckets}" if buckets else ""
        props = table_properties(resolved)
        if props:
            items = ",\n".join(f"  {self.dq(k)} = {self.dq(v)}" for k, v in props)
            stmt += f"\nPROPERTIES (\n{items}\n)"
        out.append(stmt + ";\n")
        return "".join(out)

    def dq(self, text: str) -> str:
        """A double-quoted string literal, as StarRocks writes PROPERTIES."""
        body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return '"' + body.replace("\r", "\\r").replace("\x00", "") + '"'


@register_dialect
class PostgreSQL(_Renderer):
    """PostgreSQL 13+: the sink's database is a schema; range partitions with a default partition."""

    name = "postgresql"
    display = "PostgreSQL"
    MAX_IDENTIFIER_LENGTH = 63
    RESERVED = reserved.POSTGRESQL
    TYPE_MAPPING = {
        **Dialect.TYPE_MAPPING,
        "VARCHAR": "TEXT",
        "UBIGINT": "NUMERIC(20, 0)",
        "TIMESTAMP": "TIMESTAMPTZ(3)",
        "DECIMAL": "NUMERIC({p}, {s})",
        "JSON": "JSONB",
        "DOUBLE": "DOUBLE PRECISION",
    }

    def identifier_problem(self, name: str) -> str | None:
        problem = super().identifier_problem(name)
        if problem is None and name != name.lower():
            return "has upper-case letters; PostgreSQL folds unquoted names to lower case"
        return problem

    def literal(self, text: str) -> str:
        text = text.replace("\x00", "")  # PostgreSQL text cannot hold NUL
        if "\\" in text or "\n" in text or "\r" in text:
            body = text.replace("\\", "\\\\").replace("'", "''")
            return "E'" + body.replace("\n", "\\n").replace("\r", "\\r") + "'"
        return "'" + text.replace("'", "''") + "'"

    def render(self, resolved: ResolvedSink) -> str:
        table = self.qualified(resolved)
        lines = [self.column_def(resolved, c) for c in ordered_columns(resolved)]
        if resolved.primary_key:
            lines.append(f"PRIMARY KEY ({self.quote_all(resolved.primary_key)})")
        out = []
        if resolved.database:
            out.append(f"CREATE SCHEMA IF NOT EXISTS {self.quote(resolved.database)};\n\n")
        body = ",\n".join(f"  {line}" for line in lines)
        stmt = f"CREATE TABLE IF NOT EXISTS {table} (\n{body}\n)"
        params = [
            f"{k} = {self.literal(v)}"
            for k, v in table_properties(resolved)
            if _OPTION_NAME.fullmatch(k)
        ]
        with_clause = f" WITH ({', '.join(params)})" if params else ""
        if resolved.partition_key:
            stmt += f" PARTITION BY RANGE ({self.quote_all(resolved.partition_key)});\n"
            default = self.quote(f"{resolved.table}_default")
            if resolved.database:
                default = f"{self.quote(resolved.database)}.{default}"
            # Rows need a partition to land in; the default one takes all until ranges are added.
            stmt += (
                f"CREATE TABLE IF NOT EXISTS {default} PARTITION OF {table} DEFAULT{with_clause};\n"
            )
        else:
            stmt += f"{with_clause};\n"
        out.append(stmt)
        comments = []
        comment = _comment_of(resolved).strip()
        if comment:
            comments.append(f"COMMENT ON TABLE {table} IS {self.literal(comment)};\n")
        for c in ordered_columns(resolved):
            if c.comment.strip():
                target = f"{table}.{self.quote(c.name)}"
                comments.append(
                    f"COMMENT ON COLUMN {target} IS {self.literal(c.comment.strip())};\n"
                )
        if comments:
            out.append("\n" + "".join(comments))
        return "".join(out)


@register_dialect
class ClickHouse(_Renderer):
    """ClickHouse: (Replacing)MergeTree, ORDER BY from the key, fed from Kafka (see docs/sql.md)."""

    name = "clickhouse"
    display = "ClickHouse"
    IDENTIFIER_QUOTE = "`"
    MAX_IDENTIFIER_LENGTH = 255
    RESERVED = reserved.CLICKHOUSE
    TYPE_MAPPING = {
        "VARCHAR": "String",
        "BIGINT": "Int64",
        "UBIGINT": "UInt64",
        "TIMESTAMP": "DateTime64(3, 'UTC')",
        "DECIMAL": "Decimal({p}, {s})",
        "BOOLEAN": "Bool",
        # Kept as text: rows arrive as JSONEachRow from Kafka; query with JSONExtract* or ::JSON.
        "JSON": "String",
        "DOUBLE": "Float64",
    }
    PARTITIONABLE = frozenset({"VARCHAR", "BIGINT", "UBIGINT", "TIMESTAMP", "BOOLEAN"})
    # ReplacingMergeTree deduplicates inside a partition only; EA412 leaves that to a warning.
    PARTITION_IN_KEY = False
    _TIME_FUNCTIONS = {
        "hour": "toStartOfHour",
        "day": "toYYYYMMDD",
        "month": "toYYYYMM",
        "year": "toYear",
    }

    def quote(self, name: str) -> str:
        body = name.replace("\x00", "").replace("\\", "\\\\").replace("`", "\\`")
        return f"`{body}`"

    def literal(self, text: str) -> str:
        body = text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
        return "'" + body.replace("\r", "\\r").replace("\x00", "\\0") + "'"

    def non_nullable(self, resolved: ResolvedSink, column: Column) -> bool:
        # Sort and partition key columns cannot be Nullable (without allow_nullable_key).
        return column.not_null or column.name in key_columns(resolved)

    def column_def(self, resolved: ResolvedSink, column: Column) -> str:
        typ = self.column_type(resolved, column)
        if not self.non_nullable(resolved, column):
            typ = f"Nullable({typ})"
        out = f"{self.quote(column.name)} {typ}"
        return out + (f" COMMENT {self.literal(column.comment.strip())}" if column.comment else "")

    def order_by(self, resolved: ResolvedSink) -> list[str]:
        """The primary key; without one, the partition key then event_time and event_id (documented)."""
        if resolved.primary_key:
            return list(resolved.primary_key)
        out = list(resolved.partition_key)
        for name in ("event_time", "event_id"):
            col = resolved.column(name)
            if col is not None and col.not_null and name not in out:
                out.append(name)
        return out

    def partition_expr(self, resolved: ResolvedSink) -> str:
        parts = []
        for name in resolved.partition_key:
            col = resolved.column(name)
            if col is not None and logical_type(col) == "TIMESTAMP":
                parts.append(f"{self._TIME_FUNCTIONS[granularity(resolved)]}({self.quote(name)})")
            else:
                parts.append(self.quote(name))
        return parts[0] if len(parts) == 1 else f"({', '.join(parts)})"

    def render(self, resolved: ResolvedSink) -> str:
        table = self.qualified(resolved)
        cols = ordered_columns(resolved)
        body = ",\n".join(f"  {self.column_def(resolved, c)}" for c in cols)
        out = []
        if resolved.database:
            out.append(f"CREATE DATABASE IF NOT EXISTS {self.quote(resolved.database)};\n\n")
        engine = "ReplacingMergeTree" if resolved.primary_key else "MergeTree"
        stmt = f"CREATE TABLE IF NOT EXISTS {table} (\n{body}\n)\nENGINE = {engine}\n"
        if resolved.partition_key:
            stmt += f"PARTITION BY {self.partition_expr(resolved)}\n"
        order = self.order_by(resolved)
        stmt += f"ORDER BY ({self.quote_all(order)})" if order else "ORDER BY tuple()"
        settings = [
            f"{k} = {v if _BARE_VALUE.fullmatch(v) else self.literal(v)}"
            for k, v in table_properties(resolved)
            if _OPTION_NAME.fullmatch(k)
        ]
        if settings:
            stmt += "\nSETTINGS " + ", ".join(settings)
        comment = _comment_of(resolved).strip()
        if comment:
            stmt += f"\nCOMMENT {self.literal(comment)}"
        out.append(stmt + ";\n")
        out.append(self.ingestion(resolved, cols))
        return "".join(out)

    def ingestion(self, resolved: ResolvedSink, cols: list[Column]) -> str:
        """Kafka engine table + materialized view reading the rows the Flink job writes."""
        prefix = f"{self.quote(resolved.database)}." if resolved.database else ""
        queue = prefix + self.quote(f"{resolved.table}_queue")
        view = prefix + self.quote(f"{resolved.table}_mv")
        body = ",\n".join(
            f"  {self.quote(c.name)} "
            + (
                self.column_type(resolved, c)
                if self.non_nullable(resolved, c)
                else f"Nullable({self.column_type(resolved, c)})"
            )
            for c in cols
        )
        group = f"clickhouse.{handoff_topic(resolved)}"
        return (
            f"\n-- Ingestion: the Flink job writes JSON rows to Kafka topic {self.literal(handoff_topic(resolved))};\n"
            "-- ClickHouse consumes them with its Kafka engine. Replace the ${...} placeholder before running.\n"
            f"CREATE TABLE IF NOT EXISTS {queue} (\n{body}\n)\nENGINE = Kafka\nSETTINGS\n"
            "  kafka_broker_list = '${KAFKA_BOOTSTRAP_SERVERS}',\n"
            f"  kafka_topic_list = {self.literal(handoff_topic(resolved))},\n"
            f"  kafka_group_name = {self.literal(group)},\n"
            "  kafka_format = 'JSONEachRow';\n\n"
            f"CREATE MATERIALIZED VIEW IF NOT EXISTS {view} TO {self.qualified(resolved)} AS\n"
            f"SELECT {self.quote_all(c.name for c in cols)}\nFROM {queue};\n"
        )
