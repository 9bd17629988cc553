"""The Atom feed of new offers (`/offres.atom`), built as an XML tree: every title, name
and text is escaped by the serializer, so no offer or organisation name can break the
feed or add elements to it (RFC 4287)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET  # noqa: S405 — we build XML, we never parse it here

from recrutement.core.french import upper_first, with_article
from recrutement.offers.models import Offer

ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 forbids (control characters other than tab and newlines).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = _text(text)
    return element


def atom_feed(
    offers: Sequence[Offer],
    *,
    base_url: str,
    home_path: str,
    offer_path: Callable[[Offer, bool], str],
    updated: datetime,
) -> bytes:
    """The feed document; `offer_path(offer, with_slug)` gives an offer's address."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "fr"})
    _add(
        feed,
        "title",
        "Recrutement PVD — nouvelles offres de chef de projet Petites villes de demain",
    )
    _add(feed, "id", f"{base_url}/offres.atom")
    _add(feed, "link", rel="self", href=f"{base_url}/offres.atom")
    _add(feed, "link", rel="alternate", type="text/html", href=f"{base_url}{home_path}")
    _add(feed, "updated", _stamp(updated))
    author = _add(feed, "author")
    _add(author, "name", "Agence nationale de la cohésion des territoires")
    for offer in offers:
        workplace = offer.workplace
        entry = _add(feed, "entry")
        _add(entry, "title", f"{offer.title} — {workplace.name} ({workplace.department_code})")
        _add(entry, "id", f"{base_url}{offer_path(offer, False)}")
        _add(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=_text(f"{base_url}{offer_path(offer, True)}"),
        )
        assert offer.published_at is not None  # the feed lists published offers only
        _add(entry, "published", _stamp(offer.published_at))
        _add(entry, "updated", _stamp(offer.updated_at))
        entry_author = _add(entry, "author")
        _add(entry_author, "name", offer.organisation.name)
        _add(
            entry,
            "summary",
            f"{upper_first(with_article(offer.organisation.name))} recrute : "
            f"{offer.contract_type.label}, {workplace.name}. "
            f"Date limite de candidature : {offer.application_deadline.strftime('%d/%m/%Y')}.",
        )
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document
