"""The candidate's profile: what they may change in it (docs/design.md, Applications).

`update_profile` checks everything before changing anything: a refusal leaves
the profile, the account and the stored files as they were.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeGuard

from sqlalchemy import ColumnElement, func, select
from werkzeug.datastructures import FileStorage

from recrutement.accounts.models import Role, User
from recrutement.candidates.models import DIPLOMAS, FIELDS_OF_STUDY, GENDERS, CandidateProfile
from recrutement.core.errors import ServiceError
from recrutement.extensions import db
from recrutement.files.models import StoredFile
from recrutement.files.storage import store_pdf
from recrutement.files.stores import file_store
from recrutement.referential.models import Commune, Department, Region
from recrutement.referential.text import fold

MAX_EXPERIENCE_YEARS = 50
MAX_NAME_LENGTH = 100
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9 .()-]+$")
_INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$", re.IGNORECASE)
_POSTCODE = re.compile(r"^\d{5}$")
# "Quimperlé (29300)" or "Quimperlé (29)": a name with its postcode or département.
_TOWN_LABEL = re.compile(r"^(?P<name>.+?)\s*\((?P<code>\d[0-9AB]\d{0,3})\)$", re.IGNORECASE)
_STATISTICS = {
    "diploma": (DIPLOMAS, "Choisissez un diplôme de la liste."),
    "field_of_study": (FIELDS_OF_STUDY, "Choisissez un domaine d'études de la liste."),
    "gender": (GENDERS, "Choisissez une réponse de la liste."),
}


@dataclass
class ProfileContent:
    """What the profile form sends; empty strings mean "no answer"."""

    first_name: str
    last_name: str
    phone: str = ""
    town: str = ""
    mobility_regions: list[str] = field(default_factory=list)
    mobility_departments: list[str] = field(default_factory=list)
    cv_upload: FileStorage | None = None
    remove_cv: bool = False
    experience_years: str | int | None = None
    diploma: str = ""
    field_of_study: str = ""
    gender: str = ""


def profile_of(user: User) -> CandidateProfile:
    """The candidate's profile, created empty on first use (not committed)."""
    profile = existing_profile(user)
    if profile is None:
        profile = CandidateProfile(user_id=user.id, mobility_regions=[], mobility_departments=[])
        db.session.add(profile)
    return profile


def existing_profile(user: User) -> CandidateProfile | None:
    """The candidate's profile if they saved one (nothing is created)."""
    return db.session.scalar(select(CandidateProfile).where(CandidateProfile.user_id == user.id))


