"""What may be done with offers: draft, edit, publish, close, fill, republish, duplicate,
expire, and ANCT's unpublishing. Every transition is checked against
offers.workflow, timestamped, logged in the audit journal, in one transaction.

A publication (or republication) also queues an OFFER_PUBLISHED background task in
its transaction: the worker then mails the "instant" alerts that find the offer
(alerts.sending), so publishing takes the same time however many alerts there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from recrutement.accounts.models import Role, User
from recrutement.core.errors import ServiceError
from recrutement.core.models import record_event
from recrutement.core.tasks import queue_task
from recrutement.core.time import paris_today, utcnow
from recrutement.core.workflow import Transition
from recrutement.extensions import db
from recrutement.files.storage import delete_file, store_pdf
from recrutement.offers import notifications
from recrutement.offers.models import (
    CONTENT_FIELDS,
    DEFAULT_TITLE,
    FIXED_TERM_CONTRACTS,
    Offer,
    OfferStatus,
)
from recrutement.offers.rules import earliest_deadline, latest_deadline
from recrutement.offers.workflow import (
    CLOSE,
    EDITABLE_STATES,
    EXPIRE,
    FILL,
    PUBLISH,
    REPUBLISH,
    STATE_TIMESTAMP,
    UNPUBLISH,
)
from recrutement.organisations.models import Organisation
from recrutement.organisations.services import candidate_towns, choice_for_organisation
from recrutement.referential.models import Commune

# The background task queued by a publication: "offer N is newly published".
OFFER_PUBLISHED = "offer.published"


@dataclass
class OfferContent:
    """What an employer writes in the offer form (already type-checked by the form)."""

    values: dict[str, Any]
    town_codes: list[str]
    attachment: FileStorage | None = None
    remove_attachment: bool = False


def allowed_towns(organisation: Organisation) -> list[Commune]:
    """Towns an offer of this organisation may cover or be based in: the towns it
    declared, and the member communes of its grouping."""
    towns = {town.insee_code: town for town in organisation.towns}
    for town in candidate_towns(choice_for_organisation(organisation)):
        towns.setdefault(town.insee_code, town)
    return sorted(towns.values(), key=lambda town: town.name)


def _check_member(actor: User, offer: Offer) -> None:
    if actor.role != Role.EMPLOYER or actor.organisation is None:
        raise ServiceError("Seuls les membres de la collectivité peuvent modifier ses offres.")
    if offer.organisation_id != actor.organisation.id:
        raise ServiceError("Cette offre n'appartient pas à votre collectivité.")


def _apply_content(offer: Offer, content: OfferContent) -> None:
    values = content.values
    towns = {town.insee_code: town for town in allowed_towns(offer.organisation)}
    errors = []
    if values.get("workplace_insee_code") not in towns:
        errors.append(
            ("workplace_insee_code", "Choisissez le lieu de travail parmi les communes proposées.")
        )
    chosen = [towns[code] for code in dict.fromkeys(content.town_codes) if code in towns]
    if not chosen or len(chosen) != len(set(content.town_codes)):
        errors.append(("towns", "Choisissez au moins une commune couverte parmi celles proposées."))
    if values.get("contract_type") in FIXED_TERM_CONTRACTS and not values.get("duration_months"):
        errors.append(("duration_months", "Indiquez la durée du contrat, en mois."))
    salary_min, salary_max = values.get("salary_min"), values.get("salary_max")
    if salary_min and salary_max and salary_min > salary_max:
        errors.append(("salary_max", "Le salaire maximum doit être supérieur au minimum."))
    deadline = values.get("application_deadline")
    if deadline and deadline > latest_deadline(paris_today()):
        errors.append(("application_deadline", _too_late(latest_deadline(paris_today()))))
    if not values.get("post_is_new") and not values.get("vacant_since"):
        errors.append(("vacant_since", "Indiquez depuis quand le poste est vacant."))
    if errors:
        field, message = errors[0]
        raise ServiceError(message, field=field)
    for name in CONTENT_FIELDS:
        if name in values:
            setattr(offer, name, values[name])
    if offer.contract_type not in FIXED_TERM_CONTRACTS:
        offer.duration_months = None
    offer.title = (offer.title or "").strip() or DEFAULT_TITLE
    offer.towns = chosen
    if content.remove_attachment and offer.attachment is not None:
        old, offer.attachment = offer.attachment, None
        delete_file(old)
    if content.attachment is not None:
        new = store_pdf(content.attachment, field="attachment")
        if offer.attachment is not None:
            delete_file(offer.attachment)
        offer.attachment = new


def create_draft(actor: User, content: OfferContent) -> Offer:
    """A new draft offer of the actor's organisation (allowed while it is pending)."""
    organisation = actor.organisation
    if actor.role != Role.EMPLOYER or organisation is None:
        raise ServiceError("Seul un membre d'une collectivité peut créer une offre.")
    offer = Offer(organisation=organisation, created_by_id=actor.id, status=OfferStatus.DRAFT)
    _apply_content(offer, content)
    db.session.add(offer)
    db.session.flush()
    record_event(actor, "offer.created", offer)
    db.session.commit()
    return offer


def update_offer(actor: User, offer: Offer, content: OfferContent) -> Offer:
    _check_member(actor, offer)
    if OfferStatus(offer.status) not in EDITABLE_STATES:
        raise ServiceError(f"Une offre {offer.status.label.lower()} ne peut plus être modifiée.")
    _apply_content(offer, content)
    if offer.status == OfferStatus.PUBLISHED:
        assert offer.published_at is not None  # set when it was published
        _check_deadline(offer, offer.published_at.date())
    record_event(actor, "offer.updated", offer)
    db.session.commit()
    return offer


