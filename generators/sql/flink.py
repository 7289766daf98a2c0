"""Flink SQL pipeline for one sink: Kafka (CloudEvents binary mode) -> the target's connector.

The source reads the record value as raw UTF-8 text and the headers through the one `headers`
metadata column the Kafka connector offers; header values are cast from BYTES, `ce_time` is parsed
as RFC 3339 with any offset, and data fields are read with JSON_VALUE / JSON_QUERY (see docs/sql.md).
"""

from __future__ import annotations

import re

from eventapi.generators.model.sinks import Column, DataSource, HeaderSource, ResolvedSink
from eventapi.generators.registry import FLINK_VERSIONS, GenerateOptions
from eventapi.generators.sql.dialect import decimal_spec, logical_type
from eventapi.generators.sql.targets import handoff_topic

DEFAULT_CHECKPOINT_INTERVAL = "60s"
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# RFC 3339 (upper-cased): date 'T' time, optional fraction, 'Z' or a numeric offset.
_RFC3339 = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
_FRACTION = r"\.\d+"
_FRACTION_DIGITS = r"\.(\d+)"
_SECONDS_PATTERN = "yyyy-MM-dd'T'HH:mm:ssXXX"
_STRUCTURED = frozenset(
    {
        "message",
        "map",
        "repeated",
        "json",
        "google.protobuf.Struct",
        "google.protobuf.ListValue",
        "google.protobuf.Value",
        "google.protobuf.Any",
    }
)
FLINK_TYPES = {
    "VARCHAR": "STRING",
    "BIGINT": "BIGINT",
    "UBIGINT": "DECIMAL(20, 0)",
    "TIMESTAMP": "TIMESTAMP(3)",
    "DECIMAL": "DECIMAL({p}, {s})",
    "BOOLEAN": "BOOLEAN",
    "JSON": "STRING",
    "DOUBLE": "DOUBLE",
}
# Connection settings stay placeholders: substitute them at deploy time, never commit real ones.
_CONNECTION = {
    "starrocks": {
        "connector": "starrocks",
        "jdbc-url": "jdbc:mysql://${STARROCKS_FE_HOST}:${STARROCKS_QUERY_PORT}",
        "load-url": "${STARROCKS_FE_HOST}:${STARROCKS_HTTP_PORT}",
        "username": "${STARROCKS_USER}",
        "password": "${STARROCKS_PASSWORD}",
    },
    "mysql": {
        "connector": "jdbc",
        "url": "jdbc:mysql://${MYSQL_HOST}:${MYSQL_PORT}/{database}",
        "username": "${MYSQL_USER}",
        "password": "${MYSQL_PASSWORD}",
    },
    "postgresql": {
        "connector": "jdbc",
        # stringtype=unspecified lets the server cast text parameters into JSONB columns.
        "url": "jdbc:postgresql://${POSTGRES_HOST}:${POSTGRES_PORT}/${POSTGRES_DATABASE}?stringtype=unspecified",
        "username": "${POSTGRES_USER}",
        "password": "${POSTGRES_PASSWORD}",
    },
    "clickhouse": {
        "connector": "kafka",
        "properties.bootstrap.servers": "${KAFKA_BOOTSTRAP_SERVERS}",
    },
}


def flink_unsupported(resolved: ResolvedSink) -> str | None:
    """Why no Flink pipeline is generated for this sink (None when one is)."""
    if resolved.content_type == "PROTOBUF":
        return (
            "the Flink pipeline reads JSON event data; CONTENT_TYPE_PROTOBUF needs Flink's protobuf"
            " format with the event compiled to a Java class (protobuf.message-class-name), which"
            " this generator does not produce: publish JSON for sinks, or write the source table by hand"
        )
    if resolved.content_type == "AVRO":
        return "the Flink pipeline reads JSON event data; CONTENT_TYPE_AVRO is not supported"
    if resolved.target not in _CONNECTION:
        return f"unknown sink target {resolved.target or '(unset)'!r}"
    return None


def quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _comment_safe(text: str) -> str:
    """Text placed after `--`: a newline would end the comment and turn the rest into SQL."""
    return re.sub(r"[\r\n\x00-\x1f]+", " ", text)


def json_path(keys: tuple[str, ...]) -> str:
    out = "$"
    for k in keys:
        out += f".{k}" if _PLAIN_KEY.fullmatch(k) else "['" + k.replace("'", "\\'") + "']"
    return out


