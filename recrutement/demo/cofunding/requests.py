"""Runs the demo cofunding plan (`flask demo seed`): each planned request that is missing
is made, then moved step by step, through `recrutement.cofunding.services` and
`.instruction` as the demo user concerned (quimperle@, commercy@, prefecture29@,
prefecture55@, anah29@); so the history, the messages, the mails queued in the outbox
and the decision PDFs are the real ones. Then the Timeline moves each request's
timestamps back to the days its steps are planned on; a step planned "today" (the
grants: their PDF is dated the day it is made, and what follows them) stays where it is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from recrutement.accounts.models import User
from recrutement.cofunding import instruction, services
from recrutement.cofunding.engine import InvalidPeriod
from recrutement.cofunding.models import CofundingRequest, Funder
from recrutement.cofunding.rules import funding_rule_in_force
from recrutement.core.errors import ServiceError
from recrutement.core.time import paris_today
from recrutement.demo.cofunding.documents import upload
from recrutement.demo.cofunding.planned import ACTORS, Planned, Step, plan
from recrutement.demo.cofunding.timeline import Timeline
from recrutement.demo.common import demo_user, refuse_in_production
from recrutement.extensions import db
from recrutement.organisations.models import Organisation

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actors:
    """The demo users acting for one organisation: its member, its préfecture, its ANAH
    delegation."""

    employer: User
    prefecture: User | None
    anah: User | None

    def of(self, role: str) -> User:
        """The actor of `role` (employer, prefecture or anah), who must exist."""
        user: User | None = getattr(self, role)
        if user is None:
            raise ServiceError(f"Pas de compte de démonstration « {role} » ici.")
        return user


def create_demo_cofunding(today: date | None = None) -> int:
    """Create the planned demo requests that are missing; returns how many requests were
    added (renewals included). Commits."""
    refuse_in_production()
    today = today or paris_today()
    try:
        funding_rule_in_force(date(today.year - 1, 1, 1))
    except InvalidPeriod:
        logger.warning("Demo cofunding requests skipped: no funding rule (run `db upgrade`).")
        return 0
    added = 0
    for insee_code, planned_requests in plan(today.year).items():
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.commune_insee_code == insee_code)
        )
        users = {role: demo_user(local_part) for role, local_part in ACTORS[insee_code].items()}
        employer = users["employer"]
        if organisation is None or employer is None or employer.organisation != organisation:
            continue
        actors = Actors(employer, users["prefecture"], users["anah"])
        for planned in planned_requests:
            if _exists(organisation, planned):
                continue
            try:
                added += _run(planned, organisation, actors, today)
            except ServiceError as error:
                db.session.rollback()
                logger.warning("Demo cofunding request %r skipped: %s", planned.post_title, error)
    return added


def _exists(organisation: Organisation, planned: Planned) -> bool:
    by_title = select(CofundingRequest.id).where(
        CofundingRequest.organisation_id == organisation.id,
        CofundingRequest.offer_id.is_(None),
        CofundingRequest.post_title == planned.post_title,
    )
    if not planned.from_hire:
        return db.session.execute(by_title.limit(1)).first() is not None
    from_a_hire = select(CofundingRequest.id).where(
        CofundingRequest.organisation_id == organisation.id,
        CofundingRequest.application_id.is_not(None),
    )
    return db.session.execute(by_title.union(from_a_hire).limit(1)).first() is not None


def _run(planned: Planned, organisation: Organisation, actors: Actors, today: date) -> int:
    employer = actors.employer
    timeline, request = Timeline(today), None
    hires = services.hires_of(organisation) if planned.from_hire else []
    hire = hires[0] if hires else None
    if hire is not None:
        # Just recorded: the request follows it today.
        content = services.prefill_from_hire(hire)
        content.annual_loaded_cost = planned.cost
        timeline.mark(0)
        try:
            request = services.create_request(employer, content, hire=hire)
        except ServiceError as error:
            db.session.rollback()
            logger.warning("Demo cofunding request from hire %s made by hand: %s", hire.id, error)
            timeline, hire = Timeline(today), None
    if request is None:
        timeline.mark(planned.created_days_ago)
        request = services.create_request(employer, planned.content())
    made = [request.id]
    _steps(request, planned.steps, actors, timeline, made, hire is not None)
    timeline.apply(made)
    return len(made)


def _steps(
    request: CofundingRequest,
    steps: tuple[Step, ...],
    actors: Actors,
    timeline: Timeline,
    made: list[int],
    now: bool = False,
) -> None:
    employer = actors.employer
    for step in steps:
        timeline.mark(0 if now else step.days_ago)
        action = step.action
        if action == "attach":
            if step.kind is None:
                raise ValueError("a demo attach step needs a kind of document")
            services.add_attachment(employer, request, step.kind, upload(request, step.kind))
        elif action == "submit":
            services.submit(employer, request)
        elif action == "open":
            instruction.open_instruction(actors.of("prefecture"), request)
        elif action == "changes":
            instruction.request_changes(actors.of("prefecture"), request, step.text)
        elif action == "answer":
            services.answer_changes(employer, request, step.text)
        elif action == "note":
            instruction.add_note(actors.of(step.by), request, step.text)
        elif action == "message":
            services.post_message(actors.of(step.by), request, step.text)
        elif action == "anah":
            part = request.part(Funder.ANAH)
            if part is None:
                raise ValueError(f"{request.post_title!r} asks no ANAH part for its opinion")
            instruction.give_anah_opinion(
                actors.of("anah"), request, True, part.requested_amount, step.text
            )
        elif action == "adjust":
            amounts: dict[str, Decimal] = dict(step.amounts)
            instruction.adjust_parts(actors.of("prefecture"), request, amounts)
        elif action == "grant":
            instruction.grant(actors.of("prefecture"), request)
        elif action == "refuse":
            instruction.refuse(actors.of("prefecture"), request, step.text)
        elif action == "dismiss":
            instruction.dismiss(actors.of("prefecture"), request, step.text)
        elif action == "renew":
            renewal = services.renew(employer, request)
            made.append(renewal.id)
            _steps(renewal, step.then, actors, timeline, made, now)
        else:
            raise ValueError(f"unknown demo step {action!r}")
