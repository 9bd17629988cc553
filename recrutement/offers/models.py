"""Offer and its vocabularies (docs/design.md, Offers; docs/glossary.md)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recrutement.core.enums import EnumString, LabelledEnum
from recrutement.core.time import utcnow
from recrutement.core.types import UTCDateTime
from recrutement.extensions import Model, db

DEFAULT_TITLE = "Chef de projet Petites villes de demain"

# Fields copied from the form onto the offer, and by `duplicate`.
CONTENT_FIELDS = (
    "title",
    "recruiting_authority",
    "post_is_new",
    "vacant_since",
    "workplace_insee_code",
    "contract_type",
    "category",
    "grades",
    "working_time_percent",
    "remote_work",
    "salary_min",
    "salary_max",
    "start_date",
    "duration_months",
    "application_deadline",
    "missions",
    "profile",
    "benefits",
    "experience",
    "contact_name",
    "contact_email",
    "contact_phone",
)


class OfferStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    FILLED = "filled"
    CLOSED = "closed"
    EXPIRED = "expired"


OfferStatus.LABELS = {
    "draft": "Brouillon",
    "published": "Publiée",
    "filled": "Pourvue",
    "closed": "Clôturée",
    "expired": "Expirée",
}


class ContractType(LabelledEnum):
    PROJECT_CONTRACT = "project_contract"
    FIXED_TERM = "fixed_term"
    TRANSFER = "transfer"
    SECONDMENT = "secondment"
    PERMANENT = "permanent"


ContractType.LABELS = {
    "project_contract": "Contrat de projet",
    "fixed_term": "CDD",
    "transfer": "Titulaire par voie de mutation",
    "secondment": "Détachement",
    "permanent": "CDI",
}
# Contracts with an end, for which the offer states a duration in months.
FIXED_TERM_CONTRACTS = {ContractType.PROJECT_CONTRACT, ContractType.FIXED_TERM}


class Experience(LabelledEnum):
    BEGINNER = "beginner"
    CONFIRMED = "confirmed"
    SENIOR = "senior"


Experience.LABELS = {
    "beginner": "Débutant accepté",
    "confirmed": "2 à 5 ans d'expérience",
    "senior": "Plus de 5 ans d'expérience",
}


class RemoteWork(LabelledEnum):
    NONE = "none"
    OCCASIONAL = "occasional"
    REGULAR = "regular"


RemoteWork.LABELS = {
    "none": "Pas de télétravail",
    "occasional": "Télétravail ponctuel",
    "regular": "Télétravail régulier (1 à 2 jours par semaine)",
}


class Category(LabelledEnum):
    A = "A"
    B = "B"


Category.LABELS = {"A": "Catégorie A", "B": "Catégorie B"}


offer_town = Table(
    "offer_town",
    db.metadata,
    Column("offer_id", ForeignKey("offer.id", ondelete="CASCADE"), primary_key=True),
    Column("commune_insee_code", ForeignKey("commune.insee_code"), primary_key=True),
)


class Offer(Model):
    """A chef de projet vacancy notice of one organisation."""

    __tablename__ = "offer"
    __table_args__ = (Index("ix_offer_status_deadline", "status", "application_deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[OfferStatus] = mapped_column(
        EnumString(OfferStatus, 12), default=OfferStatus.DRAFT, index=True
    )

    title: Mapped[str] = mapped_column(String(200), default=DEFAULT_TITLE)
    recruiting_authority: Mapped[str] = mapped_column(String(200), default="")
    # Whether the post is newly created or vacant, and since when.
    post_is_new: Mapped[bool] = mapped_column(default=True)
    vacant_since: Mapped[date | None]
    workplace_insee_code: Mapped[str] = mapped_column(ForeignKey("commune.insee_code"), index=True)
    contract_type: Mapped[ContractType] = mapped_column(EnumString(ContractType, 20))
    category: Mapped[Category] = mapped_column(EnumString(Category, 2), default=Category.A)
    grades: Mapped[str] = mapped_column(String(300), default="")
    working_time_percent: Mapped[int] = mapped_column(default=100)
    remote_work: Mapped[RemoteWork] = mapped_column(
        EnumString(RemoteWork, 12), default=RemoteWork.NONE
    )
    salary_min: Mapped[int | None]
    salary_max: Mapped[int | None]
    start_date: Mapped[date | None]
    duration_months: Mapped[int | None]
    application_deadline: Mapped[date]
    missions: Mapped[str] = mapped_column(Text, default="")
    profile: Mapped[str] = mapped_column(Text, default="")
    benefits: Mapped[str] = mapped_column(Text, default="")
    experience: Mapped[Experience] = mapped_column(
        EnumString(Experience, 12), default=Experience.CONFIRMED
    )
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))

    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    first_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    filled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation = relationship("Organisation")
    workplace = relationship("Commune", foreign_keys=[workplace_insee_code])
    towns = relationship("Commune", secondary=offer_town, order_by="Commune.name")
    attachment = relationship("StoredFile")


class IndexTask(Model):
    """ "Bring offer N's search document up to date", written in the offer's transaction.

    The task carries no content: whoever applies it reads the offer as it is
    then, so tasks can be applied late, twice or out of order without harm.
    """

    __tablename__ = "index_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
