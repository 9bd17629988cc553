"""The offer page's parts kept per process (web/public/offer_page.py): the same bytes
as without them, never another visitor's, and every change of what the page shows
(or of whether the offer is open) seen at once."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import event

from recrutement.accounts.models import Role
from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.files.storage import store_bytes
from recrutement.offers.models import OfferStatus
from recrutement.web.public import offer_page
from tests import factories
from tests.support import TINY_PDF

LETTER = "Urbaniste depuis six ans, je souhaite mettre mon expérience au service de votre projet."


def blanked(html: str) -> str:
    """The page without what differs on every request: the CSP nonce, CSRF tokens."""
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    return re.sub(r'(name="csrf_token" value=")[^"]*"', r'\1"', html)


@pytest.fixture(autouse=True)
def empty_cache():
    """The cache lives as long as the process: each test starts without entries."""
    offer_page.cache.clear()
    yield
    offer_page.cache.clear()


@pytest.fixture
def offers(referential):
    made = [
        factories.OfferFactory(
            organisation__commune=referential["quimperle"],
            towns=[referential["quimperle"], referential["mellac"]],
            attachment=store_bytes(TINY_PDF, "fiche.pdf"),
        ),
        factories.OfferFactory(
            organisation__commune=referential["commercy"],
            title="Cheffe de projet <Commercy> & Stenay",
            benefits="",
            salary_min=38000,
            salary_max=None,
            remote_work="none",
            post_is_new=False,
            vacant_since=paris_today() - timedelta(days=30),
        ),
        factories.OfferFactory(organisation__commune=referential["landerneau"]),
    ]
    db.session.commit()
    return made


def page(client, offer_id: int) -> tuple[int, str]:
    response = client.get(f"/offres/{offer_id}")
    return response.status_code, blanked(response.get_data(as_text=True))


def pages(client, ids: list[int]) -> list[tuple[int, str]]:
    return [page(client, offer_id) for offer_id in ids]


def candidate_client(app, first_name: str):
    """A new candidate, signed in on a client of their own."""
    user = factories.UserFactory(role=Role.CANDIDATE, first_name=first_name, last_name="Martin")
    db.session.commit()
    client = app.test_client()
    response = client.post("/connexion", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return user, client


def apply_to(client, offer_id: int) -> None:
    response = client.post(
        f"/offres/{offer_id}/postuler",
        data={"cover_letter": LETTER, "cv": (io.BytesIO(TINY_PDF), "cv.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302


def test_the_page_is_the_same_bytes_with_and_without_the_cache(app, client, offers):
    """For an anonymous visitor, a candidate who applied to the first offer and one who
    keeps it in their favourites: cache off, then on (rendered and kept), then on
    again (served from the cache)."""
    _, applied = candidate_client(app, "Alice")
    apply_to(applied, offers[0].id)
    _, favourite = candidate_client(app, "Bruno")
    assert favourite.post(f"/candidat/favoris/{offers[0].id}").status_code == 302
    ids = [offer.id for offer in offers]
    visitors = (client, applied, favourite)
    for visitor in visitors:
        visitor.get("/")  # shows (and so forgets) the flashed messages
    app.config["OFFER_PAGE_CACHE_SIZE"] = 0
    uncached = [pages(visitor, ids) for visitor in visitors]
    assert len(offer_page.cache) == 0
    app.config["OFFER_PAGE_CACHE_SIZE"] = 512
    for _ in range(2):
        assert [pages(visitor, ids) for visitor in visitors] == uncached
    assert len(offer_page.cache) == len(offers)

    anonymous, alice, bruno = (answers[0][1] for answers in uncached)
    assert all(status == 200 for answers in uncached for status, _ in answers)
    assert "Postuler à cette offre" in anonymous and 'name="csrf_token"' not in anonymous
    assert "Vous avez postulé à cette offre le" in alice and "Postuler à cette offre" not in alice
    assert "Ajouter à mes favoris" in alice
    assert "Retirer de mes favoris" in bruno and "Postuler à cette offre" in bruno
    assert "<dd>Mellac, Quimperlé</dd>" in anonymous and "fiche-de-poste.pdf" in anonymous
    assert "Cheffe de projet &lt;Commercy&gt; &amp; Stenay" in uncached[0][1][1]


def test_a_kept_page_is_read_with_the_same_two_statements(app, client, offers):
    """Served from the cache, the page still reads the offer's rows (nothing else): the
    check that it is open and the key of what it shows."""
    client.get(f"/offres/{offers[0].id}")
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(f"/offres/{offers[0].id}").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) == 2, statements


def test_the_cache_is_bounded(app, client, offers):
    app.config["OFFER_PAGE_CACHE_SIZE"] = 2
    for offer in offers:
        client.get(f"/offres/{offer.id}")
    assert len(offer_page.cache) == 2


def test_a_candidate_never_gets_another_visitors_button_or_token(app, client, offers):
    """Alice applied, Bruno keeps the offer in his favourites; each, after the other
    and after an anonymous visitor, is served the kept parts with their own state,
    name and a CSRF token of their own session."""
    users = {}
    clients = {}
    for name in ("Alice", "Bruno"):
        users[name], clients[name] = candidate_client(app, name)
    apply_to(clients["Alice"], offers[0].id)
    assert clients["Bruno"].post(f"/candidat/favoris/{offers[0].id}").status_code == 302
    url = f"/offres/{offers[0].id}"
    anonymous = client.get(url).get_data(as_text=True)
    assert "favoris" not in anonymous and "Martin" not in anonymous
    serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    for name, other in (("Alice", "Bruno"), ("Bruno", "Alice"), ("Alice", "Bruno")):
        html = clients[name].get(url).get_data(as_text=True)
        assert f"{name} Martin" in html and f"{other} Martin" not in html
        assert ("Voir ma candidature" in html) == (name == "Alice")
        assert ("Retirer de mes favoris" in html) == (name == "Bruno")
        tokens = re.findall(r'name="csrf_token" value="([^"]*)"', html)
        with clients[name].session_transaction() as session:
            own = session["csrf_token"]
        assert tokens and {serializer.loads(token) for token in tokens} == {own}
    assert len(offer_page.cache) == 1


def test_every_change_the_page_shows_is_seen_at_once(client, referential, offers):
    offer = offers[0]
    url = f"/offres/{offer.id}"

    def shown() -> str:
        first = client.get(url).get_data(as_text=True)
        second = client.get(url).get_data(as_text=True)  # from the cache
        assert blanked(first) == blanked(second)
        return first

    assert "Chef de projet Petites villes de demain" in shown()

    offer.title = "Cheffe de projet Quimperlé"
    db.session.commit()
    assert "<h1>Cheffe de projet Quimperlé</h1>" in shown()

    offer.missions = "Conduire la revitalisation des quais."
    db.session.commit()
    assert "Conduire la revitalisation des quais." in shown()

    # Only the towns change: no column of the offer's row does (nor its updated_at).
    updated_at = offer.updated_at
    offer.towns = [referential["quimperle"]]
    db.session.commit()
    assert offer.updated_at == updated_at
    assert "<dd>Quimperlé</dd>" in shown()

    # Another PDF of another size.
    offer.attachment = store_bytes(TINY_PDF + b"%" * 8192, "fiche-2.pdf")
    db.session.commit()
    assert f"PDF – {round(offer.attachment.size / 1024)} Ko" in shown()
    assert round(offer.attachment.size / 1024) >= 8
    offer.attachment = None
    db.session.commit()
    assert "fiche-de-poste.pdf" not in shown()

    offer.organisation.name = "Commune nouvelle de Quimperlé"
    db.session.commit()
    assert "Commune nouvelle de Quimperlé" in shown()

    # What `flask referential load` does: the workplace's name, from the referential.
    referential["quimperle"].name = "Kemperle"
    db.session.commit()
    assert "Kemperle (29300)" in shown()

    offer.status = OfferStatus.CLOSED
    db.session.commit()
    assert client.get(url).status_code == 404
    offer.status = OfferStatus.PUBLISHED
    db.session.commit()
    assert client.get(url).status_code == 200


def test_the_page_closes_at_midnight_in_paris(client, offers):
    offer = offers[0]
    offers[1].application_deadline = offer.application_deadline + timedelta(days=1)
    db.session.commit()
    deadline = offer.application_deadline
    paris = ZoneInfo("Europe/Paris")
    last_minute = datetime.combine(deadline, datetime.max.time(), paris) - timedelta(seconds=30)
    with time_machine.travel(last_minute, tick=False):
        for _ in range(2):  # kept on the last day
            assert client.get(f"/offres/{offer.id}").status_code == 200
    with time_machine.travel(last_minute + timedelta(minutes=1), tick=False):
        assert client.get(f"/offres/{offer.id}").status_code == 404
        # Still open for the other offers, whose deadline is later.
        assert client.get(f"/offres/{offers[1].id}").status_code == 200
