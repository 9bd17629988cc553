"""A candidate fills in their profile: identity, town, mobility, default CV and the
optional statistics answers; only they can read their CV."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from recrutement.accounts.models import Role
from recrutement.candidates.models import CandidateProfile
from recrutement.candidates.profile import existing_profile
from recrutement.extensions import db
from recrutement.files.models import StoredFile
from recrutement.files.storage import read_stored
from recrutement.files.stores import file_store
from tests.support import TINY_PDF

URL = "/candidat/profil"


def profile_form(**overrides) -> dict:
    data = {
        "first_name": "Camille",
        "last_name": "Le Goff",
        "phone": "06 12 34 56 78",
        "town": "Quimperlé",
        "mobility_regions": ["53"],
        "mobility_departments": ["29", "56"],
        "experience_years": "",
        "diploma": "",
        "field_of_study": "",
        "gender": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def pdf(content: bytes = TINY_PDF, name: str = "cv.pdf"):
    return (io.BytesIO(content), name)


def download_cv(client):
    """GET the candidate's CV, reading and closing the file response."""
    with client.get(f"{URL}/cv") as response:
        response.get_data()
    return response


def profile_of(user) -> CandidateProfile:
    db.session.expire_all()
    return existing_profile(user)


def test_a_candidate_saves_a_full_profile(client, login_as):
    user = login_as(Role.CANDIDATE)
    page = client.get(URL)
    assert page.status_code == 200
    assert page.page.count("<h1") == 1
    assert 'enctype="multipart/form-data"' in page.page and "novalidate" in page.page
    assert "Bretagne" in page.page and "Grand Est" in page.page and "Meuse (55)" in page.page

    response = client.post(
        URL,
        data=profile_form(
            cv=pdf(),
            experience_years="4",
            diploma="bac+5",
            field_of_study="urbanisme",
            gender="femme",
        ),
    )
    assert response.status_code == 302, response.page[:3000]
    assert response.headers["Location"].endswith(URL)

    profile = profile_of(user)
    assert (user.first_name, user.last_name) == ("Camille", "Le Goff")
    assert profile.phone == "06 12 34 56 78"
    assert profile.town_insee_code == "29233"
    assert profile.mobility_regions == ["53"]
    assert profile.mobility_departments == ["29", "56"]
    assert profile.default_cv.original_name == "cv.pdf"
    assert read_stored(profile.default_cv) == TINY_PDF
    assert (profile.experience_years, profile.diploma) == (4, "bac+5")
    assert (profile.field_of_study, profile.gender) == ("urbanisme", "femme")

    # The form shows what was saved, the town in a form it reads back.
    page = client.get(URL).page
    assert "Votre profil est enregistré." in page
    assert 'value="Quimperlé (29300)"' in page
    assert "CV actuel : " in page and "Retirer mon CV" in page
    assert client.post(URL, data=profile_form(town="Quimperlé (29300)")).status_code == 302
    assert profile_of(user).town_insee_code == "29233"


@pytest.mark.parametrize(
    ("typed", "insee_code"),
    [
        ("29300", "29233"),
        ("55502", "55502"),
        ("ploermel", "56165"),
        ("Commercy (55200)", "55122"),
        ("MELLAC (29)", "29146"),
    ],
)
def test_the_town_is_resolved_from_a_name_postcode_or_insee_code(
    client, login_as, typed, insee_code
):
    user = login_as(Role.CANDIDATE)
    assert client.post(URL, data=profile_form(town=typed)).status_code == 302
    assert profile_of(user).town_insee_code == insee_code


def test_a_town_without_known_position_is_accepted(client, login_as):
    user = login_as(Role.CANDIDATE)  # Mellac has no coordinates in the referential fixture
    assert client.post(URL, data=profile_form(town="29146")).status_code == 302
    assert profile_of(user).town_insee_code == "29146"
    assert 'value="Mellac (29300)"' in client.get(URL).page