def _too_late(maximum: date) -> str:
    return (
        "La date limite de candidature ne peut pas dépasser un an après la publication : "
        f"au plus tard le {maximum.strftime('%d/%m/%Y')}."
    )


def _check_deadline(offer: Offer, published_on: date) -> None:
    """At least one month open (the legal minimum), at most a year (the same rule on
    creation, edit, publication and republication)."""
    minimum = earliest_deadline(published_on)
    if offer.application_deadline is None or offer.application_deadline < minimum:
        raise ServiceError(
            "La date limite de candidature doit laisser l'offre ouverte au moins un mois "
            f"(minimum légal) : au plus tôt le {minimum.strftime('%d/%m/%Y')}.",
            field="application_deadline",
        )
    maximum = latest_deadline(max(published_on, paris_today()))
    if offer.application_deadline > maximum:
        raise ServiceError(_too_late(maximum), field="application_deadline")


def _check_publishable(offer: Offer) -> None:
    if not offer.organisation.is_validated:
        raise ServiceError(
            "Votre collectivité n'est pas encore validée par la préfecture : l'offre reste en "
            "brouillon et pourra être publiée dès la validation."
        )
    missing = [
        label
        for label, value in (
            ("les missions", offer.missions),
            ("le profil recherché", offer.profile),
            ("l'adresse de contact", offer.contact_email),
        )
        if not (value or "").strip()
    ]
    if missing:
        raise ServiceError("Avant de publier, complétez " + ", ".join(missing) + ".")
    _check_deadline(offer, paris_today())


def _lock(offer: Offer) -> None:
    """Re-read the offer under a row lock (PostgreSQL), before changing anything:
    of two people acting at once, the second sees the first one's result."""
    db.session.refresh(offer, with_for_update=True)


def _transition(
    actor: User | None, offer: Offer, transition: Transition[OfferStatus], comment: str = ""
) -> Offer:
    """Check the move, apply it, timestamp and log it (locked by the caller; not committed)."""
    transition.check_actor(actor.role if actor is not None else None)
    if not transition.allows(offer.status):
        raise ServiceError(
            f"Impossible : l'offre est {offer.status.label.lower()} "
            f"et ne peut pas être {transition.done}."
        )
    now = utcnow()
    offer.status = transition.target
    setattr(offer, STATE_TIMESTAMP[transition.target], now)
    if transition.target == OfferStatus.PUBLISHED and offer.first_published_at is None:
        offer.first_published_at = now
    record_event(actor, f"offer.{transition.name}", offer, comment)
    return offer


def publish(actor: User, offer: Offer) -> Offer:
    _check_member(actor, offer)
    _lock(offer)
    _check_publishable(offer)
    _transition(actor, offer, PUBLISH)
    queue_task(OFFER_PUBLISHED, offer.id)
    db.session.commit()
    return offer


def republish(actor: User, offer: Offer, new_deadline: date) -> Offer:
    """Publish a closed or expired offer again, with a new deadline."""
    _check_member(actor, offer)
    _lock(offer)
    offer.application_deadline = new_deadline
    _check_publishable(offer)
    _transition(actor, offer, REPUBLISH)
    queue_task(OFFER_PUBLISHED, offer.id)
    db.session.commit()
    return offer


def close(actor: User, offer: Offer) -> Offer:
    _check_member(actor, offer)
    _lock(offer)
    _transition(actor, offer, CLOSE)
    db.session.commit()
    return offer


def mark_filled(actor: User, offer: Offer) -> Offer:
    _check_member(actor, offer)
    _lock(offer)
    _transition(actor, offer, FILL)
    db.session.commit()
    return offer


def unpublish(actor: User, offer: Offer, reason: str) -> Offer:
    """ANCT takes down a published offer (abuse, duplicate); the members are told why."""
    if actor.role != Role.ADMIN:
        raise ServiceError("Seule l'ANCT peut dépublier une offre.")
    reason = reason.strip()
    if len(reason) < 10:
        raise ServiceError(
            "Indiquez le motif (au moins 10 caractères) : il est envoyé à la collectivité.",
            field="reason",
        )
    _lock(offer)
    _transition(actor, offer, UNPUBLISH, reason)
    notifications.offer_unpublished(offer, reason)
    db.session.commit()
    return offer


def duplicate(actor: User, offer: Offer) -> Offer:
    """A new draft with the same content; dates of the lifecycle start afresh."""
    _check_member(actor, offer)
    copy = Offer(organisation=offer.organisation, created_by_id=actor.id, status=OfferStatus.DRAFT)
    for name in CONTENT_FIELDS:
        setattr(copy, name, getattr(offer, name))
    copy.towns = list(offer.towns)
    copy.title = offer.title
    db.session.add(copy)
    db.session.flush()
    record_event(actor, "offer.duplicated", copy, f"copie de l'offre {offer.id}")
    db.session.commit()
    return copy


def expire_due(today: date | None = None) -> int:
    """Expire every published offer whose deadline has passed; returns how many."""
    today = today or paris_today()
    due = db.session.scalars(
        select(Offer).where(
            Offer.status == OfferStatus.PUBLISHED, Offer.application_deadline < today
        )
    ).all()
    for offer in due:
        _lock(offer)
        if offer.status == OfferStatus.PUBLISHED:
            _transition(None, offer, EXPIRE)
    db.session.commit()
    return sum(offer.status == OfferStatus.EXPIRED for offer in due)
