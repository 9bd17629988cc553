"""Application and its message thread (docs/design.md, Applications; docs/glossary.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recrutement.core.enums import EnumString, LabelledEnum
from recrutement.core.threads import ThreadMessage
from recrutement.core.time import utcnow
from recrutement.core.types import UTCDateTime
from recrutement.extensions import Model


class ApplicationStatus(LabelledEnum):
    SENT = "sent"
    IN_REVIEW = "in_review"
    INTERVIEW = "interview"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


ApplicationStatus.LABELS = {
    "sent": "Envoyée",
    "in_review": "En cours d'examen",
    "interview": "Entretien",
    "hired": "Retenue",
    "rejected": "Non retenue",
    "withdrawn": "Retirée",
}

# DSFR badge kind for each state, and how history events read.
STATUS_BADGES = {
    "sent": "new",
    "in_review": "info",
    "interview": "info",
    "hired": "success",
    "rejected": "error",
    "withdrawn": "warning",
}
EVENT_LABELS = {
    "application.sent": "Candidature envoyée",
    "application.review": "En cours d'examen",
    "application.interview": "Invitation à un entretien",
    "application.hire": "Candidature retenue",
    "application.reject": "Candidature non retenue",
    "application.withdraw": "Candidature retirée par le candidat",
}


class Application(Model):
    """One candidate's application to one offer, with its own copy of the CV."""

    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("offer_id", "candidate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"), index=True)
    # NULL once the candidate deleted their account: the application is anonymised.
    candidate_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ApplicationStatus] = mapped_column(
        EnumString(ApplicationStatus, 12), default=ApplicationStatus.SENT, index=True
    )
    cover_letter: Mapped[str] = mapped_column(Text, default="")
    cv_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    # The reason of a rejection, and whether the candidate may read it.
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    rejection_reason_shared: Mapped[bool] = mapped_column(default=False)
    interview_details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The id of the newest message of the thread the candidate has seen (NULL: none):
    # the employer's messages above it are unread. An id, not a time, so that two
    # messages written in the same instant are never confused; no foreign key, since
    # the thread is deleted when the application is anonymised.
    candidate_read_message_id: Mapped[int | None]

    offer = relationship("Offer")
    candidate = relationship("User")
    cv = relationship("StoredFile")


class ApplicationMessage(ThreadMessage, Model):
    """One message of the thread between the candidate and the employer's members
    (author_side: "candidate" or "employer")."""

    __tablename__ = "application_message"
    owner_key = "application_id"
    side_length = 10
    created_at_indexed = True

    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )

    application = relationship("Application")
