"""What the candidate's and the employer's application pages share: posting a message
in the application's thread."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from recrutement.applications import messages
from recrutement.applications.forms import MessageForm
from recrutement.applications.models import Application
from recrutement.web.transaction import act


def post_message_and_return(application: Application, endpoint: str):
    """Shared by both sides of the thread: post, flash, back to the application."""
    form = MessageForm()
    if form.validate_on_submit():
        if act(lambda: messages.post_message(current_user, application, form.body.data)):
            flash("Message envoyé.", "success")
    else:
        flash("Écrivez votre message avant de l'envoyer.", "error")
    return redirect(url_for(endpoint, application_id=application.id) + "#messages")
