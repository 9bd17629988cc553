"""The programme's funding rules as data with an effective date (docs/design.md, Cofunding)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recrutement.core.enums import EnumString, LabelledEnum
from recrutement.core.threads import ThreadMessage
from recrutement.core.time import utcnow
from recrutement.core.types import UTCDateTime
from recrutement.extensions import Model


class FundingRule(Model):
    """One version of the cofunding rules; a rule change is a new row, not a code change.

    The version in force for a period is the latest whose `effective_from` is on
    or before the period's first day.
    """

    __tablename__ = "funding_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(unique=True)
    # Total subsidy: at most this share of the annual loaded cost...
    total_rate: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    # ... and at most these amounts a year, without or with ANAH.
    total_cap: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    total_cap_with_anah: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    anah_rate: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    anah_cap: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    bdt_rate: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    bdt_cap: Mapped[Decimal] = mapped_column(Numeric(10, 2))


class Funder(LabelledEnum):
    ANCT = "anct"
    BDT = "bdt"
    ANAH = "anah"


Funder.LABELS = {"anct": "ANCT / État", "bdt": "Banque des territoires", "anah": "ANAH"}


class CofundingStatus(LabelledEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_INSTRUCTION = "in_instruction"
    CHANGES_REQUESTED = "changes_requested"
    GRANTED = "granted"
    REFUSED = "refused"
    DISMISSED = "dismissed"


CofundingStatus.LABELS = {
    "draft": "Brouillon",
    "submitted": "Déposée",
    "in_instruction": "En instruction",
    "changes_requested": "Complément demandé",
    "granted": "Accordée",
    "refused": "Refusée",
    "dismissed": "Classée sans suite",
}

# DSFR badge kind for each state.
STATUS_BADGES = {
    "draft": "new",
    "submitted": "info",
    "in_instruction": "info",
    "changes_requested": "warning",
    "granted": "success",
    "refused": "error",
    "dismissed": "warning",
}


class AttachmentKind(LabelledEnum):
    CONTRACT = "contract"
    DELIBERATION = "deliberation"
    JOB_DESCRIPTION = "job_description"
    FINANCING_PLAN = "financing_plan"
    OTHER = "other"


AttachmentKind.LABELS = {
    "contract": "Contrat ou arrêté de nomination",
    "deliberation": "Délibération du conseil",
    "job_description": "Fiche de poste",
    "financing_plan": "Plan de financement",
    "other": "Autre pièce",
}


class CofundingRequest(Model):
    """One request per post and funding period, for all funders at once (docs/design.md)."""

    __tablename__ = "cofunding_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[CofundingStatus] = mapped_column(
        EnumString(CofundingStatus, 20), default=CofundingStatus.DRAFT, index=True
    )
    # Bumped by every change: two people saving the same version cannot both win.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # The post: the offer and the hire when they went through the platform.
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offer.id", ondelete="SET NULL"))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="SET NULL")
    )
    post_title: Mapped[str] = mapped_column(String(200))
    # Which post this is, for the overlap rule: "offer:<id>" or "title:<folded title>".
    post_key: Mapped[str] = mapped_column(String(220), index=True)
    holder_first_name: Mapped[str] = mapped_column(String(100))
    holder_last_name: Mapped[str] = mapped_column(String(100))
    holder_start_date: Mapped[date]
    contract_type: Mapped[str] = mapped_column(String(20))
    contract_end_date: Mapped[date | None]
    period_start: Mapped[date]
    period_end: Mapped[date]
    annual_loaded_cost: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    bdt_asked: Mapped[bool] = mapped_column(default=True)
    anah_asked: Mapped[bool] = mapped_column(default=False)
    # The OPAH-RU or housing operation that justifies asking ANAH.
    housing_operation: Mapped[str] = mapped_column(String(300), default="")
    renewal_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("cofunding_request.id", ondelete="SET NULL")
    )
    # A random token of the form that created it: a double-clicked "create" makes one request.
    creation_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The préfecture agent who opened the instruction, and the final decision.
    instructor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("funding_rule.id"))
    decision_pdf_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    instruction_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}

    organisation = relationship("Organisation")
    offer = relationship("Offer")
    application = relationship("Application")
    renewal_of = relationship("CofundingRequest", remote_side=[id])
    instructor = relationship("User")
    rule = relationship("FundingRule")
    decision_pdf = relationship("StoredFile")
    plan = relationship(
        "FundingPlan",
        order_by="FundingPlan.id",
        cascade="all, delete-orphan",
        back_populates="request",
    )
    attachments = relationship("Attachment", order_by="Attachment.id", cascade="all, delete-orphan")
    anah_opinion = relationship(
        "AnahOpinion", uselist=False, cascade="all, delete-orphan", back_populates="request"
    )

    @property
    def holder_name(self) -> str:
        return f"{self.holder_first_name} {self.holder_last_name}".strip()

    @property
    def is_renewal(self) -> bool:
        return self.renewal_of_id is not None

    @property
    def funders(self) -> list[Funder]:
        asked = [Funder.ANCT]
        if self.bdt_asked:
            asked.append(Funder.BDT)
        if self.anah_asked:
            asked.append(Funder.ANAH)
        return asked

    def part(self, funder: str) -> FundingPlan | None:
        return next((line for line in self.plan if line.funder == funder), None)

    @property
    def requested_total(self) -> Decimal:
        return sum((line.requested_amount for line in self.plan), Decimal(0))

    @property
    def granted_total(self) -> Decimal:
        return sum((line.granted_amount for line in self.plan), Decimal(0))


class FundingPlan(Model):
    """One funder's part of a request over its period: what the engine proposed, and
    what the préfecture fixes (at most the proposal)."""

    __tablename__ = "funding_plan"
    __table_args__ = (UniqueConstraint("request_id", "funder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("cofunding_request.id", ondelete="CASCADE"), index=True
    )
    funder: Mapped[Funder] = mapped_column(EnumString(Funder, 10))
    requested_amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    granted_amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))

    request = relationship("CofundingRequest", back_populates="plan")


class AnahOpinion(Model):
    """The ANAH delegation's opinion and amount on a request that asks ANAH."""

    __tablename__ = "anah_opinion"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("cofunding_request.id", ondelete="CASCADE"), unique=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    favourable: Mapped[bool]
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request = relationship("CofundingRequest", back_populates="anah_opinion")
    author = relationship("User")


