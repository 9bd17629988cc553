"""What the instructors do: the préfecture opens, asks for changes, adjusts the parts
within their caps and decides; the ANAH delegation gives its opinion. Same rules as
services.py: checked against the workflow, logged, mailed, guarded against races."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from recrutement.accounts.models import Role, User
from recrutement.cofunding import notifications
from recrutement.cofunding.content import anah_rule_text, euros
from recrutement.cofunding.decision import decision_pdf
from recrutement.cofunding.models import (
    AnahOpinion,
    CofundingMessage,
    CofundingRequest,
    CofundingStatus,
    Funder,
    FundingPlan,
    InstructionNote,
)
from recrutement.cofunding.rules import funding_rule_in_force
from recrutement.cofunding.services import (
    check_instructor,
    guarded,
    lock,
    move,
)
from recrutement.cofunding.workflow import DISMISS, GRANT, OPEN, REFUSE, REQUEST_CHANGES
from recrutement.core.errors import ServiceError
from recrutement.core.models import record_event
from recrutement.core.threads import add_message, clean_body
from recrutement.core.time import utcnow
from recrutement.core.workflow import Transition
from recrutement.extensions import db
from recrutement.files.storage import store_bytes


@guarded
def open_instruction(actor: User, request: CofundingRequest, version: int | None = None) -> None:
    """Start the instruction: the collectivité can no longer edit the request."""
    check_instructor(actor, request)
    lock(request, version)
    move(actor, request, OPEN)
    request.instructor_id = actor.id
    request.instruction_started_at = utcnow()
    notifications.opened(request)
    db.session.commit()


@guarded
def request_changes(
    actor: User, request: CofundingRequest, message: str, version: int | None = None
) -> None:
    check_instructor(actor, request)
    body = clean_body(message, "Expliquez à la collectivité ce qu'elle doit compléter.")
    lock(request, version)
    move(actor, request, REQUEST_CHANGES, body)
    add_message(CofundingMessage, request.id, actor, "prefecture", body)
    notifications.changes_requested(request, body)
    db.session.commit()


@guarded
def adjust_parts(
    actor: User,
    request: CofundingRequest,
    amounts: Mapping[str, Decimal | None],
    version: int | None = None,
) -> None:
    """Lower parts of the plan. A part above what the rules allow (the engine's
    proposal, and for ANAH its delegation's amount) is refused and nothing is saved."""
    check_instructor(actor, request)
    lock(request, version)
    if request.status != CofundingStatus.IN_INSTRUCTION:
        raise ServiceError("Ouvrez l'instruction de la demande avant d'ajuster les montants.")
    changes = []
    for line in request.plan:
        if line.funder not in amounts:
            continue
        amount = amounts[line.funder]
        limit = part_limit(request, line)
        if amount is None or amount < 0:
            raise ServiceError(
                f"Le montant {line.funder.label} doit être positif ou nul.",
                field=line.funder,
            )
        if amount != amount.quantize(Decimal("0.01")):
            raise ServiceError(
                f"Le montant {line.funder.label} s'exprime au centime près.", field=line.funder
            )
        if amount > limit:
            raise ServiceError(
                f"La part {line.funder.label} ne peut pas dépasser {euros(limit)} "
                f"({_limit_reason(request, line)}) : rien n'a été enregistré.",
                field=line.funder,
            )
        if amount != line.granted_amount:
            changes.append(f"{line.funder.label} : {euros(line.granted_amount)} → {euros(amount)}")
            line.granted_amount = amount
    if changes:
        record_event(actor, "cofunding.adjust", request, " ; ".join(changes))
        request.updated_at = utcnow()  # bumps the version: pages open on the old amounts are stale
    db.session.commit()


def anah_cap(request: CofundingRequest) -> Decimal:
    """The most the ANAH may retain: the ANAH part the rules give for the period."""
    line = request.part(Funder.ANAH)
    return line.requested_amount if line else Decimal(0)


def part_limit(request: CofundingRequest, line: FundingPlan) -> Decimal:
    """The most an instructor may keep for a part: the rules' proposal, and for ANAH
    at most its delegation's amount."""
    if line.funder == Funder.ANAH and request.anah_opinion is not None:
        retained: Decimal = request.anah_opinion.amount
        return min(line.requested_amount, retained)
    return line.requested_amount


def _limit_reason(request: CofundingRequest, line: FundingPlan) -> str:
    opinion = request.anah_opinion
    if (
        line.funder == Funder.ANAH
        and opinion is not None
        and opinion.amount < line.requested_amount
    ):
        return "le montant retenu par l'ANAH"
    return "son plafond pour cette période selon les règles du programme"


@guarded
def give_anah_opinion(
    actor: User,
    request: CofundingRequest,
    favourable: bool,
    amount: Decimal | None,
    comment: str = "",
    version: int | None = None,
) -> None:
    """The ANAH delegation's opinion and amount (at most the ANAH part the rules allow)."""
    check_instructor(actor, request, Role.ANAH)
    lock(request, version)
    if request.status not in (
        CofundingStatus.SUBMITTED,
        CofundingStatus.IN_INSTRUCTION,
        CofundingStatus.CHANGES_REQUESTED,
    ):
        raise ServiceError(
            f"La demande est « {request.status.label.lower()} » : l'avis ne peut plus être donné."
        )
    line = request.part(Funder.ANAH)
    cap = anah_cap(request)
    amount = Decimal(0) if not favourable else amount
    if amount is None or amount < 0:
        raise ServiceError("Indiquez un montant positif ou nul.", field="amount")
    if favourable and amount <= 0:
        raise ServiceError("Un avis favorable indique le montant retenu.", field="amount")
    if amount > cap:
        raise ServiceError(
            f"Le montant de l'ANAH ne peut pas dépasser {euros(cap)} pour cette période "
            f"({anah_rule_text(request.period_start)}).",
            field="amount",
        )
    opinion = request.anah_opinion or AnahOpinion(request=request)
    opinion.author_id = actor.id
    opinion.favourable = favourable
    opinion.amount = amount
    opinion.comment = (comment or "").strip()
    opinion.created_at = utcnow()
    db.session.add(opinion)
    if line is not None and line.granted_amount > amount:
        line.granted_amount = amount
    verdict = "favorable" if favourable else "défavorable"
    record_event(
        actor,
        "cofunding.anah_opinion",
        request,
        f"Avis {verdict}, {euros(amount)}" + (f" — {opinion.comment}" if opinion.comment else ""),
    )
    notifications.anah_opinion_given(request)
    request.updated_at = utcnow()  # bumps the version: a préfecture page open on it is stale
    db.session.commit()


@guarded
def grant(actor: User, request: CofundingRequest, version: int | None = None) -> None:
    """Fix the amounts and produce the decision PDF."""
    check_instructor(actor, request)
    lock(request, version)
    anah = request.part(Funder.ANAH)
    if anah is not None and anah.granted_amount > 0:
        if request.anah_opinion is None:
            raise ServiceError(
                "L'ANAH n'a pas encore donné son avis : la part ANAH ne peut pas être accordée. "
                "Attendez son avis, ou ramenez la part ANAH à 0 €."
            )
        if anah.granted_amount > request.anah_opinion.amount:
            raise ServiceError("La part ANAH dépasse le montant retenu par l'ANAH.")
    if request.granted_total <= 0:
        raise ServiceError("Le total accordé est nul : refusez la demande plutôt que l'accorder.")
    summary = " ; ".join(
        f"{line.funder.label} {euros(line.granted_amount)}" for line in request.plan
    )
    move(actor, request, GRANT, summary)
    request.decided_at = utcnow()
    request.rule = funding_rule_in_force(request.period_start)
    request.instructor_id = request.instructor_id or actor.id
    request.decision_pdf = store_bytes(
        decision_pdf(request, actor), f"decision-cofinancement-{request.id}.pdf"
    )
    notifications.decided(request)
    db.session.commit()


def refuse(actor: User, request: CofundingRequest, reason: str, version: int | None = None) -> None:
    _close(
        actor,
        request,
        REFUSE,
        clean_body(reason, "Indiquez le motif du refus : il est transmis à la collectivité."),
        version,
    )


def dismiss(
    actor: User, request: CofundingRequest, reason: str, version: int | None = None
) -> None:
    _close(
        actor,
        request,
        DISMISS,
        clean_body(reason, "Indiquez pourquoi la demande est classée sans suite."),
        version,
    )


@guarded
def _close(
    actor: User,
    request: CofundingRequest,
    transition: Transition[CofundingStatus],
    reason: str,
    version: int | None,
) -> None:
    """Refuse or dismiss, with the reason the collectivité reads."""
    check_instructor(actor, request)
    lock(request, version)
    move(actor, request, transition, reason)
    request.decision_reason = reason
    request.decided_at = utcnow()
    notifications.decided(request)
    db.session.commit()


def add_note(actor: User, request: CofundingRequest, body: str) -> InstructionNote:
    """A private note of the instructors (préfecture and ANAH); never shown to the collectivité."""
    if actor.role not in (Role.PREFECTURE, Role.ANAH):
        raise ServiceError("Seuls les instructeurs tiennent des notes.")
    check_instructor(actor, request, Role(actor.role))
    note = InstructionNote(request_id=request.id, author_id=actor.id, body=clean_body(body))
    db.session.add(note)
    db.session.commit()
    return note
