"""The employer moves applications through the workflow, hires, rejects in bulk, exports;
every move is mailed to the candidate; other organisations never reach them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from recrutement.accounts.models import Role
from recrutement.applications.models import Application, ApplicationStatus
from recrutement.extensions import db
from recrutement.files.storage import store_pdf
from recrutement.offers.models import OfferStatus
from tests import factories
from tests.support import TINY_PDF


def make_application(offer, email, status=ApplicationStatus.SENT):
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    candidate = factories.UserFactory(role=Role.CANDIDATE, email=email)
    application = Application(
        offer=offer,
        candidate=candidate,
        cover_letter="Lettre de motivation suffisamment longue pour être acceptée.",
        cv=store_pdf(FileStorage(BytesIO(TINY_PDF), "cv.pdf")),
        status=status,
    )
    db.session.add(application)
    db.session.commit()
    return application


@pytest.fixture
def employer(login_as):
    return login_as(Role.EMPLOYER)


@pytest.fixture
def offer(employer):
    return factories.OfferFactory(organisation=employer.organisation)


def test_employer_sees_the_applications_of_an_offer_and_filters_them(client, offer):
    first = make_application(offer, "a@exemple.fr")
    make_application(offer, "b@exemple.fr", ApplicationStatus.REJECTED)
    page = client.get(f"/collectivite/offres/{offer.id}/candidatures").page
    assert "2 candidatures" in page and first.candidate.full_name in page
    sent = client.get(f"/collectivite/offres/{offer.id}/candidatures?etat=sent").page
    assert "1 candidature" in sent
    assert "Candidatures reçues (2)" in client.get(f"/collectivite/offres/{offer.id}").page


def test_full_path_review_interview_hire_fills_the_offer(client, offer, mailbox):
    application = make_application(offer, "lea@exemple.fr")
    other = make_application(offer, "karim@exemple.fr")
    detail = client.get(f"/collectivite/candidatures/{application.id}").page
    assert "Lettre de motivation suffisamment longue" in detail
    cv = client.get(f"/collectivite/candidatures/{application.id}/cv")
    content = cv.data
    cv.close()
    assert content == TINY_PDF and cv.headers["Content-Disposition"].startswith("attachment")

    client.post(f"/collectivite/candidatures/{application.id}/examiner")
    client.post(
        f"/collectivite/candidatures/{application.id}/entretien",
        data={"details": "Mardi 8 décembre à 14 h, mairie de Quimperlé, salle du conseil."},
    )
    db.session.refresh(application)
    assert application.status == ApplicationStatus.INTERVIEW
    client.post(
        f"/collectivite/candidatures/{application.id}/retenir",
        data={
            "etape": "confirmer",
            "notify_others": "y",
            "message": "Merci : nous avons retenu une autre candidature.",
        },
    )
    db.session.refresh(application)
    db.session.refresh(other)
    db.session.refresh(offer)
    assert application.status == ApplicationStatus.HIRED and application.decided_at
    assert offer.status == OfferStatus.FILLED and offer.filled_at
    assert other.status == ApplicationStatus.REJECTED and other.rejection_reason_shared

    mails = mailbox.deliver()
    subjects = [mail.subject for mail in mails.to("lea@exemple.fr")]
    assert any("en cours d'examen" in subject for subject in subjects)
    assert any("entretien" in subject for subject in subjects)
    assert any("retenue" in subject for subject in subjects)
    interview = next(m for m in mails.to("lea@exemple.fr") if "entretien" in m.subject)
    assert "Mardi 8 décembre à 14 h" in interview.text
    assert "nous avons retenu une autre candidature" in mails.last_to("karim@exemple.fr").text

    history = client.get(f"/collectivite/candidatures/{application.id}").page
    for label in ("En cours d'examen", "Invitation à un entretien", "Candidature retenue"):
        assert label in history


def test_rejection_reason_is_shown_to_the_candidate_only_when_chosen(client, offer, mailbox, app):
    kept_private = make_application(offer, "prive@exemple.fr")
    shared = make_application(offer, "partage@exemple.fr")
    client.post(
        f"/collectivite/candidatures/{kept_private.id}/refuser",
        data={"reason": "Profil trop junior."},
    )
    client.post(
        f"/collectivite/candidatures/{shared.id}/refuser",
        data={"reason": "Nous cherchons une expérience en OPAH-RU.", "share_reason": "y"},
    )
    mails = mailbox.deliver()
    assert "Profil trop junior" not in mails.last_to("prive@exemple.fr").text
    assert "expérience en OPAH-RU" in mails.last_to("partage@exemple.fr").text
    candidate_client = app.test_client()
    candidate_client.post(
        "/connexion", data={"email": "prive@exemple.fr", "password": factories.PASSWORD}
    )
    page = candidate_client.get(f"/candidat/candidatures/{kept_private.id}").page
    assert "Non retenue" in page and "Profil trop junior" not in page


def test_interview_needs_details(client, offer):
    application = make_application(offer, "a@exemple.fr")
    response = client.post(
        f"/collectivite/candidatures/{application.id}/entretien",
        data={"details": ""},
        follow_redirects=True,
    )
    assert "incomplet" in response.page
    db.session.refresh(application)
    assert application.status == ApplicationStatus.SENT


def test_bulk_rejection_with_one_message(client, offer, mailbox):
    applications = [make_application(offer, f"c{index}@exemple.fr") for index in range(3)]
    client.post(
        f"/collectivite/offres/{offer.id}/candidatures/refuser",
        data={
            "application_ids": [str(a.id) for a in applications[:2]],
            "reason": "Le jury a retenu d'autres profils.",
            "share_reason": "y",
        },
    )
    for application in applications:
        db.session.refresh(application)
    assert [a.status for a in applications] == ["rejected", "rejected", "sent"]
    mails = mailbox.deliver()
    assert "autres profils" in mails.last_to("c0@exemple.fr").text
    assert not mails.to("c2@exemple.fr")


def test_csv_export_of_an_offers_applications(client, offer):
    application = make_application(offer, "lea@exemple.fr")
    response = client.get(f"/collectivite/offres/{offer.id}/candidatures.csv")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert text.startswith("\ufeffnumero;recue_le;etat;nom;prenom;courriel;telephone")
    assert f"{application.id};" in text and "lea@exemple.fr" in text and "Envoyée" in text


def test_withdrawn_or_decided_applications_cannot_move(client, offer):
    application = make_application(offer, "a@exemple.fr", ApplicationStatus.WITHDRAWN)
    response = client.post(
        f"/collectivite/candidatures/{application.id}/examiner", follow_redirects=True
    )
    assert "Impossible" in response.page


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/collectivite/candidatures/{id}"),
        ("GET", "/collectivite/candidatures/{id}/cv"),
        ("POST", "/collectivite/candidatures/{id}/examiner"),
        ("POST", "/collectivite/candidatures/{id}/entretien"),
        ("POST", "/collectivite/candidatures/{id}/refuser"),
        ("GET", "/collectivite/candidatures/{id}/retenir"),
        ("POST", "/collectivite/candidatures/{id}/retenir"),
        ("GET", "/collectivite/offres/{offer}/candidatures"),
        ("GET", "/collectivite/offres/{offer}/candidatures.csv"),
        ("POST", "/collectivite/offres/{offer}/candidatures/refuser"),
    ],
)
def test_another_organisation_never_reaches_these_applications(
    client, employer, referential, method, path
):
    foreign_offer = factories.OfferFactory(organisation__commune=referential["commercy"])
    theirs = make_application(foreign_offer, "x@exemple.fr")
    url = path.format(id=theirs.id, offer=foreign_offer.id)
    data = {
        "csrf_token": client.csrf_token(),
        "application_ids": [str(theirs.id)],
        "details": "Lundi 10 h, mairie.",
    }
    assert client.open(url, method=method, data=data).status_code == 404
    db.session.refresh(theirs)
    assert theirs.status == ApplicationStatus.SENT


def test_a_candidate_cannot_reach_the_employer_pages(client, login_as, referential):
    offer = factories.OfferFactory(organisation__commune=referential["commercy"])
    application = make_application(offer, "x@exemple.fr")
    login_as(Role.CANDIDATE)
    assert client.get(f"/collectivite/candidatures/{application.id}").status_code == 403
    assert client.get(f"/collectivite/candidatures/{application.id}/cv").status_code == 403


def test_applications_are_listed_only_for_the_candidate_who_sent_them(
    client, login_as, referential
):
    offer = factories.OfferFactory(organisation__commune=referential["commercy"])
    make_application(offer, "x@exemple.fr")
    login_as(Role.CANDIDATE)
    assert "Vous n'avez pas encore postulé." in client.get("/candidat/candidatures").page
    assert db.session.scalar(select(Application)).candidate.email == "x@exemple.fr"
