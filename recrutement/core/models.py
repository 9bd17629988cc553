"""Cross-domain tables: the audit journal (write an event, read an object's history)
and rate-limit counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from recrutement.core.time import utcnow
from recrutement.core.types import UTCDateTime
from recrutement.extensions import Model, db


class AuditEvent(Model):
    """Who did what, when, to which object (docs/glossary.md: journal)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    comment: Mapped[str] = mapped_column(Text, default="")

    actor = relationship("User")


class RateLimitCounter(Model):
    """Hits of one key in its current window; shared by every server process."""

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)
    # The window opens at the first hit and closes here.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


def _object_key(obj: Any) -> tuple[str, str]:
    """How the journal names a model instance: its table, and its primary key as text."""
    primary_key = obj.__mapper__.primary_key_from_instance(obj)
    return obj.__tablename__, ":".join(str(part) for part in primary_key)


def record_event(actor: Any, action: str, obj: Any, comment: str = "") -> AuditEvent:
    """Add an audit event about a model instance to the session (the caller commits)."""
    object_type, object_id = _object_key(obj)
    return record_event_on(actor, action, object_type, object_id, comment)


def record_event_on(
    actor: Any, action: str, object_type: str, object_id: str, comment: str = ""
) -> AuditEvent:
    """Add an audit event about anything named by a type and an id (the caller commits)."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        comment=comment,
    )
    db.session.add(event)
    return event


def history_of(obj: Any, *, newest_first: bool = False) -> list[AuditEvent]:
    """The journal of one model instance (what `record_event` wrote about it), oldest
    first unless `newest_first`; events of the same instant keep their writing order.
    Each event's actor is loaded with it."""
    object_type, object_id = _object_key(obj)
    order = (
        (AuditEvent.created_at.desc(), AuditEvent.id.desc())
        if newest_first
        else (AuditEvent.created_at.asc(), AuditEvent.id.asc())
    )
    return list(
        db.session.scalars(
            select(AuditEvent)
            .options(selectinload(AuditEvent.actor))
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
            .order_by(*order)
        )
    )
