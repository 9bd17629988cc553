"""What the collectivité does with its cofunding requests, and what both sides share:
the row lock and race guard, moves through the workflow, messages and history.
(The instructors' actions are in instruction.py; the content rules in content.py.)

Every move is checked against cofunding.workflow, logged in the audit journal
(the history both sides read) and mailed through the outbox, in one
transaction. Concurrency: each request carries a version bumped by every write
(SQLAlchemy's version_id_col), and moves re-read the row under a lock first, so
of two agents acting at once the second is told what happened instead of
overwriting it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, timedelta
from typing import ParamSpec, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import FileStorage

from recrutement.accounts.models import Role, User
from recrutement.applications.models import Application, ApplicationStatus
from recrutement.cofunding import notifications
from recrutement.cofunding.content import (
    CONTENT_FIELDS,
    RequestContent,
    check_content,
    content_of,
    post_key,
)
from recrutement.cofunding.engine import Split
from recrutement.cofunding.models import (
    Attachment,
    AttachmentKind,
    CofundingMessage,
    CofundingRequest,
    CofundingStatus,
    Funder,
    FundingPlan,
    InstructionNote,
)
from recrutement.cofunding.workflow import (
    ANSWER,
    EDITABLE_STATES,
    HOLDING_STATES,
    SUBMIT,
)
from recrutement.core.errors import ServiceError
from recrutement.core.models import record_event
from recrutement.core.threads import add_message, clean_body, thread_of
from recrutement.core.time import utcnow
from recrutement.core.workflow import Transition
from recrutement.extensions import db
from recrutement.files.copy import copy_stored_file
from recrutement.files.storage import delete_file, store_pdf
from recrutement.offers.models import FIXED_TERM_CONTRACTS, Offer
from recrutement.offers.rules import add_months
from recrutement.organisations.models import Organisation
from recrutement.pilotage.recruits import record_declared_post

MAX_ATTACHMENTS = 10
STALE_MESSAGE = (
    "Cette demande vient d'être modifiée par quelqu'un d'autre : "
    "rechargez la page pour voir son état avant d'agir."
)


# --- the collectivité -----------------------------------------------------------------


def _check_member(actor: User, request: CofundingRequest) -> None:
    if actor.role != Role.EMPLOYER or actor.organisation is None:
        raise ServiceError("Seuls les membres de la collectivité gèrent ses demandes.")
    if request.organisation_id != actor.organisation.id:
        raise ServiceError("Cette demande n'appartient pas à votre collectivité.")


def hires_of(organisation: Organisation) -> list[Application]:
    """The hires recorded on the platform, most recent first, to start a request from."""
    return list(
        db.session.scalars(
            select(Application)
            .join(Offer, Offer.id == Application.offer_id)
            .where(
                Offer.organisation_id == organisation.id,
                Application.status == ApplicationStatus.HIRED,
            )
            .order_by(Application.decided_at.desc(), Application.id.desc())
        )
    )


def prefill_from_hire(application: Application) -> RequestContent:
    """The request's content as far as the hire tells it: post, person, start, contract."""
    offer = application.offer
    start = offer.start_date or (application.decided_at.date() if application.decided_at else None)
    contract_end = None
    if start and offer.contract_type in FIXED_TERM_CONTRACTS and offer.duration_months:
        contract_end = add_months(start, offer.duration_months) - timedelta(days=1)
    candidate = application.candidate
    period_end = date(start.year, 12, 31) if start else None
    if period_end and contract_end and contract_end < period_end:
        period_end = contract_end
    return RequestContent(
        post_title=offer.title,
        holder_first_name=candidate.first_name if candidate else "",
        holder_last_name=candidate.last_name if candidate else "",
        holder_start_date=start,
        contract_type=offer.contract_type,
        contract_end_date=contract_end,
        period_start=start,
        period_end=period_end,
        annual_loaded_cost=None,
    )


def _lock_organisation(organisation_id: int) -> None:
    """Serialise the overlap check of one organisation's requests (PostgreSQL row lock)."""
    db.session.execute(
        select(Organisation.id).where(Organisation.id == organisation_id).with_for_update()
    )


