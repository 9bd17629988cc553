"""The collectivité's applications: per offer, one by one, moves, hire, bulk refusal, CSV."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.applications import messages
from recrutement.applications import services as applications
from recrutement.applications.forms import (
    ActionForm,
    HireForm,
    InterviewForm,
    MessageForm,
    RejectForm,
)
from recrutement.applications.models import Application, ApplicationStatus, CandidateProfile
from recrutement.applications.profile_services import existing_profile
from recrutement.applications.queries import get_application_for_member_or_404
from recrutement.applications.workflow import HIRE, INTERVIEW, OPEN_STATES, REJECT, REVIEW, allowed
from recrutement.core.errors import ServiceError
from recrutement.core.spreadsheet import INTEGER, TEXT, Column, write_csv
from recrutement.core.validators import whole_number
from recrutement.extensions import db
from recrutement.files.views import send_stored_file
from recrutement.offers.queries import get_offer_for_member_or_404
from recrutement.web.candidate_applications import application_history, post_message_and_return
from recrutement.web.employer import bp


def _offer_applications(offer, status: str = ""):
    query = db.select(Application).where(Application.offer_id == offer.id)
    if status in set(ApplicationStatus):
        query = query.where(Application.status == status)
    # One query for the candidates' names rather than one per row.
    query = query.options(selectinload(Application.candidate))
    return db.session.scalars(query.order_by(Application.created_at)).all()


@bp.get("/offres/<int:offer_id>/candidatures")
@roles(Role.EMPLOYER)
def offer_applications(offer_id: int):
    offer = get_offer_for_member_or_404(current_user, offer_id)
    status = request.args.get("etat", "")
    return render_template(
        "employer/applications.html",
        offer=offer,
        applications=_offer_applications(offer, status),
        status=status,
        statuses=list(ApplicationStatus),
        open_states=OPEN_STATES,
        reject_form=RejectForm(),
    )


@bp.post("/offres/<int:offer_id>/candidatures/refuser")
@roles(Role.EMPLOYER)
def offer_applications_reject(offer_id: int):
    """Reject the ticked applications with one message."""
    offer = get_offer_for_member_or_404(current_user, offer_id)
    form = RejectForm()
    ids = [
        number
        for number in map(whole_number, request.form.getlist("application_ids"))
        if number is not None
    ]
    if not ids:
        flash("Cochez au moins une candidature.", "error")
    elif form.validate_on_submit():
        try:
            count = applications.reject_many(
                current_user, offer, ids, form.reason.data or "", form.share_reason.data
            )
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash(
                f"{count} candidature(s) non retenue(s) ; les candidats sont prévenus.", "success"
            )
    return redirect(url_for("employer.offer_applications", offer_id=offer.id))


APPLICATION_COLUMNS = [
    Column("numero", INTEGER),
    *(
        Column(header, TEXT)
        for header in ("recue_le", "etat", "nom", "prenom", "courriel", "telephone")
    ),
]


@bp.get("/offres/<int:offer_id>/candidatures.csv")
@roles(Role.EMPLOYER)
def offer_applications_csv(offer_id: int):
    offer = get_offer_for_member_or_404(current_user, offer_id)
    applications = _offer_applications(offer)
    # One query for every candidate's phone, not one per row.
    phones = dict(
        db.session.execute(
            db.select(CandidateProfile.user_id, CandidateProfile.phone).where(
                CandidateProfile.user_id.in_(
                    [a.candidate_id for a in applications if a.candidate_id]
                )
            )
        ).all()
    )
    rows = []
    for application in applications:
        candidate = application.candidate
        rows.append(
            [
                application.id,
                application.created_at.date().isoformat(),
                application.status_enum.label,
                candidate.last_name if candidate else "(compte supprimé)",
                candidate.first_name if candidate else "",
                candidate.email if candidate else "",
                phones.get(application.candidate_id, ""),
            ]
        )
    # Candidates type their names: the one writer neutralises formulas (=, +, -, @).
    return Response(
        write_csv(APPLICATION_COLUMNS, rows),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename=candidatures-offre-{offer.id}.csv",
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/candidatures/<int:application_id>")
@roles(Role.EMPLOYER)
def application(application_id: int):
    found = get_application_for_member_or_404(current_user, application_id)
    profile = existing_profile(found.candidate) if found.candidate else None
    return render_template(
        "employer/application.html",
        application=found,
        profile=profile,
        history=application_history(found),
        can={
            name: allowed(t, found.status)
            for name, t in (
                ("review", REVIEW),
                ("interview", INTERVIEW),
                ("hire", HIRE),
                ("reject", REJECT),
            )
        },
        action_form=ActionForm(),
        interview_form=InterviewForm(),
        reject_form=RejectForm(),
        hire_form=HireForm(),
        messages=messages.thread(found),
        message_form=MessageForm(),
    )


@bp.post("/candidatures/<int:application_id>/messages")
@roles(Role.EMPLOYER)
def application_message(application_id: int):
    found = get_application_for_member_or_404(current_user, application_id)
    return post_message_and_return(found, "employer.application")


@bp.get("/candidatures/<int:application_id>/cv")
@roles(Role.EMPLOYER)
def application_cv(application_id: int):
    found = get_application_for_member_or_404(current_user, application_id)
    if found.cv is None:
        abort(404)
    return send_stored_file(found.cv, f"cv-candidature-{found.id}.pdf")


@bp.post("/candidatures/<int:application_id>/<any(examiner, entretien, refuser, retenir):action>")
@roles(Role.EMPLOYER)
def application_move(application_id: int, action: str):
    found = get_application_for_member_or_404(current_user, application_id)
    forms = {
        "examiner": ActionForm,
        "entretien": InterviewForm,
        "refuser": RejectForm,
        "retenir": HireForm,
    }
    form = forms[action]()
    if not form.validate_on_submit():
        flash("Le formulaire est incomplet : " + " ".join(sum(form.errors.values(), [])), "error")
        return redirect(url_for("employer.application", application_id=found.id))
    try:
        if action == "examiner":
            applications.start_review(current_user, found)
            message = "La candidature est en cours d'examen ; le candidat est prévenu."
        elif action == "entretien":
            applications.invite_to_interview(current_user, found, form.details.data)
            message = "L'invitation à l'entretien est envoyée au candidat."
        elif action == "refuser":
            applications.reject(current_user, found, form.reason.data or "", form.share_reason.data)
            message = "La candidature n'est pas retenue ; le candidat est prévenu."
        else:
            others = applications.hire(
                current_user, found, form.notify_others.data, form.message.data or ""
            )
            message = "Recrutement enregistré : l'offre est pourvue."
            if others:
                message += f" {others} autre(s) candidat(s) prévenu(s)."
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(message, "success")
    return redirect(url_for("employer.application", application_id=found.id))
