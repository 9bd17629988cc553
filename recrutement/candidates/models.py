"""CandidateProfile and Favourite (docs/design.md, Applications; docs/glossary.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recrutement.core.time import utcnow
from recrutement.core.types import UTCDateTime
from recrutement.extensions import Model

# Optional answers that only feed anonymous programme statistics (docs/design.md).
DIPLOMAS = {
    "bac": "Baccalauréat",
    "bac+2": "Bac + 2",
    "bac+3": "Bac + 3 (licence)",
    "bac+5": "Bac + 5 (master)",
    "doctorat": "Doctorat",
}
FIELDS_OF_STUDY = {
    "urbanisme": "Urbanisme, aménagement",
    "sciences_sociales": "Géographie, sociologie, science politique, histoire",
    "developpement": "Développement",
    "droit": "Droit, administration et gestion",
    "architecture": "Architecture",
    "environnement": "Environnement, écologie, agronomie",
    "economie": "Économie, finance et commerce",
    "autre": "Autre",
}
GENDERS = {"femme": "Femme", "homme": "Homme", "autre": "Autre"}


class CandidateProfile(Model):
    """A candidate's profile: contact, mobility, default CV, optional statistics answers."""

    __tablename__ = "candidate_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    phone: Mapped[str] = mapped_column(String(30), default="")
    town_insee_code: Mapped[str | None] = mapped_column(ForeignKey("commune.insee_code"))
    # Where the candidate would move: région and département codes.
    mobility_regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    mobility_departments: Mapped[list[str]] = mapped_column(JSON, default=list)
    default_cv_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    experience_years: Mapped[int | None]
    diploma: Mapped[str | None] = mapped_column(String(20))
    field_of_study: Mapped[str | None] = mapped_column(String(30))
    gender: Mapped[str | None] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When the candidate's home (/candidat/) was last shown, and when the visit before
    # the current one ended: the home lists the offers published since then.
    home_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    previous_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    town = relationship("Commune")
    default_cv = relationship("StoredFile")


class Favourite(Model):
    """An offer a candidate keeps to read again (/candidat/favoris)."""

    __tablename__ = "favourite"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("offer.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    offer = relationship("Offer")
