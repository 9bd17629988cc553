"""The collectivité's cofunding requests (/collectivite/cofinancements/...): the list,
a new request started from a hire or for a post filled elsewhere, the form with its
computation, the attachments, filing, the answer to a request for changes, messages,
the decision PDF and the renewal. Each view loads the request through the scoped
queries and calls one service."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import selectinload

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.applications.models import Application, ApplicationStatus
from recrutement.applications.queries import get_application_for_member_or_404
from recrutement.cofunding import services
from recrutement.cofunding.content import RequestContent, split_for
from recrutement.cofunding.engine import InvalidPeriod, Split
from recrutement.cofunding.forms import (
    COMPUTATION_FIELDS,
    ActionForm,
    AnswerForm,
    AttachmentForm,
    MessageForm,
    RequestForm,
    VersionForm,
    version_of,
)
from recrutement.cofunding.models import CofundingRequest, CofundingStatus, FundingRule
from recrutement.cofunding.queries import get_request_for_member_or_404, requests_for_member
from recrutement.cofunding.rules import funding_rule_in_force
from recrutement.cofunding.workflow import EDITABLE_STATES
from recrutement.core.errors import ServiceError
from recrutement.core.models import history_of
from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.files.views import send_stored_file
from recrutement.web.employer import bp
from recrutement.web.forms import add_service_error, page_number
from recrutement.web.transaction import Refused, act, form_status, submit

REQUESTS_PAGE_SIZE = 25
ANSWER_PREFIX = "reponse"

# What happens next, in plain French, for each state of a request.
NEXT_STEPS = {
    CofundingStatus.DRAFT: (
        "Ce brouillon n'est visible que de votre collectivité. Vérifiez-le, joignez les pièces "
        "justificatives (contrat, délibération, fiche de poste, plan de financement), puis "
        "déposez-le : la préfecture sera prévenue."
    ),
    CofundingStatus.SUBMITTED: (
        "La préfecture a reçu la demande et va ouvrir son instruction. D'ici là, vous pouvez "
        "encore la modifier et changer ses pièces ; chaque modification est inscrite dans "
        "l'historique."
    ),
    CofundingStatus.IN_INSTRUCTION: (
        "La préfecture examine la demande (avec l'ANAH lorsqu'elle est sollicitée) : elle ne peut "
        "plus être modifiée. Si un élément change, écrivez-lui un message. Vous serez prévenu par "
        "courriel de sa décision ou d'une demande de complément."
    ),
    CofundingStatus.CHANGES_REQUESTED: (
        "La préfecture attend un complément (son message est ci-dessous). Modifiez la demande ou "
        "ses pièces si besoin, puis répondez-lui : la demande retournera en instruction."
    ),
    CofundingStatus.GRANTED: (
        "Le cofinancement est accordé pour les montants ci-dessous. Téléchargez la décision. "
        "Pour la période suivante, renouvelez la demande : un nouveau brouillon sera prérempli."
    ),
    CofundingStatus.REFUSED: (
        "La préfecture a refusé la demande (motif ci-dessous). La période est libérée : vous "
        "pouvez déposer une nouvelle demande pour ce poste."
    ),
    CofundingStatus.DISMISSED: (
        "La demande est classée sans suite (motif ci-dessous). La période est libérée : vous "
        "pouvez déposer une nouvelle demande pour ce poste."
    ),
}


def _to_request(found: CofundingRequest, anchor: str | None = None):
    return redirect(url_for("employer.cofunding_request", request_id=found.id, _anchor=anchor))


# --- the list and the start ------------------------------------------------------------


@bp.get("/cofinancements")
@roles(Role.EMPLOYER)
def cofunding_list():
    query = (
        requests_for_member(current_user)
        .options(selectinload(CofundingRequest.plan))
        .order_by(CofundingRequest.created_at.desc(), CofundingRequest.id.desc())
    )
    page = db.paginate(
        query,
        page=page_number(request.args),
        per_page=REQUESTS_PAGE_SIZE,
        error_out=False,
    )
    return render_template("employer/cofunding_list.html", page=page, rule=_rule_in_force())


def _rule_in_force() -> FundingRule | None:
    """Today's funding rule, for the figures the pages explain (None before any rule)."""
    try:
        return funding_rule_in_force(paris_today())
    except InvalidPeriod:
        return None


