"""Every cofunding request of the country, read-only, for ANCT (/pilotage/demandes).

The list filters by région, département, state, funder and age and counts per state;
its exports parse; a request's page shows its content, history, messages, attachments
and decision, never the instructors' private notes nor any action; a draft is not
filed, so it answers 404 as an unknown number does. Other roles are refused every
route (tests/test_permissions.py walks them all) and the scoped query gives them
nothing.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from werkzeug.datastructures import FileStorage

from recrutement.accounts.models import Role
from recrutement.cofunding import instruction, services
from recrutement.cofunding.queries import requests_for_programme
from recrutement.core.time import paris_today
from recrutement.extensions import db
from tests import factories
from tests.cofunding.conftest import content
from tests.cofunding.test_instruction_pages import filed as filed_one
from tests.cofunding.test_instruction_pages import sign_in
from tests.support import TINY_PDF

POSTS = itertools.count(1)
ANAH = {"anah_asked": True, "housing_operation": "OPAH-RU du centre ancien"}


def filed(people, **overrides):
    overrides.setdefault("post_title", f"Chef de projet n° {next(POSTS)}")
    return filed_one(people, **overrides)


def listed(page: str) -> list[int]:
    return [int(number) for number in re.findall(r'href="/pilotage/demandes/(\d+)"', page)]


@pytest.fixture
def anct(app):
    admin = factories.UserFactory(role=Role.ADMIN)
    db.session.commit()
    return sign_in(app, admin)


@pytest.fixture
def country(people, referential):
    """Requests in Finistère (Bretagne), Meuse (Grand Est) and Morbihan (Bretagne)."""
    ploermel = factories.OrganisationFactory(commune=referential["ploermel"], name="Ploërmel")
    morbihan = factories.MembershipFactory(organisation=ploermel).user
    db.session.commit()
    quimperle_old = filed(people, days_ago=40, **ANAH)
    quimperle_new = filed(people, days_ago=2)
    instruction.open_instruction(people.prefecture, quimperle_new)
    commercy = filed(people, employer=people.other_employer, days_ago=20)
    found = services.create_request(morbihan, content(post_title="Poste de Ploërmel"))
    services.submit(morbihan, found)
    draft = services.create_request(people.employer, content(post_title="Brouillon secret"))
    return {
        "quimperle_old": quimperle_old,
        "quimperle_new": quimperle_new,
        "commercy": commercy,
        "ploermel": found,
        "draft": draft,
    }


def test_every_filed_request_of_the_country_oldest_first(anct, country):
    page = anct.get("/pilotage/demandes").page
    assert listed(page) == [
        country["quimperle_old"].id,
        country["commercy"].id,
        country["quimperle_new"].id,
        country["ploermel"].id,
    ]
    assert "Brouillon secret" not in page and country["draft"].id not in listed(page)
    assert "Toutes (4)" in page and "Déposée (3)" in page and "En instruction (1)" in page
    for text in ("Finistère (29)", "Meuse (55)", "Morbihan (56)", "il y a 40 jours"):
        assert text in page, text
    # Read-only: no form but the filters' (GET) and the logout.
    assert 'method="post"' not in page.replace('method="post" action="/deconnexion"', "")


def test_filters_by_region_department_state_funder_and_age(anct, country):
    def numbers(query):
        return listed(anct.get(f"/pilotage/demandes?{query}").page)

    bretagne = numbers("region=53")
    assert bretagne == [
        country["quimperle_old"].id,
        country["quimperle_new"].id,
        country["ploermel"].id,
    ]
    assert numbers("departement=55") == [country["commercy"].id]
    assert numbers("region=53&departement=56") == [country["ploermel"].id]
    assert numbers("region=44&departement=29") == []
    assert numbers("etat=in_instruction") == [country["quimperle_new"].id]
    assert numbers("region=53&etat=submitted") == [
        country["quimperle_old"].id,
        country["ploermel"].id,
    ]
    assert numbers("financeur=anah") == [country["quimperle_old"].id]
    assert numbers("anciennete=plus-30j") == [country["quimperle_old"].id]
    assert numbers("anciennete=15-30j&departement=55") == [country["commercy"].id]
    assert numbers("etat=waiting&anciennete=plus-30j") == [country["quimperle_old"].id]
    # Counts follow the place, not the other filters; unknown codes are ignored.
    page = anct.get("/pilotage/demandes?region=53&etat=granted").page
    assert "Toutes (3)" in page and "Déposée (2)" in page
    assert "Aucune demande ne correspond à ces filtres." in page
    assert len(numbers("departement=999&etat=nimporte")) == 4


def test_pages_of_20_and_any_page_number(anct, people):
    for _ in range(23):
        filed(people)
    first = anct.get("/pilotage/demandes").page
    assert len(listed(first)) == 20 and "23 demandes" in first
    assert len(listed(anct.get("/pilotage/demandes?page=2").page)) == 3
    for page in ("0", "-1", "abc", "99999999999999999999999"):
        assert anct.get(f"/pilotage/demandes?page={page}").status_code == 200, page
    beyond = anct.get("/pilotage/demandes?page=7").page
    assert "Cette page n'existe pas" in beyond


def test_exports_parse_and_follow_the_filters(anct, country):
    response = anct.get("/pilotage/demandes.csv?region=53")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Cache-Control"] == "private, no-store"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["N°", "Collectivité", "Département"]
    assert [int(row[0]) for row in rows[1:]] == [
        country["quimperle_old"].id,
        country["quimperle_new"].id,
        country["ploermel"].id,
    ]
    assert {row[2] for row in rows[1:]} == {"Finistère (29)", "Morbihan (56)"}

    response = anct.get("/pilotage/demandes.xlsx?departement=55")
    sheet = load_workbook(BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "N°" and len(values) == 2
    assert values[1][0] == country["commercy"].id and values[1][2] == "Meuse (55)"
    all_rows = load_workbook(BytesIO(anct.get("/pilotage/demandes.xlsx").data)).active
    assert all_rows.max_row == 5  # header and the four filed requests, no draft


def test_a_request_shows_history_and_messages_but_never_private_notes(anct, people):
    found = filed(people, **ANAH)
    instruction.open_instruction(people.prefecture, found)
    services.post_message(people.prefecture, found, "Merci de joindre la délibération.")
    services.post_message(people.employer, found, "La voici, votée le 12 mars.")
    instruction.add_note(people.prefecture, found, "Maire difficile à joindre, relancer lundi.")
    instruction.add_note(people.anah, found, "Note ANAH confidentielle.")
    instruction.give_anah_opinion(people.anah, found, True, found.part("anah").granted_amount, "")
    page = anct.get(f"/pilotage/demandes/{found.id}").page
    assert f"Demande n° {found.id} — Quimperlé" in page
    assert "Plan de financement" in page and "Avis de l'ANAH : <strong>favorable</strong>" in page
    assert "Historique" in page and "Instruction commencée" in page
    assert "Merci de joindre la délibération." in page and "La voici, votée le 12 mars." in page
    assert "Maire difficile à joindre" not in page and "Note ANAH confidentielle" not in page
    assert "Notes internes" not in page
    # No action: nothing is posted from this page.
    assert 'method="post"' not in page.replace('method="post" action="/deconnexion"', "")
    assert "Envoyer le message" not in page and "Ouvrir l'instruction" not in page


def test_a_draft_or_an_unknown_request_answers_404(anct, people):
    draft = services.create_request(people.employer, content())
    attachment = services.add_attachment(
        people.employer, draft, "deliberation", FileStorage(BytesIO(TINY_PDF), "d.pdf")
    )
    assert anct.get(f"/pilotage/demandes/{draft.id}").status_code == 404
    assert anct.get(f"/pilotage/demandes/{draft.id}/pieces/{attachment.id}").status_code == 404
    assert anct.get("/pilotage/demandes/999999").status_code == 404


def test_attachments_and_decision_download(anct, people):
    year = paris_today().year
    draft = services.create_request(
        people.employer,
        content(
            holder_start_date=date(year, 1, 1),
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
        ),
    )
    attachment = services.add_attachment(
        people.employer, draft, "deliberation", FileStorage(BytesIO(TINY_PDF), "deliberation.pdf")
    )
    services.submit(people.employer, draft)
    other = filed(people, employer=people.other_employer)
    page = anct.get(f"/pilotage/demandes/{draft.id}").page
    link = f"/pilotage/demandes/{draft.id}/pieces/{attachment.id}"
    assert f'href="{link}"' in page and "Délibération du conseil — deliberation.pdf" in page
    response = anct.get(link)
    assert response.data == TINY_PDF and response.headers["Cache-Control"] == "private, no-store"
    response.close()
    # The attachment is read through its own request only.
    assert anct.get(f"/pilotage/demandes/{other.id}/pieces/{attachment.id}").status_code == 404
    # The decision exists once granted.
    assert anct.get(f"/pilotage/demandes/{draft.id}/decision.pdf").status_code == 404
    instruction.open_instruction(people.prefecture, draft)
    instruction.grant(people.prefecture, draft)
    assert "Télécharger la décision" in anct.get(f"/pilotage/demandes/{draft.id}").page
    pdf = anct.get(f"/pilotage/demandes/{draft.id}/decision.pdf")
    assert pdf.data.startswith(b"%PDF-")
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    pdf.close()


def test_the_programme_query_gives_other_roles_nothing(people):
    filed(people)
    filed(people, employer=people.other_employer)
    for user in (people.prefecture, people.anah, people.employer):
        assert db.session.scalars(requests_for_programme(user)).all() == []


def test_other_roles_are_refused(app, people):
    found = filed(people)
    for user in (people.prefecture, people.anah, people.employer):
        browser = sign_in(app, user)
        for path in (
            "/pilotage/demandes",
            "/pilotage/demandes.csv",
            f"/pilotage/demandes/{found.id}",
            "/pilotage/tableau-de-bord",
        ):
            assert browser.get(path).status_code == 403, (user.role, path)
    candidate = factories.UserFactory(role=Role.CANDIDATE)
    db.session.commit()
    assert sign_in(app, candidate).get("/prefecture/tableau-de-bord").status_code == 403
