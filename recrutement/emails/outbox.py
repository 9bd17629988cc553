"""Queue mails in the caller's transaction; deliver them later, exactly once per claim.

`queue_email` only adds a row to the current session: the mail exists if and
only if the change that caused it commits. `send_due` claims due rows with one
atomic UPDATE (rows picked with FOR UPDATE SKIP LOCKED on PostgreSQL), so two
workers never send the same mail, then delivers them over SMTP and records the
outcome; failures are retried with exponential back-off.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app, render_template
from flask_mail import Message
from sqlalchemy import CursorResult, delete, func, or_, select, update

from recrutement.core.time import utcnow
from recrutement.emails.models import EmailStatus, OutgoingEmail
from recrutement.extensions import db, mail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_DURATION = timedelta(minutes=5)
FIRST_RETRY_DELAY = timedelta(minutes=1)
LONGEST_RETRY_DELAY = timedelta(hours=6)
# Mails delivered (or given up) are kept this long for support, then deleted: their
# bodies hold names, messages and links the platform no longer needs.
DELIVERED_RETENTION = timedelta(days=90)


def queue_email(
    recipient: str,
    template: str,
    subject: str,
    headers: dict[str, str] | None = None,
    **context: object,
) -> OutgoingEmail:
    """Render `templates/email/<template>.txt|.html` and add the mail to the session.

    The caller commits: the mail is sent only if its transaction succeeds.
    """
    context.setdefault("base_url", current_app.config["BASE_URL"])
    context.setdefault("subject", subject)
    email = OutgoingEmail(
        recipient=recipient,
        subject=subject,
        template=template,
        body_text=render_template(f"email/{template}.txt", **context),
        body_html=render_template(f"email/{template}.html", **context),
        headers=headers,
    )
    db.session.add(email)
    return email


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the `attempts`-th failure: 1, 2, 4 … minutes, at most 6 hours."""
    factor: int = 2 ** max(attempts - 1, 0)
    return min(FIRST_RETRY_DELAY * factor, LONGEST_RETRY_DELAY)


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    given_up: int = 0


def _claim_due(now: datetime, batch_size: int) -> list[int]:
    """Atomically claim up to `batch_size` due mails for this process."""
    claimer = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    claimable = or_(OutgoingEmail.claimed_until.is_(None), OutgoingEmail.claimed_until < now)
    due = (
        select(OutgoingEmail.id)
        .where(
            OutgoingEmail.status == EmailStatus.PENDING,
            OutgoingEmail.send_after <= now,
            claimable,
        )
        .order_by(OutgoingEmail.send_after, OutgoingEmail.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    # The outer condition is evaluated again on the locked row, so a row claimed
    # meanwhile by another worker is left out even without SKIP LOCKED (SQLite).
    db.session.execute(
        update(OutgoingEmail)
        .where(OutgoingEmail.id.in_(due.scalar_subquery()), claimable)
        .values(claimed_until=now + CLAIM_DURATION, claimed_by=claimer),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return list(
        db.session.scalars(
            select(OutgoingEmail.id)
            .where(OutgoingEmail.claimed_by == claimer)
            .order_by(OutgoingEmail.id)
        )
    )


def message_id(email: OutgoingEmail) -> str:
    """The mail's Message-ID, the same at every attempt.

    A worker killed after the SMTP server accepted a mail but before the row says so
    sends it again once its claim lapses (delivery is at least once): the second copy
    carries the same Message-ID, by which mail clients and servers recognise it.
    """
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2].strip("> ") or "localhost"
    return f"<outbox.{email.id}.{email.created_at:%Y%m%d%H%M%S}@{domain}>"


def _deliver(email: OutgoingEmail) -> None:
    message = Message(
        subject=email.subject,
        recipients=[email.recipient],
        body=email.body_text,
        html=email.body_html or None,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers={"Auto-Submitted": "auto-generated", **(email.headers or {})},
    )
    message.msgId = message_id(email)
    mail.send(message)


def send_due(now: datetime | None = None, batch_size: int = 50) -> SendReport:
    """Deliver the mails that are due; returns what happened."""
    now = now or utcnow()
    report = SendReport()
    for email_id in _claim_due(now, batch_size):
        email = db.session.get_one(OutgoingEmail, email_id)
        try:
            _deliver(email)
        except Exception as error:  # noqa: BLE001 — any SMTP or network failure is retried
            email.attempts += 1
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            email.claimed_until = None
            email.claimed_by = None
            if email.attempts >= MAX_ATTEMPTS:
                email.status = EmailStatus.FAILED
                report.given_up += 1
                logger.error(
                    "mail given up", extra={"email_id": email.id, "error": email.last_error}
                )
            else:
                email.send_after = now + retry_delay(email.attempts)
                report.failed += 1
                logger.warning(
                    "mail delivery failed", extra={"email_id": email.id, "error": email.last_error}
                )
        else:
            email.attempts += 1
            email.status = EmailStatus.SENT
            email.sent_at = utcnow()
            email.claimed_until = None
            report.sent += 1
        db.session.commit()
    return report


def purge_delivered(now: datetime | None = None) -> int:
    """Delete the mails sent or given up more than DELIVERED_RETENTION ago (pending
    ones are never touched); commits and returns how many went."""
    cutoff = (now or utcnow()) - DELIVERED_RETENTION
    # A bulk DELETE answers a cursor result, which counts the rows.
    result = cast(
        CursorResult[Any],
        db.session.execute(
            delete(OutgoingEmail).where(
                OutgoingEmail.status.in_([EmailStatus.SENT, EmailStatus.FAILED]),
                func.coalesce(OutgoingEmail.sent_at, OutgoingEmail.created_at) < cutoff,
            )
        ),
    )
    db.session.commit()
    return result.rowcount or 0