@bp.get("/cofinancements/nouvelle")
@roles(Role.EMPLOYER)
def cofunding_start():
    """Choose the hire the request is about, or declare a post filled elsewhere."""
    hires = services.hires_of(current_user.organisation)
    existing: dict[int | None, list[CofundingRequest]] = {}
    if hires:
        linked = db.session.scalars(
            requests_for_member(current_user)
            .where(CofundingRequest.application_id.in_([hire.id for hire in hires]))
            .order_by(CofundingRequest.period_start)
        )
        for found in linked:
            existing.setdefault(found.application_id, []).append(found)
    return render_template("employer/cofunding_start.html", hires=hires, existing=existing)


# --- the form ---------------------------------------------------------------------------


def _calculate(form: RequestForm) -> Split | None:
    """The "Calculer" button (without JavaScript): the split for what is typed, or the
    errors of the fields it needs on those fields. Saves nothing."""
    valid = [form[name].validate(form) for name in COMPUTATION_FIELDS]
    if not all(valid):
        return None
    try:
        return split_for(form.content())
    except ServiceError as error:
        add_service_error(form, error)
        return None


def _quiet_split(form: RequestForm) -> Split | None:
    """The split to show next to the form when what it needs is there, else None."""
    content = form.content()
    if not (content.annual_loaded_cost and content.period_start and content.period_end):
        return None
    try:
        return split_for(content)
    except ServiceError:
        return None


def _form_page(
    form: RequestForm, save: Callable[[RequestContent], ResponseReturnValue], **context: Any
) -> ResponseReturnValue:
    """Render the request form; on POST compute ("Calculer") or save through `save`
    (which calls the service and answers once it is done)."""
    split = None
    if request.method == "POST":
        if request.form.get("action") == "calculer":
            split = _calculate(form)
        elif done := submit(form, lambda: save(form.content())):
            return done.value
    if split is None:
        split = _quiet_split(form)
    return render_template(
        "employer/cofunding_form.html", form=form, split=split, **context
    ), form_status(form)


@bp.route("/cofinancements/nouvelle/poste", methods=["GET", "POST"])
@roles(Role.EMPLOYER)
def cofunding_new():
    """A new draft for a post filled elsewhere: an empty form."""
    return _new_request(hire=None)


@bp.route("/cofinancements/nouvelle/recrutement/<int:application_id>", methods=["GET", "POST"])
@roles(Role.EMPLOYER)
def cofunding_new_from_hire(application_id: int):
    """A new draft for a hire recorded on the platform: prefilled and linked to it."""
    hire = get_application_for_member_or_404(current_user, application_id)
    if hire.status != ApplicationStatus.HIRED:
        flash(
            "Cette candidature n'a pas abouti à un recrutement : choisissez un recrutement "
            "enregistré, ou déclarez un poste pourvu hors de la plateforme.",
            "error",
        )
        return redirect(url_for("employer.cofunding_start"))
    return _new_request(hire)


def _new_request(hire: Application | None):
    if request.method == "GET":
        initial = asdict(services.prefill_from_hire(hire)) if hire else {}
        form = RequestForm(data=initial)
        form.creation_token.data = secrets.token_urlsafe(24)
    else:
        form = RequestForm()

    def save(content: RequestContent) -> ResponseReturnValue:
        created = services.create_request(
            current_user, content, hire=hire, creation_token=form.creation_token.data or None
        )
        flash(
            f"Brouillon n° {created.id} enregistré. Joignez les pièces justificatives, "
            "puis déposez la demande.",
            "success",
        )
        return _to_request(created)

    return _form_page(form, save, request_=None, hire=hire)


