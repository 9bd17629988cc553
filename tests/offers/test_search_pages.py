"""The search page (/offres) and the search API, over the real Whoosh index."""

from __future__ import annotations

import pytest

from recrutement.offers.models import OfferStatus
from tests import factories


@pytest.fixture
def offers(referential):
    quimperle = factories.OfferFactory(
        organisation__commune=referential["quimperle"],
        title="Chef de projet Petites villes de demain",
        missions="Conduire l'aménagement des espaces publics et les mobilités douces.",
        contract_type="project_contract",
    )
    commercy = factories.OfferFactory(
        organisation__commune=referential["commercy"],
        title="Chargé de mission revitalisation",
        missions="Lutter contre l'habitat indigne et la vacance commerciale.",
        contract_type="fixed_term",
        remote_work="none",
    )
    draft = factories.OfferFactory(
        organisation=quimperle.organisation,
        title="Brouillon secret",
        missions="Aménagement confidentiel.",
        status=OfferStatus.DRAFT,
    )
    return {"quimperle": quimperle, "commercy": commercy, "draft": draft}


def test_search_page_finds_unaccented_words_with_highlights(client, offers):
    page = client.get("/offres?q=amenagement").page
    assert "1 offre" in page
    assert f"/offres/{offers['quimperle'].id}-" in page
    assert "<mark>" in client.get("/offres?q=amenagement").get_data(as_text=True)
    assert "Brouillon secret" not in page


def test_search_page_lists_everything_with_facet_counts(client, offers):
    page = client.get("/offres").page
    assert "2 offres" in page
    assert "Bretagne (1)" in page and "Grand Est (1)" in page
    assert "Contrat de projet (1)" in page and "CDD (1)" in page


def test_filters_narrow_and_can_be_removed(client, offers):
    page = client.get("/offres?region=44").page
    assert "1 offre" in page and "Chargé de mission revitalisation" in page
    assert 'aria-label="Retirer le filtre Région : Grand Est"' in page


def test_the_url_holds_the_whole_search(client, offers):
    page = client.get("/offres?q=chef&contrat=project_contract&tri=date").get_data(as_text=True)
    assert 'value="chef"' in page
    assert '<option value="project_contract" selected>' in page
    assert '<option value="date" selected>' in page
    # Page links keep every parameter.
    paged = client.get("/offres?par_page=1&tri=date_limite&teletravail=").get_data(as_text=True)
    assert "2 offres" in paged
    assert 'href="/offres?tri=date_limite&amp;par_page=1&amp;page=2"' in paged


def test_misspelt_word_gets_a_suggestion(client, offers):
    page = client.get("/offres?q=amenagment").page
    assert "Vouliez-vous dire" in page


def test_invalid_parameter_is_explained_in_french(client, offers):
    response = client.get("/offres?tri=n-importe")
    assert response.status_code == 400
    assert "Recherche impossible" in response.page


def test_home_page_has_the_search_box(client):
    page = client.get("/").page
    assert 'action="/offres"' in page and 'name="q"' in page


def test_api_search_has_the_contract_shape(client, offers):
    response = client.get("/api/v1/offres?q=habitat")
    body = response.json
    assert set(body) == {"total", "page", "par_page", "resultats", "facettes", "suggestion"}
    assert body["total"] == 1 and body["page"] == 1 and body["par_page"] == 20
    (result,) = body["resultats"]
    assert set(result) == {
        "id",
        "titre",
        "url",
        "organisation",
        "commune",
        "departement",
        "region",
        "contrat",
        "publiee_le",
        "date_limite",
        "extrait",
    }
    assert result["id"] == offers["commercy"].id
    assert result["commune"] == "Commercy" and result["departement"] == "55"
    assert result["region"] == "44" and result["contrat"] == "fixed_term"
    assert result["url"].startswith(f"http://localhost/offres/{offers['commercy'].id}-")
    assert set(body["facettes"]) == {"region", "departement", "contrat"}
    assert body["facettes"]["departement"] == {"55": 1}
    assert body["suggestion"] is None


def test_api_exposes_published_offers_only(client, offers):
    ids = {result["id"] for result in client.get("/api/v1/offres?par_page=50").json["resultats"]}
    assert ids == {offers["quimperle"].id, offers["commercy"].id}
    assert client.get(f"/api/v1/offres/{offers['draft'].id}").status_code == 404
    detail = client.get(f"/api/v1/offres/{offers['quimperle'].id}").json
    assert detail["titre"] == "Chef de projet Petites villes de demain"
    assert detail["communes_couvertes"] == [{"code_insee": "29233", "nom": "Quimperlé"}]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("tri=hasard", "tri"),
        ("page=0", "page"),
        ("par_page=500", "par_page"),
        ("contrat=stage", "contrat"),
        ("region=99", "region"),
        ("commune=Atlantide", "commune"),
        ("commune=29233&rayon=-5", "rayon"),
    ],
)
def test_api_bad_parameters_answer_400_naming_the_parameter(client, offers, query, parameter):
    response = client.get(f"/api/v1/offres?{query}")
    assert response.status_code == 400
    assert response.json["parametre"] == parameter
    assert response.json["message"]
