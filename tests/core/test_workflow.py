"""One Transition for every workflow: the states a move leaves, and who may make it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from recrutement.accounts.models import Role
from recrutement.applications import workflow as applications
from recrutement.cofunding import workflow as cofunding
from recrutement.cofunding.models import CofundingRequest, CofundingStatus
from recrutement.cofunding.services import move
from recrutement.core.enums import LabelledEnum
from recrutement.core.errors import ServiceError
from recrutement.core.models import AuditEvent
from recrutement.core.workflow import Transition
from recrutement.extensions import db
from recrutement.offers import workflow as offers
from recrutement.offers.models import OfferStatus
from recrutement.offers.services import _transition
from tests import factories


class Light(LabelledEnum):
    RED = "red"
    GREEN = "green"


Light.LABELS = {"red": "Rouge", "green": "Vert"}

GO = Transition("go", frozenset({Light.RED}), Light.GREEN, frozenset({Role.ADMIN}))
TICK = Transition("tick", frozenset({Light.GREEN}), Light.RED, frozenset())


def test_allows_reads_members_and_values():
    assert GO.allows(Light.RED) and GO.allows("red")
    assert not GO.allows(Light.GREEN) and not GO.allows("green")
    assert not GO.allows("unknown")


def test_permits_only_the_listed_roles():
    assert GO.permits(Role.ADMIN) and GO.permits("admin")
    assert not GO.permits(Role.EMPLOYER)
    # No one listed: only the platform itself (no user) makes the move.
    assert not GO.permits(None)
    assert TICK.permits(None) and not TICK.permits(Role.ADMIN)


def test_check_actor_refuses_in_french():
    GO.check_actor(Role.ADMIN)
    with pytest.raises(ServiceError, match="Votre rôle ne vous permet pas cette action."):
        GO.check_actor(Role.CANDIDATE)


@pytest.mark.parametrize(
    ("transition", "actors"),
    [
        (offers.PUBLISH, {Role.EMPLOYER}),
        (offers.REPUBLISH, {Role.EMPLOYER}),
        (offers.CLOSE, {Role.EMPLOYER}),
        (offers.FILL, {Role.EMPLOYER}),
        (offers.EXPIRE, set()),
        (offers.UNPUBLISH, {Role.ADMIN}),
        (applications.REVIEW, {Role.EMPLOYER}),
        (applications.INTERVIEW, {Role.EMPLOYER}),
        (applications.HIRE, {Role.EMPLOYER}),
        (applications.REJECT, {Role.EMPLOYER}),
        (applications.WITHDRAW, {Role.CANDIDATE}),
        (cofunding.SUBMIT, {Role.EMPLOYER}),
        (cofunding.ANSWER, {Role.EMPLOYER}),
        (cofunding.OPEN, {Role.PREFECTURE}),
        (cofunding.REQUEST_CHANGES, {Role.PREFECTURE}),
        (cofunding.GRANT, {Role.PREFECTURE}),
        (cofunding.REFUSE, {Role.PREFECTURE}),
        (cofunding.DISMISS, {Role.PREFECTURE}),
    ],
    ids=lambda value: value.name if isinstance(value, Transition) else None,
)
def test_who_makes_each_move(transition, actors):
    assert transition.actors == actors
    assert all(type(actor) is Role for actor in transition.actors)


def test_employer_transitions_are_the_employers_moves():
    assert [t.name for t in applications.EMPLOYER_TRANSITIONS] == [
        "review",
        "interview",
        "hire",
        "reject",
    ]


def _request(organisation) -> CofundingRequest:
    request = CofundingRequest(
        organisation_id=organisation.id,
        status=CofundingStatus.IN_INSTRUCTION,
        post_title="Chef de projet",
        post_key="title:chef de projet",
        holder_first_name="Camille",
        holder_last_name="Le Gall",
        holder_start_date=date(2026, 3, 1),
        contract_type="project_contract",
        period_start=date(2026, 3, 1),
        period_end=date(2026, 12, 31),
        annual_loaded_cost=Decimal("60000"),
    )
    db.session.add(request)
    db.session.commit()
    return request


def test_a_move_by_a_role_it_does_not_list_is_refused_and_leaves_no_trace(app):
    organisation = factories.OrganisationFactory()
    member = factories.MembershipFactory(organisation=organisation).user
    request = _request(organisation)
    with pytest.raises(ServiceError, match="Votre rôle ne vous permet pas cette action."):
        move(member, request, cofunding.GRANT)
    assert request.status is CofundingStatus.IN_INSTRUCTION
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_the_platform_may_only_expire_an_offer(app):
    offer = factories.OfferFactory(status=OfferStatus.PUBLISHED)
    with pytest.raises(ServiceError, match="Votre rôle"):
        _transition(None, offer, offers.CLOSE)
    assert offer.status is OfferStatus.PUBLISHED
    _transition(None, offer, offers.EXPIRE)
    assert offer.status is OfferStatus.EXPIRED
