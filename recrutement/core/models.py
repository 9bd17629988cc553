"""Cross-domain tables: the audit journal and rate-limit counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recrutement.core.time import utcnow
from recrutement.core.types import UTCDateTime
from recrutement.extensions import Model, db


class AuditEvent(Model):
    """Who did what, when, to which object (GLOSSARY.md: journal)."""

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


def record_event(actor, action: str, obj, comment: str = "") -> AuditEvent:
    """Add an audit event about a model instance to the session (the caller commits)."""
    primary_key = obj.__mapper__.primary_key_from_instance(obj)
    return record_event_on(
        actor, action, obj.__tablename__, ":".join(str(part) for part in primary_key), comment
    )


def record_event_on(
    actor, action: str, object_type: str, object_id: str, comment: str = ""
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