def test_an_unknown_town_changes_nothing_and_is_explained(client, login_as):
    user = login_as(Role.CANDIDATE, first_name="Alex")
    response = client.post(
        URL, data=profile_form(first_name="Nouveau", town="Atlantide", phone="02 98 00 00 00")
    )
    assert response.status_code == 400
    assert "Commune introuvable : « Atlantide »" in response.page
    # What was typed is kept.
    assert 'value="Atlantide"' in response.page and 'value="Nouveau"' in response.page
    assert 'value="02 98 00 00 00"' in response.page
    db.session.expire_all()
    assert user.first_name == "Alex"
    assert profile_of(user) is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_name": ""}, "Ce champ est obligatoire."),
        ({"phone": "appelez-moi"}, "Saisissez un numéro de téléphone valide"),
        ({"mobility_regions": ["99"]}, "Choisissez des régions de la liste."),
        ({"mobility_departments": ["29", "75"]}, "Choisissez des départements de la liste."),
        ({"experience_years": "51"}, "Indiquez un nombre d'années entre 0 et 50."),
        ({"experience_years": "beaucoup"}, "Indiquez un nombre d'années entre 0 et 50."),
        ({"diploma": "cap"}, "Choisissez un diplôme de la liste."),
        ({"gender": "x"}, "Choisissez une réponse de la liste."),
    ],
)
def test_bad_input_is_refused_in_french(client, login_as, overrides, message):
    user = login_as(Role.CANDIDATE)
    response = client.post(URL, data=profile_form(**overrides, cv=pdf()))
    assert response.status_code == 400
    assert message in response.page
    assert profile_of(user) is None
    assert db.session.scalar(select(func.count(StoredFile.id))) == 0


def test_the_statistics_answers_are_optional_and_explained(client, login_as):
    user = login_as(Role.CANDIDATE)
    page = client.get(URL).page
    assert "Pour les statistiques du programme (facultatif)" in page
    assert "statistiques anonymes" in page and "jamais montrées aux collectivités" in page
    assert page.count("Je préfère ne pas répondre") == 4

    assert client.post(URL, data=profile_form(diploma="bac+3", gender="homme")).status_code == 302
    assert (profile_of(user).diploma, profile_of(user).gender) == ("bac+3", "homme")
    # Answering "je préfère ne pas répondre" clears a previous answer.
    assert client.post(URL, data=profile_form(experience_years="0")).status_code == 302
    profile = profile_of(user)
    assert profile.experience_years == 0
    assert (profile.diploma, profile.field_of_study, profile.gender) == (None, None, None)


def test_the_cv_is_checked_by_content_replaced_and_removed(client, login_as):
    user = login_as(Role.CANDIDATE)
    response = client.post(URL, data=profile_form(cv=pdf(b"not a pdf at all", "faux.pdf")))
    assert response.status_code == 400
    assert "Ce fichier n'est pas un PDF valide." in response.page
    assert profile_of(user) is None

    assert client.post(URL, data=profile_form(cv=pdf(name="premier.pdf"))).status_code == 302
    first = profile_of(user).default_cv
    first_name = first.stored_name
    assert file_store().exists(first_name)

    # A refused replacement keeps the current CV.
    assert client.post(URL, data=profile_form(cv=pdf(b"%PDF-1.4 truncated"))).status_code == 400
    assert profile_of(user).default_cv.original_name == "premier.pdf"

    second_content = TINY_PDF.replace(b"1.4", b"1.7")
    assert (
        client.post(URL, data=profile_form(cv=pdf(second_content, "second.pdf"))).status_code == 302
    )
    second = profile_of(user).default_cv
    assert second.original_name == "second.pdf"
    assert not file_store().exists(first_name)
    assert db.session.scalar(select(func.count(StoredFile.id))) == 1
    download = download_cv(client)
    assert download.status_code == 200
    assert download.data == second_content
    assert download.headers["Content-Type"] == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]

    # Saving without a file keeps the CV; ticking "retirer" removes it.
    assert client.post(URL, data=profile_form()).status_code == 302
    assert profile_of(user).default_cv.original_name == "second.pdf"
    second_name = second.stored_name
    assert client.post(URL, data=profile_form(remove_cv="y")).status_code == 302
    assert profile_of(user).default_cv is None
    assert not file_store().exists(second_name)
    assert db.session.scalar(select(func.count(StoredFile.id))) == 0
    assert download_cv(client).status_code == 404


