"""What may be done with organisations: find, sign up, invite, validate or refuse,
and ANCT's national list and edits."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import ColumnElement, CursorResult, Select, case, func, or_, select, update
from sqlalchemy.orm import selectinload

from recrutement.accounts import notifications as account_notifications
from recrutement.accounts.models import Role, User, user_department
from recrutement.accounts.services import SIGNUP_PER_ADDRESS, new_user
from recrutement.core.errors import ServiceError
from recrutement.core.french import commune_organisation_name
from recrutement.core.models import record_event
from recrutement.core.ratelimit import hit
from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.organisations import notifications
from recrutement.organisations.models import (
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
)
from recrutement.referential.models import Commune, Department, Grouping, grouping_member
from recrutement.referential.text import fold

SEARCH_LIMIT = 15
POSTCODE = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class Collectivity:
    """A commune or grouping that can become an organisation (a search result)."""

    kind: str  # "commune" or "grouping"
    key: str  # INSEE code or SIREN
    name: str
    detail: str
    is_pvd: bool
    taken: bool

    @property
    def choice(self) -> str:
        return f"{self.kind}:{self.key}"


def search_collectivities(text: str) -> list[Collectivity]:
    """Communes and groupings whose name or postcode matches `text`."""
    text = text.strip()
    if len(text) < 2:
        return []
    if POSTCODE.match(text):
        commune_filter = Commune.postcodes.contains(text)
    else:
        folded = fold(text)
        commune_filter = Commune.search_name.startswith(folded)
    communes = db.session.scalars(
        select(Commune)
        .where(commune_filter)
        .order_by(Commune.population.desc().nulls_last(), Commune.name)
        .limit(SEARCH_LIMIT)
    ).all()
    grouping_filter: ColumnElement[bool]
    if POSTCODE.match(text):
        grouping_filter = Grouping.siren.in_(
            select(grouping_member.c.grouping_siren)
            .join(Commune, Commune.insee_code == grouping_member.c.commune_insee_code)
            .where(commune_filter)
        )
    else:
        grouping_filter = Grouping.search_name.contains(fold(text))
    groupings = db.session.scalars(
        select(Grouping).where(grouping_filter).order_by(Grouping.name).limit(SEARCH_LIMIT)
    ).all()
    # Only the shown results are checked for an existing organisation.
    taken_communes = set(
        db.session.scalars(
            select(Organisation.commune_insee_code).where(
                Organisation.commune_insee_code.in_([commune.insee_code for commune in communes])
            )
        )
    )
    taken_groupings = set(
        db.session.scalars(
            select(Organisation.grouping_siren).where(
                Organisation.grouping_siren.in_([grouping.siren for grouping in groupings])
            )
        )
    )
    results = [
        Collectivity(
            "commune",
            commune.insee_code,
            commune.name,
            f"Commune — {commune.department.label}"
            + (f" — {commune.postcodes}" if commune.postcodes else ""),
            commune.is_pvd,
            commune.insee_code in taken_communes,
        )
        for commune in communes
    ]
    results += [
        Collectivity(
            "grouping",
            grouping.siren,
            grouping.name,
            f"Intercommunalité — SIREN {grouping.siren}"
            + (f" — {grouping.department.label}" if grouping.department else ""),
            False,
            grouping.siren in taken_groupings,
        )
        for grouping in groupings
    ]
    return results


@dataclass
class OrganisationChoice:
    """What the employer picked: a commune, a grouping, or a PETR declared by hand."""

    kind: str  # "commune", "grouping" or "petr"
    key: str = ""
    petr_name: str = ""
    petr_department_code: str = ""


def valid_siren(siren: str) -> bool:
    """A SIREN is 9 digits passing the Luhn check."""
    if not re.fullmatch(r"\d{9}", siren):
        return False
    total = 0
    for position, digit in enumerate(reversed(siren)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def candidate_towns(choice: OrganisationChoice) -> list[Commune]:
    """The communes the employer may say its chef de projet covers."""
    if choice.kind == "commune":
        commune = db.session.get(Commune, choice.key)
        return [commune] if commune else []
    if choice.kind == "grouping":
        grouping = db.session.get(Grouping, choice.key)
        return list(grouping.members) if grouping else []
    if choice.kind == "petr":
        # A PETR groups EPCI of one département: offer its PVD towns.
        return list(
            db.session.scalars(
                select(Commune)
                .where(Commune.department_code == choice.petr_department_code, Commune.is_pvd)
                .order_by(Commune.name)
            )
        )
    return []


def choice_for_organisation(organisation: Organisation) -> OrganisationChoice:
    """The choice an existing organisation was made from (for its candidate towns)."""
    if organisation.commune_insee_code:
        return OrganisationChoice("commune", key=organisation.commune_insee_code)
    if organisation.grouping is not None and organisation.grouping.kind == "petr":
        return OrganisationChoice(
            "petr",
            key=organisation.grouping_siren or "",
            petr_department_code=organisation.department_code,
        )
    return OrganisationChoice("grouping", key=organisation.grouping_siren or "")


def _organisation_for_choice(choice: OrganisationChoice) -> Organisation:
    if choice.kind == "commune":
        commune = db.session.get(Commune, choice.key)
        if commune is None:
            raise ServiceError("Cette commune est inconnue du référentiel.", field="organisation")
        _refuse_taken(Organisation.commune_insee_code == commune.insee_code)
        return Organisation(
            kind=OrganisationKind.COMMUNE,
            commune_insee_code=commune.insee_code,
            name=commune_organisation_name(commune.name),
            department_code=commune.department_code,
        )
    if choice.kind == "grouping":
        grouping = db.session.get(Grouping, choice.key)
        if grouping is None:
            raise ServiceError(
                "Cette intercommunalité est inconnue du référentiel.", field="organisation"
            )
        _refuse_taken(Organisation.grouping_siren == grouping.siren)
        department_code = grouping.department_code or grouping.members[0].department_code
        return Organisation(
            kind=OrganisationKind.GROUPING,
            grouping_siren=grouping.siren,
            name=grouping.name,
            department_code=department_code,
        )
    if choice.kind == "petr":
        return _declared_petr(choice)
    raise ServiceError("Choisissez votre collectivité.", field="organisation")


def _declared_petr(choice: OrganisationChoice) -> Organisation:
    name = choice.petr_name.strip()
    siren = re.sub(r"\s", "", choice.key)
    if len(name) < 3:
        raise ServiceError("Indiquez le nom du PETR.", field="petr_name")
    if not valid_siren(siren):
        raise ServiceError("Le SIREN doit compter 9 chiffres valides.", field="petr_siren")
    if db.session.get(Department, choice.petr_department_code) is None:
        raise ServiceError("Choisissez le département du PETR.", field="petr_department")
    existing = db.session.get(Grouping, siren)
    if existing is not None and not existing.declared:
        raise ServiceError(
            "Ce SIREN est celui d'une intercommunalité du référentiel : cherchez-la par son nom.",
            field="petr_siren",
        )
    _refuse_taken(Organisation.grouping_siren == siren)
    if existing is None:
        db.session.add(
            Grouping(
                siren=siren,
                name=name,
                kind="petr",
                department_code=choice.petr_department_code,
                search_name=fold(name),
                declared=True,
            )
        )
    return Organisation(
        kind=OrganisationKind.GROUPING,
        grouping_siren=siren,
        name=name,
        department_code=choice.petr_department_code,
    )


def _refuse_taken(condition: ColumnElement[bool]) -> None:
    if db.session.scalar(select(func.count(Organisation.id)).where(condition)):
        raise ServiceError(
            "Cette collectivité a déjà un compte sur la plateforme. Demandez à l'un de ses "
            "membres de vous inviter depuis son espace (rubrique « Membres »).",
            field="organisation",
        )


def register_employer(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    choice: OrganisationChoice,
    town_codes: list[str],
    remote_address: str,
) -> User:
    """Create the organisation (pending), its first member, and ask for validation."""
    hit("signup-ip", remote_address, SIGNUP_PER_ADDRESS)
    allowed_towns = {commune.insee_code: commune for commune in candidate_towns(choice)}
    towns = [allowed_towns[code] for code in dict.fromkeys(town_codes) if code in allowed_towns]
    if not towns or len(towns) != len(set(town_codes)):
        raise ServiceError(
            "Choisissez la ou les communes couvertes par le chef de projet, parmi celles proposées.",
            field="towns",
        )
    organisation = _organisation_for_choice(choice)
    organisation.towns = towns
    user = new_user(email, password, Role.EMPLOYER, first_name, last_name)
    db.session.add(organisation)
    db.session.add(Membership(user=user, organisation=organisation))
    db.session.flush()
    account_notifications.confirm_email(user)
    notifications.organisation_to_validate(organisation, _prefecture_emails(organisation))
    record_event(user, "organisation_created", organisation)
    db.session.commit()
    return user


def _prefecture_emails(organisation: Organisation) -> list[str]:
    return list(
        db.session.scalars(
            select(User.email)
            .join(user_department, user_department.c.user_id == User.id)
            .where(
                User.role == Role.PREFECTURE,
                User.is_active_account,
                user_department.c.department_code == organisation.department_code,
            )
        )
    )


def decide_organisation(
    actor: User, organisation: Organisation, validate: bool, reason: str = ""
) -> None:
    """Validate or refuse a pending organisation (préfecture of its département, or ANCT)."""
    allowed = actor.role == Role.ADMIN or (
        actor.role == Role.PREFECTURE and organisation.department_code in actor.department_codes
    )
    if not allowed:
        raise ServiceError("Vous ne pouvez pas statuer sur cette collectivité.")
    reason = reason.strip()
    if not validate and len(reason) < 10:
        raise ServiceError(
            "Indiquez le motif du refus (au moins 10 caractères) : il est envoyé à la collectivité.",
            field="reason",
        )
    new_status = OrganisationStatus.VALIDATED if validate else OrganisationStatus.REFUSED
    # Conditional update: of two agents deciding at once, only the first wins. A bulk
    # UPDATE answers a cursor result, which counts the rows.
    result = cast(
        CursorResult[Any],
        db.session.execute(
            update(Organisation)
            .where(
                Organisation.id == organisation.id,
                Organisation.status == OrganisationStatus.PENDING,
            )
            .values(
                status=new_status,
                refusal_reason="" if validate else reason,
                decided_at=utcnow(),
                decided_by_id=actor.id,
            ),
            execution_options={"synchronize_session": False},
        ),
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise ServiceError("Cette collectivité a déjà été traitée entre-temps.")
    db.session.refresh(organisation)
    notifications.organisation_decided(organisation)
    record_event(actor, "organisation_" + new_status.value, organisation, reason)
    db.session.commit()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def pending_invitations(organisation: Organisation) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.organisation_id == organisation.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def invite_member(actor: User, email: str) -> Invitation:
    """A member invites a colleague; the mail carries a single-use link."""
    organisation = actor.organisation
    if actor.role != Role.EMPLOYER or organisation is None:
        raise ServiceError("Seul un membre d'une collectivité peut inviter un collègue.")
    email = email.strip().lower()
    if db.session.scalar(select(func.count(User.id)).where(func.lower(User.email) == email)):
        raise ServiceError(
            "Cette adresse a déjà un compte sur la plateforme : elle ne peut pas être invitée.",
            field="email",
        )
    # A new invitation to the same address replaces the previous one.
    db.session.execute(
        update(Invitation)
        .where(
            Invitation.organisation_id == organisation.id,
            func.lower(Invitation.email) == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation=organisation,
        email=email,
        token_hash=_token_hash(token),
        invited_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_MAX_AGE_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    notifications.invitation(invitation, token)
    record_event(actor, "member_invited", organisation, email)
    db.session.commit()
    return invitation


def revoke_invitation(actor: User, invitation: Invitation) -> None:
    """Cancel an open invitation of the actor's organisation (loaded through a scoped query)."""
    membership = actor.membership
    assert membership is not None  # employers only (the view's roles)
    if invitation.organisation_id != membership.organisation_id:
        raise ServiceError("Cette invitation ne concerne pas votre collectivité.")
    if invitation.accepted_at or invitation.revoked_at:
        raise ServiceError("Cette invitation n'est plus en cours.")
    invitation.revoked_at = utcnow()
    record_event(actor, "invitation_revoked", invitation.organisation, invitation.email)
    db.session.commit()


