"""Offers for the search tests: published, open for 45 days, in the organisation's town."""

from __future__ import annotations

from datetime import timedelta

import factory

from recrutement.core.time import utcnow
from recrutement.offers.models import ContractType, Experience, Offer, OfferStatus, RemoteWork
from recrutement.search.query import paris_today
from tests.factories import BaseFactory, OrganisationFactory


class OfferFactory(BaseFactory):
    class Meta:
        model = Offer

    organisation = factory.SubFactory(OrganisationFactory)
    workplace = factory.LazyAttribute(lambda o: o.organisation.commune)
    towns = factory.LazyAttribute(lambda o: [o.workplace])
    status = OfferStatus.PUBLISHED
    contract_type = ContractType.PROJECT_CONTRACT
    experience = Experience.CONFIRMED
    remote_work = RemoteWork.OCCASIONAL
    application_deadline = factory.LazyFunction(lambda: paris_today() + timedelta(days=45))
    published_at = factory.LazyAttribute(
        lambda o: utcnow() if o.status == OfferStatus.PUBLISHED else None
    )
    missions = "Vous pilotez le projet de revitalisation du centre-ville."
    profile = "Formation en développement local."
    benefits = "Télétravail possible."
