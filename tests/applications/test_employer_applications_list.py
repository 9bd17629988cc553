"""Every application of the organisation in one list (/collectivite/candidatures),
filtered by state and offer, paginated, reached from the navigation; nothing of
another organisation's ever listed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from recrutement.accounts.models import Role
from recrutement.applications.models import ApplicationStatus
from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.web.employer.applications import APPLICATIONS_PAGE_SIZE
from tests import factories
from tests.applications.test_employer_handling import make_application


@pytest.fixture
def employer(login_as):
    return login_as(Role.EMPLOYER)


@pytest.fixture
def two_offers(employer):
    first = factories.OfferFactory(organisation=employer.organisation, title="Urbaniste PVD")
    second = factories.OfferFactory(organisation=employer.organisation, title="Manager de ville")
    return first, second


def names(page: str, applications) -> list[str]:
    """The candidates of `applications` that the page lists, in the page's order."""
    listed = [(page.find(a.candidate.full_name), a.candidate.full_name) for a in applications]
    return [name for position, name in sorted(listed) if position >= 0]


def test_all_applications_across_offers_newest_first(client, two_offers, referential):
    first, second = two_offers
    old = make_application(first, "ancienne@exemple.fr", ApplicationStatus.IN_REVIEW)
    old.created_at = utcnow() - timedelta(days=5)
    new = make_application(second, "recente@exemple.fr")
    foreign = make_application(
        factories.OfferFactory(organisation__commune=referential["commercy"]), "x@exemple.fr"
    )
    db.session.commit()
    page = client.get("/collectivite/candidatures").page
    assert "2 candidatures" in page
    assert names(page, [old, new, foreign]) == [new.candidate.full_name, old.candidate.full_name]
    assert "Urbaniste PVD" in page and "Manager de ville" in page
    assert "En cours d'examen" in page and "Envoyée" in page
    assert f'href="/collectivite/candidatures/{new.id}"' in page


def test_filters_by_state_and_by_offer(client, two_offers):
    first, second = two_offers
    a = make_application(first, "a@exemple.fr", ApplicationStatus.INTERVIEW)
    b = make_application(first, "b@exemple.fr")
    c = make_application(second, "c@exemple.fr", ApplicationStatus.INTERVIEW)
    everyone = [a, b, c]

    by_state = client.get("/collectivite/candidatures?etat=interview").page
    assert "2 candidatures pour ces filtres" in by_state
    assert sorted(names(by_state, everyone)) == sorted(
        [a.candidate.full_name, c.candidate.full_name]
    )

    by_offer = client.get(f"/collectivite/candidatures?offre={first.id}").page
    assert sorted(names(by_offer, everyone)) == sorted(
        [a.candidate.full_name, b.candidate.full_name]
    )
    assert f'<option value="{first.id}" selected>' in by_offer

    both = client.get(f"/collectivite/candidatures?etat=interview&offre={first.id}").page
    assert "1 candidature pour ces filtres" in both and names(both, everyone) == [
        a.candidate.full_name
    ]

    nothing = client.get("/collectivite/candidatures?etat=hired").page
    assert "Aucune candidature ne correspond à ces filtres." in nothing
    assert "Retirer les filtres" in nothing


def test_another_organisation_s_offer_as_a_filter_lists_nothing(client, employer, referential):
    theirs = factories.OfferFactory(organisation__commune=referential["commercy"])
    secret = make_application(theirs, "x@exemple.fr")
    response = client.get(f"/collectivite/candidatures?offre={theirs.id}")
    assert response.status_code == 200
    assert secret.candidate.full_name not in response.page
    assert "Aucune candidature ne correspond à ces filtres." in response.page
    assert f'value="{theirs.id}"' not in response.page


def test_pages_of_twenty_five(client, two_offers):
    first = two_offers[0]
    for number in range(APPLICATIONS_PAGE_SIZE + 1):
        make_application(first, f"candidat{number}@exemple.fr")
    page_one = client.get("/collectivite/candidatures").page
    assert "26 candidatures — page 1 sur 2" in page_one
    assert page_one.count('href="/collectivite/candidatures/') == APPLICATIONS_PAGE_SIZE
    assert "Page suivante" in page_one
    page_two = client.get("/collectivite/candidatures?page=2").page
    assert page_two.count('href="/collectivite/candidatures/') == 1
    beyond = client.get("/collectivite/candidatures?page=9")
    assert beyond.status_code == 200
    assert "Cette page est vide" in beyond.page


def test_bad_parameters_are_ignored_not_errors(client, two_offers):
    make_application(two_offers[0], "a@exemple.fr")
    for query in ("etat=zzz", "offre=abc", "offre=99999999999999999999", "page=²"):
        response = client.get(f"/collectivite/candidatures?{query}")
        assert response.status_code == 200, query
    assert "1 candidature" in client.get("/collectivite/candidatures?etat=zzz").page


def test_empty_state_and_navigation(client, employer):
    page = client.get("/collectivite/candidatures").page
    assert "Aucune candidature reçue pour le moment." in page
    assert "Toutes les candidatures reçues sur les offres de la commune de Quimperlé" in page
    home = client.get("/collectivite/").page
    assert 'class="fr-nav__link" href="/collectivite/candidatures"' in home


def test_only_employers_reach_the_list(client, login_as):
    assert (
        client.get("/collectivite/candidatures").headers["Location"].startswith("/connexion?next=")
    )
    login_as(Role.PREFECTURE)
    assert client.get("/collectivite/candidatures").status_code == 403
