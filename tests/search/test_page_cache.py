"""The rendered search pages and API bodies kept per index view (search/cache.py):
the same bytes as without them, never another visitor's, never older than the
index, the referential or the day."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from itsdangerous import URLSafeTimedSerializer

from recrutement.extensions import db
from recrutement.offers.models import ContractType, OfferStatus
from recrutement.referential.models import Region
from recrutement.search import cache as search_cache
from recrutement.web.api import offers as api_offers
from recrutement.web.public import search as search_page
from tests import factories
from tests.factories import OfferFactory

PAGES = [
    "/offres",
    "/offres?q=revitalisation",
    "/offres?q=chef+de+projet&tri=date",
    "/offres?q=revitalisaton",
    "/offres?par_page=1&page=2",
    "/offres?par_page=1&page=9",
    "/offres?region=53&contrat=project_contract",
    "/offres?commune=29233&rayon=100",
    "/offres?commune=29233&rayon=100&tri=distance",
    "/offres?q=astronaute",
    "/offres?tri=n-importe",
    "/offres?commune=Atlantide",
    "/offres?page=abc",
]

APIS = [
    "/api/v1/offres",
    "/api/v1/offres?q=revitalisation",
    "/api/v1/offres?commune=29233&rayon=100",
    "/api/v1/offres?par_page=1&page=2",
    "/api/v1/offres?q=astronaute",
]


def blanked(html: str) -> str:
    """The page without what differs on every request: the CSP nonce, CSRF tokens."""
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    return re.sub(r'(name="csrf_token" value=")[^"]*"', r'\1"', html)


@pytest.fixture
def offers(referential):
    made = [
        OfferFactory(
            organisation__commune=referential[town],
            title=f"Chef de projet {town}",
            missions=missions,
            contract_type=contract,
        )
        for town, missions, contract in (
            ("quimperle", "La revitalisation du centre-bourg.", ContractType.PROJECT_CONTRACT),
            ("landerneau", "L'urbanisme et la revitalisation.", ContractType.FIXED_TERM),
            ("commercy", "Les friches industrielles.", ContractType.PROJECT_CONTRACT),
        )
    ]
    db.session.commit()
    return made


def pages(client, urls: list[str]) -> list[tuple[int, str]]:
    answers = []
    for url in urls:
        response = client.get(url)
        answers.append((response.status_code, blanked(response.get_data(as_text=True))))
    return answers


def test_the_pages_are_the_same_bytes_with_and_without_the_cache(app, client, offers):
    app.config["SEARCH_PAGE_CACHE_SIZE"] = 0
    uncached = pages(client, PAGES)
    assert len(search_page._fragments) == 0
    app.config["SEARCH_PAGE_CACHE_SIZE"] = 256
    assert pages(client, PAGES) == uncached  # computed and kept
    assert pages(client, PAGES) == uncached  # served from the cache
    # Every valid search was kept (invalid ones are not).
    assert len(search_page._fragments) == len(PAGES) - 2
    statuses = [status for status, _ in uncached]
    assert statuses == [200] * 10 + [400, 200, 200]
    assert "revitalisation" in uncached[3][1] and "Vouliez-vous dire" in uncached[3][1]
    assert "Chef de projet quimperle" in uncached[0][1]


def test_the_api_bodies_are_the_same_with_and_without_the_cache(app, client, offers):
    app.config["SEARCH_CACHE_SIZE"] = 0  # turns both caches off
    uncached = [client.get(url).get_data() for url in APIS]
    assert len(api_offers._bodies) == 0
    app.config["SEARCH_CACHE_SIZE"] = 512
    for _ in range(2):
        assert [client.get(url).get_data() for url in APIS] == uncached
    assert len(api_offers._bodies) == len(APIS)
    assert b"Chef de projet quimperle" in uncached[0]


def test_the_cache_is_bounded(app, client, offers):
    app.config["SEARCH_PAGE_CACHE_SIZE"] = 2
    for url in PAGES[:4]:
        client.get(url)
    assert len(search_page._fragments) == 2


def own_token(client) -> str:
    """The raw CSRF token of the client's session."""
    with client.session_transaction() as session:
        return session["csrf_token"]


