"""The public statistics: /statistiques (page), its CSV and XLSX downloads, and
/api/v1/statistiques (docs/design.md, public contract), on data built through the real
hire and cofunding services, over the real search index."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from recrutement.applications import services as applications
from recrutement.applications.models import ApplicationStatus
from recrutement.candidates.models import CandidateProfile
from recrutement.cofunding import instruction
from recrutement.cofunding import services as cofunding
from recrutement.core.time import paris_today, utcnow
from recrutement.extensions import db
from recrutement.offers.models import OfferStatus
from recrutement.pilotage import scope
from recrutement.pilotage.models import Recruit
from recrutement.pilotage.summary import summarise
from recrutement.search.reader import close_searcher
from tests import factories
from tests.applications.test_employer_handling import make_application
from tests.cofunding.conftest import content

TODAY = paris_today()
BOM = "\ufeff"


@pytest.fixture(autouse=True)
def _close_searcher():
    yield
    close_searcher()


@pytest.fixture
def programme(people):
    """Quimperlé (29) hires on the platform: two more offers open there, one draft.
    Commercy (55) declares a post filled elsewhere, cofunded with ANAH for 2026, and
    has one offer open. Ploërmel (56) has nothing."""
    hired_offer = factories.OfferFactory(
        organisation=people.quimperle,
        first_published_at=utcnow() - timedelta(days=30),
    )
    application = make_application(hired_offer, "lea@exemple.fr", ApplicationStatus.INTERVIEW)
    db.session.add(
        CandidateProfile(
            user_id=application.candidate_id,
            experience_years=3,
            diploma="bac+5",
            field_of_study="urbanisme",
            gender="femme",
        )
    )
    db.session.commit()
    applications.hire(people.employer, application)
    open_29 = [factories.OfferFactory(organisation=people.quimperle) for _ in range(2)]
    factories.OfferFactory(organisation=people.quimperle, status=OfferStatus.DRAFT)
    open_55 = factories.OfferFactory(organisation=people.commercy)

    # 60,000 € a year from 1 March to 31 December 2026 (306 days), ANAH asked.
    request = cofunding.create_request(
        people.other_employer,
        content(anah_asked=True, housing_operation="OPAH-RU de Commercy"),
    )
    cofunding.submit(people.other_employer, request)
    instruction.open_instruction(people.prefecture55, request)
    instruction.give_anah_opinion(people.anah55, request, True, D("20000"))
    instruction.grant(people.prefecture55, request)
    return {"open_29": open_29, "open_55": open_55, "request": request}


def amounts(request) -> dict[str, float]:
    return {part.funder: float(part.granted_amount) for part in request.plan}


# --- JSON ------------------------------------------------------------------------


def test_the_json_has_exactly_the_contract_keys_with_typed_numbers(client, programme):
    response = client.get("/api/v1/statistiques")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.json
    assert set(body) == {
        "perimetre",
        "mis_a_jour",
        "communes_pvd",
        "communes_pvd_avec_chef_de_projet",
        "chefs_de_projet",
        "offres",
        "candidatures",
        "delai_median_recrutement_jours",
        "cofinancement",
        "profil_recrutes",
    }
    assert body["perimetre"] == {"niveau": "france", "code": None, "nom": "France"}
    assert datetime.fromisoformat(body["mis_a_jour"]).tzinfo is not None
    assert set(body["chefs_de_projet"]) == {"en_poste", "cofinances"}
    assert set(body["offres"]) == {"ouvertes", "pourvues"}
    money = body["cofinancement"]
    assert set(money) == {"demandes", "montants_accordes", "par_annee", "anah"}
    assert set(money["montants_accordes"]) == {"anct", "bdt", "anah", "total"}
    assert set(money["anah"]) == {"postes", "montant_moyen"}
    assert set(money["demandes"]) == {
        "submitted",
        "in_instruction",
        "changes_requested",
        "granted",
        "refused",
        "dismissed",
    }
    assert set(body["profil_recrutes"]) == {
        "experience",
        "diplome",
        "formation",
        "genre",
        "employeur",
    }

    def is_count(value) -> bool:
        return type(value) is int

    def is_euros(value) -> bool:
        return type(value) in (int, float) and round(value, 2) == value

    # The referential's five PVD towns; Quimperlé's hire (in post from today) and
    # Commercy's declared post (from 1 March 2026); three offers open, one filled.
    assert body["communes_pvd"] == 5
    assert body["offres"] == {"ouvertes": 3, "pourvues": 1}
    assert body["candidatures"] == 1
    assert body["delai_median_recrutement_jours"] == 30
    for value in (
        body["communes_pvd"],
        body["communes_pvd_avec_chef_de_projet"],
        body["candidatures"],
        *body["chefs_de_projet"].values(),
        *body["offres"].values(),
        *money["demandes"].values(),
        money["anah"]["postes"],
    ):
        assert is_count(value), value
    assert money["demandes"]["granted"] == 1 and sum(money["demandes"].values()) == 1

    # ANAH 20,000 € (its opinion), the Banque des territoires 15,000 € × 306/365;
    # the State pays what is left under the 75 % of the cost: nothing.
    expected = {"anct": 0.0, "bdt": 12575.34, "anah": 20000.0, "total": 32575.34}
    assert amounts(programme["request"]) == {k: v for k, v in expected.items() if k != "total"}
    assert money["montants_accordes"] == expected
    assert money["par_annee"] == {"2026": expected}
    assert money["anah"] == {"postes": 1, "montant_moyen": 20000.0}
    for value in [*money["montants_accordes"].values(), money["anah"]["montant_moyen"]]:
        assert is_euros(value), value

    profile = body["profil_recrutes"]
    # Two recruits (a woman hired on the platform, a post declared without profile):
    # "commune: 2" is hidden, and a zero with it, or it would follow from the total.
    assert profile["employeur"] == {"commune": None, "epci": None, "petr": 0}
    assert profile["genre"] == {"femme": None, "homme": 0, "autre": 0, "non_renseigne": None}
    for cells in profile.values():
        assert all(value is None or is_count(value) for value in cells.values())
        assert 1 not in cells.values() and 2 not in cells.values()


def test_scopes_by_region_and_department(client, programme):
    bretagne = client.get("/api/v1/statistiques?region=53").json
    assert bretagne["perimetre"] == {"niveau": "region", "code": "53", "nom": "Bretagne"}
    assert bretagne["communes_pvd"] == 3  # Quimperlé, Landerneau, Ploërmel
    assert bretagne["offres"]["ouvertes"] == 2
    assert bretagne["cofinancement"]["par_annee"] == {}

    meuse = client.get("/api/v1/statistiques?departement=55").json
    assert meuse["perimetre"] == {"niveau": "departement", "code": "55", "nom": "Meuse (55)"}
    assert meuse["communes_pvd"] == 2
    assert meuse["offres"] == {"ouvertes": 1, "pourvues": 0}
    assert meuse["cofinancement"]["montants_accordes"]["anah"] == 20000.0
    assert meuse["cofinancement"]["demandes"]["granted"] == 1
    assert meuse["candidatures"] == 0

    finistere = client.get("/api/v1/statistiques?departement=29").json
    assert finistere["chefs_de_projet"]["en_poste"] == 1  # the hire, from today
    assert finistere["cofinancement"]["montants_accordes"]["total"] == 0
    # The département wins over the région when both are given.
    both = client.get("/api/v1/statistiques?region=44&departement=29").json
    assert both["perimetre"]["code"] == "29"

    page = client.get("/statistiques?departement=29")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Statistiques : Finistère (29)</h1>" in html
    # Breadcrumb France › Bretagne › Finistère.
    crumbs = re.search(r'<ol class="fr-breadcrumb__list">(.*?)</ol>', html, re.S).group(1)
    assert 'href="/statistiques">Statistiques : France</a>' in crumbs
    assert 'href="/statistiques?region=53">Bretagne</a>' in crumbs
    assert 'aria-current="page">Finistère (29)</a>' in crumbs
    # The map and its table show the région, each département linked to its own page.
    assert 'href="/statistiques?departement=56"' in html
    assert 'data-highlight="29"' in html
    # Every link of the page keeps the scope: offers, downloads, JSON.
    assert 'href="/offres?departement=29"' in html
    assert 'href="/statistiques/prises-de-poste.csv?departement=29"' in html
    assert 'href="/api/v1/statistiques?departement=29"' in html
    assert "Mis à jour le " in html

    region_page = client.get("/statistiques?region=53").page
    assert "Statistiques : Bretagne" in region_page
    assert '<option value="53" selected>Bretagne</option>' in region_page


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ("region=99", "region", "Région inconnue : « 99 »."),
        ("departement=2C", "departement", "Département inconnu : « 2C »."),
    ],
)
def test_unknown_codes_answer_400_in_french(client, referential, query, parameter, message):
    page = client.get(f"/statistiques?{query}")
    assert page.status_code == 400
    assert message in page.page and "Territoire inconnu" in page.page
    api = client.get(f"/api/v1/statistiques?{query}")
    assert api.status_code == 400
    assert api.json == {"erreur": "Paramètre invalide", "parametre": parameter, "message": message}
    download = client.get(f"/statistiques/montants.csv?{query}")
    assert download.status_code == 400 and message in download.page


def test_open_offers_equal_the_search_api_total(client, referential, programme):
    # One more offer published in Ploërmel (56), and one closed in Commercy (55).
    factories.OfferFactory(organisation__commune=referential["ploermel"])
    factories.OfferFactory(organisation=programme["open_55"].organisation, status="closed")
    expected = {"": 4, "region=53": 3, "region=44": 1, "departement=29": 2, "departement=55": 1}
    for query, total in expected.items():
        statistics = client.get(f"/api/v1/statistiques?{query}").json
        search = client.get(f"/api/v1/offres?{query}").json
        assert statistics["offres"]["ouvertes"] == search["total"] == total, query


# --- Downloads ------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def read_xlsx(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_downloads_parse_and_hold_the_json_numbers(client, programme):
    body = client.get("/api/v1/statistiques?departement=55").json
    expected = body["cofinancement"]["par_annee"]["2026"]

    response = client.get("/statistiques/montants.csv?departement=55")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="statistiques-pvd-departement-55-montants-{TODAY.isoformat()}.csv"'
    )
    rows = read_csv(response)
    assert rows[0] == ["Année", "ANCT / État", "Banque des territoires", "ANAH", "Total"]
    assert rows[1][0] == "2026"
    csv_amounts = [float(cell.replace(",", ".")) for cell in rows[1][1:]]
    assert csv_amounts == [expected[key] for key in ("anct", "bdt", "anah", "total")]

    response = client.get("/statistiques/montants.xlsx?departement=55")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(
        f'-departement-55-montants-{TODAY.isoformat()}.xlsx"'
    )
    rows = read_xlsx(response)
    assert rows[0][0] == "Année" and rows[1][0] == "2026"
    assert [float(value) for value in rows[1][1:]] == [
        expected[key] for key in ("anct", "bdt", "anah", "total")
    ]

    france = client.get("/api/v1/statistiques").json
    key_figures = dict(read_csv(client.get("/statistiques/chiffres-cles.csv"))[1:])
    assert key_figures["Communes Petites villes de demain"] == str(france["communes_pvd"])
    assert key_figures["Offres ouvertes"] == str(france["offres"]["ouvertes"])
    assert key_figures["Chefs de projet en poste"] == str(france["chefs_de_projet"]["en_poste"])
    xlsx_figures = dict(read_xlsx(client.get("/statistiques/chiffres-cles.xlsx"))[1:])
    assert xlsx_figures["Candidatures reçues"] == france["candidatures"]

    requests = dict(read_csv(client.get("/statistiques/demandes.csv"))[1:])
    assert requests["Accordée"] == "1" and requests["Déposée"] == "0"
    assert client.get("/statistiques/inconnu.csv").status_code == 404
    assert client.get("/statistiques/inconnu.xlsx").status_code == 404


def test_every_table_of_the_page_downloads_in_both_formats(client, programme):
    page = client.get("/statistiques").get_data(as_text=True)
    keys = [table.key for table in summarise(scope.france()).tables()]
    assert len(keys) == 11
    for key in keys:
        for extension in ("csv", "xlsx"):
            href = f"/statistiques/{key}.{extension}"
            assert f'href="{href}"' in page, href
            response = client.get(href)
            assert response.status_code == 200, href
            assert "attachment;" in response.headers["Content-Disposition"]
            rows = read_csv(response) if extension == "csv" else read_xlsx(response)
            assert len(rows) >= 2, href


def test_a_hostile_department_name_is_neutralised_in_the_spreadsheets(client, referential):
    # No organisation or town name reaches a public table: the département's does.
    hostile = factories.DepartmentFactory(
        code="22",
        name='=HYPERLINK("http://pirate.example","Côtes")',
        region=referential["departments"]["29"].region,
    )
    factories.CommuneFactory(department=hostile, is_pvd=True)
    rows = read_csv(client.get("/statistiques/departements.csv?region=53"))
    names = {row[0]: row[1] for row in rows[1:]}
    assert names["22"] == '\'=HYPERLINK("http://pirate.example","Côtes")'
    sheet = load_workbook(
        io.BytesIO(client.get("/statistiques/departements.xlsx?region=53").data)
    ).active
    cell = next(row[1] for row in sheet.iter_rows(min_row=2) if row[0].value == "22")
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    # On the page it is text, escaped.
    page = client.get("/statistiques?region=53").get_data(as_text=True)
    assert "=HYPERLINK(&#34;http://pirate.example&#34;" in page or (
        "=HYPERLINK(&quot;http://pirate.example&quot;" in page
    )


# --- Small counts ----------------------------------------------------------------


def recruit(organisation, number: int, **profile) -> None:
    db.session.add(
        Recruit(
            organisation_id=organisation.id,
            department_code=organisation.department_code,
            post_key=f"title:poste {number}",
            source="declared",
            started_on=date(2025, 9, 1),
            employer_kind="commune",
            **profile,
        )
    )


def test_a_small_count_is_hidden_on_the_page_in_the_csv_and_in_the_json(client, people):
    # Seven recruits in Quimperlé: five women and two men. "Homme: 2" is hidden, and
    # "Autre: 0" with it, or the 2 would follow from 7 - 5.
    for number in range(5):
        recruit(people.quimperle, number, gender="femme")
    for number in range(5, 7):
        recruit(people.quimperle, number, gender="homme")
    db.session.commit()

    genre = client.get("/api/v1/statistiques?departement=29").json["profil_recrutes"]["genre"]
    assert genre == {"femme": 5, "homme": None, "autre": None, "non_renseigne": 0}

    rows = dict(read_csv(client.get("/statistiques/profil-genre.csv?departement=29"))[1:])
    assert rows == {"Femme": "5", "Homme": "< 5", "Autre": "< 5", "Non renseigné": "0"}
    xlsx = dict(read_xlsx(client.get("/statistiques/profil-genre.xlsx?departement=29"))[1:])
    assert xlsx == {"Femme": 5, "Homme": "< 5", "Autre": "< 5", "Non renseigné": 0}

    html = client.get("/statistiques?departement=29").get_data(as_text=True)
    assert re.search(r'<th scope="row">Homme</th>\s*<td class="app-number">&lt; 5</td>', html)
    assert re.search(r'<th scope="row">Femme</th>\s*<td class="app-number">5</td>', html)
    assert "Secret statistique" in html
    # The chart draws the hidden cells as "< 5" too; the 2 appears nowhere.
    assert 'data-suppressed="true" data-label="Homme"' in html
    assert not re.search(r">\s*Homme\s*:\s*2\b", html)


# --- The page ---------------------------------------------------------------------


def test_the_page_shows_figures_charts_map_and_tables(client, programme):
    response = client.get("/statistiques")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = response.page
    assert "Statistiques : France" in page
    for heading in (
        "Chiffres clés",
        "Carte des départements",
        "Prises de poste des chefs de projet par semestre",
        "Montants accordés par financeur et par année",
        "Demandes de cofinancement par état",
        "Postes cofinancés par l'ANAH",
        "Profil des recrutés",
    ):
        assert f">{heading}</h2>" in page, heading
    assert page.count("Mis à jour le ") == 7
    assert 'href="/offres"' in html  # the open offers' figure leads to the search
    assert html.count('class="pvd-chart"') == 3 + 5  # starts, money, requests, profile
    assert html.count('class="pvd-map"') == 2
    assert 'href="/statistiques?departement=29"' in html  # map and table drill down
    assert 'href="/api/v1/statistiques">Toutes les données (JSON)</a>' in html
    assert "20\u202f000,00\u00a0€" in page  # the ANAH mean amount, French style
    # No inline style or script: the Content-Security-Policy forbids them.
    assert " style=" not in html and "<script>" not in html


def test_the_page_renders_with_an_empty_database(client):
    response = client.get("/statistiques")
    assert response.status_code == 200
    page = response.page
    assert "Statistiques : France" in page
    for message in (
        "Aucun département n'est encore enregistré",
        "Aucune prise de poste n'est encore enregistrée sur ce territoire.",
        "Aucun cofinancement n'a encore été accordé sur ce territoire.",
        "Aucune demande de cofinancement n'a encore été déposée sur ce territoire.",
        "Aucun poste n'est encore cofinancé par l'ANAH sur ce territoire.",
        "Aucun recrutement n'est encore enregistré sur ce territoire",
    ):
        assert message in page, message
    assert "non disponible" in page  # no median time to hire yet
    assert client.get("/api/v1/statistiques").json["communes_pvd"] == 0
    rows = read_csv(client.get("/statistiques/prises-de-poste.csv"))
    assert rows == [["Semestre", "Prises de poste"]]


def test_anonymous_navigation_and_home_lead_to_the_statistics(client, referential):
    home = client.get("/").get_data(as_text=True)
    assert 'class="fr-nav__link" href="/statistiques"' in home
    assert 'href="/statistiques">Voir les statistiques par territoire</a>' in home