def parse_rfc3339(s: str) -> str:
    """A TIMESTAMP(3) (UTC wall clock) from an RFC 3339 string expression; NULL when malformed.

    TO_TIMESTAMP ignores offsets and CAST rejects 'T...Z', but UNIX_TIMESTAMP with an XXX pattern
    honours them: seconds from that, milliseconds from the fraction (cut or padded to 3 digits),
    and the script's 'table.local-time-zone' = 'UTC' makes the final cast the UTC wall clock.
    """
    up = f"UPPER({s})"
    seconds = f"UNIX_TIMESTAMP(REGEXP_REPLACE({up}, {literal(_FRACTION)}, ''), {literal(_SECONDS_PATTERN)})"
    millis = f"CAST(RPAD(COALESCE(REGEXP_EXTRACT({s}, {literal(_FRACTION_DIGITS)}, 1), ''), 3, '0') AS BIGINT)"
    # UNIX_TIMESTAMP answers Long.MIN_VALUE (not NULL) for text it cannot parse: match first.
    return (
        f"CASE WHEN REGEXP({up}, {literal(_RFC3339)}) THEN"
        f" CAST(TO_TIMESTAMP_LTZ({seconds} * 1000 + {millis}, 3) AS TIMESTAMP(3)) END"
    )


def flink_type(resolved: ResolvedSink, column: Column) -> str:
    p, s = decimal_spec(resolved, column.name)
    return FLINK_TYPES[logical_type(column)].format(p=p, s=s)


def convert(text: str, resolved: ResolvedSink, column: Column) -> str:
    """Cast a STRING expression to the column's Flink type."""
    logical = logical_type(column)
    if logical in ("VARCHAR", "JSON"):
        return text
    if logical == "TIMESTAMP":
        return parse_rfc3339(text)
    return f"CAST({text} AS {flink_type(resolved, column)})"


