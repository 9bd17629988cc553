"""The candidate's applications (/candidat/candidatures/...); applying is web/public/apply.py."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.applications import messages
from recrutement.applications import services as applications
from recrutement.applications.forms import ActionForm, MessageForm
from recrutement.applications.models import Application, ApplicationStatus
from recrutement.applications.progress import STEPS, progress_of
from recrutement.applications.queries import (
    applications_of_candidate,
    get_application_for_candidate_or_404,
)
from recrutement.applications.workflow import WITHDRAW
from recrutement.core.models import history_of
from recrutement.extensions import db
from recrutement.files.views import send_stored_file
from recrutement.web.application_pages import post_message_and_return
from recrutement.web.candidate import bp
from recrutement.web.forms import page_number
from recrutement.web.transaction import act

PAGE_SIZE = 20


@bp.get("/candidatures")
@roles(Role.CANDIDATE)
def applications_list():
    """The candidate's applications, newest first; `?etat=` keeps one state (the home's
    counts link here). An unknown state shows them all and says so."""
    state = (request.args.get("etat") or "").strip()
    query = applications_of_candidate(current_user)
    unknown_state = bool(state) and state not in ApplicationStatus.LABELS
    if state and not unknown_state:
        query = query.where(Application.status == state)
    page = db.paginate(
        query.order_by(Application.created_at.desc(), Application.id.desc()),
        page=page_number(request.args),
        per_page=PAGE_SIZE,
        error_out=False,
    )
    return render_template(
        "candidate/applications.html",
        page=page,
        state=None if unknown_state else (state or None),
        unknown_state=unknown_state,
        states=ApplicationStatus.LABELS,
    )


@bp.get("/candidatures/<int:application_id>")
@roles(Role.CANDIDATE)
def application(application_id: int):
    found = get_application_for_candidate_or_404(current_user, application_id)
    history = history_of(found)
    thread = messages.thread(found)
    # Shown in full on this page: the thread is read (before the page counts the unread).
    messages.mark_read_by_candidate(current_user, found)
    return render_template(
        "candidate/application.html",
        application=found,
        history=history,
        progress=progress_of(found.status, [event.action for event in history]),
        steps=STEPS,
        can_withdraw=WITHDRAW.allows(found.status),
        messages=thread,
        message_form=MessageForm(),
    )


@bp.get("/candidatures/<int:application_id>/cv")
@roles(Role.CANDIDATE)
def application_cv(application_id: int):
    found = get_application_for_candidate_or_404(current_user, application_id)
    if found.cv is None:
        abort(404)
    return send_stored_file(found.cv)


@bp.route("/candidatures/<int:application_id>/retirer", methods=["GET", "POST"])
@roles(Role.CANDIDATE)
def application_withdraw(application_id: int):
    """Withdraw, after a confirmation page (works without JavaScript)."""
    found = get_application_for_candidate_or_404(current_user, application_id)
    form = ActionForm()
    if form.validate_on_submit():
        if act(lambda: applications.withdraw(current_user, found)):
            flash("Votre candidature est retirée.", "success")
        return redirect(url_for("candidate.application", application_id=found.id))
    return render_template("candidate/withdraw.html", application=found, form=form)


@bp.post("/candidatures/<int:application_id>/messages")
@roles(Role.CANDIDATE)
def application_message(application_id: int):
    found = get_application_for_candidate_or_404(current_user, application_id)
    return post_message_and_return(found, "candidate.application")
