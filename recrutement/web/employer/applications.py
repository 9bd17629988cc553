"""The collectivité's applications: per offer, one by one, moves, hire, bulk refusal, CSV."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload

from recrutement.accounts.models import Role, User
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
from recrutement.applications.models import Application, ApplicationStatus
from recrutement.applications.queries import (
    applications_for_member,
    get_application_for_member_or_404,
)
from recrutement.applications.workflow import HIRE, INTERVIEW, OPEN_STATES, REJECT, REVIEW
from recrutement.candidates.models import CandidateProfile
from recrutement.candidates.profile import existing_profile
from recrutement.cofunding.models import CofundingRequest
from recrutement.cofunding.queries import requests_for_member
from recrutement.core.french import plural
from recrutement.core.models import history_of
from recrutement.core.spreadsheet import INTEGER, TEXT, Column, write_csv
from recrutement.core.validators import whole_number
from recrutement.extensions import db
from recrutement.files.views import send_stored_file
from recrutement.offers.models import Offer
from recrutement.offers.queries import get_offer_for_member_or_404, offers_of_member
from recrutement.web.application_pages import post_message_and_return
from recrutement.web.employer import bp
from recrutement.web.forms import page_number
from recrutement.web.transaction import act, form_status


def _offer_applications(offer, status: str = ""):
    query = db.select(Application).where(Application.offer_id == offer.id)
    if status in set(ApplicationStatus):
        query = query.where(Application.status == status)
    # One query for the candidates' names rather than one per row.
    query = query.options(selectinload(Application.candidate))
    return db.session.scalars(query.order_by(Application.created_at)).all()


APPLICATIONS_PAGE_SIZE = 25


@bp.get("/candidatures")
@roles(Role.EMPLOYER)
def applications_list():
    """Every application to the organisation's offers, newest first, filtered by state
    and offer."""
    status = request.args.get("etat", "")
    offer_id = whole_number(request.args.get("offre"))
    query = applications_for_member(current_user)
    if status in set(ApplicationStatus):
        query = query.where(Application.status == status)
    else:
        status = ""
    if offer_id is not None:
        query = query.where(Application.offer_id == offer_id)
    page = db.paginate(
        query.options(
            selectinload(Application.candidate), selectinload(Application.offer)
        ).order_by(Application.created_at.desc(), Application.id.desc()),
        page=page_number(request.args),
        per_page=APPLICATIONS_PAGE_SIZE,
        error_out=False,
    )
    offers = db.session.scalars(
        offers_of_member(current_user)
        .where(Offer.id.in_(applications_for_member(current_user).with_only_columns(Offer.id)))
        .order_by(Offer.created_at.desc())
    ).all()
    return render_template(
        "employer/applications_all.html",
        page=page,
        status=status,
        offer_id=offer_id,
        offers=offers,
        statuses=list(ApplicationStatus),
        filtered=bool(status or offer_id is not None),
    )


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
    elif form.validate_on_submit() and (
        done := act(
            lambda: applications.reject_many(
                current_user, offer, ids, form.reason.data or "", form.share_reason.data
            )
        )
    ):
        count = done.value
        flash(
            f"{plural(count, 'candidature non retenue', 'candidatures non retenues')} ; "
            + ("le candidat est prévenu." if count < 2 else "les candidats sont prévenus."),
            "success",
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
        )
        .tuples()
        .all()
    )
    rows = []
    for application in applications:
        candidate = application.candidate
        rows.append(
            [
                application.id,
                application.created_at.date().isoformat(),
                application.status.label,
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
        history=history_of(found),
        can={
            name: t.allows(found.status)
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
        cofunding_request=_cofunding_request_of(found),
        messages=messages.thread(found),
        message_form=MessageForm(),
    )


def _cofunding_request_of(application: Application) -> CofundingRequest | None:
    """The cofunding request filed for this hire, if any (the newest, for a renewal)."""
    if application.status != ApplicationStatus.HIRED:
        return None
    return db.session.scalar(
        requests_for_member(current_user)
        .where(CofundingRequest.application_id == application.id)
        .order_by(CofundingRequest.id.desc())
        .limit(1)
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


@bp.route("/candidatures/<int:application_id>/retenir", methods=["GET", "POST"])
@roles(Role.EMPLOYER)
def application_hire(application_id: int):
    """Record the hire after a confirmation page: who is hired, what follows, whether
    the other candidates are told (yes by default) and the mail they would receive."""
    found = get_application_for_member_or_404(current_user, application_id)
    if not HIRE.allows(found.status):
        flash(
            f"Impossible de retenir cette candidature : elle est « {found.status.label.lower()} ».",
            "error",
        )
        return redirect(url_for("employer.application", application_id=found.id))
    form = HireForm()
    confirmed = request.form.get("etape") == "confirmer"
    if confirmed and form.validate_on_submit():
        # A refusal is flashed above the confirmation page, shown again.
        if done := act(
            lambda: applications.hire(
                current_user, found, form.notify_others.data, form.message.data or ""
            )
        ):
            message = "Recrutement enregistré : l'offre est pourvue."
            if told := done.value:
                message += (
                    f" {plural(told, 'autre candidat prévenu', 'autres candidats prévenus')}."
                )
            flash(message, "success")
            return redirect(url_for("employer.application", application_id=found.id))
    elif request.method == "POST":
        form.validate_on_submit()  # the preview: show errors, hire nothing
    others = applications.others_to_inform(found)
    other_names = [
        other.candidate.full_name if other.candidate else "candidat (compte supprimé)"
        for other in others
    ]
    # The preview is the mail of the first candidate who still has an account.
    preview_name = next((o.candidate.full_name for o in others if o.candidate), "")
    preview = applications.others_message_preview(found, form.message.data or "")
    return (
        render_template(
            "employer/application_hire.html",
            application=found,
            form=form,
            others=others,
            other_names=other_names,
            preview=preview,
            preview_name=preview_name,
        ),
        form_status(form),
    )


@dataclass(frozen=True)
class Move:
    """A move of an application from its page: the form it posts, the service it calls
    (with the acting member, the application and the form), the message once done."""

    form: type[FlaskForm]
    call: Callable[[User, Application, Any], object]
    done: str


# By the action's word in the URL (/collectivite/candidatures/<id>/<action>).
MOVES = {
    "examiner": Move(
        ActionForm,
        lambda actor, found, form: applications.start_review(actor, found),
        "La candidature est en cours d'examen ; le candidat est prévenu.",
    ),
    "entretien": Move(
        InterviewForm,
        lambda actor, found, form: applications.invite_to_interview(
            actor, found, form.details.data
        ),
        "L'invitation à l'entretien est envoyée au candidat.",
    ),
    "refuser": Move(
        RejectForm,
        lambda actor, found, form: applications.reject(
            actor, found, form.reason.data or "", form.share_reason.data
        ),
        "La candidature n'est pas retenue ; le candidat est prévenu.",
    ),
}


@bp.post("/candidatures/<int:application_id>/<any(examiner, entretien, refuser):action>")
@roles(Role.EMPLOYER)
def application_move(application_id: int, action: str):
    found = get_application_for_member_or_404(current_user, application_id)
    move = MOVES[action]
    form = move.form()
    if not form.validate_on_submit():
        flash("Le formulaire est incomplet : " + " ".join(sum(form.errors.values(), [])), "error")
    elif act(lambda: move.call(current_user, found, form)):
        flash(move.done, "success")
    return redirect(url_for("employer.application", application_id=found.id))
