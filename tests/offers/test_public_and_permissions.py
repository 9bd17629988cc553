"""What the public sees of offers (page, JSON-LD, feed, sitemap, organisation page),
the fiche de poste upload, ANCT's moderation, and every forbidden path."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from recrutement.accounts.models import Role
from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.files.storage import store_bytes
from recrutement.offers.models import Offer, OfferStatus
from tests import factories
from tests.offers.test_lifecycle import offer_form
from tests.support import TINY_PDF, multipart


def json_ld(page: str) -> dict:
    match = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', page, re.S)
    assert match, "no JSON-LD block"
    return json.loads(match.group(1))


def test_offer_page_has_everything_and_a_valid_job_posting(client, referential):
    offer = factories.OfferFactory(
        organisation__commune=referential["quimperle"], salary_min=36000, salary_max=46000
    )
    page = client.get(f"/offres/{offer.id}").page
    assert "Piloter le programme de revitalisation" in page
    assert "Commune de Quimperlé" in page and "Quimperlé (29300)" in page
    assert f'href="/collectivites/{offer.organisation_id}"' in page
    posting = json_ld(page)
    assert posting["@context"] == "https://schema.org/"
    assert posting["@type"] == "JobPosting"
    for key in (
        "title",
        "description",
        "datePosted",
        "validThrough",
        "hiringOrganization",
        "jobLocation",
        "employmentType",
        "identifier",
    ):
        assert posting[key], key
    assert posting["hiringOrganization"]["name"] == "Commune de Quimperlé"
    address = posting["jobLocation"]["address"]
    assert address["addressLocality"] == "Quimperlé" and address["postalCode"] == "29300"
    assert address["addressCountry"] == "FR" and address["addressRegion"] == "Bretagne"
    assert posting["baseSalary"]["value"] == {
        "@type": "QuantitativeValue",
        "unitText": "YEAR",
        "minValue": 36000,
        "maxValue": 46000,
    }
    assert posting["validThrough"].startswith(offer.application_deadline.isoformat())
    assert posting["url"].endswith(
        f"/offres/{offer.id}-chef-de-projet-petites-villes-de-demain-quimperle"
    )


def test_offer_page_loads_everything_it_shows_in_two_queries(client, referential):
    """The offer and what the page shows besides it (organisation, workplace and its
    région, PDF) in one query, the towns it covers in a second: a lazy load coming back
    (one more query per relationship) fails here."""
    offer = factories.OfferFactory(
        organisation__commune=referential["quimperle"],
        towns=[referential["quimperle"], referential["mellac"]],
        attachment=store_bytes(TINY_PDF, "fiche.pdf"),
    )
    db.session.commit()
    offer_id = offer.id
    db.session.expunge_all()  # the page must load the offer, not find it in the session
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(f"/offres/{offer_id}")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    assert len(statements) == 2, statements
    page = response.page
    assert "Commune de Quimperlé" in page and "Quimperlé (29300)" in page
    assert "<dd>Mellac, Quimperlé</dd>" in page  # the towns, in the order of their names
    assert f'href="/offres/{offer_id}/fiche-de-poste.pdf"' in page
    assert json_ld(page)["jobLocation"]["address"]["addressRegion"] == "Bretagne"


def test_offer_page_with_a_slug_and_canonical_link(client, referential):
    offer = factories.OfferFactory(organisation__commune=referential["quimperle"])
    response = client.get(f"/offres/{offer.id}-nimporte-quoi")
    assert response.status_code == 200
    assert (
        f'rel="canonical" href="http://localhost/offres/{offer.id}-chef-de-projet' in response.page
    )


def test_json_ld_cannot_break_out_of_its_script(client, referential):
    offer = factories.OfferFactory(
        organisation__commune=referential["quimperle"],
        missions="</script><script>alert(1)</script>",
    )
    raw = client.get(f"/offres/{offer.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in raw
    assert "&lt;script&gt;alert(1)" in raw  # shown escaped in the page
    assert json_ld(raw)["description"].startswith("Missions :\n</script>")


def test_organisation_page_lists_its_open_offers_only(client, referential):
    offer = factories.OfferFactory(
        organisation__commune=referential["quimperle"], title="Offre ouverte"
    )
    factories.OfferFactory(
        organisation=offer.organisation, title="Offre brouillon", status=OfferStatus.DRAFT
    )
    page = client.get(f"/collectivites/{offer.organisation_id}").page
    assert "Offre ouverte" in page and "Offre brouillon" not in page
    assert "Quimperlé (29300)" in page


def test_feed_and_sitemap_list_open_offers_only(client, referential):
    open_offer = factories.OfferFactory(
        organisation__commune=referential["quimperle"], title="Ouverte"
    )
    draft = factories.OfferFactory(organisation=open_offer.organisation, status=OfferStatus.DRAFT)
    feed = client.get("/offres.atom")
    assert feed.mimetype == "application/atom+xml"
    assert f"/offres/{open_offer.id}-" in feed.page and f"/offres/{draft.id}" not in feed.page
    assert "<entry>" in feed.page
    sitemap = client.get("/sitemap.xml")
    assert sitemap.mimetype == "application/xml"
    assert (
        f"/offres/{open_offer.id}-" in sitemap.page and f"/offres/{draft.id}-" not in sitemap.page
    )
    robots = client.get("/robots.txt").page
    assert "Sitemap: http://localhost/sitemap.xml" in robots
    assert "Disallow: /collectivite/" in robots


def test_fiche_de_poste_pdf_is_checked_by_content(client, login_as):
    employer = login_as(Role.EMPLOYER)
    fake = io.BytesIO(b"MZ this is an executable renamed .pdf" + b"\0" * 100)
    refused = client.post(
        "/collectivite/offres/nouvelle",
        data={**offer_form(), "attachment": (fake, "fiche.pdf", "application/pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    assert "pas un PDF valide" in refused.page

    accepted = client.post(
        "/collectivite/offres/nouvelle",
        data={**offer_form(), "attachment": (io.BytesIO(TINY_PDF), "fiche de poste.pdf")},
        content_type="multipart/form-data",
    )
    assert accepted.status_code == 302
    offer = db.session.scalars(
        select(Offer).where(Offer.organisation_id == employer.organisation.id)
    ).one()
    assert offer.attachment.original_name == "fiche de poste.pdf"
    download = client.get(f"/collectivite/offres/{offer.id}/fiche-de-poste")
    content = download.data
    download.close()
    assert content == TINY_PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # Not public while the offer is a draft.
    assert client.get(f"/offres/{offer.id}/fiche-de-poste.pdf").status_code == 404


def test_oversized_upload_gets_the_413_page(client, login_as):
    login_as(Role.EMPLOYER)
    big = b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024) + b"\n%%EOF\n"
    body, content_type = multipart(
        {**offer_form(), "csrf_token": client.csrf_token()}, {"attachment": ("grosse.pdf", big)}
    )
    response = client.post(
        "/collectivite/offres/nouvelle", data=body, content_type=content_type, csrf=False
    )
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.page


def test_anct_unpublishes_with_a_reason_mailed_to_the_employer(
    client, login_as, mailbox, referential
):
    member = factories.MembershipFactory(
        user__email="dgs@quimperle.fr", organisation__commune=referential["quimperle"]
    )
    offer = factories.OfferFactory(organisation=member.organisation)
    login_as(Role.ADMIN)
    assert f"n° {offer.id}" in client.get(f"/pilotage/offres/{offer.id}/depublier").page
    no_reason = client.post(f"/pilotage/offres/{offer.id}/depublier", data={"reason": "court"})
    assert no_reason.status_code == 400
    reason = "Doublon de l'offre publiée le même jour par la même commune."
    client.post(f"/pilotage/offres/{offer.id}/depublier", data={"reason": reason})
    db.session.refresh(offer)
    assert offer.status == OfferStatus.CLOSED
    mail = mailbox.deliver().last_to("dgs@quimperle.fr")
    assert "retirée de la publication" in mail.subject and reason in mail.text


@pytest.fixture
def other_organisations_offer(referential):
    return factories.OfferFactory(organisation__commune=referential["commercy"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/collectivite/offres/{id}"),
        ("GET", "/collectivite/offres/{id}/modifier"),
        ("POST", "/collectivite/offres/{id}/modifier"),
        ("GET", "/collectivite/offres/{id}/apercu"),
        ("GET", "/collectivite/offres/{id}/fiche-de-poste"),
        ("POST", "/collectivite/offres/{id}/publier"),
        ("POST", "/collectivite/offres/{id}/republier"),
        ("GET", "/collectivite/offres/{id}/cloturer"),
        ("POST", "/collectivite/offres/{id}/cloturer"),
        ("POST", "/collectivite/offres/{id}/pourvue"),
        ("POST", "/collectivite/offres/{id}/dupliquer"),
    ],
)
def test_employer_cannot_reach_another_organisations_offer(
    client, login_as, other_organisations_offer, method, path
):
    login_as(Role.EMPLOYER)
    url = path.format(id=other_organisations_offer.id)
    response = client.open(url, method=method, data={"csrf_token": client.csrf_token()})
    assert response.status_code == 404
    db.session.refresh(other_organisations_offer)
    assert other_organisations_offer.status == OfferStatus.PUBLISHED


def test_other_organisations_offers_are_not_listed(client, login_as, other_organisations_offer):
    login_as(Role.EMPLOYER)
    page = client.get("/collectivite/offres").page
    assert f"/collectivite/offres/{other_organisations_offer.id}" not in page
    assert "Aucune offre pour le moment." in page


def test_deadline_today_is_still_open(client, referential):
    offer = factories.OfferFactory(
        organisation__commune=referential["quimperle"], application_deadline=paris_today()
    )
    assert client.get(f"/offres/{offer.id}").status_code == 200
    offer.application_deadline = paris_today() - timedelta(days=1)
    db.session.commit()
    assert client.get(f"/offres/{offer.id}").status_code == 404
