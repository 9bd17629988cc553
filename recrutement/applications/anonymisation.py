"""Stripping applications of their personal data, when their candidate deletes the
account or once the retention period has passed (candidates.personal_data decides
when; this module says what goes).

Applications are never deleted (they feed the programme statistics) but
anonymised: detached from the candidate (`candidate_id` NULL), cover letter,
interview details and rejection reason emptied, CV deleted (bytes and
StoredFile row). Offer, status and dates stay. The message thread is deleted
whole, both sides: the employer's messages are addressed to the candidate by
name ("Bonjour Madame ..."), so keeping them would undo the anonymisation, and
nobody can answer them any more (messages.post_message refuses once the
candidate is gone). Audit events of the application lose their comments
(interview details, rejection reasons) and the candidate as actor; employers
stay as actors.

Nothing here commits, and files are only listed (`doomed`, stored names): the caller
deletes them from the file store once its transaction has committed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update

from recrutement.accounts.models import User
from recrutement.applications.models import Application, ApplicationMessage, ApplicationStatus
from recrutement.applications.workflow import DECIDED_STATES, OPEN_STATES
from recrutement.core.models import AuditEvent, record_event
from recrutement.extensions import db


def anonymise(application: Application, now: datetime, doomed: list[str]) -> None:
    """Strip an application of its personal data (not committed); its CV's path is
    added to `doomed` (stored names), to be deleted once the transaction has committed."""
    candidate_id = application.candidate_id
    events = (
        AuditEvent.object_type == Application.__tablename__,
        AuditEvent.object_id == str(application.id),
    )
    # Comments hold interview details and rejection reasons.
    db.session.execute(update(AuditEvent).where(*events).values(comment=""))
    if candidate_id is not None:
        db.session.execute(
            update(AuditEvent)
            .where(*events, AuditEvent.actor_id == candidate_id)
            .values(actor_id=None)
        )
    db.session.execute(
        delete(ApplicationMessage).where(ApplicationMessage.application_id == application.id)
    )
    cv = application.cv
    application.candidate = None
    application.cover_letter = ""
    application.interview_details = ""
    application.rejection_reason = ""
    application.rejection_reason_shared = False
    application.cv = None
    application.anonymised_at = now
    if cv is not None:
        # The row first stops pointing at the file, then the file's row goes.
        db.session.flush()
        doomed.append(cv.stored_name)
        db.session.delete(cv)


def anonymise_all_of(candidate: User, now: datetime, doomed: list[str]) -> int:
    """Anonymise every application of a candidate who is leaving (locked, not
    committed); the open ones are withdrawn first. Returns how many."""
    applications = db.session.scalars(
        select(Application).where(Application.candidate_id == candidate.id).with_for_update()
    ).all()
    for application in applications:
        if application.status in OPEN_STATES:
            # Nobody can answer for it any more: the employer sees it withdrawn,
            # not waiting for an interview with someone who is gone.
            application.status = ApplicationStatus.WITHDRAWN
            record_event(None, "application.withdraw", application, "")
        anonymise(application, now, doomed)
    return len(applications)


def anonymise_finished_before(cutoff: datetime, now: datetime, doomed: list[str]) -> int:
    """Anonymise the applications decided or withdrawn before `cutoff` (rows another
    worker holds are left to it; not committed). Returns how many."""
    finished = db.session.scalars(
        select(Application)
        .where(
            Application.anonymised_at.is_(None),
            Application.status.in_(DECIDED_STATES),
            # Withdrawals carry no decision date; nothing changes the row after them.
            func.coalesce(Application.decided_at, Application.updated_at) < cutoff,
        )
        .with_for_update(skip_locked=True)
    ).all()
    for application in finished:
        anonymise(application, now, doomed)
    return len(finished)