class Attachment(Model):
    """A supporting document (pièce justificative) of a request."""

    __tablename__ = "cofunding_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("cofunding_request.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AttachmentKind] = mapped_column(EnumString(AttachmentKind, 20))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    file = relationship("StoredFile")


class CofundingMessage(ThreadMessage, Model):
    """A message between the collectivité and the instructors about one request
    (author_side: "employer", "prefecture" or "anah")."""

    __tablename__ = "cofunding_message"
    owner_key = "request_id"
    side_length = 12

    request_id: Mapped[int] = mapped_column(
        ForeignKey("cofunding_request.id", ondelete="CASCADE"), index=True
    )


class InstructionNote(Model):
    """An instructor's private note: the collectivité never sees it."""

    __tablename__ = "instruction_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("cofunding_request.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")


# How history events read, on both sides.
EVENT_LABELS = {
    "cofunding.create": "Demande créée",
    "cofunding.edit": "Demande modifiée par la collectivité",
    "cofunding.attachment": "Pièce ajoutée",
    "cofunding.submit": "Demande déposée",
    "cofunding.open": "Instruction commencée",
    "cofunding.request_changes": "Complément demandé",
    "cofunding.answer": "Réponse de la collectivité",
    "cofunding.adjust": "Montants ajustés",
    "cofunding.anah_opinion": "Avis de l'ANAH",
    "cofunding.grant": "Demande accordée",
    "cofunding.refuse": "Demande refusée",
    "cofunding.dismiss": "Demande classée sans suite",
}
