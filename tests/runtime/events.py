"""A sample event as the SDK generator emits it: dataclass, MessageSchema, EventSchema."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum

from eventapi.runtime.codecs.schema import ContentType, EventSchema, FieldSpec, Kind, MessageSchema


class Plan(IntEnum):
    PLAN_UNSPECIFIED = 0
    PLAN_FREE = 1
    PLAN_PRO = 2


@dataclass(frozen=True, kw_only=True, slots=True)
class Address:
    city: str = ""
    zip: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class UserCreated:
    user_id: str = ""
    tenant_id: str = ""
    email: str = ""
    seq: int = 0
    plan: Plan = Plan.PLAN_UNSPECIFIED
    created_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    address: Address | None = None


ADDRESS = MessageSchema(
    "acme.v1.Address",
    Address,
    (FieldSpec("city", Kind.STRING, 1), FieldSpec("zip", Kind.STRING, 2)),
)
USER_CREATED_MESSAGE = MessageSchema(
    "acme.v1.UserCreated",
    UserCreated,
    (
        FieldSpec("user_id", Kind.STRING, 1),
        FieldSpec("tenant_id", Kind.STRING, 2),
        FieldSpec("email", Kind.STRING, 3),
        FieldSpec("seq", Kind.INT64, 4),
        FieldSpec("plan", Kind.ENUM, 5, enum=Plan),
        FieldSpec("created_at", Kind.TIMESTAMP, 6),
        FieldSpec("tags", Kind.STRING, 7, repeated=True),
        FieldSpec("address", Kind.MESSAGE, 8, message=ADDRESS),
    ),
)
USER_CREATED = EventSchema(
    USER_CREATED_MESSAGE,
    "acme.user.created.v1",
    ContentType.JSON,
    subject_field="user_id",
    header_fields=("tenant_id",),
)


def user(seq: int, **changes: object) -> UserCreated:
    """A distinct sample event numbered ``seq``."""
    base: dict[str, object] = {
        "user_id": f"u{seq}",
        "tenant_id": "acme",
        "email": f"u{seq}@example.com",
        "seq": seq,
        "plan": Plan.PLAN_PRO,
        "tags": ["a", "b"],
        "address": Address(city="Berlin", zip="10115"),
    }
    base.update(changes)
    return UserCreated(**base)  # type: ignore[arg-type]
