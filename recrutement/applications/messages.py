"""The message thread of an application (a core.threads thread: who may write, what
is mailed, the candidate's read marker), and the employer members' daily digest."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from recrutement.accounts.models import Role, User
from recrutement.applications import notifications
from recrutement.applications.models import Application, ApplicationMessage
from recrutement.core.errors import ServiceError
from recrutement.core.threads import add_message, clean_body, newest_message_id, thread_of
from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.offers.models import Offer
from recrutement.organisations.models import Membership

DIGEST_INTERVAL = timedelta(hours=23)


def thread(application: Application) -> list[ApplicationMessage]:
    return thread_of(ApplicationMessage, application.id)


def mark_read_by_candidate(candidate: User, application: Application) -> None:
    """Record that the candidate has seen the whole thread (called when it is shown);
    commits only when something changed."""
    if application.candidate_id != candidate.id:
        raise ServiceError("Cette candidature n'est pas la vôtre.")
    newest = newest_message_id(ApplicationMessage, application.id)
    # Only forward: ids grow with each message.
    if newest is not None and newest > (application.candidate_read_message_id or 0):
        application.candidate_read_message_id = newest
        db.session.commit()


def post_message(author: User, application: Application, body: str) -> ApplicationMessage:
    """Add a message from the candidate or a member of the employing organisation."""
    body = clean_body(body)
    if author.role == Role.CANDIDATE and application.candidate_id == author.id:
        side = "candidate"
    elif (
        author.role == Role.EMPLOYER
        and author.organisation is not None
        and application.offer.organisation_id == author.organisation.id
    ):
        side = "employer"
    else:
        raise ServiceError("Vous ne participez pas à cette candidature.")
    if application.candidate_id is None:
        raise ServiceError("Le candidat a supprimé son compte : il ne peut plus être contacté.")
    message = add_message(ApplicationMessage, application.id, author, side, body)
    db.session.flush()
    if side == "employer":
        notifications.message_to_candidate(message)
    else:
        notifications.message_to_members(message, instant_members(application.offer))
    db.session.commit()
    return message


def instant_members(offer: Offer) -> list[User]:
    """Members of the offer's organisation who want each event mailed at once."""
    return [
        membership.user
        for membership in offer.organisation.memberships
        if membership.notification_frequency == "instant"
    ]


def set_notification_frequency(member: User, frequency: str) -> None:
    if frequency not in ("instant", "daily"):
        raise ServiceError(
            "Choisissez « immédiatement » ou « résumé quotidien ».", field="frequency"
        )
    membership = member.membership
    assert membership is not None  # members only (the view's roles)
    membership.notification_frequency = frequency
    if frequency == "daily" and membership.last_digest_at is None:
        # The first digest covers what happens from now on.
        membership.last_digest_at = utcnow()
    db.session.commit()


def send_digests(now: datetime | None = None) -> int:
    """Mail each "daily" member what arrived since their last digest (new applications,
    candidates' messages); at most one digest per ~day. Returns how many were queued."""
    now = now or utcnow()
    sent = 0
    memberships = db.session.scalars(
        select(Membership)
        .where(Membership.notification_frequency == "daily")
        .with_for_update(skip_locked=True)
    ).all()
    for membership in memberships:
        since = membership.last_digest_at or (now - timedelta(days=1))
        if now - since < DIGEST_INTERVAL:
            continue
        organisation_offers = select(Offer.id).where(
            Offer.organisation_id == membership.organisation_id
        )
        applications = db.session.scalars(
            select(Application)
            .where(
                Application.offer_id.in_(organisation_offers),
                Application.created_at > since,
                Application.created_at <= now,
            )
            .order_by(Application.created_at)
        ).all()
        messages = db.session.scalars(
            select(ApplicationMessage)
            .join(Application, Application.id == ApplicationMessage.application_id)
            .where(
                Application.offer_id.in_(organisation_offers),
                ApplicationMessage.author_side == "candidate",
                ApplicationMessage.created_at > since,
                ApplicationMessage.created_at <= now,
            )
            .order_by(ApplicationMessage.created_at)
        ).all()
        membership.last_digest_at = now
        if applications or messages:
            notifications.digest(membership.user, applications, messages)
            sent += 1
    db.session.commit()
    return sent
