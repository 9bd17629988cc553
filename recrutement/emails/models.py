"""The outbox table (docs/glossary.md: OutgoingEmail)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from recrutement.core.time import utcnow
from recrutement.core.types import UTCDateTime
from recrutement.extensions import Model


class EmailStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutgoingEmail(Model):
    __tablename__ = "outgoing_email"
    __table_args__ = (Index("ix_outgoing_email_due", "status", "send_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    # Which notification produced it, e.g. "confirm_email": for logs and tests.
    template: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10), default=EmailStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker that claims a mail holds it until then; a crashed worker's claim lapses.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Extra mail headers, e.g. List-Unsubscribe for alerts (RFC 8058).
    headers: Mapped[dict[str, str] | None] = mapped_column(JSON)
