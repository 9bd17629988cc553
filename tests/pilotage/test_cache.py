"""The dashboard's summaries are reused while nothing that changes the figures was
written, and for a minute at most; every process sees a write made by another."""

from __future__ import annotations

from datetime import timedelta

import pytest

from recrutement.accounts.models import Role
from recrutement.applications import services as applications
from recrutement.applications.models import ApplicationStatus
from recrutement.extensions import db
from recrutement.offers.models import OfferStatus
from recrutement.pilotage import scope
from recrutement.pilotage.cache import cached_summary
from tests import factories
from tests.applications.test_employer_handling import make_application
from tests.support import later


@pytest.fixture
def cache_on(app):
    app.config["DASHBOARD_CACHE_SECONDS"] = 60
    return app


def test_a_summary_is_reused_until_a_write_changes_the_figures(cache_on, login_as):
    employer = login_as(Role.EMPLOYER)
    offer = factories.OfferFactory(organisation=employer.organisation)
    first = cached_summary(scope.france())
    assert cached_summary(scope.france()) is first  # nothing written: reused
    application = make_application(offer, "lea@exemple.fr", ApplicationStatus.INTERVIEW)
    second = cached_summary(scope.france())
    assert second is not first and second.applications == first.applications + 1
    applications.hire(employer, application)  # journaled: offer filled, recruit recorded
    third = cached_summary(scope.france())
    assert third is not second and third.in_post + third.filled_offers > 0
    assert third.filled_offers == 1


def test_an_unjournaled_write_elsewhere_shows_within_a_minute(cache_on, referential):
    organisation = factories.OrganisationFactory(commune=referential["quimperle"])
    first = cached_summary(scope.france())
    # Another process changes an offer's state without a journal entry; the number of
    # published offers is in the fingerprint too, so take a write that escapes it.
    offer = factories.OfferFactory(organisation=organisation, status=OfferStatus.CLOSED)
    assert cached_summary(scope.france()) is first
    with later(timedelta(seconds=61)):
        fresh = cached_summary(scope.france())
    assert fresh is not first
    assert offer.id  # the write happened


def test_scopes_and_applications_keep_their_own_summaries(cache_on, referential):
    france, finistere = cached_summary(scope.france()), cached_summary(scope.department("29"))
    assert france is not finistere
    assert cached_summary(scope.department("29")) is finistere
    assert cached_summary(scope.department("29")).scope.code == "29"


def test_off_in_tests_by_default(app, referential):
    assert app.config["DASHBOARD_CACHE_SECONDS"] == 0
    assert cached_summary(scope.france()) is not cached_summary(scope.france())
    db.session.rollback()


def test_the_page_draws_its_maps_and_charts_once_per_summary(cache_on, client, referential):
    assert client.get("/statistiques").status_code == 200
    summary = cached_summary(scope.france())
    assert {"maps", "charts"} <= set(summary.rendered)
    drawn = summary.rendered["maps"]
    assert client.get("/statistiques").status_code == 200
    assert cached_summary(scope.france()).rendered["maps"] is drawn