def _check_overlap(request: CofundingRequest) -> None:
    others = db.session.scalars(
        select(CofundingRequest).where(
            CofundingRequest.organisation_id == request.organisation_id,
            CofundingRequest.post_key == request.post_key,
            CofundingRequest.status.in_(HOLDING_STATES),
            CofundingRequest.period_start <= request.period_end,
            CofundingRequest.period_end >= request.period_start,
            CofundingRequest.id != (request.id or -1),
        )
    ).first()
    if others is not None:
        raise ServiceError(
            f"Ce poste a déjà une demande sur une période qui chevauche celle-ci : la demande "
            f"n° {others.id} ({others.status.label.lower()}, du "
            f"{others.period_start:%d/%m/%Y} au {others.period_end:%d/%m/%Y}). "
            "Une seule demande par poste et par période : modifiez la période ou reprenez cette demande.",
            field="period_start",
        )


def _apply_content(request: CofundingRequest, content: RequestContent) -> None:
    split = check_content(content)
    for name in CONTENT_FIELDS:
        setattr(request, name, getattr(content, name))
    request.post_title = content.post_title.strip()
    request.housing_operation = content.housing_operation.strip() if content.anah_asked else ""
    request.post_key = post_key(request.offer_id, request.post_title)
    _set_plan(request, split)


def _set_plan(request: CofundingRequest, split: Split) -> None:
    """The engine's maximum split becomes the plan asked (and granted, until adjusted)."""
    existing = {line.funder: line for line in request.plan}
    for funder in Funder:
        amount = split.parts[funder.value]
        asked = funder in request.funders
        line = existing.get(funder.value)
        if not asked:
            if line is not None:
                request.plan.remove(line)
            continue
        if line is None:
            line = FundingPlan(funder=funder.value)
            request.plan.append(line)
        line.requested_amount = amount
        line.granted_amount = amount


def create_request(
    actor: User,
    content: RequestContent,
    hire: Application | None = None,
    creation_token: str | None = None,
) -> CofundingRequest:
    """A new draft; `creation_token` (from the form) makes a double-clicked create one draft."""
    if actor.role != Role.EMPLOYER or actor.organisation is None:
        raise ServiceError("Seuls les membres d'une collectivité déposent des demandes.")
    if hire is not None and (
        hire.offer.organisation_id != actor.organisation.id
        or hire.status != ApplicationStatus.HIRED
    ):
        raise ServiceError("Ce recrutement n'est pas celui de votre collectivité.")
    request = CofundingRequest(
        organisation_id=actor.organisation.id,
        status=CofundingStatus.DRAFT,
        offer_id=hire.offer_id if hire else None,
        application_id=hire.id if hire else None,
        creation_token=creation_token,
    )
    _apply_content(request, content)
    # One creation at a time per organisation (PostgreSQL): the second of two
    # identical posts finds the first one's request here.
    _lock_organisation(request.organisation_id)
    existing = _created_with(creation_token, actor)
    if existing is not None:
        return existing
    try:
        _check_overlap(request)
    except ServiceError:
        # SQLite has no row lock: the same form, posted at the same instant, may have
        # committed between the token check above and now. It is not an overlap.
        existing = _created_with(creation_token, actor)
        if existing is None:
            raise
        return existing
    try:
        db.session.add(request)
        db.session.flush()
        record_event(actor, "cofunding.create", request)
        db.session.commit()
    except IntegrityError:
        # SQLite has no row lock: the same form posted twice at once meets the
        # unique creation token instead, and the other post's request is the one.
        db.session.rollback()
        existing = _created_with(creation_token, actor)
        if existing is None:
            raise
        return existing
    return request


def _created_with(creation_token: str | None, actor: User) -> CofundingRequest | None:
    if not creation_token:
        return None
    organisation = actor.organisation
    assert organisation is not None  # only members create requests (checked before)
    return db.session.scalar(
        select(CofundingRequest).where(
            CofundingRequest.creation_token == creation_token,
            CofundingRequest.organisation_id == organisation.id,
        )
    )


def lock(request: CofundingRequest, version: int | None = None) -> None:
    """Re-read the row under a lock (PostgreSQL) before changing it, and refuse to act
    on a version other than the one the user saw."""
    db.session.refresh(request, with_for_update=True)
    if version is not None and request.version != version:
        raise ServiceError(STALE_MESSAGE)


P = ParamSpec("P")
R = TypeVar("R")


