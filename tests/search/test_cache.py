"""The search results cache (search/cache.py): never older than the index, nor than the day."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from recrutement.extensions import db
from recrutement.offers.models import ContractType, Experience, Offer, OfferStatus
from recrutement.search import query
from recrutement.search.query import SearchParams, search_offers
from tests import factories
from tests.factories import OfferFactory
from tests.search.processes import run_process


def found(**args) -> list[int]:
    return search_offers(SearchParams.from_args(args)).offer_ids


def cached_twice(**args) -> list[int]:
    """Search twice, so that the second answer, the one returned, comes from the cache."""
    first = found(**args)
    assert found(**args) == first
    assert len(query._results) >= 1
    return first


@pytest.fixture
def organisations(referential):
    return {
        name: factories.OrganisationFactory(commune=referential[name])
        for name in ("quimperle", "landerneau", "commercy")
    }


def test_the_cache_is_on_by_default_and_bounded(app, organisations):
    assert app.config["SEARCH_CACHE_SIZE"] == 512
    OfferFactory(organisation=organisations["quimperle"])
    app.config["SEARCH_CACHE_SIZE"] = 2
    for text in ("revitalisation", "urbanisme", "centre"):
        found(q=text)
    assert len(query._results) == 2


def test_a_publication_a_change_and_a_withdrawal_are_seen_at_once(organisations):
    first = OfferFactory(organisation=organisations["quimperle"])
    assert cached_twice(q="revitalisation") == [first.id]

    second = OfferFactory(organisation=organisations["commercy"])
    assert sorted(cached_twice(q="revitalisation")) == sorted([first.id, second.id])

    second.missions = "La requalification des friches industrielles."
    db.session.commit()
    assert cached_twice(q="revitalisation") == [first.id]
    assert cached_twice(q="friches") == [second.id]

    first.status = OfferStatus.CLOSED
    db.session.commit()
    assert cached_twice(q="revitalisation") == []
    assert found() == [second.id]


def test_an_offer_leaves_the_cached_results_at_midnight_paris(organisations):
    with time_machine.travel("2026-06-10 23:59:00+02:00", tick=False) as clock:
        closing = OfferFactory(
            organisation=organisations["quimperle"], application_deadline=date(2026, 6, 10)
        )
        staying = OfferFactory(
            organisation=organisations["commercy"], application_deadline=date(2026, 6, 11)
        )
        assert sorted(cached_twice()) == sorted([closing.id, staying.id])
        # 00:00 in Paris is still 22:00 the day before in UTC.
        clock.move_to("2026-06-11 00:00:30+02:00")
        assert found() == [staying.id]


def test_a_cached_result_is_the_callers_own(organisations):
    offer = OfferFactory(organisation=organisations["quimperle"])
    results = search_offers(SearchParams())
    results.hits.clear()
    results.facets["region"]["53"] = 99
    again = search_offers(SearchParams())
    assert again.offer_ids == [offer.id]
    assert again.facets["region"] == {"53": 1}


SEARCHES = [
    {},
    {"q": "revitalisation"},
    {"q": "urbanisme OU friches", "tri": "date"},
    {"contrat": "project_contract", "region": "53"},
    {"commune": "29233", "rayon": "100", "tri": "distance"},
    {"par_page": "1", "page": "2"},
    {"q": "revitalisaton"},
]


def test_the_cache_changes_no_result(app, organisations):
    for number, (name, organisation) in enumerate(sorted(organisations.items())):
        OfferFactory(
            organisation=organisation,
            title=f"Chef de projet {name}",
            contract_type=(ContractType.PROJECT_CONTRACT, ContractType.PERMANENT)[number % 2],
            experience=(Experience.CONFIRMED, Experience.SENIOR)[number % 2],
            missions="La revitalisation et l'urbanisme" if number else "Les friches.",
        )
    query._results.clear()
    app.config["SEARCH_CACHE_SIZE"] = 0
    uncached = [search_offers(SearchParams.from_args(args)) for args in SEARCHES]
    assert len(query._results) == 0
    app.config["SEARCH_CACHE_SIZE"] = 512
    for _ in range(2):
        assert [search_offers(SearchParams.from_args(args)) for args in SEARCHES] == uncached
    assert len(query._results) == len(SEARCHES)
    assert all(results.hits for results in uncached[:-1])
    assert uncached[-1].suggestion == "revitalisation"


# --- Two processes ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.real_commits
def test_another_process_publishing_is_seen_by_this_one(app, organisations):
    organisation = organisations["quimperle"]
    first = OfferFactory(organisation=organisation)
    db.session.commit()
    assert cached_twice(q="revitalisation") == [first.id]

    run_process(app, organisation, 'publish("Chef de projet publié par un autre processus")')

    db.session.expire_all()
    other = db.session.scalar(select(Offer.id).where(Offer.title.contains("autre processus")))
    assert other is not None
    # That process indexed its offer itself: only the index (on disk, or the search
    # tables' version) tells this one.
    assert sorted(found(q="revitalisation")) == sorted([first.id, other])
