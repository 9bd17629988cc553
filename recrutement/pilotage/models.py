"""The anonymous snapshot of each recruit: the programme's record of a chef de projet post.

One row per post filled: made in the same transaction as the hire on the platform, or
when a cofunding request declares a post filled elsewhere. It holds no name, no email
and no link to the person (docs/design.md, Programme dashboard): it stays when the candidate
deletes the account, and it is what the dashboard counts "chefs de projet en poste",
"when recruits started" and "profile of recruits" from.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recrutement.core.time import utcnow
from recrutement.core.types import UTCDateTime
from recrutement.extensions import Model


class RecruitSource:
    """How the platform learnt of the post."""

    HIRE = "hire"  # a hire recorded on the platform
    DECLARED = "declared"  # a post filled elsewhere, declared in a cofunding request


class Recruit(Model):
    """A chef de projet post filled, with the recruit's anonymous profile."""

    __tablename__ = "recruit"
    __table_args__ = (
        UniqueConstraint("organisation_id", "post_key"),
        Index("ix_recruit_department_started", "department_code", "started_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # The organisation's département when the post was recorded (the scope).
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"))
    # Which post: "offer:<id>" or "title:<folded title>", as cofunding requests name it.
    post_key: Mapped[str] = mapped_column(String(220))
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offer.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(10))
    # When the chef de projet took the post, and when the contract ends (None: no end).
    started_on: Mapped[date]
    ends_on: Mapped[date | None]
    # The hire on the platform: when, and how many days after the offer's first publication.
    hired_on: Mapped[date | None]
    days_to_hire: Mapped[int | None]
    # Anonymous profile (codes of pilotage.profile; None when not answered).
    experience: Mapped[str | None] = mapped_column(String(12))
    diploma: Mapped[str | None] = mapped_column(String(12))
    field_of_study: Mapped[str | None] = mapped_column(String(30))
    gender: Mapped[str | None] = mapped_column(String(10))
    # commune, epci or petr
    employer_kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation = relationship("Organisation")
