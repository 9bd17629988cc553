"""Organisation, Membership, Invitation (docs/design.md, Organisations)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recrutement.core.enums import EnumString, LabelledEnum
from recrutement.core.time import utcnow
from recrutement.core.types import UTCDateTime
from recrutement.extensions import Model, db


class OrganisationStatus(LabelledEnum):
    PENDING = "pending"
    VALIDATED = "validated"
    REFUSED = "refused"


OrganisationStatus.LABELS = {
    "pending": "En attente de validation",
    "validated": "Validée",
    "refused": "Refusée",
}


class OrganisationKind(StrEnum):
    COMMUNE = "commune"
    GROUPING = "grouping"


organisation_town = Table(
    "organisation_town",
    db.metadata,
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Column("commune_insee_code", ForeignKey("commune.insee_code"), primary_key=True),
)


class Organisation(Model):
    """A collectivité that employs a chef de projet: a commune or a grouping."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrganisationKind] = mapped_column(EnumString(OrganisationKind, 10))
    commune_insee_code: Mapped[str | None] = mapped_column(
        ForeignKey("commune.insee_code"), unique=True
    )
    grouping_siren: Mapped[str | None] = mapped_column(ForeignKey("grouping.siren"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"), index=True)
    status: Mapped[OrganisationStatus] = mapped_column(
        EnumString(OrganisationStatus, 20), default=OrganisationStatus.PENDING, index=True
    )
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    commune = relationship("Commune")
    grouping = relationship("Grouping")
    department = relationship("Department")
    towns = relationship("Commune", secondary=organisation_town, order_by="Commune.name")
    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation")

    @property
    def is_validated(self) -> bool:
        return self.status == OrganisationStatus.VALIDATED


class Membership(Model):
    """An employer user's place in one organisation."""

    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # New applications and messages: "instant" mails, or one "daily" digest.
    notification_frequency: Mapped[str] = mapped_column(
        String(10), default="instant", server_default="instant"
    )
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the member last looked at the organisation's home (/collectivite/), and when
    # the visit before the current one ended: the home counts the applications received
    # since then as new (organisations.home).
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    previous_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", back_populates="membership", foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class Invitation(Model):
    """An invitation sent by a member to a colleague's email address."""

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    # Only a hash is stored: a database leak must not hand out valid invitations.
    token_hash: Mapped[str] = mapped_column(String(64))
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship()
    invited_by = relationship("User")
