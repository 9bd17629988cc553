"""What the fuzzing harness found, each as the case that found it (on SQLite and
PostgreSQL alike): these answered 500, or refused without a French message the user
could see, before the fix."""

from __future__ import annotations

import pytest

from recrutement.accounts.models import Role
from recrutement.cofunding import instruction
from recrutement.core.validators import whole_number
from recrutement.extensions import db
from recrutement.organisations.models import OrganisationStatus
from recrutement.security import MAX_QUERY_STRING
from recrutement.web.forms import MAX_PAGE, page_number
from tests import factories
from tests.applications.test_employer_handling import make_application
from tests.cofunding.test_instruction_pages import in_instruction, sign_in

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("0", 0),
        (HUGE, None),
        ("2147483648", None),
        ("²", None),
        ("١٢", None),
        ("-1", None),
        ("1e3", None),
        ("", None),
        (None, None),
    ],
)
def test_whole_numbers_are_ascii_digits_within_an_integer_column(raw, expected):
    assert whole_number(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [("²", 1), ("١٢", 1), (HUGE, MAX_PAGE), ("0", 1)])
def test_page_numbers_refuse_digits_int_cannot_read(raw, expected):
    assert page_number({"page": raw}) == expected


def test_a_huge_offer_number_in_the_moderation_search_finds_nothing(app, people):
    admin = sign_in(app, factories.UserFactory(role=Role.ADMIN))
    response = admin.get(f"/pilotage/offres?q={HUGE}")
    assert response.status_code == 200
    assert admin.get("/pilotage/offres?page=%C2%B2").status_code == 200


def test_a_huge_application_number_in_a_bulk_rejection_is_not_an_application(app, people):
    offer = factories.OfferFactory(organisation=people.quimperle)
    application = make_application(offer, "lea@exemple.fr")
    employer = sign_in(app, people.employer)
    response = employer.post(
        f"/collectivite/offres/{offer.id}/candidatures/refuser",
        data={"application_ids": [HUGE, "²"], "reason": ""},
    )
    assert response.status_code == 302
    assert "Cochez au moins une candidature" in employer.get(response.headers["Location"]).page
    assert application.status == "sent"


def test_a_decision_sent_on_an_organisation_decided_meanwhile_says_so(app, people, referential):
    pending = factories.OrganisationFactory(
        commune=referential["landerneau"], name="Landerneau", status=OrganisationStatus.PENDING
    )
    prefecture = sign_in(app, people.prefecture)
    other_tab = {"decision": "refuse", "reason": "0"}
    assert (
        prefecture.post(f"/prefecture/collectivites/{pending.id}", data={"decision": "validate"})
    ).status_code == 302
    response = prefecture.post(f"/prefecture/collectivites/{pending.id}", data=other_tab)
    assert response.status_code == 400
    assert "fr-alert--error" in response.get_data(as_text=True)
    assert "déjà été traitée entre-temps" in response.page
    db.session.refresh(pending)
    assert pending.status == OrganisationStatus.VALIDATED


def test_amounts_sent_on_a_request_decided_meanwhile_say_so(app, people):
    found = in_instruction(people)
    version = found.version
    instruction.refuse(people.prefecture, found, "Le poste n'est pas celui du programme.")
    prefecture = sign_in(app, people.prefecture)
    response = prefecture.post(
        f"/prefecture/demandes/{found.id}/montants",
        data={"version": version, "anct": ":", "bdt": "1 000"},
    )
    assert response.status_code == 302
    page = prefecture.get(response.headers["Location"]).page
    assert "Impossible : la demande est « refusée », cette action n'y est plus possible." in page


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/collectivites",
        "/inscription/collectivite",
        "/pilotage/comptes",
        "/pilotage/collectivites",
        "/pilotage/offres",
    ],
)
def test_a_query_string_longer_than_gunicorn_takes_is_refused_in_french(app, people, path):
    admin = sign_in(app, factories.UserFactory(role=Role.ADMIN))
    response = admin.get(f"{path}?q={'x' * MAX_QUERY_STRING}")
    assert response.status_code == 414
    if path.startswith("/api/"):
        assert response.json["erreur"] == "Adresse trop longue"
    else:
        assert "<h1>Adresse trop longue</h1>" in response.get_data(as_text=True)
    assert admin.get(f"{path}?q={'x' * 4000}").status_code == 200
