"""Every diagnostic code with its default severity and a one-line summary (the public catalogue)."""

from __future__ import annotations

from eventapi.generators.diagnostics import Diagnostic, Fix, Related, Severity, TextEdit
from eventapi.generators.syntax.tokens import Span

E, W, I_ = Severity.ERROR, Severity.WARNING, Severity.INFORMATION

CATALOG: dict[str, tuple[Severity, str]] = {
    "EA001": (E, "proto syntax error"),
    "EA002": (E, "import not found (or file unreadable)"),
    "EA003": (E, "unknown option name"),
    "EA004": (E, "unknown field, wrong value kind or unknown enum value inside an option"),
    "EA005": (E, "unknown message/enum type, or a type from a file that is not imported"),
    "EA101": (W, "rpcs carry `operation` but the service has no `server` option"),
    "EA102": (E, "protocol name not one of kafka, amqp, rocketmq, mqtt, nats"),
    "EA103": (E, "the same protocol listed twice"),
    "EA104": (W, "service with `server` but no rpc with `operation`"),
    "EA201": (W, "rpc in an event-bus service without `operation` (skipped by generation)"),
    "EA202": (E, "`action` missing or UNSPECIFIED"),
    "EA203": (E, "channel `address` missing or empty"),
    "EA204": (E, "address illegal for a declared protocol"),
    "EA205": (W, "binding for a protocol the service does not declare"),
    "EA206": (E, "binding value out of range"),
    "EA207": (E, "binding key names a field the event does not have"),
    "EA208": (E, "one channel address carries different event types"),
    "EA209": (W, "RECEIVE on a channel nothing SENDs to (information for SEND nobody RECEIVEs)"),
    "EA210": (W, "input type has no `event_type`, or output type is not google.protobuf.Empty"),
    "EA211": (E, "two operations collide in generated names"),
    "EA212": (E, "streaming rpc: operations take one event and return google.protobuf.Empty"),
    "EA301": (E, "the same `event_type` on two different messages"),
    "EA302": (I_, "`event_type` is not reverse-DNS dotted with a version suffix"),
    "EA303": (E, "more than one `is_event_subject` field, or the subject field is not a scalar"),
    "EA304": (E, "`is_event_header` on a message, map or repeated field"),
    "EA305": (W, "content type AVRO (no codec) or UNSPECIFIED where it matters"),
    "EA306": (E, "header field's extension attribute name is invalid or collides"),
    "EA401": (E, "`sink` on a RECEIVE operation"),
    "EA402": (E, "`target` missing or UNSPECIFIED"),
    "EA403": (E, "`database` / `table` missing or not a valid identifier for the target"),
    "EA404": (W, "`source_topic` differs from the operation's channel address"),
    "EA405": (E, "`header_path` names nothing the event carries"),
    "EA406": (E, "`data_path` names no field of the event"),
    "EA407": (E, "two columns with the same name"),
    "EA408": (E, "`primary_key` / `partition_key` names a column that nothing produces"),
    "EA409": (W, "explicit column `type` incompatible with the proto field"),
    "EA410": (E, "mapping without a source, or without a derivable `target_column`"),
    "EA411": (W, "column name is a reserved word or invalid identifier in the target dialect"),
    "EA412": (E, "target rules on keys (partition columns in the key, key columns NOT NULL)"),
    "EA413": (I_, "`auto_infer_data_mapping: false` leaves event fields unmapped"),
    "EA414": (W, "`ignore: true` without `auto_map: true` (has no effect)"),
    "EA415": (W, "sink content type differs from the event's `event_data_content_type`"),
    "EA416": (W, "sink on a service with no kafka protocol (the pipeline reads Kafka)"),
    "EA417": (E, "partition column type not partitionable for the target"),
    "EA418": (E, "column type cannot be inferred; set `type`"),
    "EA419": (
        W,
        "no Flink pipeline for this sink (PROTOBUF or AVRO event data); only the DDL is generated",
    ),
    "EA901": (
        E,
        "generated output conflicts: a file without the generated header, or a path outside --out",
    ),
    "EA902": (E, "generated file is missing or stale (--check --out)"),
}


def diag(
    code: str,
    path: str,
    span: Span,
    message: str,
    fixes: tuple[Fix, ...] = (),
    related: tuple[Related, ...] = (),
    severity: Severity | None = None,
) -> Diagnostic:
    """A diagnostic with the catalogue's default severity for `code`."""
    return Diagnostic(code, severity or CATALOG[code][0], path, span, message, fixes, related)


def replace_fix(title: str, path: str, span: Span, text: str) -> tuple[Fix, ...]:
    return (Fix(title, (TextEdit(path, span, text),)),)
