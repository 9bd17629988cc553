"""What may be done with applications: apply, move through the workflow, hire, withdraw.

Each move is checked against applications.workflow, logged in the audit journal
and mailed through the outbox, in one transaction.
"""

from __future__ import annotations

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from recrutement.accounts.models import Role, User
from recrutement.applications import notifications
from recrutement.applications.models import Application, ApplicationStatus
from recrutement.applications.workflow import (
    HIRE,
    INTERVIEW,
    OPEN_STATES,
    REJECT,
    REVIEW,
    WITHDRAW,
)
from recrutement.candidates.profile import profile_of
from recrutement.core.errors import ServiceError
from recrutement.core.models import record_event
from recrutement.core.time import paris_today, utcnow
from recrutement.core.workflow import Transition
from recrutement.extensions import db
from recrutement.files.copy import copy_stored_file
from recrutement.files.storage import store_pdf
from recrutement.offers.models import Offer, OfferStatus
from recrutement.offers.workflow import FILL
from recrutement.pilotage.recruits import record_hire

MIN_LETTER_LENGTH = 50


def existing_application(candidate: User, offer: Offer) -> Application | None:
    return db.session.scalar(
        select(Application).where(
            Application.offer_id == offer.id, Application.candidate_id == candidate.id
        )
    )


def apply(
    candidate: User, offer: Offer, cover_letter: str, cv_upload: FileStorage | None = None
) -> Application:
    """Send an application with a letter and a CV (a new PDF, or a copy of the profile's)."""
    if candidate.role != Role.CANDIDATE:
        raise ServiceError("Seul un compte candidat peut postuler.")
    if offer.status != OfferStatus.PUBLISHED or offer.application_deadline < paris_today():
        raise ServiceError("Cette offre n'est plus ouverte aux candidatures.")
    if existing_application(candidate, offer) is not None:
        raise ServiceError("Vous avez déjà postulé à cette offre : suivez-la depuis votre espace.")
    letter = (cover_letter or "").strip()
    if len(letter) < MIN_LETTER_LENGTH:
        raise ServiceError(
            f"Votre lettre de motivation doit compter au moins {MIN_LETTER_LENGTH} caractères.",
            field="cover_letter",
        )
    if cv_upload is not None:
        cv = store_pdf(cv_upload, field="cv")
    else:
        profile = profile_of(candidate)
        if profile.default_cv is None:
            raise ServiceError("Joignez votre CV au format PDF.", field="cv")
        # A copy: changing the profile later must not change what the employer received.
        cv = copy_stored_file(profile.default_cv, field="cv")
    application = Application(
        offer=offer, candidate=candidate, cover_letter=letter, cv=cv, status=ApplicationStatus.SENT
    )
    db.session.add(application)
    db.session.flush()
    record_event(candidate, "application.sent", application)
    notifications.to_candidate(application, "application_received")
    notifications.new_application(application)
    db.session.commit()
    return application


def _lock(application: Application) -> None:
    """Re-read under a row lock (PostgreSQL) before changing it: the second of two
    people acting at once sees the first one's result."""
    db.session.refresh(application, with_for_update=True)


def _move(
    actor: User,
    application: Application,
    transition: Transition[ApplicationStatus],
    comment: str = "",
) -> None:
    transition.check_actor(actor.role)
    if not transition.allows(application.status):
        raise ServiceError(
            f"Impossible : la candidature est « {application.status.label.lower()} »."
        )
    application.status = transition.target
    if transition.target in (ApplicationStatus.HIRED, ApplicationStatus.REJECTED):
        application.decided_at = utcnow()
    record_event(actor, f"application.{transition.name}", application, comment)


def _check_employer(actor: User, application: Application) -> None:
    if actor.role != Role.EMPLOYER or actor.organisation is None:
        raise ServiceError("Seuls les membres de la collectivité traitent ses candidatures.")
    if application.offer.organisation_id != actor.organisation.id:
        raise ServiceError("Cette candidature ne concerne pas votre collectivité.")


def start_review(actor: User, application: Application) -> None:
    _check_employer(actor, application)
    _lock(application)
    _move(actor, application, REVIEW)
    notifications.to_candidate(application, "in_review")
    db.session.commit()


