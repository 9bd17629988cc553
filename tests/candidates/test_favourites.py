"""Favourite offers: a candidate keeps open offers, lists them (open ones first) and
removes them; nobody sees or removes another's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from recrutement.accounts.models import Role
from recrutement.candidates.favourites import add_favourite, favourites_of
from recrutement.candidates.models import Favourite
from recrutement.core.errors import ServiceError
from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.offers.models import OfferStatus
from tests import factories


@pytest.fixture
def quimperle(referential):
    return factories.OrganisationFactory(
        commune=referential["quimperle"], name="Ville de Quimperlé"
    )


@pytest.fixture
def commercy(referential):
    return factories.OrganisationFactory(commune=referential["commercy"], name="Ville de Commercy")


@pytest.fixture
def candidate(referential):
    return factories.UserFactory(role=Role.CANDIDATE, email="lea@exemple.fr", first_name="Léa")


def offer_about(organisation, title, **fields):
    return factories.OfferFactory(organisation=organisation, title=title, **fields)


def test_favourites_add_list_remove(client, login_as, quimperle, commercy):
    user = login_as(Role.CANDIDATE)
    first = offer_about(quimperle, "Poste à Quimperlé")
    second = offer_about(commercy, "Poste à Commercy")

    offer_page = client.get(f"/offres/{first.id}")
    assert offer_page.status_code == 200
    response = client.post(f"/candidat/favoris/{first.id}")
    assert response.headers["Location"].startswith(f"/offres/{first.id}-")
    client.post(f"/candidat/favoris/{first.id}")  # twice: still one
    added = client.post(f"/candidat/favoris/{second.id}", data={"retour": "favoris"})
    assert added.headers["Location"] == "/candidat/favoris"
    assert db.session.scalar(select(func.count()).select_from(Favourite)) == 2

    second.status = OfferStatus.CLOSED
    db.session.commit()
    page = client.get("/candidat/favoris")
    text = page.page
    assert text.index("Poste à Quimperlé") < text.index("Poste à Commercy")  # open ones first
    assert "Fermée aux candidatures" in text
    assert f'href="/offres/{second.id}-' not in page.get_data(as_text=True)
    assert [row.is_open for row in favourites_of(user)] == [True, False]

    # A closed offer can no longer be added, but can be removed.
    assert client.post(f"/candidat/favoris/{second.id}").status_code == 404
    response = client.post(f"/candidat/favoris/{second.id}/retirer")
    assert response.headers["Location"] == "/candidat/favoris"
    removed = client.post(f"/candidat/favoris/{first.id}/retirer", data={"retour": "offre"})
    assert removed.headers["Location"].startswith(f"/offres/{first.id}-")
    assert db.session.scalar(select(func.count()).select_from(Favourite)) == 0
    assert "pas encore d'offre en favori" in client.get("/candidat/favoris").page


def test_favourites_are_private(client, login_as, quimperle, candidate):
    offer = offer_about(quimperle, "Poste à Quimperlé")
    add_favourite(candidate, offer)
    login_as(Role.CANDIDATE)
    assert "Poste à Quimperlé" not in client.get("/candidat/favoris").page
    assert client.post(f"/candidat/favoris/{offer.id}/retirer").status_code == 404
    assert db.session.get(Favourite, (candidate.id, offer.id)) is not None


def test_favourite_needs_an_open_offer(candidate, quimperle):
    offer = offer_about(
        quimperle, "Expirée", application_deadline=paris_today() - timedelta(days=1)
    )
    with pytest.raises(ServiceError, match="plus ouverte"):
        add_favourite(candidate, offer)
