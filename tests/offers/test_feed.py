"""The Atom feed is escaped by construction: hostile titles and names stay text and
the feed parses as Atom whatever they hold."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from recrutement.extensions import db
from tests import factories

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE_TITLE = 'Chef & co ]]></title><link href="https://malveillant.example"/><title>'
HOSTILE_NAME = 'PETR <b>du Pays</b> & "Vallées"\x0b'


def test_hostile_titles_and_names_stay_text(client, referential):
    offer = factories.OfferFactory(
        organisation__commune=referential["quimperle"], title=HOSTILE_TITLE
    )
    offer.organisation.name = HOSTILE_NAME
    db.session.commit()
    response = client.get("/offres.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)  # noqa: S314 — our own output, parsed to check it
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    assert entry.findtext(f"{ATOM}title") == f"{HOSTILE_TITLE} — Quimperlé (29)"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == 'PETR <b>du Pays</b> & "Vallées"'
    hrefs = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    # Every link is ours (the slug may carry the title's words, as path text only).
    assert hrefs and all(href.startswith("http://localhost/") for href in hrefs)
    assert entry.find(f"{ATOM}link").get("href").startswith(f"http://localhost/offres/{offer.id}-")
    # The raw bytes carry the escaped forms, never the markup.
    assert b"&amp; co ]]&gt;&lt;/title&gt;" in response.data
    assert b"<b>" not in response.data