def invitation_for_token(token: str) -> Invitation:
    """The open invitation behind a link; ServiceError (French) otherwise."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == _token_hash(token))
    )
    if invitation is None or invitation.revoked_at is not None:
        raise ServiceError("Cette invitation n'est pas valide ou a été annulée.")
    if invitation.accepted_at is not None:
        raise ServiceError("Cette invitation a déjà été utilisée : connectez-vous.")
    if invitation.expires_at < utcnow():
        raise ServiceError(
            "Cette invitation a expiré. Demandez à votre collègue de vous en envoyer une nouvelle."
        )
    return invitation


def accept_invitation(token: str, first_name: str, last_name: str, password: str) -> User:
    """Create the invited colleague's account inside the organisation."""
    invitation = invitation_for_token(token)
    user = new_user(invitation.email, password, Role.EMPLOYER, first_name, last_name)
    # The link reached this mailbox: the address is confirmed.
    user.email_confirmed_at = utcnow()
    invitation.accepted_at = utcnow()
    db.session.add(Membership(user=user, organisation=invitation.organisation))
    db.session.flush()
    record_event(user, "invitation_accepted", invitation.organisation, invitation.email)
    db.session.commit()
    return user


def members_of(organisation: Organisation) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation.id)
            .order_by(User.last_name, User.first_name)
        )
    )


