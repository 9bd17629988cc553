"""An employer drafts, previews, publishes, edits, closes, republishes, fills and
duplicates offers; every move is checked, timestamped and logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from recrutement.accounts.models import Role
from recrutement.core.models import AuditEvent
from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.offers.models import Offer, OfferStatus
from recrutement.offers.rules import add_months, earliest_deadline
from recrutement.offers.services import expire_due
from recrutement.organisations.models import OrganisationStatus
from tests import factories


def offer_form(**overrides):
    today = paris_today()
    data = {
        "title": "",
        "recruiting_authority": "Le maire de Quimperlé",
        "post_is_new": "1",
        "towns": ["29233"],
        "workplace_insee_code": "29233",
        "contract_type": "project_contract",
        "duration_months": "36",
        "category": "A",
        "grades": "Attaché territorial, ingénieur territorial",
        "working_time_percent": "100",
        "remote_work": "occasional",
        "salary_min": "36000",
        "salary_max": "46000",
        "start_date": (today + timedelta(days=75)).isoformat(),
        "application_deadline": (today + timedelta(days=45)).isoformat(),
        "missions": "Piloter la revitalisation du centre-bourg.",
        "profile": "Urbaniste ou développeur territorial.",
        "benefits": "RTT et télétravail.",
        "experience": "confirmed",
        "contact_name": "Erwan Tanguy",
        "contact_email": "drh@quimperle.fr",
        "contact_phone": "02 98 96 37 37",
    }
    data.update(overrides)
    return data


@pytest.fixture
def employer(login_as):
    return login_as(Role.EMPLOYER)


def latest_offer() -> Offer:
    return db.session.scalars(select(Offer).order_by(Offer.id.desc())).first()


def test_add_months_clamps_to_the_end_of_month():
    from datetime import date

    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert earliest_deadline(date(2026, 11, 22)) == date(2026, 12, 22)


def test_employer_drafts_previews_and_publishes(client, employer):
    form_page = client.get("/collectivite/offres/nouvelle").page
    assert "drh" not in form_page and employer.email in form_page  # contact prefilled
    response = client.post("/collectivite/offres/nouvelle", data=offer_form())
    offer = latest_offer()
    assert response.headers["Location"] == f"/collectivite/offres/{offer.id}"
    assert offer.status == OfferStatus.DRAFT
    assert offer.title == "Chef de projet Petites villes de demain"  # the default
    assert [town.insee_code for town in offer.towns] == ["29233"]

    # Drafts are not public, but the preview shows the page candidates will see.
    assert client.get(f"/offres/{offer.id}").status_code == 404
    preview = client.get(f"/collectivite/offres/{offer.id}/apercu").page
    assert "Aperçu" in preview and "Piloter la revitalisation du centre-bourg." in preview
    assert "application/ld+json" not in preview

    client.post(f"/collectivite/offres/{offer.id}/publier")
    db.session.refresh(offer)
    assert offer.status == OfferStatus.PUBLISHED
    assert offer.published_at and offer.first_published_at
    assert client.get(f"/offres/{offer.id}").status_code == 200

    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "offer")
    ).all()
    assert actions == ["offer.created", "offer.publish"]


def test_form_keeps_input_and_explains_errors(client, employer):
    response = client.post(
        "/collectivite/offres/nouvelle",
        data=offer_form(missions="", duration_months="", application_deadline="31/02/2026"),
    )
    page = response.page
    assert response.status_code == 400
    assert "Saisissez une date valide" in page
    assert "Urbaniste ou développeur territorial." in page
    assert db.session.scalar(select(Offer)) is None


def test_fixed_term_contract_needs_a_duration(client, employer):
    response = client.post("/collectivite/offres/nouvelle", data=offer_form(duration_months=""))
    assert response.status_code == 400
    assert "Indiquez la durée du contrat" in response.page


def test_publication_refused_while_organisation_is_pending(client, login_as, referential):
    organisation = factories.OrganisationFactory(
        commune=referential["quimperle"], status=OrganisationStatus.PENDING
    )
    login_as(Role.EMPLOYER, organisation=organisation)
    client.post("/collectivite/offres/nouvelle", data=offer_form())
    offer = latest_offer()
    assert offer.status == OfferStatus.DRAFT  # drafting is allowed
    response = client.post(f"/collectivite/offres/{offer.id}/publier", follow_redirects=True)
    assert "pas encore validée par la préfecture" in response.page
    db.session.refresh(offer)
    assert offer.status == OfferStatus.DRAFT


def test_publication_refused_with_a_deadline_under_one_month(client, employer):
    short = (paris_today() + timedelta(days=20)).isoformat()
    client.post("/collectivite/offres/nouvelle", data=offer_form(application_deadline=short))
    offer = latest_offer()
    response = client.post(f"/collectivite/offres/{offer.id}/publier", follow_redirects=True)
    assert "au moins un mois" in response.page
    assert "minimum légal" in response.page
    db.session.refresh(offer)
    assert offer.status == OfferStatus.DRAFT


def test_edit_a_published_offer_keeps_the_one_month_rule(client, employer):
    offer = factories.OfferFactory(organisation=employer.organisation)
    short = (paris_today() + timedelta(days=10)).isoformat()
    response = client.post(
        f"/collectivite/offres/{offer.id}/modifier", data=offer_form(application_deadline=short)
    )
    assert response.status_code == 400
    ok = client.post(
        f"/collectivite/offres/{offer.id}/modifier", data=offer_form(missions="Nouvelles missions.")
    )
    assert ok.status_code == 302
    db.session.refresh(offer)
    assert offer.missions == "Nouvelles missions."
    assert offer.status == OfferStatus.PUBLISHED


def test_close_asks_for_confirmation_then_republish(client, employer):
    offer = factories.OfferFactory(organisation=employer.organisation)
    confirm = client.get(f"/collectivite/offres/{offer.id}/cloturer")
    assert "Clôturer l'offre ?" in confirm.page
    db.session.refresh(offer)
    assert offer.status == OfferStatus.PUBLISHED  # nothing happens on GET

    client.post(f"/collectivite/offres/{offer.id}/cloturer")
    db.session.refresh(offer)
    assert offer.status == OfferStatus.CLOSED and offer.closed_at
    assert client.get(f"/offres/{offer.id}").status_code == 404

    too_soon = (paris_today() + timedelta(days=5)).isoformat()
    client.post(
        f"/collectivite/offres/{offer.id}/republier", data={"application_deadline": too_soon}
    )
    db.session.refresh(offer)
    assert offer.status == OfferStatus.CLOSED

    later = (paris_today() + timedelta(days=40)).isoformat()
    client.post(f"/collectivite/offres/{offer.id}/republier", data={"application_deadline": later})
    db.session.refresh(offer)
    assert offer.status == OfferStatus.PUBLISHED
    assert offer.application_deadline.isoformat() == later


def test_mark_filled_and_forbidden_moves(client, employer):
    offer = factories.OfferFactory(organisation=employer.organisation)
    client.post(f"/collectivite/offres/{offer.id}/pourvue")
    db.session.refresh(offer)
    assert offer.status == OfferStatus.FILLED and offer.filled_at
    response = client.post(f"/collectivite/offres/{offer.id}/cloturer", follow_redirects=True)
    assert "ne peut pas être clôturée" in response.page
    edit = client.post(f"/collectivite/offres/{offer.id}/modifier", data=offer_form())
    assert "ne peut plus être modifiée" in edit.page


def test_duplicate_creates_a_draft_copy(client, employer):
    offer = factories.OfferFactory(
        organisation=employer.organisation, missions="Texte à reprendre."
    )
    response = client.post(f"/collectivite/offres/{offer.id}/dupliquer")
    copy = latest_offer()
    assert copy.id != offer.id
    assert response.headers["Location"] == f"/collectivite/offres/{copy.id}/modifier"
    assert copy.status == OfferStatus.DRAFT and copy.published_at is None
    assert copy.missions == "Texte à reprendre."
    assert [t.insee_code for t in copy.towns] == [t.insee_code for t in offer.towns]


def test_offers_list_shows_states_and_dates(client, employer):
    factories.OfferFactory(organisation=employer.organisation, title="Offre publiée")
    factories.OfferFactory(
        organisation=employer.organisation, title="Offre brouillon", status=OfferStatus.DRAFT
    )
    page = client.get("/collectivite/offres").page
    assert "Offre publiée" in page and "Offre brouillon" in page
    assert "Brouillon" in page and "Publiée" in page
    drafts = client.get("/collectivite/offres?etat=draft").page
    assert "Offre brouillon" in drafts and "Offre publiée" not in drafts


def test_expired_offers_are_never_shown_open_and_expire_by_command(client, runner, employer):
    offer = factories.OfferFactory(
        organisation=employer.organisation,
        application_deadline=paris_today() - timedelta(days=1),
    )
    # Past its deadline, the offer is hidden even before the command runs.
    assert client.get(f"/offres/{offer.id}").status_code == 404
    result = runner.invoke(args=["offers", "expire"])
    assert "1 offre expirée" in result.output
    db.session.refresh(offer)
    assert offer.status == OfferStatus.EXPIRED and offer.expired_at
    assert expire_due() == 0


def test_history_shows_who_did_what(client, employer):
    client.post("/collectivite/offres/nouvelle", data=offer_form())
    offer = latest_offer()
    client.post(f"/collectivite/offres/{offer.id}/publier")
    page = client.get(f"/collectivite/offres/{offer.id}").page
    assert "Création" in page and "Publication" in page
    assert employer.full_name in page