class FlinkRenderer:
    """Renders one sink's pipeline for a Flink version."""

    def __init__(self, resolved: ResolvedSink, options: GenerateOptions) -> None:
        if options.flink_version not in FLINK_VERSIONS:
            raise ValueError(
                f"unsupported Flink version {options.flink_version!r}; use one of {', '.join(FLINK_VERSIONS)}"
            )
        self.r = resolved
        self.version = options.flink_version
        self.props = dict(resolved.properties)
        self.base = resolved.table or "sink"
        self.source = f"{self.base}_source"
        self.events = f"{self.base}_events"
        self.sink = f"{self.base}_sink"
        self.headers = self._headers()

    def _headers(self) -> dict[str, str]:
        """Kafka header name -> its alias in the events view, in first-use order."""
        out: dict[str, str] = {}
        for c in self.r.columns:
            if isinstance(c.source, HeaderSource) and c.source.kafka_header not in out:
                name = c.source.kafka_header
                out[name] = name if name != "data" else "data_header"
        return out

    def value(self, column: Column) -> str:
        src = column.source
        logical = logical_type(column)
        if isinstance(src, HeaderSource):
            text = quote(self.headers[src.kafka_header])
            if src.json_path:
                fn = "JSON_QUERY" if logical == "JSON" else "JSON_VALUE"
                text = f"{fn}({text}, {literal(json_path(src.json_path))})"
            return convert(text, self.r, column)
        assert isinstance(src, DataSource)
        path = literal(json_path(src.path + src.json_tail))
        structured = src.proto_type in _STRUCTURED and not src.json_tail
        use_query = (logical == "JSON" and (structured or bool(src.json_tail))) or (
            logical == "VARCHAR" and structured
        )
        fn = "JSON_QUERY" if use_query else "JSON_VALUE"
        return convert(f"{fn}(`data`, {path})", self.r, column)

    def upsert(self) -> bool:
        """The sink table declares the primary key (ClickHouse's Kafka hand-off is append-only)."""
        return bool(self.r.primary_key) and self.r.target != "clickhouse"

    def settings(self) -> list[tuple[str, str]]:
        out = [
            ("execution.runtime-mode", "streaming"),
            # TIMESTAMP(3) columns hold UTC; the RFC 3339 parse relies on this (see parse_rfc3339).
            ("table.local-time-zone", "UTC"),
            ("pipeline.name", f"eventapi-sink-{self.r.target}-{self.r.database}.{self.r.table}"),
            (
                "execution.checkpointing.interval",
                self.r.checkpoint_interval or DEFAULT_CHECKPOINT_INTERVAL,
            ),
        ]
        if self.r.parallelism:
            out.append(("parallelism.default", str(self.r.parallelism)))
        return out

    def source_options(self) -> dict[str, str]:
        group = f"eventapi.{self.r.target}.{self.r.database}.{self.r.table}"
        opts = {
            "connector": "kafka",
            "topic": self.r.source_topic,
            "properties.bootstrap.servers": "${KAFKA_BOOTSTRAP_SERVERS}",
            "properties.group.id": group,
            "scan.startup.mode": "group-offsets",
            "properties.auto.offset.reset": "earliest",
            "format": "raw",
            "raw.charset": "UTF-8",
        }
        opts.update(
            {k[len("source.") :]: v for k, v in self.props.items() if k.startswith("source.")}
        )
        return opts

    def sink_options(self) -> dict[str, str]:
        r = self.r
        opts = {k: v.replace("{database}", r.database) for k, v in _CONNECTION[r.target].items()}
        if r.target == "starrocks":
            opts.update({"database-name": r.database, "table-name": r.table})
            # JSON stream load keeps JSON columns and text with tabs/newlines intact.
            opts.update(
                {"sink.properties.format": "json", "sink.properties.strip_outer_array": "true"}
            )
            if r.batch_size:
                opts["sink.buffer-flush.max-rows"] = str(r.batch_size)
        elif r.target in ("mysql", "postgresql"):
            table = (
                f"{r.database}.{r.table}" if r.target == "postgresql" and r.database else r.table
            )
            opts["table-name"] = table
            if r.batch_size:
                opts["sink.buffer-flush.max-rows"] = str(r.batch_size)
            opts["sink.max-retries"] = "3"
        else:
            opts.update(
                {
                    "topic": handoff_topic(r),
                    "format": "json",
                    "json.encode.decimal-as-plain-number": "true",
                    "sink.delivery-guarantee": "at-least-once",
                }
            )
        if r.parallelism:
            opts["sink.parallelism"] = str(r.parallelism)
        opts.update(
            {
                k[len("connector.") :]: v
                for k, v in self.props.items()
                if k.startswith("connector.") and k != "connector.topic"
            }
        )
        return opts

    def render(self) -> str:
        r = self.r
        where = f"{r.database}.{r.table}" if r.database else r.table
        out = [
            f"-- Flink SQL pipeline for the {r.target} sink {where}; targets Flink {self.version}.\n",
            f"-- Reads CloudEvents (binary mode, JSON data) from Kafka topic {r.source_topic}.\n",
            "-- ${...} values are placeholders: substitute them at deploy time (e.g. envsubst).\n",
        ]
        out = [_comment_safe(line[:-1]) + "\n" for line in out]
        out.append("\n")
        out.extend(f"SET {literal(k)} = {literal(v)};\n" for k, v in self.settings())
        out.append("\n")
        out.append(
            f"CREATE TEMPORARY TABLE {quote(self.source)} (\n"
            "  `headers` MAP<STRING, BYTES> METADATA VIRTUAL,\n"
            "  `data` STRING\n"
            f") WITH (\n{_with(self.source_options())}\n);\n\n"
        )
        cols = [
            f"  CAST(`headers`[{literal(h)}] AS STRING) AS {quote(alias)}"
            for h, alias in self.headers.items()
        ]
        cols.append("  `data`")
        out.append(
            f"CREATE TEMPORARY VIEW {quote(self.events)} AS\nSELECT\n"
            + ",\n".join(cols)
            + f"\nFROM {quote(self.source)};\n\n"
        )
        keys = set(r.primary_key) | set(r.partition_key)
        defs = []
        for c in r.columns:
            null = " NOT NULL" if c.not_null or c.name in keys else ""
            defs.append(f"  {quote(c.name)} {flink_type(r, c)}{null}")
        if self.upsert():
            defs.append(
                f"  PRIMARY KEY ({', '.join(quote(k) for k in r.primary_key)}) NOT ENFORCED"
            )
        out.append(
            f"CREATE TEMPORARY TABLE {quote(self.sink)} (\n"
            + ",\n".join(defs)
            + f"\n) WITH (\n{_with(self.sink_options())}\n);\n\n"
        )
        select = ",\n".join(f"  {self.value(c)} AS {quote(c.name)}" for c in r.columns)
        stmt = f"INSERT INTO {quote(self.sink)}\nSELECT\n{select}\nFROM {quote(self.events)}"
        if self.upsert() and self.version != "2.0":
            # Flink >= 2.3 asks how an append-only query meets a keyed sink; the last event wins,
            # as the target's own upsert does. Flink 2.0 has no such clause (and rejects it).
            stmt += "\nON CONFLICT DO DEDUPLICATE"
        out.append(stmt + ";\n")
        return "".join(out)


def _with(options: dict[str, str]) -> str:
    return ",\n".join(f"  {literal(k)} = {literal(v)}" for k, v in options.items())


def render_flink(resolved: ResolvedSink, options: GenerateOptions | None = None) -> str:
    """The Flink SQL script of one resolved sink (without the generated-file header)."""
    reason = flink_unsupported(resolved)
    if reason is not None:
        raise ValueError(f"no Flink pipeline for sink {resolved.table!r}: {reason}")
    return FlinkRenderer(resolved, options or GenerateOptions()).render()
