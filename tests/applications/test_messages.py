"""The message thread of an application, and instant mails versus the daily digest."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from werkzeug.datastructures import FileStorage

from recrutement.accounts.models import Role
from recrutement.applications.messages import send_digests
from recrutement.applications.models import ApplicationMessage
from recrutement.applications.services import apply
from recrutement.core.time import utcnow
from recrutement.extensions import db
from tests import factories
from tests.applications.test_employer_handling import make_application
from tests.support import TINY_PDF


@pytest.fixture
def setting(referential, app):
    member = factories.MembershipFactory(
        user__email="dgs@quimperle.fr", organisation__commune=referential["quimperle"]
    )
    offer = factories.OfferFactory(organisation=member.organisation)
    application = make_application(offer, "lea@exemple.fr")
    return {"member": member, "offer": offer, "application": application}


def client_for(app, email):
    client = app.test_client()
    client.post("/connexion", data={"email": email, "password": factories.PASSWORD})
    return client


def test_employer_and_candidate_exchange_messages(app, setting, mailbox):
    application = setting["application"]
    employer = client_for(app, "dgs@quimperle.fr")
    response = employer.post(
        f"/collectivite/candidatures/{application.id}/messages",
        data={"body": "Pouvez-vous nous indiquer vos disponibilités ?"},
    )
    assert response.headers["Location"].endswith(
        f"/collectivite/candidatures/{application.id}#messages"
    )
    mail = mailbox.deliver().last_to("lea@exemple.fr")
    assert "Nouveau message de la commune de Quimperlé" in mail.subject
    assert "vos disponibilités" in mail.text

    candidate = client_for(app, "lea@exemple.fr")
    page = candidate.get(f"/candidat/candidatures/{application.id}").page
    assert "vos disponibilités" in page and "Commune de Quimperlé" in page
    candidate.post(
        f"/candidat/candidatures/{application.id}/messages",
        data={"body": "Je suis disponible lundi."},
    )
    assert "disponible lundi" in mailbox.deliver().last_to("dgs@quimperle.fr").text
    assert (
        "Je suis disponible lundi."
        in employer.get(f"/collectivite/candidatures/{application.id}").page
    )


def test_empty_message_is_refused(app, setting):
    candidate = client_for(app, "lea@exemple.fr")
    response = candidate.post(
        f"/candidat/candidatures/{setting['application'].id}/messages",
        data={"body": "   "},
        follow_redirects=True,
    )
    assert "Écrivez votre message" in response.page
    assert db.session.scalar(db.select(db.func.count(ApplicationMessage.id))) == 0


def test_nobody_else_reaches_the_thread(app, setting, referential):
    outsider = factories.MembershipFactory(organisation__commune=referential["commercy"])
    stranger = factories.UserFactory(role=Role.CANDIDATE)
    application_id = setting["application"].id
    assert (
        client_for(app, outsider.user.email)
        .post(f"/collectivite/candidatures/{application_id}/messages", data={"body": "Intrus"})
        .status_code
        == 404
    )
    assert (
        client_for(app, stranger.email)
        .post(f"/candidat/candidatures/{application_id}/messages", data={"body": "Intrus"})
        .status_code
        == 404
    )
    assert db.session.scalar(db.select(db.func.count(ApplicationMessage.id))) == 0


def test_daily_members_get_one_digest_instead_of_instant_mails(app, setting, mailbox, referential):
    employer = client_for(app, "dgs@quimperle.fr")
    employer.post("/collectivite/membres/notifications", data={"frequency": "daily"})
    member = setting["member"]
    db.session.refresh(member)
    assert member.notification_frequency == "daily"
    member.last_digest_at = utcnow() - timedelta(days=2)
    db.session.commit()

    # A new application and a candidate's message: no instant mail to this member.
    other = factories.UserFactory(role=Role.CANDIDATE, email="karim@exemple.fr")
    apply(
        other,
        setting["offer"],
        "Une lettre de motivation assez longue pour être acceptée ici.",
        FileStorage(BytesIO(TINY_PDF), "cv.pdf"),
    )
    client_for(app, "lea@exemple.fr").post(
        f"/candidat/candidatures/{setting['application'].id}/messages",
        data={"body": "Une question."},
    )
    assert mailbox.deliver().to("dgs@quimperle.fr") == []

    assert send_digests() == 1
    digest = mailbox.deliver().last_to("dgs@quimperle.fr")
    assert "résumé quotidien" in digest.subject
    assert other.full_name in digest.text and "1 message de candidat :" in digest.text
    # Not twice the same day.
    assert send_digests() == 0