def guarded(function: Callable[P, R]) -> Callable[P, R]:
    """Turn a lost race (another agent saved the request first: the UPDATE matched no
    row at a flush or at the commit) into the French message the user reads."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except StaleDataError as error:
            db.session.rollback()
            raise ServiceError(STALE_MESSAGE) from error

    return wrapper


@guarded
def update_request(
    actor: User, request: CofundingRequest, content: RequestContent, version: int | None = None
) -> None:
    """Change the content while the préfecture has not opened the request (or asked
    for changes)."""
    _check_member(actor, request)
    lock(request, version)
    if request.status not in EDITABLE_STATES:
        raise ServiceError(
            "La préfecture instruit cette demande : elle ne peut plus être modifiée. "
            "Écrivez-lui un message si un élément a changé."
        )
    _apply_content(request, content)
    _lock_organisation(request.organisation_id)
    _check_overlap(request)
    if request.status != CofundingStatus.DRAFT:
        record_event(actor, "cofunding.edit", request)
        record_declared_post(request)
    db.session.commit()


def move(
    actor: User,
    request: CofundingRequest,
    transition: Transition[CofundingStatus],
    comment: str = "",
) -> None:
    transition.check_actor(actor.role)
    if not transition.allows(request.status):
        raise ServiceError(
            f"Impossible : la demande n° {request.id} est désormais « "
            f"{request.status.label.lower()} ». Rechargez la page pour voir son état."
        )
    request.status = transition.target
    record_event(actor, f"cofunding.{transition.name}", request, comment)


@guarded
def submit(actor: User, request: CofundingRequest, version: int | None = None) -> bool:
    """File the draft with the préfecture. Returns False when it already was (a second
    click), True when this call filed it."""
    _check_member(actor, request)
    lock(request)
    if request.status == CofundingStatus.SUBMITTED and request.submitted_at:
        return False
    if version is not None and request.version != version:
        raise ServiceError(STALE_MESSAGE)
    check_content(content_of(request))
    _lock_organisation(request.organisation_id)
    _check_overlap(request)
    move(actor, request, SUBMIT)
    request.submitted_at = utcnow()
    record_declared_post(request)
    notifications.submitted(request)
    db.session.commit()
    return True


@guarded
def answer_changes(actor: User, request: CofundingRequest, message: str) -> None:
    """Send the request back to instruction with the collectivité's answer."""
    _check_member(actor, request)
    body = clean_body(message)
    lock(request)
    check_content(content_of(request))
    move(actor, request, ANSWER, body)
    add_message(CofundingMessage, request.id, actor, "employer", body)
    notifications.answered(request, body)
    db.session.commit()


@guarded
def delete_draft(actor: User, request: CofundingRequest) -> None:
    _check_member(actor, request)
    lock(request)
    if request.status != CofundingStatus.DRAFT:
        raise ServiceError("Seul un brouillon peut être supprimé.")
    files = [attachment.file for attachment in request.attachments]
    record_event(actor, "cofunding.delete", request)
    # The request (and its attachment rows) first: they point to the files.
    db.session.delete(request)
    db.session.flush()
    for stored in files:
        delete_file(stored)
    db.session.commit()


@guarded
def add_attachment(
    actor: User, request: CofundingRequest, kind: str, upload: FileStorage | None
) -> Attachment:
    _check_member(actor, request)
    lock(request)
    if request.status not in EDITABLE_STATES:
        raise ServiceError("La demande est en instruction : ses pièces ne peuvent plus changer.")
    if kind not in set(AttachmentKind):
        raise ServiceError("Choisissez le type de pièce.", field="kind")
    if upload is None or not getattr(upload, "filename", ""):
        raise ServiceError("Choisissez un fichier PDF.", field="file")
    if len(request.attachments) >= MAX_ATTACHMENTS:
        raise ServiceError(f"{MAX_ATTACHMENTS} pièces au plus par demande.", field="file")
    attachment = Attachment(kind=kind, file=store_pdf(upload, field="file"))
    request.attachments.append(attachment)
    if request.status != CofundingStatus.DRAFT:
        record_event(actor, "cofunding.attachment", request, attachment.kind.label)
    db.session.commit()
    return attachment


