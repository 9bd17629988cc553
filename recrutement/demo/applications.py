"""The demo applications in every state (data/applications.toml), through the real services.

candidat1 and candidat2 apply to the published demo offers of Quimperlé and
Commercy; the demo employers then move some applications along. Idempotent: once
the demo candidates have applications, nothing is added (hiring fills an
offer, so the plan cannot be replayed offer by offer).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from fpdf import FPDF
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from recrutement.accounts.models import User
from recrutement.applications import services
from recrutement.applications.models import Application
from recrutement.demo.common import demo_user, read_data
from recrutement.extensions import db
from recrutement.offers.models import Offer, OfferStatus
from recrutement.organisations.models import Organisation


@dataclass(frozen=True)
class PlannedApplication:
    """A candidate applies to the `offer`-th published offer of a commune, then `moves`."""

    candidate: str
    commune: str
    offer: int
    moves: tuple[str, ...]


_DATA = read_data("applications.toml")
PLAN = tuple(
    PlannedApplication(item["candidate"], item["commune"], item["offer"], tuple(item["moves"]))
    for item in _DATA["applications"]
)
LETTER: str = _DATA["cover_letter"]


def demo_cv(name: str) -> bytes:
    """A one-page PDF CV (uploads must be real PDFs)."""
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=14)
    document.cell(text=_DATA["cv"].format(candidate=name))
    return bytes(document.output())


def _published_offers(insee_code: str) -> list[Offer]:
    return list(
        db.session.scalars(
            select(Offer)
            .join(Organisation, Organisation.id == Offer.organisation_id)
            .where(
                Organisation.commune_insee_code == insee_code, Offer.status == OfferStatus.PUBLISHED
            )
            .order_by(Offer.id)
        )
    )


def create_demo_applications() -> int:
    """Create the planned demo applications unless already there; returns how many were added."""
    candidates = [
        user for user in (demo_user("candidat1"), demo_user("candidat2")) if user is not None
    ]
    if db.session.scalar(
        select(func.count(Application.id)).where(
            Application.candidate_id.in_([user.id for user in candidates])
        )
    ):
        return 0
    created = 0
    for planned in PLAN:
        candidate = demo_user(planned.candidate)
        offers = _published_offers(planned.commune)
        if candidate is None or len(offers) <= planned.offer:
            continue
        offer = offers[planned.offer]
        application = services.apply(
            candidate,
            offer,
            LETTER,
            FileStorage(io.BytesIO(demo_cv(planned.candidate)), f"cv-{planned.candidate}.pdf"),
        )
        employer = offer.organisation.memberships[0].user
        for move in planned.moves:
            _move(employer, candidate, application, move)
        created += 1
    return created


def _move(employer: User, candidate: User, application: Application, move: str) -> None:
    if move == "review":
        services.start_review(employer, application)
    elif move == "interview":
        services.invite_to_interview(employer, application, _DATA["interview_details"])
    elif move == "reject":
        services.reject(employer, application, _DATA["rejection_reason"], True)  # shared
    elif move == "withdraw":
        services.withdraw(candidate, application)
    elif move == "hire":
        services.hire(employer, application)
    else:
        raise ValueError(f"unknown demo move {move!r}")
