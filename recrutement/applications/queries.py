"""Scoped queries: a candidate sees only their own applications, an employer only
those made to its organisation's offers. Views load applications only through these."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import ColumnElement, Select, and_, func, select

from recrutement.accounts.models import User
from recrutement.applications.models import Application, ApplicationMessage
from recrutement.extensions import db
from recrutement.offers.models import Offer


def applications_of_candidate(user: User) -> Select[tuple[Application]]:
    return select(Application).where(Application.candidate_id == user.id)


def get_application_for_candidate_or_404(user: User, application_id: int) -> Application:
    found = db.session.scalar(
        applications_of_candidate(user).where(Application.id == application_id)
    )
    if found is None:
        abort(404)
    return found


def applications_for_member(user: User) -> Select[tuple[Application]]:
    organisation_id = user.membership.organisation_id if user.membership else -1
    return (
        select(Application)
        .join(Offer, Offer.id == Application.offer_id)
        .where(Offer.organisation_id == organisation_id)
    )


def get_application_for_member_or_404(user: User, application_id: int) -> Application:
    found = db.session.scalar(applications_for_member(user).where(Application.id == application_id))
    if found is None:
        abort(404)
    return found


def unread_for_candidate() -> ColumnElement[bool]:
    """The condition "a message of the employer that the candidate has not read yet",
    for a query joining Application and ApplicationMessage."""
    return and_(
        ApplicationMessage.author_side == "employer",
        ApplicationMessage.id > func.coalesce(Application.candidate_read_message_id, 0),
    )


def unread_message_count(user: User) -> int:
    """How many of the employers' messages to this candidate are still unread."""
    return (
        db.session.scalar(
            select(func.count(ApplicationMessage.id))
            .join(Application, Application.id == ApplicationMessage.application_id)
            .where(Application.candidate_id == user.id, unread_for_candidate())
        )
        or 0
    )


def threads_of_candidate(user: User) -> Select[tuple[Application]]:
    """The candidate's applications that have messages, the latest exchange first."""
    last_message = (
        select(func.max(ApplicationMessage.id))
        .where(ApplicationMessage.application_id == Application.id)
        .scalar_subquery()
    )
    return (
        applications_of_candidate(user)
        .where(last_message.is_not(None))
        .order_by(last_message.desc())
    )


@dataclass(frozen=True)
class ThreadSummary:
    """What the inbox shows of one thread."""

    last_message: ApplicationMessage
    messages: int
    unread: int


def thread_summaries(applications: list[Application]) -> dict[int, ThreadSummary]:
    """The summary of each application's thread, by application id (none without messages)."""
    ids = [application.id for application in applications]
    if not ids:
        return {}
    counts = {
        row.application_id: row
        for row in db.session.execute(
            select(
                ApplicationMessage.application_id,
                func.count(ApplicationMessage.id).label("messages"),
                func.count(ApplicationMessage.id).filter(unread_for_candidate()).label("unread"),
                func.max(ApplicationMessage.id).label("last_id"),
            )
            .join(Application, Application.id == ApplicationMessage.application_id)
            .where(ApplicationMessage.application_id.in_(ids))
            .group_by(ApplicationMessage.application_id)
        )
    }
    last_messages = {
        message.id: message
        for message in db.session.scalars(
            select(ApplicationMessage).where(
                ApplicationMessage.id.in_([row.last_id for row in counts.values()])
            )
        )
    }
    return {
        application_id: ThreadSummary(last_messages[row.last_id], row.messages, row.unread)
        for application_id, row in counts.items()
    }
