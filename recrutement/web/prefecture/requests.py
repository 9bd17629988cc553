"""The instruction of cofunding requests by préfectures and ANAH delegations
(/prefecture/demandes/<id>/...): one request with its actions (the queue is in
request_queue.py).

Requests are loaded only through cofunding.queries (another département's request
answers 404). Actions reserved to the préfecture are declared for its role alone, so an
ANAH agent gets 403 on them whatever the request; the ANAH opinion likewise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.cofunding import instruction, services
from recrutement.cofunding.content import euros
from recrutement.cofunding.decision import reference
from recrutement.cofunding.instruction_forms import (
    FAVOURABLE,
    AnahOpinionForm,
    ChangesForm,
    DismissForm,
    MessageForm,
    NoteForm,
    RefuseForm,
    VersionedForm,
    adjust_form,
    adjusted_amounts,
    anah_amount_hint,
    anah_opinion_form,
)
from recrutement.cofunding.models import CofundingRequest, CofundingStatus, Funder
from recrutement.cofunding.queries import (
    OPINION_STATES,
    get_request_for_instructor_or_404,
)
from recrutement.cofunding.workflow import (
    DISMISS,
    GRANT,
    OPEN,
    REFUSE,
    REQUEST_CHANGES,
)
from recrutement.core.errors import ServiceError
from recrutement.core.models import history_of
from recrutement.core.workflow import Transition
from recrutement.files.views import send_stored_file
from recrutement.web.cofunding_queue import filed_on
from recrutement.web.forms import add_service_error
from recrutement.web.prefecture import bp
from recrutement.web.transaction import Refused, attempt

# --- one request ----------------------------------------------------------------------


def _detail_url(found: CofundingRequest) -> str:
    return url_for("prefecture.request", request_id=found.id)


def _versioned(found: CofundingRequest) -> dict:
    return {"formdata": None, "data": {"version": found.version}}


def _can(found: CofundingRequest) -> dict[str, bool]:
    prefecture = current_user.role == Role.PREFECTURE
    status = found.status
    return {
        "open": prefecture and OPEN.allows(status),
        "request_changes": prefecture and REQUEST_CHANGES.allows(status),
        "adjust": prefecture and status == CofundingStatus.IN_INSTRUCTION,
        "grant": prefecture and GRANT.allows(status),
        "refuse": prefecture and REFUSE.allows(status),
        "dismiss": prefecture and DISMISS.allows(status),
        "anah_opinion": current_user.role == Role.ANAH and found.status in OPINION_STATES,
    }


def _detail_page(found: CofundingRequest, status: int = 200, **bound):
    """The request with every form its reader may use; `bound` holds a refused form
    (with what was typed and its errors) to show instead of a blank one."""
    forms = {
        "open_form": VersionedForm(**_versioned(found)),
        "changes_form": ChangesForm(**_versioned(found)),
        "adjust_form": adjust_form(found, formdata=None),
        "anah_form": anah_opinion_form(found, formdata=None),
        "note_form": NoteForm(formdata=None),
        "message_form": MessageForm(formdata=None),
    }
    forms.update(bound)
    prefecture = current_user.role == Role.PREFECTURE
    anah_line = found.part(Funder.ANAH)
    return render_template(
        "prefecture/request.html",
        request_=found,
        history=history_of(found),
        messages=services.thread(found),
        notes=services.notes(found),
        can=_can(found),
        refused=status == 400,
        is_prefecture=prefecture,
        anah_pending=found.anah_asked
        and found.anah_opinion is None
        and anah_line is not None
        and anah_line.granted_amount > 0,
        anah_cap=instruction.anah_cap(found) if found.anah_asked else None,
        filed=filed_on(found),
        decision_number=reference(found) if found.status == CofundingStatus.GRANTED else None,
        euros=euros,
        post_url=url_for("prefecture.request_message", request_id=found.id),
        **forms,
    ), status


@bp.get("/demandes/<int:request_id>", endpoint="request")
@roles(Role.PREFECTURE, Role.ANAH)
def request_detail(request_id: int):
    found = get_request_for_instructor_or_404(current_user, request_id)
    return _detail_page(found)


@bp.get("/demandes/<int:request_id>/pieces/<int:attachment_id>")
@roles(Role.PREFECTURE, Role.ANAH)
def request_attachment(request_id: int, attachment_id: int):
    found = get_request_for_instructor_or_404(current_user, request_id)
    attachment = next((a for a in found.attachments if a.id == attachment_id), None)
    if attachment is None:
        abort(404)
    return send_stored_file(attachment.file)


@bp.get("/demandes/<int:request_id>/decision.pdf")
@roles(Role.PREFECTURE, Role.ANAH)
def request_decision(request_id: int):
    found = get_request_for_instructor_or_404(current_user, request_id)
    if found.status != CofundingStatus.GRANTED or found.decision_pdf is None:
        abort(404)
    return send_stored_file(found.decision_pdf, f"decision-cofinancement-{found.id}.pdf")


def _show_refusal(form: FlaskForm, refused: Refused, text_field: str | None = None) -> None:
    """A refusal naming a field goes under it (a message's "body" under the form's own
    text field); any other is flashed."""
    if refused.field is None:
        flash(refused.message, "error")
        return
    field = text_field if refused.field == "body" and text_field else refused.field
    add_service_error(form, ServiceError(refused.message, field=field))


def _refresh_version(form, found: CofundingRequest) -> None:
    """After a refusal, the form carries the version now saved: sending it again is then
    a choice made on the page that shows the request as it now is."""
    form.version.data = found.version
    form.version.raw_data = [str(found.version)]


# The forms of the request page shown only in some states, with the `_can` key that
# shows them (notes and messages are always there).
OFFERED_BY = {
    "open_form": "open",
    "changes_form": "request_changes",
    "adjust_form": "adjust",
    "grant_form": "grant",
    "anah_form": "anah_opinion",
}


def _act(found, form, form_name: str, call, done: str, text_field: str | None = None):
    """Validate `form`, call the service, flash and go back to the request. On a refusal,
    roll back and show the page again (400) with the form as it was sent, so that
    nothing typed is lost; a one-click form has nothing to keep: back to the request."""
    typed = any(field.name not in ("csrf_token", "version") for field in form)
    told = False  # a refusal already flashed
    if form.validate_on_submit():
        outcome = attempt(lambda: call(form))
        if outcome:
            flash(done, "success")
            return redirect(_detail_url(found))
        _show_refusal(form, outcome, text_field)
        told = outcome.field is None
        if told and not typed:
            return redirect(_detail_url(found))
    elif "version" in form.errors:
        flash("Le formulaire est incomplet : rechargez la page et recommencez.", "error")
        return redirect(_detail_url(found))
    offered_by = OFFERED_BY.get(form_name)
    if offered_by and not _can(found)[offered_by]:
        # The request moved on since the page was read: the page no longer shows this
        # form, nor would it show its errors. Say why above the request instead.
        if not told:
            flash(
                f"Impossible : la demande est « {found.status.label.lower()} », cette "
                "action n'y est plus possible. Rien n'a été enregistré.",
                "error",
            )
        return redirect(_detail_url(found))
    if "version" in form:
        _refresh_version(form, found)
    return _detail_page(found, 400, **{form_name: form})


@bp.post("/demandes/<int:request_id>/ouvrir")
@roles(Role.PREFECTURE)
def request_open(request_id: int):
    found = get_request_for_instructor_or_404(current_user, request_id)

    def call(form):
        instruction.open_instruction(current_user, found, version=form.version.data)

    return _act(
        found,
        VersionedForm(),
        "open_form",
        call,
        "Instruction ouverte : la collectivité ne peut plus modifier sa demande ; elle est prévenue.",
    )


@bp.post("/demandes/<int:request_id>/complement")
@roles(Role.PREFECTURE)
def request_changes(request_id: int):
    found = get_request_for_instructor_or_404(current_user, request_id)
    return _act(
        found,
        ChangesForm(),
        "changes_form",
        lambda form: instruction.request_changes(
            current_user, found, form.message.data, version=form.version.data
        ),
        "Complément demandé : la demande revient à la collectivité, qui est prévenue.",
        text_field="message",
    )


@bp.post("/demandes/<int:request_id>/montants")
@roles(Role.PREFECTURE)
def request_adjust(request_id: int):
    found = get_request_for_instructor_or_404(current_user, request_id)
    return _act(
        found,
        adjust_form(found),
        "adjust_form",
        lambda form: instruction.adjust_parts(
            current_user, found, adjusted_amounts(form, found), version=form.version.data
        ),
        "Montants enregistrés.",
    )


def grant_blockers(found: CofundingRequest) -> list[str]:
    """Why the request cannot be granted as it stands (the service refuses it then too):
    said on the confirmation page instead of a button that would fail."""
    blockers = []
    anah = found.part(Funder.ANAH)
    if anah is not None and anah.granted_amount > 0 and found.anah_opinion is None:
        blockers.append(
            "L'ANAH n'a pas encore donné son avis : la part ANAH ne peut pas être accordée. "
            "Attendez son avis, ou ramenez la part ANAH à 0 € avant d'accorder."
        )
    if found.granted_total <= 0:
        blockers.append("Le total retenu est nul : refusez la demande plutôt que de l'accorder.")
    return blockers


@bp.route("/demandes/<int:request_id>/accorder", methods=["GET", "POST"])
@roles(Role.PREFECTURE)
def request_grant(request_id: int):
    """Grant from a confirmation page showing what the decision will fix: the amounts
    per funder and their total, the period and the ANAH opinion. What is confirmed is
    what the page showed (its version): a change made since is refused, and the page
    shown again with the request as it now is."""
    found = get_request_for_instructor_or_404(current_user, request_id)
    if not GRANT.allows(found.status):
        flash(f"Impossible : la demande est « {found.status.label.lower()} ».", "error")
        return redirect(_detail_url(found))
    status = 200
    # The page the agent came from showed another version: the amounts may have moved.
    seen = request.args.get("version", type=int)
    changed = seen is not None and seen != found.version
    if request.method == "GET":
        form = VersionedForm(formdata=None, data={"version": found.version})
    else:
        form = VersionedForm()
        if form.validate_on_submit():
            outcome = attempt(
                lambda: instruction.grant(current_user, found, version=form.version.data)
            )
            if outcome:
                flash(
                    "Demande accordée : la décision est produite et la collectivité est prévenue.",
                    "success",
                )
                return redirect(_detail_url(found))
            if not GRANT.allows(found.status):
                flash(outcome.message, "error")
                return redirect(_detail_url(found))
            # Still to grant (amounts changed meanwhile): said above the confirmation.
            form.form_errors.append(outcome.message)
            _refresh_version(form, found)
        elif "version" in form.errors:
            flash("Le formulaire est incomplet : rechargez la page et recommencez.", "error")
            return redirect(_detail_url(found))
        status = 400
    return render_template(
        "prefecture/request_confirm.html",
        request_=found,
        form=form,
        action="accorder",
        title="Accorder la demande",
        consequence=(
            "Les montants ci-dessus seront fixés : ils ne pourront plus être modifiés. "
            "La décision attributive de subvention est produite en PDF, à votre nom et datée "
            "d'aujourd'hui, et envoyée à la collectivité"
            + (" et à la délégation de l'ANAH." if found.anah_asked else ".")
        ),
        button=f"Accorder {euros(found.granted_total)}",
        blockers=grant_blockers(found),
        changed=changed,
        days=(found.period_end - found.period_start).days + 1,
        euros=euros,
    ), status


@dataclass(frozen=True)
class Decision:
    """A decision that closes a request with a reason (refuse, dismiss): its form, the
    service and the move it makes, what the confirmation page says, the message once done."""

    form: type[RefuseForm] | type[DismissForm]
    service: Callable[..., object]
    transition: Transition[CofundingStatus]
    title: str
    consequence: str
    button: str
    done: str


# By the action's word in the URL (/prefecture/demandes/<id>/<action>).
DECISIONS = {
    "refuser": Decision(
        form=RefuseForm,
        service=instruction.refuse,
        transition=REFUSE,
        title="Refuser la demande",
        consequence="La demande sera définitivement refusée. La collectivité reçoit le motif "
        "par courriel ; elle pourra déposer une nouvelle demande pour ce poste.",
        button="Confirmer le refus",
        done="Demande refusée : la collectivité est prévenue avec le motif.",
    ),
    "classer": Decision(
        form=DismissForm,
        service=instruction.dismiss,
        transition=DISMISS,
        title="Classer la demande sans suite",
        consequence="La demande sera close sans décision sur le fond. La collectivité reçoit "
        "le motif par courriel ; elle pourra déposer une nouvelle demande pour ce poste.",
        button="Confirmer le classement sans suite",
        done="Demande classée sans suite : la collectivité est prévenue avec le motif.",
    ),
}


@bp.route("/demandes/<int:request_id>/<any(refuser, classer):action>", methods=["GET", "POST"])
@roles(Role.PREFECTURE)
def request_decide(request_id: int, action: str):
    """Refuse or dismiss, from a confirmation page that asks the reason."""
    found = get_request_for_instructor_or_404(current_user, request_id)
    decision = DECISIONS[action]
    status = 200
    if request.method == "GET":
        if not decision.transition.allows(found.status):
            flash(f"Impossible : la demande est « {found.status.label.lower()} ».", "error")
            return redirect(_detail_url(found))
        # The version of the page the agent came from, so that the decision is refused
        # if the request changed since they read it.
        seen = request.args.get("version", type=int) or found.version
        form = decision.form(formdata=None, data={"version": seen})
    else:
        form = decision.form()
        if form.validate_on_submit():
            outcome = attempt(
                lambda: decision.service(
                    current_user, found, form.reason.data, version=form.version.data
                )
            )
            if outcome:
                flash(decision.done, "success")
                return redirect(_detail_url(found))
            _show_refusal(form, outcome, "reason")
            if not decision.transition.allows(found.status):
                return redirect(_detail_url(found))
            _refresh_version(form, found)
        status = 400
    return render_template(
        "prefecture/request_confirm.html",
        request_=found,
        form=form,
        action=action,
        title=decision.title,
        consequence=decision.consequence,
        button=decision.button,
    ), status


@bp.post("/demandes/<int:request_id>/avis-anah")
@roles(Role.ANAH)
def request_anah_opinion(request_id: int):
    found = get_request_for_instructor_or_404(current_user, request_id)
    form = AnahOpinionForm()
    form.amount.description = anah_amount_hint(found)

    def call(form):
        instruction.give_anah_opinion(
            current_user,
            found,
            form.favourable.data == FAVOURABLE,
            form.amount.data,
            form.comment.data or "",
            version=form.version.data,
        )

    return _act(
        found,
        form,
        "anah_form",
        call,
        "Avis de l'ANAH enregistré : la préfecture est prévenue.",
        text_field="comment",
    )


@bp.post("/demandes/<int:request_id>/notes")
@roles(Role.PREFECTURE, Role.ANAH)
def request_note(request_id: int):
    found = get_request_for_instructor_or_404(current_user, request_id)
    return _act(
        found,
        NoteForm(),
        "note_form",
        lambda form: instruction.add_note(current_user, found, form.note.data),
        "Note enregistrée (visible par les seuls instructeurs).",
        text_field="note",
    )


@bp.post("/demandes/<int:request_id>/messages")
@roles(Role.PREFECTURE, Role.ANAH)
def request_message(request_id: int):
    found = get_request_for_instructor_or_404(current_user, request_id)
    return _act(
        found,
        MessageForm(),
        "message_form",
        lambda form: services.post_message(current_user, found, form.body.data),
        "Message envoyé à la collectivité.",
        text_field="body",
    )
