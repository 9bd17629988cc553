"""The world the harness fuzzes: every role, and objects in every state they act on,
built with the project's factories and services; each role signs in with its own
browser. The arguments of the URL map are filled from here, with objects the role may
see (and links found on the pages fill the rest)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO

from werkzeug.datastructures import FileStorage

from recrutement.accounts.models import Role
from recrutement.accounts.tokens import TokenPurpose, make_token
from recrutement.alerts.saved_searches import save_search
from recrutement.alerts.unsubscribe import unsubscribe_token
from recrutement.applications.models import Application, ApplicationStatus
from recrutement.candidates.favourites import add_favourite
from recrutement.candidates.models import CandidateProfile
from recrutement.cofunding import instruction, services
from recrutement.cofunding.models import CofundingRequest
from recrutement.core.time import paris_today, utcnow
from recrutement.extensions import db
from recrutement.files.storage import store_pdf
from recrutement.offers.models import OfferStatus
from recrutement.organisations.models import Invitation, OrganisationStatus
from tests import factories
from tests.cofunding.conftest import content
from tests.support import TINY_PDF

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, "candidate", "employer", "prefecture", "anah", "admin")
ANAH = {"anah_asked": True, "housing_operation": "OPAH-RU du centre ancien"}
INVITATION_TOKEN = "jeton-d-invitation-du-harnais-de-fuzzing-0123456789"  # noqa: S105


def pdf(name: str = "piece.pdf"):
    return store_pdf(FileStorage(BytesIO(TINY_PDF), name))


@dataclass
class World:
    users: dict  # role -> the User who acts as that role
    args: dict = field(default_factory=dict)  # role -> {argument: [values]}
    pairs: dict = field(default_factory=dict)  # role -> {(arg, arg): [(value, value)]}

    def values(self, role: str, argument: str) -> list:
        return self.args.get(role, {}).get(argument, [])


def _application(offer, candidate, status, letter="Lettre de motivation " * 4):
    found = Application(
        offer=offer,
        candidate=candidate,
        cover_letter=letter,
        cv=pdf("cv.pdf"),
        status=status,
        decided_at=utcnow()
        if status in (ApplicationStatus.HIRED, ApplicationStatus.REJECTED)
        else None,
    )
    db.session.add(found)
    return found


def _request(people, status: str, title: str, **overrides) -> CofundingRequest:
    found = services.create_request(people.employer, content(post_title=title, **overrides))
    services.add_attachment(
        people.employer, found, "contract", FileStorage(BytesIO(TINY_PDF), "contrat.pdf")
    )
    if status == "draft":
        return found
    services.submit(people.employer, found)
    if status == "submitted":
        return found
    instruction.open_instruction(people.prefecture, found)
    if status == "changes_requested":
        instruction.request_changes(people.prefecture, found, "Joignez la délibération.")
    elif status == "granted":
        instruction.grant(people.prefecture, found)
    elif status == "refused":
        instruction.refuse(people.prefecture, found, "Le poste n'est pas celui du programme.")
    elif status == "dismissed":
        instruction.dismiss(people.prefecture, found, "Demande en double.")
    return found


def build(app, people, referential) -> World:
    """Everything each role acts on, in several states."""
    app.config["RATE_LIMITS_ENABLED"] = False
    quimperle = people.quimperle
    admin = factories.UserFactory(role=Role.ADMIN)
    candidate = factories.UserFactory(role=Role.CANDIDATE)
    db.session.add(
        CandidateProfile(
            user_id=candidate.id,
            phone="06 12 34 56 78",
            town_insee_code="29233",
            mobility_regions=["53"],
            mobility_departments=["29"],
            default_cv=pdf("cv.pdf"),
        )
    )

    def offer(status, **fields):
        return factories.OfferFactory(organisation=quimperle, status=status, **fields)

    published = [offer(OfferStatus.PUBLISHED, title=f"Chef de projet {n}") for n in range(5)]
    published[0].attachment = pdf("fiche.pdf")
    draft = offer(OfferStatus.DRAFT, title="Brouillon de chef de projet")
    closed = offer(OfferStatus.CLOSED, closed_at=utcnow())
    filled = offer(OfferStatus.FILLED, filled_at=utcnow())
    expired = offer(
        OfferStatus.EXPIRED,
        application_deadline=paris_today() - timedelta(days=3),
        expired_at=utcnow(),
    )
    elsewhere = factories.OfferFactory(organisation=people.commercy, title="Chef de projet Meuse")

    # The candidate's applications in every state, and others' on the first offer.
    mine = {
        ApplicationStatus.SENT: _application(published[1], candidate, ApplicationStatus.SENT),
        ApplicationStatus.IN_REVIEW: _application(
            published[2], candidate, ApplicationStatus.IN_REVIEW
        ),
        ApplicationStatus.INTERVIEW: _application(
            published[3], candidate, ApplicationStatus.INTERVIEW
        ),
        ApplicationStatus.REJECTED: _application(closed, candidate, ApplicationStatus.REJECTED),
        ApplicationStatus.HIRED: _application(filled, candidate, ApplicationStatus.HIRED),
        ApplicationStatus.WITHDRAWN: _application(expired, candidate, ApplicationStatus.WITHDRAWN),
    }
    others = [
        _application(published[0], factories.UserFactory(role=Role.CANDIDATE), status)
        for status in (
            ApplicationStatus.SENT,
            ApplicationStatus.IN_REVIEW,
            ApplicationStatus.INTERVIEW,
            ApplicationStatus.REJECTED,
        )
    ]
    db.session.commit()
    saved = save_search(candidate, {"q": "urbanisme", "departement": "29"}, "daily")
    add_favourite(candidate, published[4])

    # Cofunding requests of Quimperlé in every state, two of them asking ANAH.
    requests = {
        status: _request(people, status, f"Chef de projet ({status})", **extra)
        for status, extra in (
            ("draft", {}),
            ("submitted", ANAH),
            ("in_instruction", ANAH),
            ("changes_requested", {}),
            ("granted", {}),
            ("refused", {}),
            ("dismissed", {}),
        )
    }

    # A collectivité waiting for its préfecture, an open invitation, and accounts whose
    # links (confirmation, reset) are followed by strangers to the roles above.
    pending = factories.OrganisationFactory(
        commune=referential["landerneau"], name="Landerneau", status=OrganisationStatus.PENDING
    )
    factories.MembershipFactory(organisation=pending)
    invitation = Invitation(
        organisation=quimperle,
        email="collegue.invitee@exemple.fr",
        token_hash=hashlib.sha256(INVITATION_TOKEN.encode()).hexdigest(),
        invited_by_id=people.employer.id,
        expires_at=utcnow() + timedelta(days=7),
    )
    db.session.add(invitation)
    unconfirmed = factories.UserFactory(email_confirmed_at=None)
    forgetful = factories.UserFactory()
    spare_agent = factories.UserFactory(role=Role.PREFECTURE)
    spare_agent.departments = [referential["departments"]["29"]]
    inactive = factories.UserFactory(is_active_account=False)
    # A staff account whose owner has not chosen a password yet (invitation to resend).
    invited_agent = factories.UserFactory(role=Role.ANAH, password_hash="!")
    invited_agent.departments = [referential["departments"]["29"]]
    db.session.commit()

    offers = [*published, draft, closed, filled, expired]
    all_requests = list(requests.values())
    anah_requests = [requests["submitted"], requests["in_instruction"]]
    filed = [found for status, found in requests.items() if status != "draft"]
    tokens = [
        make_token(TokenPurpose.CONFIRM_EMAIL, unconfirmed),
        make_token(TokenPurpose.RESET_PASSWORD, forgetful),
        INVITATION_TOKEN,
        unsubscribe_token(saved),
    ]
    world = World(
        users={
            "candidate": candidate,
            "employer": people.employer,
            "prefecture": people.prefecture,
            "anah": people.anah,
            "admin": admin,
        }
    )
    ids = lambda items: [item.id for item in items]  # noqa: E731
    world.args = {
        ANONYMOUS: {
            "offer_id": ids([published[0], published[1], elsewhere]),
            "organisation_id": ids([quimperle, people.commercy]),
            "token": tokens,
        },
        "candidate": {
            "offer_id": ids([published[0], published[4], elsewhere]),
            "application_id": ids(mine.values()),
            "saved_search_id": [saved.id],
        },
        "employer": {
            "offer_id": ids(offers),
            "application_id": ids([*others, *mine.values()]),
            "request_id": ids(all_requests),
            "invitation_id": [invitation.id],
        },
        "prefecture": {
            "request_id": ids(filed),
            "organisation_id": ids([pending, quimperle]),
        },
        "anah": {"request_id": ids(anah_requests)},
        "admin": {
            "request_id": ids(filed),
            "organisation_id": ids([pending, quimperle, people.commercy]),
            "user_id": ids([spare_agent, invited_agent, inactive, unconfirmed, people.colleague]),
            "offer_id": ids([published[0], elsewhere]),
        },
    }

    def attachments(found_requests):
        return {
            ("request_id", "attachment_id"): [
                (found.id, attachment.id)
                for found in found_requests
                for attachment in found.attachments
            ]
        }

    world.pairs = {
        "employer": attachments(all_requests),
        "prefecture": attachments(filed),
        "anah": attachments(anah_requests),
        "admin": attachments(filed),
    }
    return world
