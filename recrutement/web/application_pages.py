"""What the candidate's and the employer's application pages share: the history of an
application, and posting a message in its thread."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select

from recrutement.applications import messages
from recrutement.applications.forms import MessageForm
from recrutement.applications.models import Application
from recrutement.core.models import AuditEvent
from recrutement.extensions import db
from recrutement.web.transaction import act


def application_history(application: Application) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == "application",
                AuditEvent.object_id == str(application.id),
            )
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
    )


def post_message_and_return(application: Application, endpoint: str):
    """Shared by both sides of the thread: post, flash, back to the application."""
    form = MessageForm()
    if form.validate_on_submit():
        if act(lambda: messages.post_message(current_user, application, form.body.data)):
            flash("Message envoyé.", "success")
    else:
        flash("Écrivez votre message avant de l'envoyer.", "error")
    return redirect(url_for(endpoint, application_id=application.id) + "#messages")