@bp.route("/cofinancements/<int:request_id>/modifier", methods=["GET", "POST"])
@roles(Role.EMPLOYER)
def cofunding_edit(request_id: int):
    found = get_request_for_member_or_404(current_user, request_id)
    if request.method == "GET":
        if found.status not in EDITABLE_STATES:
            flash(
                f"La demande est « {found.status.label.lower()} » : elle ne peut plus être "
                "modifiée. Écrivez un message à la préfecture si un élément a changé.",
                "info",
            )
            return _to_request(found)
        form = RequestForm(obj=found)
        form.version.data = str(found.version)
    else:
        form = RequestForm()

    def save(content: RequestContent) -> ResponseReturnValue:
        services.update_request(current_user, found, content, version=version_of(form))
        flash("Modifications enregistrées.", "success")
        return _to_request(found)

    return _form_page(form, save, request_=found, hire=found.application)


# --- the request page -------------------------------------------------------------------


def _request_page(
    found: CofundingRequest,
    status: int = 200,
    attachment_form: AttachmentForm | None = None,
    answer_form: AnswerForm | None = None,
    message_form: MessageForm | None = None,
):
    messages = services.thread(found)
    changes_message = None
    if found.status == CofundingStatus.CHANGES_REQUESTED:
        changes_message = next(
            (message for message in reversed(messages) if message.author_side != "employer"),
            None,
        )
    filed = found.status != CofundingStatus.DRAFT
    return render_template(
        "employer/cofunding_request.html",
        request_=found,
        history=history_of(found),
        messages=messages,
        next_step=NEXT_STEPS[found.status],
        editable=found.status in EDITABLE_STATES,
        changes_message=changes_message,
        attachment_form=attachment_form or AttachmentForm(),
        answer_form=answer_form or AnswerForm(prefix=ANSWER_PREFIX),
        message_form=(message_form or MessageForm()) if filed else None,
        post_url=url_for("employer.cofunding_message", request_id=found.id) if filed else None,
        version_form=VersionForm(version=str(found.version)),
        action_form=ActionForm(),
    ), status


@bp.get("/cofinancements/<int:request_id>")
@roles(Role.EMPLOYER)
def cofunding_request(request_id: int):
    return _request_page(get_request_for_member_or_404(current_user, request_id))


@bp.post("/cofinancements/<int:request_id>/deposer")
@roles(Role.EMPLOYER)
def cofunding_submit(request_id: int):
    found = get_request_for_member_or_404(current_user, request_id)
    form = VersionForm()
    if not form.validate_on_submit():
        flash("Le formulaire a expiré : rechargez la page et déposez de nouveau.", "error")
        return _to_request(found)
    if done := act(lambda: services.submit(current_user, found, version=version_of(form))):
        if done.value:
            flash(
                "Demande déposée : la préfecture est prévenue. Vous pouvez encore la modifier "
                "tant qu'elle n'a pas ouvert l'instruction.",
                "success",
            )
        else:
            flash("Cette demande est déjà déposée.", "info")
    return _to_request(found)


@bp.route("/cofinancements/<int:request_id>/supprimer", methods=["GET", "POST"])
@roles(Role.EMPLOYER)
def cofunding_delete(request_id: int):
    """Delete a draft, after a confirmation page."""
    found = get_request_for_member_or_404(current_user, request_id)
    if found.status != CofundingStatus.DRAFT:
        flash("Seul un brouillon peut être supprimé.", "error")
        return _to_request(found)
    form = ActionForm()
    if form.validate_on_submit():
        number = found.id
        if not act(lambda: services.delete_draft(current_user, found)):
            return _to_request(found)
        flash(f"Le brouillon n° {number} est supprimé.", "success")
        return redirect(url_for("employer.cofunding_list"))
    return render_template("employer/cofunding_confirm_delete.html", request_=found, form=form)


# --- attachments ------------------------------------------------------------------------


@bp.post("/cofinancements/<int:request_id>/pieces")
@roles(Role.EMPLOYER)
def cofunding_attachment_add(request_id: int):
    found = get_request_for_member_or_404(current_user, request_id)
    form = AttachmentForm()
    outcome = submit(
        form, lambda: services.add_attachment(current_user, found, form.kind.data, form.file.data)
    )
    if outcome:
        flash(f"Pièce ajoutée : {outcome.value.kind.label}.", "success")
        return _to_request(found, "pieces")
    if isinstance(outcome, Refused) and outcome.field is None:
        # The request is no longer editable: its page shows no upload form.
        flash(outcome.message, "error")
        return _to_request(found, "pieces")
    return _request_page(found, 400, attachment_form=form)