def pending_for_instructor(query: Select[tuple[Organisation]]) -> list[Organisation]:
    """Pending organisations among `query` (a scoped select), oldest first."""
    return list(
        db.session.scalars(
            query.where(Organisation.status == OrganisationStatus.PENDING).order_by(
                Organisation.created_at
            )
        )
    )


# ANCT's administration of organisations (/pilotage/collectivites).

INSEE_CODE = re.compile(r"^(\d[0-9AB]\d{3})$")


def search_organisations(
    text: str = "", status: str = "", department_code: str = ""
) -> Select[tuple[Organisation]]:
    """Every organisation matching a name, a status and a département (each optional),
    pending ones first, then by name; for ANCT's national list."""
    query = select(Organisation).options(
        selectinload(Organisation.department), selectinload(Organisation.towns)
    )
    text = " ".join(text.split())
    if text:
        folded = fold(text)
        query = query.where(
            or_(
                Organisation.name.icontains(text, autoescape=True),
                # Accent-free match through the referential's folded names.
                Organisation.commune_insee_code.in_(
                    select(Commune.insee_code).where(
                        Commune.search_name.contains(folded, autoescape=True)
                    )
                ),
                Organisation.grouping_siren.in_(
                    select(Grouping.siren).where(
                        Grouping.search_name.contains(folded, autoescape=True)
                    )
                ),
            )
        )
    if status in {member.value for member in OrganisationStatus}:
        query = query.where(Organisation.status == status)
    if department_code:
        query = query.where(Organisation.department_code == department_code)
    pending_first = case((Organisation.status == OrganisationStatus.PENDING, 0), else_=1)
    return query.order_by(pending_first, Organisation.name, Organisation.id)