def test_each_candidate_only_gets_their_own_cv(client, login_as):
    login_as(Role.CANDIDATE)
    assert client.post(URL, data=profile_form(cv=pdf(TINY_PDF, "premiere.pdf"))).status_code == 302
    assert download_cv(client).data == TINY_PDF
    assert client.post("/deconnexion").status_code == 302

    other = login_as(Role.CANDIDATE)
    # The other candidate has no CV: they get nothing, not the first one's.
    assert download_cv(client).status_code == 404
    assert "premiere.pdf" not in client.get(URL).page
    other_content = TINY_PDF.replace(b"1.4", b"1.5")
    assert (
        client.post(URL, data=profile_form(cv=pdf(other_content, "autre.pdf"))).status_code == 302
    )
    download = download_cv(client)
    assert download.data == other_content
    assert profile_of(other).default_cv.original_name == "autre.pdf"


def test_an_employer_is_refused(client, login_as):
    login_as(Role.EMPLOYER)
    assert client.get(URL).status_code == 403
    assert client.post(URL, data=profile_form()).status_code == 403
    assert download_cv(client).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    for path in (URL, f"{URL}/cv"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/connexion" in response.headers["Location"]
    assert db.session.scalar(select(func.count(CandidateProfile.id))) == 0


# --- Mobility: régions, then their départements, only where there are PVD towns -------------


@pytest.fixture
def places_without_pvd_towns(referential):
    """Clipperton (its own région, no PVD town) and a Breton département whose communes
    are not in the programme."""
    from tests import factories

    clipperton = factories.DepartmentFactory(
        code="989",
        name="Île de Clipperton",
        region=factories.RegionFactory(code="989", name="Île de Clipperton"),
    )
    factories.CommuneFactory(insee_code="98901", name="Île de Clipperton", department=clipperton)
    cotes = factories.DepartmentFactory(
        code="22", name="Côtes-d'Armor", region=referential["departments"]["29"].region
    )
    factories.CommuneFactory(insee_code="22278", name="Saint-Brieuc", department=cotes)
    return clipperton


def test_mobility_lists_regions_then_their_departments_with_pvd_towns(
    client, login_as, places_without_pvd_towns
):
    login_as(Role.CANDIDATE)
    page = client.get(URL).page
    # One <details> per région with PVD towns; its départements inside it.
    regions = re.findall(r'data-mobility-region="([^"]+)"', page)
    assert regions == ["Bretagne", "Grand Est"]
    bretagne = page.split('data-mobility-region="Bretagne"', 1)[1].split("</details>", 1)[0]
    assert "Toute la région Bretagne" in bretagne
    assert "Finistère (29)" in bretagne and "Morbihan (56)" in bretagne
    assert "Meuse (55)" not in bretagne
    assert "Clipperton" not in page and "Côtes-d'Armor" not in page
    assert "Aucun territoire choisi." in page
    assert page.count('type="checkbox" id="mobility_') == 5  # 2 régions, 3 départements
    assert 'src="/static/js/mobility.js"' in page

    refused = client.post(URL, data=profile_form(mobility_departments=["29", "989"]))
    assert refused.status_code == 400
    assert "Choisissez des départements de la liste." in refused.page
    refused = client.post(URL, data=profile_form(mobility_regions=["989"]))
    assert "Choisissez des régions de la liste." in refused.page


def test_saved_mobility_shows_in_the_summary_and_opens_its_region(client, login_as):
    user = login_as(Role.CANDIDATE)
    saved = client.post(
        URL, data=profile_form(mobility_regions=["44"], mobility_departments=["29", "56"])
    )
    assert saved.status_code == 302
    assert (profile_of(user).mobility_regions, profile_of(user).mobility_departments) == (
        ["44"],
        ["29", "56"],
    )

    page = client.get(URL).page
    assert "Vos choix : Finistère (29), Morbihan (56), Grand Est (toute la région)." in page
    opened = re.findall(r'<details class="app-mobility" open data-mobility-region="([^"]+)"', page)
    assert opened == ["Bretagne", "Grand Est"]
    assert "2 départements choisis" in page and "toute la région" in page
    assert re.search(r'value="29"\s+checked', page) and re.search(r'value="44"[^>]*checked', page)
    assert not re.search(r'value="55"[^>]*checked', page)

    # Unticking everything clears the choice.
    client.post(URL, data=profile_form(mobility_regions=None, mobility_departments=None))
    assert (profile_of(user).mobility_regions, profile_of(user).mobility_departments) == ([], [])