def _has_pvd_town(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return select(Commune.insee_code).where(condition, Commune.is_pvd).exists()


def regions() -> list[Region]:
    """The régions a candidate may choose: those with at least one PVD town."""
    found = db.session.scalars(
        select(Region).where(_has_pvd_town(Commune.region_code == Region.code))
    )
    # In French alphabetical order: "Île-de-France" between Hauts-de-France and La Réunion.
    return sorted(found, key=lambda region: fold(region.name))


def departments() -> list[Department]:
    """The départements a candidate may choose: those with at least one PVD town (so
    neither Clipperton nor the Terres australes, nor any place the programme misses)."""
    return list(
        db.session.scalars(
            select(Department)
            .where(_has_pvd_town(Commune.department_code == Department.code))
            .order_by(Department.code)
        )
    )


@dataclass(frozen=True)
class MobilityRegion:
    """A région of the mobility choice, with its départements that have PVD towns."""

    region: Region
    departments: list[Department]


def mobility_places() -> list[MobilityRegion]:
    """The places of the mobility choice, grouped by région (by name), départements by code."""
    by_region: dict[str, list[Department]] = {}
    for department in departments():
        by_region.setdefault(department.region_code, []).append(department)
    return [MobilityRegion(region, by_region.get(region.code, [])) for region in regions()]


def resolve_town(text: str) -> Commune | None:
    """The commune meant by an INSEE code, a postcode, a name or "Name (postcode)".

    A postcode or a name shared by several communes means the most populous one.
    (Not search.query.resolve_commune: it refuses communes without a known
    position, which a home town does not need.)
    """
    text = " ".join((text or "").split())
    if not text:
        return None
    commune = None
    if _INSEE_CODE.match(text):
        commune = db.session.get(Commune, text.upper())
    by_population = select(Commune).order_by(
        func.coalesce(Commune.population, 0).desc(), Commune.insee_code
    )
    if commune is None and _POSTCODE.match(text):
        commune = db.session.scalar(by_population.where(Commune.postcodes.contains(text)).limit(1))
    if commune is None:
        name, code = text, ""
        if labelled := _TOWN_LABEL.match(text):
            name, code = labelled["name"], labelled["code"].upper()
        query = by_population.where(Commune.search_name == fold(name))
        if len(code) == 5:
            query = query.where(Commune.postcodes.contains(code))
        elif code:
            query = query.where(Commune.department_code == code)
        commune = db.session.scalar(query.limit(1))
    if commune is None:
        raise ServiceError(
            f"Commune introuvable : « {text} ». Saisissez son nom, son code postal ou son code INSEE.",
            field="town",
        )
    return commune


def town_text(profile: CandidateProfile | None) -> str:
    """The profile's town as the form shows it (read back by `resolve_town`)."""
    town = profile.town if profile is not None else None
    return town.label if town is not None else ""


def _name(value: str, label: str, field_name: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(f"Indiquez votre {label}.", field=field_name)
    if len(value) > MAX_NAME_LENGTH:
        raise ServiceError(f"{MAX_NAME_LENGTH} caractères au maximum.", field=field_name)
    return value


def _phone(value: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        return ""
    digits = re.sub(r"\D", "", value)
    if len(value) > 30 or not _PHONE_CHARACTERS.match(value) or not 6 <= len(digits) <= 15:
        raise ServiceError(
            "Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78.", field="phone"
        )
    return value


def _codes(
    chosen: list[str], allowed: Sequence[Region | Department], field_name: str, message: str
) -> list[str]:
    codes = sorted({code for code in chosen or [] if code})
    if not set(codes) <= {place.code for place in allowed}:
        raise ServiceError(message, field=field_name)
    return codes


def _experience(value: str | int | None) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        years = int(value)
    except (TypeError, ValueError):
        years = -1
    if not 0 <= years <= MAX_EXPERIENCE_YEARS:
        raise ServiceError(
            f"Indiquez un nombre d'années entre 0 et {MAX_EXPERIENCE_YEARS}.",
            field="experience_years",
        )
    return years


def _statistic(name: str, value: str) -> str | None:
    labels, message = _STATISTICS[name]
    if not value:
        return None
    if value not in labels:
        raise ServiceError(message, field=name)
    return value


def _has_upload(upload: FileStorage | None) -> TypeGuard[FileStorage]:
    return upload is not None and bool(getattr(upload, "filename", ""))


def update_profile(user: User, content: ProfileContent) -> CandidateProfile:
    """Check and save the profile, the names on the account and the default CV; commits."""
    if user.role != Role.CANDIDATE:
        raise ServiceError("Seul un compte candidat a un profil de candidat.")
    first_name = _name(content.first_name, "prénom", "first_name")
    last_name = _name(content.last_name, "nom", "last_name")
    phone = _phone(content.phone)
    town = resolve_town(content.town)
    mobility_regions = _codes(
        content.mobility_regions,
        regions(),
        "mobility_regions",
        "Choisissez des régions de la liste.",
    )
    mobility_departments = _codes(
        content.mobility_departments,
        departments(),
        "mobility_departments",
        "Choisissez des départements de la liste.",
    )
    statistics = {name: _statistic(name, getattr(content, name)) for name in _STATISTICS}
    experience_years = _experience(content.experience_years)

    profile = profile_of(user)
    old_cv = profile.default_cv
    # Last check, once everything else passed: the file is written only if it is kept.
    new_cv = store_pdf(content.cv_upload, field="cv") if _has_upload(content.cv_upload) else None

    user.first_name = first_name
    user.last_name = last_name
    profile.phone = phone
    profile.town_insee_code = town.insee_code if town else None
    profile.mobility_regions = mobility_regions
    profile.mobility_departments = mobility_departments
    profile.experience_years = experience_years
    for name, value in statistics.items():
        setattr(profile, name, value)

    obsolete = None
    if new_cv is not None:
        profile.default_cv = new_cv
        obsolete = old_cv
    elif content.remove_cv:
        profile.default_cv = None
        obsolete = old_cv
    obsolete_name = obsolete.stored_name if obsolete is not None else None
    if obsolete is not None:
        db.session.delete(obsolete)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        if new_cv is not None:
            file_store().delete(new_cv.stored_name)
        raise
    # The old bytes go only once the database no longer points at them.
    if obsolete_name is not None:
        file_store().delete(obsolete_name)
    return profile


def default_cv_of(user: User) -> StoredFile | None:
    """The candidate's own default CV, or None."""
    profile = existing_profile(user)
    return profile.default_cv if profile is not None else None