@bp.get("/cofinancements/<int:request_id>/pieces/<int:attachment_id>")
@roles(Role.EMPLOYER)
def cofunding_attachment(request_id: int, attachment_id: int):
    found = get_request_for_member_or_404(current_user, request_id)
    attachment = next((a for a in found.attachments if a.id == attachment_id), None)
    if attachment is None:
        abort(404)
    return send_stored_file(attachment.file)


@bp.post("/cofinancements/<int:request_id>/pieces/<int:attachment_id>/retirer")
@roles(Role.EMPLOYER)
def cofunding_attachment_remove(request_id: int, attachment_id: int):
    found = get_request_for_member_or_404(current_user, request_id)
    attachment = next((a for a in found.attachments if a.id == attachment_id), None)
    if attachment is None:
        abort(404)
    if ActionForm().validate_on_submit():
        label = attachment.kind.label
        if act(lambda: services.remove_attachment(current_user, found, attachment_id)):
            flash(f"Pièce retirée : {label}.", "success")
    else:
        flash("Le formulaire a expiré : rechargez la page et recommencez.", "error")
    return _to_request(found, "pieces")


# --- the conversation with the préfecture --------------------------------------------


@bp.post("/cofinancements/<int:request_id>/reponse")
@roles(Role.EMPLOYER)
def cofunding_answer(request_id: int):
    """Answer a request for changes: the request goes back to instruction."""
    found = get_request_for_member_or_404(current_user, request_id)
    form = AnswerForm(prefix=ANSWER_PREFIX)
    if submit(form, lambda: services.answer_changes(current_user, found, form.body.data)):
        flash(
            "Réponse envoyée : la demande retourne en instruction et la préfecture est prévenue.",
            "success",
        )
        return _to_request(found)
    return _request_page(found, 400, answer_form=form)


@bp.post("/cofinancements/<int:request_id>/messages")
@roles(Role.EMPLOYER)
def cofunding_message(request_id: int):
    found = get_request_for_member_or_404(current_user, request_id)
    form = MessageForm()
    if submit(form, lambda: services.post_message(current_user, found, form.body.data)):
        flash("Message envoyé à la préfecture.", "success")
        return _to_request(found, "messages")
    if found.status == CofundingStatus.DRAFT:
        # A draft's page has no message form to show the refusal on.
        flash("Déposez la demande avant d'écrire à la préfecture.", "error")
        return _to_request(found)
    return _request_page(found, 400, message_form=form)


# --- the decision and what follows ----------------------------------------------------


@bp.get("/cofinancements/<int:request_id>/decision.pdf")
@roles(Role.EMPLOYER)
def cofunding_decision(request_id: int):
    found = get_request_for_member_or_404(current_user, request_id)
    if found.decision_pdf is None:
        abort(404)
    return send_stored_file(found.decision_pdf, f"decision-cofinancement-{found.id}.pdf")


@bp.post("/cofinancements/<int:request_id>/renouveler")
@roles(Role.EMPLOYER)
def cofunding_renew(request_id: int):
    """One click: a new draft for the next period, prefilled from this granted request."""
    found = get_request_for_member_or_404(current_user, request_id)
    if not ActionForm().validate_on_submit():
        flash("Le formulaire a expiré : rechargez la page et recommencez.", "error")
        return _to_request(found)
    done = act(lambda: services.renew(current_user, found))
    if not done:
        return _to_request(found)
    renewal = done.value
    flash(
        f"Demande n° {renewal.id} préparée pour la période du "
        f"{renewal.period_start:%d/%m/%Y} au {renewal.period_end:%d/%m/%Y} : elle est "
        f"préremplie à partir de la demande n° {found.id} et marquée comme renouvellement. "
        "Vérifiez le coût et les pièces, puis déposez-la.",
        "success",
    )
    return _to_request(renewal)
