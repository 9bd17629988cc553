"""The search page (/offres), the offer page and the search API, over the real Whoosh
index."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from recrutement.applications.models import Application
from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.offers.models import OfferStatus
from tests import factories


class _Texts(HTMLParser):
    """The text of every element whose class list holds `class_name`, spaces collapsed."""

    VOID = {"br", "img", "input", "link", "meta", "hr", "source", "wbr"}

    def __init__(self, class_name: str):
        super().__init__()
        self.class_name = class_name
        self.stack: list[bool] = []
        self.open: list[list[str]] = []
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        wanted = self.class_name in (dict(attrs).get("class") or "").split()
        self.stack.append(wanted)
        if wanted:
            self.open.append([])

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.stack:
            return
        if self.stack.pop():
            # Ordinary white space collapses; no-break spaces are kept, as a browser does.
            self.found.append(re.sub(r"[ \t\r\n]+", " ", "".join(self.open.pop())).strip())

    def handle_data(self, data):
        for parts in self.open:
            parts.append(data)


def texts(html: str, class_name: str) -> list[str]:
    """What a reader sees of each element of class `class_name`, in page order."""
    parser = _Texts(class_name)
    parser.feed(html)
    return parser.found


def position(html: str, needle: str) -> int:
    index = html.find(needle)
    assert index >= 0, needle
    return index


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


# --- Result rows ------------------------------------------------------------------


@pytest.fixture
def near_quimperle(offers, referential):
    """Positions for Quimperlé and Landerneau (83 km apart), an offer in Landerneau with a
    salary range, regular remote work and a deadline in 3 days."""
    referential["landerneau"].latitude, referential["landerneau"].longitude = 48.451, -4.252
    db.session.commit()
    landerneau = factories.OfferFactory(
        organisation__commune=referential["landerneau"],
        title="Cheffe de projet Landerneau",
        contract_type="fixed_term",
        duration_months=24,
        remote_work="regular",
        salary_min=32500,
        salary_max=41000,
        application_deadline=paris_today() + timedelta(days=3),
    )
    return {**offers, "landerneau": landerneau}


def test_each_row_shows_place_contract_salary_remote_work_and_deadline(client, near_quimperle):
    html = client.get("/offres?q=landerneau").get_data(as_text=True)
    (row,) = texts(html, "app-result")
    assert "Cheffe de projet Landerneau" in row
    assert "Landerneau (29800)" in row
    assert "CDD, 24\u00a0mois" in row
    assert "32\u202f500 à 41\u202f000\u202f€ brut par an" in row
    assert "Télétravail régulier" in row
    deadline = (paris_today() + timedelta(days=3)).strftime("%d/%m/%Y")
    assert f"Date limite : {deadline} (dans 3 jours)" in row
    # No distance without a town.
    assert " km" not in row


def test_rows_near_a_town_show_the_distance_nearest_first(client, near_quimperle):
    html = client.get("/offres?commune=Quimperlé&rayon=100").get_data(as_text=True)
    rows = texts(html, "app-result")
    assert [row.split(" Commune")[0] for row in rows] == [
        "Chef de projet Petites villes de demain",
        "Cheffe de projet Landerneau",
    ]
    assert "à moins de 1\u202fkm" in rows[0]
    assert "à 83\u202fkm" in rows[1]
    assert texts(html, "fr-h4")[0] == "2 offres à moins de 100 km de Quimperlé"
    # The field shows the commune with its département, which resolves back to it.
    assert 'value="Quimperlé (29)"' in html
    # Nearest first by default near a town; explicitly too, once a town is given.
    assert '<option value="" selected>Pertinence</option>' in html
    assert '<option value="distance">Les plus proches</option>' in html
    assert texts(html, "fr-text--sm")[0] == "Les plus proches d'abord."
    # Sorting by date is one choice away, and keeps the town.
    by_date = client.get("/offres?commune=29233&rayon=100&tri=date").get_data(as_text=True)
    assert texts(by_date, "app-result")[0].startswith("Cheffe de projet Landerneau")


def test_removing_the_town_also_drops_the_distance_sort(client, near_quimperle):
    html = client.get("/offres?commune=29233&rayon=100&tri=distance").get_data(as_text=True)
    assert 'href="/offres" aria-label="Retirer le filtre de distance"' in html
    # Without a town, nearest first is not offered (and falls back to newest first).
    plain = client.get("/offres?tri=distance").get_data(as_text=True)
    assert 'value="distance"' not in plain
    assert '<option value="" selected>Pertinence</option>' in plain
    assert texts(plain, "fr-text--sm")[0] == "Les plus récentes d'abord."


def test_a_misspelt_town_gets_close_communes_not_a_bare_error(client, near_quimperle):
    response = client.get("/offres?q=habitat&commune=Kimperl%C3%A9&rayon=50")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    (alert,) = texts(html, "fr-alert")
    assert alert.startswith("Quelle commune cherchez-vous ?")
    assert "Aucune commune ne s'appelle « Kimperlé ». Vouliez-vous dire : Quimperlé (29)" in alert
    # The suggestion keeps the rest of the search.
    assert '<a href="/offres?q=habitat&amp;commune=29233&amp;rayon=50">Quimperlé (29)</a>' in html
    assert '<a href="/offres?q=habitat">Rechercher sans commune</a>' in html
    # What was typed stays in the field, to be corrected.
    assert 'value="Kimperlé"' in html
    assert texts(html, "app-result") == []


def test_a_town_like_no_commune_says_so(client, offers):
    response = client.get("/offres?commune=Atlantide")
    assert response.status_code == 200
    (alert,) = texts(response.get_data(as_text=True), "fr-alert")
    assert "Aucune commune ne s'appelle « Atlantide »" in alert
    assert "Vérifiez son orthographe ou indiquez son code postal" in alert


def test_a_page_past_the_last_says_so_and_links_to_the_last(client, offers):
    html = client.get("/offres?par_page=1&page=7").get_data(as_text=True)
    assert texts(html, "fr-h4")[0] == "Page 7 : aucune offre"
    (empty,) = texts(html, "app-empty")
    assert "Cette recherche compte 2 offres, sur 2 pages : la page 7 n'existe pas." in empty
    assert "Aller à la dernière page (page 2)" in empty
    assert 'href="/offres?page=2&amp;par_page=1"' in html
    assert "2 offres</h2>" not in html and "Aucune offre ne correspond" not in html


def test_a_search_without_results_says_so(client, offers):
    html = client.get("/offres?q=astronaute").get_data(as_text=True)
    assert texts(html, "fr-h4")[0] == "0 offre"
    assert "Aucune offre ne correspond à votre recherche" in html


def test_a_page_number_out_of_range_is_brought_back(client, offers):
    response = client.get("/offres?page=0")
    assert response.status_code == 200
    assert len(texts(response.get_data(as_text=True), "app-result")) == 2
    assert client.get("/offres?page=abc").status_code == 200


def test_the_commune_field_has_its_type_ahead_as_an_enhancement(client, offers):
    html = client.get("/offres").get_data(as_text=True)
    # Works without JavaScript: a plain text field in the GET form.
    assert re.search(
        r'<input class="fr-input" type="text" id="search-commune" name="commune"', html
    )
    assert 'data-typeahead-url="/api/v1/collectivites"' in html
    assert re.search(r'<script src="/static/js/commune-typeahead.js" nonce="[^"]+" defer>', html)
    script = client.get("/static/js/commune-typeahead.js")
    assert script.status_code == 200 and b'role", "combobox"' in script.data
    script.close()
    # The endpoint the script reads lists communes by name or postcode.
    body = client.get("/api/v1/collectivites?q=quimp").json
    assert {"choix": "commune:29233", "nom": "Quimperlé"}.items() <= body["resultats"][0].items()


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
        "extrait_html",
    }
    assert result["id"] == offers["commercy"].id
    assert result["commune"] == "Commercy" and result["departement"] == "55"
    assert result["region"] == "44" and result["contrat"] == "fixed_term"
    assert result["url"].startswith(f"http://localhost/offres/{offers['commercy'].id}-")
    assert set(body["facettes"]) == {"region", "departement", "contrat"}
    assert body["facettes"]["departement"] == {"55": 1}
    assert body["suggestion"] is None


def test_api_excerpt_is_plain_text_and_its_highlighted_form_is_apart(client, referential):
    factories.OfferFactory(
        organisation__commune=referential["quimperle"],
        missions="Lutter contre l'habitat indigne & la vacance <commerciale>.",
    )
    response = client.get("/api/v1/offres?q=habitat")
    # Parsed from the bytes, as any client would.
    (result,) = json.loads(response.get_data())["resultats"]
    assert result["extrait"].startswith(
        "Lutter contre l'habitat indigne & la vacance <commerciale>."
    )
    assert "<mark>" not in result["extrait"]
    assert not re.search(r"&(#\d+|[a-z]+);", result["extrait"])
    assert result["extrait_html"].startswith(
        "Lutter contre l&#39;<mark>habitat</mark> indigne &amp; la vacance &lt;commerciale&gt;."
    )
    # Without words searched for, both hold the start of the offer, nothing marked.
    (plain,) = client.get("/api/v1/offres").json["resultats"]
    assert plain["extrait"].startswith("Lutter contre l'habitat")
    assert "<mark>" not in plain["extrait_html"]


def test_api_gives_the_distance_only_near_a_town(client, near_quimperle):
    body = client.get("/api/v1/offres?commune=29233&rayon=100").json
    assert [(row["commune"], row["distance_km"]) for row in body["resultats"]] == [
        ("Quimperlé", 0.0),
        ("Landerneau", 83.0),
    ]
    assert all("distance_km" not in row for row in client.get("/api/v1/offres").json["resultats"])
    by_date = client.get("/api/v1/offres?commune=29233&rayon=100&tri=date").json
    assert by_date["resultats"][0]["commune"] == "Landerneau"


def test_api_misspelt_town_answers_400_with_suggestions(client, near_quimperle):
    response = client.get("/api/v1/offres?commune=Kimperle")
    assert response.status_code == 400
    assert response.json["parametre"] == "commune"
    assert response.json["suggestions"] == [
        {"code_insee": "29233", "nom": "Quimperlé", "departement": "29"}
    ]
    assert "suggestions" not in client.get("/api/v1/offres?tri=hasard").json


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


# --- The offer page -------------------------------------------------------------------


def test_the_offer_page_gives_the_way_to_apply_before_the_facts(client, offers):
    offer = offers["quimperle"]
    offer.salary_min, offer.salary_max = 30500, 36000
    db.session.commit()
    html = client.get(f"/offres/{offer.id}").get_data(as_text=True)
    apply_url = f'href="/offres/{offer.id}/postuler"'
    # On a phone: at once, under the title (hidden from md up, beside the box).
    top = position(html, 'id="postuler-haut"')
    assert position(html, "<h1>") < top < position(html, "Missions</h2>")
    assert 'class="app-apply-top fr-hidden-md' in html
    # In the aside, the "Candidater" box comes before "En bref".
    assert position(html, 'id="postuler"') < position(html, "En bref")
    assert html.count(apply_url) == 3
    (box,) = texts(html, "app-apply-box")
    assert box.startswith("Candidater Postulez en ligne")
    assert "Postuler à cette offre" in box
    # The fact sheet no longer stretches to the page's height (static/css/offers.css).
    assert "css/offers.css" in html
    assert "30\u202f500 à 36\u202f000\u202f€ brut par an" in html


def test_the_employer_preview_has_no_apply_button(login_as, client, referential):
    employer = login_as("employer")
    offer = factories.OfferFactory(
        organisation=employer.organisation, status=OfferStatus.DRAFT, published_at=None
    )
    html = client.get(f"/collectivite/offres/{offer.id}/apercu").get_data(as_text=True)
    assert "Aperçu : voici l'offre" in html
    assert "Postuler à cette offre" not in html
    assert "Candidater" in html and "En bref" in html


def test_a_candidate_who_applied_sees_their_application_not_the_button(login_as, client, offers):
    offer = offers["quimperle"]
    candidate = login_as("candidate")
    application = Application(offer=offer, candidate=candidate, cover_letter="Ma lettre.")
    db.session.add(application)
    db.session.commit()
    html = client.get(f"/offres/{offer.id}").get_data(as_text=True)
    (box,) = texts(html, "app-apply-box")
    assert box.startswith("Candidater Vous avez postulé à cette offre le ")
    assert "Voir ma candidature" in box and "Postuler à cette offre" not in html
    assert html.count(f'href="/candidat/candidatures/{application.id}"') == 2
    # Another offer still has the button.
    other = client.get(f"/offres/{offers['commercy'].id}").get_data(as_text=True)
    assert "Postuler à cette offre" in other and "Voir ma candidature" not in other