def test_a_candidate_never_gets_another_visitors_token_or_account(app, client, offers):
    """Two candidates (and an anonymous visitor) ask for the same search, the second
    and third served from the cache: each sees their own name and a token of their
    own session, with which their alert is saved."""
    clients = {}
    for name in ("Alice", "Bruno"):
        user = factories.UserFactory(role="candidate", first_name=name, last_name="Martin")
        db.session.commit()
        clients[name] = candidate = app.test_client()
        response = candidate.post(
            "/connexion", data={"email": user.email, "password": factories.PASSWORD}
        )
        assert response.status_code == 302
    serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    url = "/offres?q=revitalisation"
    anonymous = client.get(url).get_data(as_text=True)
    assert "Connectez-vous pour recevoir ces offres" in anonymous
    assert 'name="csrf_token"' not in anonymous
    for name, other in (("Alice", "Bruno"), ("Bruno", "Alice")):
        html = clients[name].get(url).get_data(as_text=True)
        assert f"{name} Martin" in html and f"{other} Martin" not in html
        assert "Connectez-vous pour recevoir ces offres" not in html
        tokens = re.findall(r'name="csrf_token" value="([^"]*)"', html)
        assert tokens and {serializer.loads(token) for token in tokens} == {
            own_token(clients[name])
        }
        assert "Chef de projet quimperle" in html
    assert len(search_page._fragments) == 1
    assert own_token(clients["Alice"]) != own_token(clients["Bruno"])


def test_a_publication_a_change_and_a_withdrawal_show_at_once(client, referential, offers):
    def titles(url: str = "/offres") -> list[str]:
        html = client.get(url).get_data(as_text=True)
        return re.findall(r'class="app-result__title"><a href="[^"]*">([^<]*)<', html)

    assert sorted(titles()) == sorted(offer.title for offer in offers)
    assert titles() == titles()  # the second from the cache

    new = OfferFactory(organisation__commune=referential["mellac"], title="Cheffe de projet Mellac")
    db.session.commit()
    assert "Cheffe de projet Mellac" in titles()

    new.title = "Cheffe de projet Mellac et Quimperlé"
    db.session.commit()
    assert "Cheffe de projet Mellac et Quimperlé" in titles()
    assert "Cheffe de projet Mellac" not in titles()

    # A change the page shows but the search does not rank on: still a new index view.
    offers[0].organisation.name = "Commune nouvelle de Quimperlé"
    db.session.commit()
    assert "Commune nouvelle de Quimperlé" in client.get("/offres").get_data(as_text=True)

    new.status = OfferStatus.CLOSED
    db.session.commit()
    assert "Cheffe de projet Mellac et Quimperlé" not in titles()
    assert len(titles()) == len(offers)


def test_a_renamed_region_shows_at_once(client, referential, offers):
    for _ in range(2):
        page = client.get("/offres?region=53").get_data(as_text=True)
        assert "Bretagne" in page and "Breizh" not in page
    # What `flask referential load` does, from another process: no index task.
    db.session.get(Region, "53").name = "Bretagne (Breizh)"
    db.session.commit()
    renamed = client.get("/offres?region=53").get_data(as_text=True)
    # In the filter's options and in the tag of the active filter.
    assert renamed.count("Bretagne (Breizh)") >= 2


def test_the_deadlines_are_counted_from_the_day_in_paris(client, referential):
    with time_machine.travel("2026-06-10 23:59:00+02:00", tick=False) as clock:
        OfferFactory(
            organisation__commune=referential["quimperle"],
            title="Chef de projet Quimperlé",
            application_deadline=date(2026, 6, 12),
        )
        OfferFactory(
            organisation__commune=referential["commercy"],
            title="Chef de projet Commercy",
            application_deadline=date(2026, 6, 10),
        )
        db.session.commit()
        for _ in range(2):
            html = client.get("/offres").get_data(as_text=True)
            assert "12/06/2026 (dans 2 jours)" in html
            assert "10/06/2026 (aujourd'hui)" in html
        body = client.get("/api/v1/offres").get_json()
        assert body["total"] == 2
        # 00:00 in Paris is still 22:00 the day before in UTC.
        clock.move_to("2026-06-11 00:00:30+02:00")
        html = client.get("/offres").get_data(as_text=True)
        assert "12/06/2026 (demain)" in html
        assert "Chef de projet Commercy" not in html
        assert client.get("/api/v1/offres").get_json()["total"] == 1


def test_the_page_cache_follows_the_result_cache_switch(app):
    with app.test_request_context():
        assert search_cache.page_cache_size() == 256
        app.config["SEARCH_CACHE_SIZE"] = 0
        assert search_cache.page_cache_size() == 0
        app.config["SEARCH_CACHE_SIZE"] = 512
        app.config["SEARCH_PAGE_CACHE_SIZE"] = 0
        assert search_cache.page_cache_size() == 0
