"""Findings of the security audit on numbers, pages, deadlines and methods (issue 10,
points 7, 11 and 12): each used to answer 500 or accept what it should refuse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from recrutement.accounts.models import Role
from recrutement.cofunding.models import CofundingRequest
from recrutement.core.money import parse_euros
from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.offers.models import Offer, OfferStatus
from recrutement.web.forms import MAX_PAGE, page_number
from tests import factories
from tests.cofunding.test_employer_pages import form_data as request_form
from tests.cofunding.test_instruction_pages import in_instruction, sign_in
from tests.offers.test_lifecycle import offer_form

HUGE = "99999999999999999999999"


def test_a_working_time_above_100_is_a_french_message_not_a_500(client, login_as):
    login_as(Role.EMPLOYER)
    response = client.post(
        "/collectivite/offres/nouvelle", data=offer_form(working_time_percent="101")
    )
    assert response.status_code == 400
    assert "Entre 50 et 100 %." in response.page
    assert db.session.scalar(select(func.count(Offer.id))) == 0


@pytest.mark.parametrize("value", ["1e30", "-5", "NaN", "Infinity", "1" * 40, "12 000 000"])
def test_amounts_out_of_range_are_refused(value):
    with pytest.raises(ValueError):
        parse_euros(value)


def test_a_huge_annual_cost_is_refused_and_nothing_is_saved(client, login_as, people):
    login_as(Role.EMPLOYER, organisation=people.quimperle)
    response = client.post(
        "/collectivite/cofinancements/nouvelle/poste", data=request_form(annual_loaded_cost="1e30")
    )
    assert response.status_code == 400
    assert "montant en euros" in response.page
    assert db.session.scalar(select(func.count(CofundingRequest.id))) == 0


def test_a_huge_adjusted_part_is_refused(app, people):
    found = in_instruction(people)
    prefecture = sign_in(app, people.prefecture)
    response = prefecture.post(
        f"/prefecture/demandes/{found.id}/montants",
        data={"version": found.version, "anct": "1 000", "bdt": "1e30"},
    )
    assert response.status_code == 400
    assert "montant en euros" in response.page


@pytest.mark.parametrize(
    ("raw", "page"), [("", 1), ("0", 1), ("-3", 1), ("abc", 1), ("7", 7), (HUGE, MAX_PAGE)]
)
def test_page_numbers_are_bounded(raw, page):
    assert page_number({"page": raw}) == page


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.EMPLOYER, "/collectivite/offres"),
        (Role.EMPLOYER, "/collectivite/cofinancements"),
        (Role.CANDIDATE, "/candidat/candidatures"),
        (Role.PREFECTURE, "/prefecture/demandes"),
        (Role.ADMIN, "/pilotage/offres"),
        (Role.ADMIN, "/pilotage/comptes"),
        (Role.ADMIN, "/pilotage/collectivites"),
    ],
)
def test_list_pages_survive_a_huge_page_number(client, login_as, role, path):
    login_as(role)
    response = client.get(f"{path}?page={HUGE}")
    assert response.status_code == 200, path


def test_deadlines_are_bounded_on_create_and_republish(client, login_as):
    employer = login_as(Role.EMPLOYER)
    response = client.post(
        "/collectivite/offres/nouvelle", data=offer_form(application_deadline="9999-12-31")
    )
    assert response.status_code == 400
    assert "ne peut pas dépasser un an après la publication" in response.page
    offer = factories.OfferFactory(organisation=employer.organisation, status=OfferStatus.CLOSED)
    client.post(
        f"/collectivite/offres/{offer.id}/republier", data={"application_deadline": "9999-12-31"}
    )
    db.session.refresh(offer)
    assert offer.status == OfferStatus.CLOSED
    within_a_year = (paris_today() + timedelta(days=300)).isoformat()
    client.post(
        f"/collectivite/offres/{offer.id}/republier", data={"application_deadline": within_a_year}
    )
    db.session.refresh(offer)
    assert offer.status == OfferStatus.PUBLISHED


def test_a_405_names_the_allowed_methods(client):
    response = client.post("/offres", data={})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    api = client.delete("/api/v1/offres")
    assert api.status_code == 405 and "GET" in api.headers["Allow"]
