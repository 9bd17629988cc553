"""The candidate's space (/candidat/...): the home and the inbox of message threads."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.applications.queries import (
    thread_summaries,
    threads_of_candidate,
    unread_message_count,
)
from recrutement.candidates.home import candidate_home
from recrutement.extensions import db
from recrutement.web.candidate import bp
from recrutement.web.forms import page_number

THREADS_PER_PAGE = 20


@bp.app_context_processor
def unread_messages_in_navigation() -> dict:
    """The number of unread messages, for the badge of the candidate's navigation."""

    def count() -> int:
        if not (current_user.is_authenticated and current_user.role == Role.CANDIDATE):
            return 0
        return unread_message_count(current_user)

    return {"candidate_unread_messages": count}


@bp.get("/")
@roles(Role.CANDIDATE)
def home():
    return render_template("candidate/home.html", home=candidate_home(current_user))


@bp.get("/messages")
@roles(Role.CANDIDATE)
def inbox():
    """Every message thread of the candidate's applications, the latest exchange first."""
    page = db.paginate(
        threads_of_candidate(current_user),
        page=page_number(request.args),
        per_page=THREADS_PER_PAGE,
        error_out=False,
    )
    return render_template(
        "candidate/inbox.html",
        page=page,
        summaries=thread_summaries(page.items),
        unread_total=unread_message_count(current_user),
    )
