"""A candidate applies once per open offer with a letter and a CV, follows and withdraws."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from recrutement.accounts.models import Role
from recrutement.applications.models import Application, ApplicationStatus
from recrutement.candidates.profile import profile_of
from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.files.storage import read_stored, store_pdf
from recrutement.files.stores import file_store
from recrutement.offers.models import OfferStatus
from tests import factories
from tests.support import TINY_PDF

LETTER = "Urbaniste depuis six ans, je souhaite mettre mon expérience au service de votre projet."


@pytest.fixture
def offer(referential):
    member = factories.MembershipFactory(
        user__email="dgs@quimperle.fr", organisation__commune=referential["quimperle"]
    )
    return factories.OfferFactory(organisation=member.organisation)


def apply(client, offer, letter=LETTER, cv=TINY_PDF, name="mon cv.pdf"):
    data = {"cover_letter": letter}
    if cv is not None:
        data["cv"] = (io.BytesIO(cv), name)
    return client.post(
        f"/offres/{offer.id}/postuler", data=data, content_type="multipart/form-data"
    )


def test_candidate_applies_and_everyone_is_told(client, login_as, offer, mailbox):
    candidate = login_as(Role.CANDIDATE, email="lea@exemple.fr")
    assert "Postuler à cette offre" in client.get(f"/offres/{offer.id}").page
    form = client.get(f"/offres/{offer.id}/postuler")
    assert "Lettre de motivation" in form.page
    response = apply(client, offer)
    application = db.session.scalar(select(Application))
    assert response.headers["Location"] == f"/candidat/candidatures/{application.id}"
    assert application.candidate_id == candidate.id
    assert application.status == ApplicationStatus.SENT
    assert application.cv.original_name == "mon cv.pdf"
    assert read_stored(application.cv) == TINY_PDF

    mails = mailbox.deliver()
    assert "bien été envoyée" in mails.last_to("lea@exemple.fr").subject
    to_employer = mails.last_to("dgs@quimperle.fr")
    assert "Nouvelle candidature" in to_employer.subject
    assert f"/collectivite/candidatures/{application.id}" in to_employer.text

    page = client.get(f"/candidat/candidatures/{application.id}").page
    assert "Envoyée" in page and LETTER in page
    assert "Mes candidatures" in client.get("/candidat/candidatures").page


def test_one_application_per_offer(client, login_as, offer):
    login_as(Role.CANDIDATE)
    apply(client, offer)
    again = client.get(f"/offres/{offer.id}/postuler")
    assert again.status_code == 302
    assert apply(client, offer).status_code == 302  # redirected to the existing one
    assert db.session.scalar(select(func.count(Application.id))) == 1


def test_applying_after_the_deadline_is_refused(client, login_as, offer):
    login_as(Role.CANDIDATE)
    offer.application_deadline = paris_today() - timedelta(days=1)
    db.session.commit()
    assert apply(client, offer).status_code == 404
    assert db.session.scalar(select(func.count(Application.id))) == 0


def test_closed_offer_cannot_be_applied_to(client, login_as, offer):
    login_as(Role.CANDIDATE)
    offer.status = OfferStatus.CLOSED
    db.session.commit()
    assert apply(client, offer).status_code == 404


def test_letter_and_cv_are_required_and_checked(client, login_as, offer):
    login_as(Role.CANDIDATE)
    short = apply(client, offer, letter="Bonjour")
    assert short.status_code == 400 and "au moins 50 caractères" in short.page
    no_cv = apply(client, offer, cv=None)
    assert no_cv.status_code == 400 and "Joignez votre CV" in no_cv.page
    fake = apply(client, offer, cv=b"GIF89a not a pdf at all", name="cv.pdf")
    assert fake.status_code == 400 and "pas un PDF valide" in fake.page
    assert LETTER in fake.page  # nothing typed is lost
    assert db.session.scalar(select(func.count(Application.id))) == 0


def test_the_profile_cv_is_copied_with_the_application(client, login_as, offer, app):
    candidate = login_as(Role.CANDIDATE)
    profile = profile_of(candidate)
    profile.default_cv = store_pdf(FileStorage(io.BytesIO(TINY_PDF), "profil.pdf"))
    db.session.commit()
    apply(client, offer, cv=None)
    application = db.session.scalar(select(Application))
    assert application.cv_id != profile.default_cv_id
    assert application.cv.original_name == "profil.pdf"
    # The profile's CV changes later: the employer still has what was sent.
    file_store().write(profile.default_cv.stored_name, TINY_PDF.replace(b"Catalog", b"Changed"))
    assert read_stored(application.cv) == TINY_PDF


def test_candidate_withdraws_after_confirming(client, login_as, offer, mailbox):
    login_as(Role.CANDIDATE, email="lea@exemple.fr")
    apply(client, offer)
    application = db.session.scalar(select(Application))
    confirm = client.get(f"/candidat/candidatures/{application.id}/retirer")
    assert "Retirer ma candidature ?" in confirm.page
    client.post(f"/candidat/candidatures/{application.id}/retirer")
    db.session.refresh(application)
    assert application.status == ApplicationStatus.WITHDRAWN
    assert "retirée" in mailbox.deliver().last_to("lea@exemple.fr").subject
    again = client.post(f"/candidat/candidatures/{application.id}/retirer", follow_redirects=True)
    assert "Impossible" in again.page


def test_employers_and_staff_cannot_apply(client, login_as, offer):
    login_as(Role.EMPLOYER, organisation=offer.organisation)
    assert apply(client, offer).status_code == 403


def test_anonymous_visitor_is_asked_to_log_in_then_comes_back(client, offer):
    response = client.get(f"/offres/{offer.id}/postuler")
    assert response.headers["Location"] == f"/connexion?next=/offres/{offer.id}/postuler"


def test_a_candidate_never_reaches_another_candidates_application(client, login_as, offer, app):
    other = factories.UserFactory(role=Role.CANDIDATE)
    other_client = app.test_client()
    other_client.post("/connexion", data={"email": other.email, "password": factories.PASSWORD})
    apply(other_client, offer)
    theirs = db.session.scalar(select(Application))
    login_as(Role.CANDIDATE)
    for path in ("", "/cv", "/retirer"):
        assert client.get(f"/candidat/candidatures/{theirs.id}{path}").status_code == 404
    assert client.post(f"/candidat/candidatures/{theirs.id}/retirer").status_code == 404
    db.session.refresh(theirs)
    assert theirs.status == ApplicationStatus.SENT


def test_a_cv_over_5_mb_gets_the_french_413_page(client, login_as, offer):
    from tests.support import multipart

    login_as(Role.CANDIDATE)
    big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 + 300 * 1024) + b"\n%%EOF\n"
    body, content_type = multipart(
        {"cover_letter": LETTER, "csrf_token": client.csrf_token()}, {"cv": ("gros-cv.pdf", big)}
    )
    response = client.post(
        f"/offres/{offer.id}/postuler", data=body, content_type=content_type, csrf=False
    )
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.page
    assert db.session.scalar(select(func.count(Application.id))) == 0