def invite_to_interview(actor: User, application: Application, details: str) -> None:
    """Move to interview; `details` (date, place) is mailed to the candidate."""
    _check_employer(actor, application)
    details = details.strip()
    if len(details) < 10:
        raise ServiceError(
            "Indiquez la date, l'heure et le lieu (ou le lien) de l'entretien.", field="details"
        )
    _lock(application)
    _move(actor, application, INTERVIEW, details)
    application.interview_details = details
    notifications.to_candidate(application, "interview", details=details)
    db.session.commit()


def reject(
    actor: User, application: Application, reason: str = "", share_reason: bool = False
) -> None:
    _check_employer(actor, application)
    _lock(application)
    _reject_locked(actor, application, reason, share_reason)
    db.session.commit()


def _reject_locked(actor: User, application: Application, reason: str, share_reason: bool) -> None:
    _move(actor, application, REJECT, reason)
    application.rejection_reason = reason.strip()
    application.rejection_reason_shared = bool(share_reason and reason.strip())
    notifications.to_candidate(
        application,
        "rejected",
        reason=application.rejection_reason if application.rejection_reason_shared else "",
    )


def reject_many(
    actor: User,
    offer: Offer,
    application_ids: list[int],
    reason: str = "",
    share_reason: bool = False,
) -> int:
    """Reject several open applications of one offer with one message; returns how many."""
    applications = db.session.scalars(
        select(Application)
        .where(Application.offer_id == offer.id, Application.id.in_(application_ids))
        .with_for_update()
    ).all()
    if len(applications) != len(set(application_ids)):
        raise ServiceError("Certaines candidatures choisies n'existent pas pour cette offre.")
    for application in applications:
        _check_employer(actor, application)
        _reject_locked(actor, application, reason, share_reason)
    db.session.commit()
    return len(applications)


# What the other candidates read when the employer keeps the proposed message.
OTHERS_MESSAGE = (
    "Le poste a été pourvu. Merci de l'intérêt que vous avez porté à cette offre et du "
    "temps consacré à votre candidature."
)


def others_to_inform(application: Application) -> list[Application]:
    """The offer's other applications still open: those a hire would close, oldest first."""
    return list(
        db.session.scalars(
            select(Application)
            .where(
                Application.offer_id == application.offer_id,
                Application.id != application.id,
                Application.status.in_(OPEN_STATES),
            )
            .order_by(Application.created_at, Application.id)
        )
    )


def others_message_preview(application: Application, message: str) -> tuple[str, str] | None:
    """The subject and text of the mail the other candidates would receive (as the
    first of them), or None when there is nobody else to tell."""
    others = [other for other in others_to_inform(application) if other.candidate]
    if not others:
        return None
    return notifications.preview_to_candidate(
        others[0], "rejected", reason=(message or "").strip() or OTHERS_MESSAGE
    )


def hire(
    actor: User, application: Application, notify_others: bool = False, message: str = ""
) -> int:
    """Record the hire: the offer becomes filled; optionally close the other open
    applications with one message (OTHERS_MESSAGE when blank), as a shared rejection
    reason. Returns how many others were told."""
    _check_employer(actor, application)
    _lock(application)
    _move(actor, application, HIRE)
    notifications.to_candidate(application, "hired")
    offer = application.offer
    db.session.refresh(offer, with_for_update=True)
    if FILL.allows(offer.status):
        offer.status = FILL.target
        offer.filled_at = utcnow()
        record_event(actor, "offer.fill", offer, f"candidature n° {application.id} retenue")
    record_hire(application)
    others = []
    if notify_others:
        others = others_to_inform(application)
        for other in others:
            _reject_locked(actor, other, message.strip() or OTHERS_MESSAGE, share_reason=True)
    db.session.commit()
    return len(others)


def withdraw(candidate: User, application: Application) -> None:
    """The candidate withdraws before a decision."""
    if application.candidate_id != candidate.id:
        raise ServiceError("Cette candidature n'est pas la vôtre.")
    _lock(application)
    _move(candidate, application, WITHDRAW)
    notifications.to_candidate(application, "withdrawn")
    db.session.commit()


def count_by_offer(offer_ids: list[int]) -> dict[int, int]:
    """How many applications each offer received (for the employer's offer list)."""
    if not offer_ids:
        return {}
    rows = db.session.execute(
        select(Application.offer_id, func.count(Application.id))
        .where(Application.offer_id.in_(offer_ids))
        .group_by(Application.offer_id)
    ).tuples()
    return dict(rows.all())