@guarded
def remove_attachment(actor: User, request: CofundingRequest, attachment_id: int) -> None:
    _check_member(actor, request)
    lock(request)
    if request.status not in EDITABLE_STATES:
        raise ServiceError("La demande est en instruction : ses pièces ne peuvent plus changer.")
    attachment = next((a for a in request.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise ServiceError("Cette pièce n'existe pas dans la demande.")
    request.attachments.remove(attachment)
    delete_file(attachment.file)
    db.session.commit()


def next_period(request: CofundingRequest) -> tuple[date, date]:
    """The period after a request's: to the end of that calendar year, or of the contract."""
    start = request.period_end + timedelta(days=1)
    end = date(start.year, 12, 31)
    if request.contract_end_date and request.contract_end_date < end:
        end = request.contract_end_date
    return start, end


def renew(actor: User, request: CofundingRequest) -> CofundingRequest:
    """A new draft for the next period, prefilled from a granted request (one click;
    clicking again opens the same draft)."""
    _check_member(actor, request)
    if request.status != CofundingStatus.GRANTED:
        raise ServiceError("Seule une demande accordée peut être renouvelée.")
    existing = db.session.scalar(
        select(CofundingRequest).where(
            CofundingRequest.renewal_of_id == request.id,
            CofundingRequest.status.in_(HOLDING_STATES),
        )
    )
    if existing is not None:
        return existing
    start, end = next_period(request)
    if end < start:
        raise ServiceError(
            f"Le contrat du chef de projet finit le {request.contract_end_date:%d/%m/%Y} : "
            "il n'y a pas de période suivante à financer. Créez une demande avec le nouveau contrat."
        )
    content = content_of(request)
    content.period_start, content.period_end = start, end
    renewal = CofundingRequest(
        organisation_id=request.organisation_id,
        status=CofundingStatus.DRAFT,
        offer_id=request.offer_id,
        application_id=request.application_id,
        renewal_of_id=request.id,
    )
    _apply_content(renewal, content)
    renewal.post_key = request.post_key
    _lock_organisation(renewal.organisation_id)
    _check_overlap(renewal)
    for attachment in request.attachments:
        # The contract and deliberation often still hold; the collectivité removes what does not.
        renewal.attachments.append(
            Attachment(kind=attachment.kind, file=copy_stored_file(attachment.file))
        )
    db.session.add(renewal)
    db.session.flush()
    record_event(
        actor, "cofunding.create", renewal, f"renouvellement de la demande n° {request.id}"
    )
    db.session.commit()
    return renewal


# --- what both sides read, and what only the instructors read ------------------------


def thread(request: CofundingRequest) -> list[CofundingMessage]:
    return thread_of(CofundingMessage, request.id)


def notes(request: CofundingRequest) -> list[InstructionNote]:
    return list(
        db.session.scalars(
            select(InstructionNote)
            .where(InstructionNote.request_id == request.id)
            .order_by(InstructionNote.created_at, InstructionNote.id)
        )
    )


# --- messages (a core.threads thread) -------------------------------------------------


def side_of(actor: User, request: CofundingRequest) -> str:
    """Which side of the request `actor` speaks for, or a ServiceError."""
    if actor.role == Role.EMPLOYER:
        _check_member(actor, request)
        return "employer"
    if actor.role in (Role.PREFECTURE, Role.ANAH):
        check_instructor(actor, request, Role(actor.role))
        return actor.role
    raise ServiceError("Vous ne participez pas à cette demande.")


def post_message(actor: User, request: CofundingRequest, body: str) -> CofundingMessage:
    side = side_of(actor, request)
    body = clean_body(body)
    if request.status == CofundingStatus.DRAFT:
        raise ServiceError("Déposez la demande avant d'écrire à la préfecture.")
    message = add_message(CofundingMessage, request.id, actor, side, body)
    db.session.flush()
    notifications.message_posted(request, message)
    db.session.commit()
    return message


def check_instructor(actor: User, request: CofundingRequest, role: Role = Role.PREFECTURE) -> None:
    if actor.role != role or request.organisation.department_code not in actor.department_codes:
        raise ServiceError("Cette demande ne relève pas de votre département.")
    if role == Role.ANAH and not request.anah_asked:
        raise ServiceError("Cette demande ne sollicite pas l'ANAH.")