def pvd_towns_of(department_code: str) -> list[Commune]:
    """The PVD towns of a département, by name (suggested when editing an organisation)."""
    return list(
        db.session.scalars(
            select(Commune)
            .where(Commune.department_code == department_code, Commune.is_pvd)
            .order_by(Commune.name)
        )
    )


def parse_town_codes(text: str) -> list[str]:
    """INSEE codes typed in a field, separated by spaces, commas or semicolons."""
    return [code.upper() for code in re.split(r"[\s,;]+", text or "") if code]


def update_organisation(
    actor: User, organisation: Organisation, name: str, town_codes: list[str]
) -> bool:
    """ANCT changes an organisation's name and the towns its chef de projet covers.

    Any commune of the referential may be covered (a grouping can reach over a
    département's border). Returns False, recording nothing, when nothing changed."""
    if actor.role != Role.ADMIN:
        raise ServiceError("Seule l'ANCT peut modifier une collectivité.")
    name = " ".join((name or "").split())
    if len(name) < 2:
        raise ServiceError("Indiquez le nom de la collectivité.", field="name")
    if len(name) > 200:
        raise ServiceError("Le nom compte 200 caractères au maximum.", field="name")
    codes = list(dict.fromkeys(code.strip().upper() for code in town_codes if code.strip()))
    malformed = [code for code in codes if not INSEE_CODE.match(code)]
    if malformed:
        raise ServiceError(
            f"Code INSEE mal formé : {', '.join(malformed)} (5 caractères, par exemple 29233).",
            field="towns",
        )
    towns = list(db.session.scalars(select(Commune).where(Commune.insee_code.in_(codes))))
    unknown = sorted(set(codes) - {town.insee_code for town in towns})
    if unknown:
        raise ServiceError(
            f"Commune inconnue du référentiel : {', '.join(unknown)}.", field="towns"
        )
    if not towns:
        raise ServiceError(
            "Gardez au moins une commune couverte par le chef de projet.", field="towns"
        )
    before = {town.insee_code: town for town in organisation.towns}
    after = {town.insee_code: town for town in towns}
    changes = []
    if name != organisation.name:
        changes.append(f"nom : « {organisation.name} » → « {name} »")
        organisation.name = name
    added = [after[code] for code in sorted(after.keys() - before.keys())]
    removed = [before[code] for code in sorted(before.keys() - after.keys())]
    if added:
        changes.append("communes ajoutées : " + ", ".join(_town_text(town) for town in added))
    if removed:
        changes.append("communes retirées : " + ", ".join(_town_text(town) for town in removed))
    if not changes:
        return False
    if added or removed:
        organisation.towns = sorted(towns, key=lambda town: town.name)
    record_event(actor, "organisation_updated", organisation, " ; ".join(changes))
    db.session.commit()
    return True


def _town_text(town: Commune) -> str:
    return f"{town.name} ({town.insee_code})"
