"""Recording a hire (issue 11, point 6): a confirmation page names the candidate and
says what follows; the other candidates are informed by default, with a preview of
their mail; right after, the page offers to ask for the post's cofunding."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from recrutement.accounts.models import Role
from recrutement.applications.models import ApplicationStatus
from recrutement.applications.services import OTHERS_MESSAGE
from recrutement.cofunding import services as cofunding
from recrutement.emails.models import OutgoingEmail
from recrutement.extensions import db
from recrutement.offers.models import OfferStatus
from tests import factories
from tests.applications.test_employer_handling import make_application
from tests.cofunding.conftest import content


@pytest.fixture
def employer(login_as):
    return login_as(Role.EMPLOYER)


@pytest.fixture
def offer(employer):
    return factories.OfferFactory(organisation=employer.organisation, title="Cheffe de projet PVD")


@pytest.fixture
def setting(offer):
    """Léa in interview; Karim and Inès still waiting; Paul already turned down."""
    lea = make_application(offer, "lea@exemple.fr", ApplicationStatus.INTERVIEW)
    karim = make_application(offer, "karim@exemple.fr", ApplicationStatus.IN_REVIEW)
    ines = make_application(offer, "ines@exemple.fr", ApplicationStatus.SENT)
    paul = make_application(offer, "paul@exemple.fr", ApplicationStatus.REJECTED)
    return lea, karim, ines, paul


def outbox_recipients() -> list[str]:
    return list(db.session.scalars(select(OutgoingEmail.recipient)))


def test_the_application_page_leads_to_a_confirmation_not_to_a_hire(client, setting):
    lea = setting[0]
    page = client.get(f"/collectivite/candidatures/{lea.id}").page
    assert f'href="/collectivite/candidatures/{lea.id}/retenir"' in page
    assert 'action="/collectivite/candidatures/{lea.id}/retenir"' not in page


def test_the_confirmation_names_the_candidate_and_informs_the_others_by_default(
    client, setting, offer
):
    lea, karim, ines, paul = setting
    response = client.get(f"/collectivite/candidatures/{lea.id}/retenir")
    assert response.status_code == 200
    page = response.page
    assert f"Retenir {lea.candidate.full_name} ?" in page
    assert "L'offre passe à « Pourvue »" in page
    assert "2 autres candidatures sont en cours (" in page
    assert karim.candidate.full_name in page and ines.candidate.full_name in page
    assert paul.candidate.full_name not in page  # already decided: not told again
    # Ticked by default, with the proposed message…
    box = re.search(r"<input[^>]*name=\"notify_others\"[^>]*>", page).group()
    assert " checked " in box and 'type="checkbox"' in box
    assert OTHERS_MESSAGE in page
    # …and the mail they will receive, as the first of them (Karim) will read it.
    assert f"Objet :</span> Réponse à votre candidature — {offer.title}" in page
    assert f"Bonjour {karim.candidate.first_name}," in page
    assert "La commune de Quimperlé n'a pas retenu votre candidature" in page
    # Looking is not hiring.
    db.session.refresh(lea)
    assert lea.status == ApplicationStatus.INTERVIEW and outbox_recipients() == []


def test_the_preview_follows_the_message_typed_and_hires_nothing(client, setting):
    lea, karim = setting[0], setting[1]
    response = client.post(
        f"/collectivite/candidatures/{lea.id}/retenir",
        data={"etape": "apercu", "notify_others": "y", "message": "Nous gardons votre CV."},
    )
    assert response.status_code == 200
    preview = response.page.split("Aperçu du courriel")[1]
    assert "Nous gardons votre CV." in preview and OTHERS_MESSAGE not in preview
    db.session.refresh(lea)
    db.session.refresh(karim)
    assert lea.status == ApplicationStatus.INTERVIEW
    assert karim.status == ApplicationStatus.IN_REVIEW
    assert outbox_recipients() == []


def test_confirming_hires_fills_the_offer_tells_the_others_and_offers_cofunding(
    client, setting, offer, mailbox
):
    lea, karim, ines, paul = setting
    response = client.post(
        f"/collectivite/candidatures/{lea.id}/retenir",
        data={"etape": "confirmer", "notify_others": "y", "message": OTHERS_MESSAGE},
    )
    assert response.headers["Location"] == f"/collectivite/candidatures/{lea.id}"
    for application in setting:
        db.session.refresh(application)
    db.session.refresh(offer)
    assert lea.status == ApplicationStatus.HIRED and offer.status == OfferStatus.FILLED
    assert karim.status == ines.status == ApplicationStatus.REJECTED
    assert karim.rejection_reason == OTHERS_MESSAGE and karim.rejection_reason_shared
    assert paul.rejection_reason != OTHERS_MESSAGE

    mails = mailbox.deliver()
    assert "retenue" in mails.last_to("lea@exemple.fr").subject
    assert OTHERS_MESSAGE in mails.last_to("karim@exemple.fr").text
    assert OTHERS_MESSAGE in mails.last_to("ines@exemple.fr").text
    assert mails.to("paul@exemple.fr") == []

    page = client.get(response.headers["Location"]).page
    assert "Recrutement enregistré : l'offre est pourvue. 2 autres candidats prévenus." in page
    assert "Demander le cofinancement de ce poste" in page
    assert f'href="/collectivite/cofinancements/nouvelle/recrutement/{lea.id}"' in page
    # The candidate of a filled offer no longer sees a pending interview or review.
    assert client.get(f"/collectivite/candidatures/{karim.id}").page.count("Non retenue") >= 1


def test_the_employer_may_untick_informing_the_others(client, setting, mailbox):
    lea, karim, ines, _ = setting
    client.post(f"/collectivite/candidatures/{lea.id}/retenir", data={"etape": "confirmer"})
    for application in (lea, karim, ines):
        db.session.refresh(application)
    assert lea.status == ApplicationStatus.HIRED
    assert karim.status == ApplicationStatus.IN_REVIEW and ines.status == ApplicationStatus.SENT
    mails = mailbox.deliver()
    assert mails.to("karim@exemple.fr") == [] and mails.to("ines@exemple.fr") == []
    page = client.get(f"/collectivite/candidatures/{lea.id}").page
    assert "Recrutement enregistré : l'offre est pourvue." in page
    assert "autres candidats prévenus" not in page


def test_without_other_candidates_the_page_says_so(client, offer):
    only = make_application(offer, "seule@exemple.fr", ApplicationStatus.IN_REVIEW)
    page = client.get(f"/collectivite/candidatures/{only.id}/retenir").page
    assert "Aucune autre candidature n'est en cours sur cette offre." in page
    assert "Aperçu du courriel" not in page and 'name="notify_others"' not in page
    client.post(f"/collectivite/candidatures/{only.id}/retenir", data={"etape": "confirmer"})
    db.session.refresh(only)
    assert only.status == ApplicationStatus.HIRED


def test_a_filed_cofunding_request_is_linked_instead_of_offered(
    client, setting, employer, programme_rule
):
    lea = setting[0]
    client.post(f"/collectivite/candidatures/{lea.id}/retenir", data={"etape": "confirmer"})
    db.session.refresh(lea)
    request = cofunding.create_request(employer, content(), hire=lea)
    page = client.get(f"/collectivite/candidatures/{lea.id}").page
    assert "Demander le cofinancement de ce poste" not in page
    assert f'href="/collectivite/cofinancements/{request.id}"' in page
    assert f"La demande de cofinancement n° {request.id} porte sur ce recrutement" in page


def test_an_application_that_cannot_be_hired_gets_no_confirmation(client, setting):
    ines = setting[2]  # sent: must be examined first
    response = client.get(f"/collectivite/candidatures/{ines.id}/retenir")
    assert response.headers["Location"] == f"/collectivite/candidatures/{ines.id}"
    client.post(f"/collectivite/candidatures/{ines.id}/retenir", data={"etape": "confirmer"})
    db.session.refresh(ines)
    assert ines.status == ApplicationStatus.SENT
    page = client.get(f"/collectivite/candidatures/{ines.id}").page
    assert "Impossible de retenir cette candidature : elle est « envoyée »." in page


def test_confirming_without_the_csrf_token_hires_nobody(client, setting):
    lea = setting[0]
    response = client.post(
        f"/collectivite/candidatures/{lea.id}/retenir",
        data={"etape": "confirmer", "notify_others": "y"},
        csrf=False,
    )
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.page
    db.session.refresh(lea)
    assert lea.status == ApplicationStatus.INTERVIEW


def test_another_organisation_cannot_reach_the_confirmation(app, client, login_as, setting):
    lea = setting[0]
    client.post("/deconnexion")
    commercy = factories.OrganisationFactory(commune__name="Commercy", commune__insee_code="55999")
    login_as(Role.EMPLOYER, organisation=commercy)
    assert client.get(f"/collectivite/candidatures/{lea.id}/retenir").status_code == 404
    response = client.post(
        f"/collectivite/candidatures/{lea.id}/retenir",
        data={"etape": "confirmer", "notify_others": "y"},
    )
    assert response.status_code == 404
    db.session.refresh(lea)
    assert lea.status == ApplicationStatus.INTERVIEW


def test_a_candidate_or_a_visitor_cannot_hire(app, client, login_as, setting):
    lea = setting[0]
    client.post("/deconnexion")
    anonymous = client.get(f"/collectivite/candidatures/{lea.id}/retenir")
    assert anonymous.headers["Location"].startswith("/connexion?next=")
    login_as(Role.CANDIDATE)
    assert client.get(f"/collectivite/candidatures/{lea.id}/retenir").status_code == 403
    assert (
        client.post(
            f"/collectivite/candidatures/{lea.id}/retenir", data={"etape": "confirmer"}
        ).status_code
        == 403
    )
    db.session.refresh(lea)
    assert lea.status == ApplicationStatus.INTERVIEW
