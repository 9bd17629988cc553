"""Demo applications in every state (`flask demo seed`), through the real services.

candidat1 and candidat2 apply to the published demo offers of Quimperlé and
Commercy; the demo employers then move some applications along. Idempotent: once
the demo candidates have applications, nothing is added (hiring fills an
offer, so the plan cannot be replayed offer by offer).
"""

from __future__ import annotations

import io

from fpdf import FPDF
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from recrutement.accounts.models import User
from recrutement.applications import services
from recrutement.applications.models import Application
from recrutement.extensions import db
from recrutement.offers.models import Offer, OfferStatus
from recrutement.organisations.models import Organisation

DOMAIN = "demo.recrutement-pvd.fr"


def demo_cv(name: str) -> bytes:
    """A one-page PDF CV (uploads must be real PDFs)."""
    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=14)
    document.cell(text=f"Curriculum vitae de démonstration : {name}")
    return bytes(document.output())


LETTER = (
    "Madame, Monsieur,\n\nTitulaire d'un master en urbanisme et aménagement, j'ai conduit "
    "pendant quatre ans la revitalisation d'un centre-bourg : OPAH-RU, requalification des "
    "espaces publics, reconquête des commerces vacants. Je souhaite mettre cette expérience "
    "au service de votre projet Petites villes de demain.\n\nJe vous prie d'agréer mes salutations."
)
# (candidate, commune of the offer, index among its published offers, moves)
PLAN = [
    ("candidat1", "29233", 0, ["review", "interview"]),
    ("candidat2", "29233", 0, []),
    ("candidat1", "29233", 1, ["reject"]),
    ("candidat2", "29233", 1, ["review"]),
    ("candidat1", "55122", 0, ["withdraw"]),
    ("candidat2", "55122", 0, ["review", "interview", "hire"]),
]


def _user(local_part: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{local_part}@{DOMAIN}"))


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
    candidates = [user for user in (_user("candidat1"), _user("candidat2")) if user is not None]
    if db.session.scalar(
        select(func.count(Application.id)).where(
            Application.candidate_id.in_([user.id for user in candidates])
        )
    ):
        return 0
    created = 0
    for local_part, insee_code, index, moves in PLAN:
        candidate = _user(local_part)
        offers = _published_offers(insee_code)
        if candidate is None or len(offers) <= index:
            continue
        offer = offers[index]
        application = services.apply(
            candidate,
            offer,
            LETTER,
            FileStorage(io.BytesIO(demo_cv(local_part)), f"cv-{local_part}.pdf"),
        )
        employer = offer.organisation.memberships[0].user
        for move in moves:
            _move(employer, candidate, application, move)
        created += 1
    return created


def _move(employer: User, candidate: User, application: Application, move: str) -> None:
    if move == "review":
        services.start_review(employer, application)
    elif move == "interview":
        services.invite_to_interview(
            employer, application, "Jeudi 10 décembre à 10 h, en mairie (salle du conseil)."
        )
    elif move == "reject":
        services.reject(
            employer, application, "Nous avons retenu un profil plus expérimenté.", True
        )
    elif move == "withdraw":
        services.withdraw(candidate, application)
    elif move == "hire":
        services.hire(employer, application)
