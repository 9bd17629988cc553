"""The dashboards: the préfecture's (/prefecture/tableau-de-bord) and ANCT's
(/pilotage/tableau-de-bord, with the summary on /pilotage/).

Scoping: a préfecture reads only its département's figures and requests (data is
built in Finistère and in Meuse; none of Finistère's names or amounts may reach the
Meuse page); an ANAH delegation's work is only the requests that ask ANAH; ANCT sees
both. The instruction-work figures are checked on hand-built data with the expected
numbers written here; "à traiter" lists move as their definition says.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from recrutement.accounts.models import Role
from recrutement.cofunding import instruction
from recrutement.cofunding.models import CofundingRequest
from recrutement.cofunding.queries import WAITING_STATES, requests_for_instructor
from recrutement.core.time import paris_today, utcnow
from recrutement.extensions import db
from recrutement.pilotage import figures, instruction_work
from recrutement.pilotage.instruction_work import days_between
from tests import factories
from tests.cofunding.test_instruction_pages import filed as filed_one
from tests.cofunding.test_instruction_pages import sign_in

ANAH = {"anah_asked": True, "housing_operation": "OPAH-RU du centre ancien"}
POSTS = itertools.count(1)


def eur(amount: str) -> str:
    """An amount as the dashboards print it: "30 000,00" → "30 000,00 €" with the
    narrow no-break space between thousands and a no-break space before €."""
    return amount.replace(" ", "\u202f") + "\u00a0€"


def filed(people, **overrides):
    """A filed request for a post of its own (one request per post and period)."""
    overrides.setdefault("post_title", f"Chef de projet n° {next(POSTS)}")
    return filed_one(people, **overrides)


def this_year(**overrides):
    """A whole current year asked (the amounts are then the annual ones, unprorated)."""
    year = paris_today().year
    values = {
        "holder_start_date": date(year, 1, 1),
        "contract_end_date": date(year + 2, 12, 31),
        "period_start": date(year, 1, 1),
        "period_end": date(year, 12, 31),
    }
    return {**values, **overrides}


def granted(people, employer, prefecture, **overrides):
    found = filed(people, employer=employer, **this_year(**overrides))
    instruction.open_instruction(prefecture, found)
    instruction.grant(prefecture, found)
    return found


def decided(people, employer, prefecture, filed_days_ago: float, decided_after: float):
    """A request classée sans suite `decided_after` days after its filing."""
    found = filed(people, employer=employer)
    instruction.dismiss(prefecture, found, "Poste supprimé.")
    found.submitted_at = utcnow() - timedelta(days=filed_days_ago)
    found.decided_at = found.submitted_at + timedelta(days=decided_after)
    db.session.commit()
    return found


@pytest.fixture
def two_departments(people):
    """Finistère: Quimperlé granted 45,000 € (30,000 ANCT + 15,000 BdT) and a request
    asking ANAH; Meuse: Commercy granted 36,000 € (24,000 + 12,000) and one filed."""
    quimperle = granted(people, people.employer, people.prefecture, annual_loaded_cost=D(60000))
    quimperle_anah = filed(people, post_title="Chef de projet habitat", **ANAH)
    commercy = granted(
        people, people.other_employer, people.prefecture55, annual_loaded_cost=D(48000)
    )
    commercy_filed = filed(people, employer=people.other_employer, post_title="Second poste")
    return quimperle, quimperle_anah, commercy, commercy_filed


FINISTERE = ("Quimperlé", "Finistère", "Landerneau", "29233", eur("30 000,00"), eur("45 000,00"))
MEUSE = ("Commercy", "Meuse", "Stenay", eur("24 000,00"), eur("36 000,00"))


# --- the préfecture's dashboard ------------------------------------------------------


def test_a_prefecture_sees_its_department_only(app, people, two_departments):
    page = sign_in(app, people.prefecture55).get("/prefecture/tableau-de-bord").page
    assert "Tableau de bord — Meuse (55)" in page
    for text in FINISTERE:
        assert text not in page, text
    # Its work: Commercy's two requests, one granted and one filed.
    assert "Toutes (2)" in page and "Accordée (1)" in page and "Déposée (1)" in page
    # Granted this year: 24,000 € ANCT, 12,000 € BdT, 36,000 € in all.
    assert eur("24 000,00") in page and eur("12 000,00") in page and eur("36 000,00") in page
    # Its PVD towns without a chef de projet nor an open offer: Stenay (Commercy has one).
    vacant = page.split('id="communes-sans-chef-de-projet"')[1].split("</section>")[0]
    assert "Stenay" in vacant and "Commercy" not in vacant


def test_anct_sees_both_departments(people, two_departments, anct):
    page = anct.get("/pilotage/tableau-de-bord").page
    for text in ("Bretagne", "Grand Est"):
        assert text in page
    # 45,000 + 36,000 granted in the year, per funder 54,000 ANCT and 27,000 BdT.
    assert eur("81 000,00") in page and eur("54 000,00") in page and eur("27 000,00") in page
    # The vacant towns of both: Landerneau (29), Stenay (55), Ploërmel (56).
    vacant = page.split('id="communes-vacantes"')[1].split("</section>")[0]
    for town in ("Landerneau", "Stenay", "Ploërmel"):
        assert town in vacant
    meuse = anct.get("/pilotage/tableau-de-bord?departement=55").page
    for text in MEUSE[:3]:
        assert text in meuse
    assert "Quimperlé" not in meuse and "Landerneau" not in meuse


def test_an_anah_agent_works_on_the_requests_asking_anah(app, people, two_departments):
    page = sign_in(app, people.anah).get("/prefecture/tableau-de-bord").page
    assert "Vos avis ANAH" in page
    # One request of Finistère asks ANAH; the granted one does not.
    assert "Toutes (1)" in page and "Déposée (1)" in page and "Accordée (0)" in page
    work = page.split('id="instruction"')[1].split("</section>")[0]
    assert "aucune demande décidée pour le moment" in work
    assert eur("30 000,00") not in work  # Quimperlé's grant asked no ANAH
    prefecture = sign_in(app, people.prefecture).get("/prefecture/tableau-de-bord").page
    assert "Toutes (2)" in prefecture and eur("30 000,00") in prefecture


def test_the_dashboard_is_linked_from_the_prefecture_home_and_menu(app, people):
    page = sign_in(app, people.prefecture).get("/prefecture/").page
    assert page.count('href="/prefecture/tableau-de-bord"') == 2
    page = sign_in(app, people.anah).get("/prefecture/").page
    assert page.count('href="/prefecture/tableau-de-bord"') == 2


def test_ages_link_to_the_filtered_queue_that_lists_as_many(app, people):
    for days in (3, 14, 16, 29, 31, 45):
        filed(people, days_ago=days)
    # Not waiting for a decision: a complement asked, a dismissed request.
    asked = filed(people, days_ago=50)
    instruction.open_instruction(people.prefecture, asked)
    instruction.request_changes(people.prefecture, asked, "La délibération manque.")
    closed = filed(people, days_ago=60)
    instruction.dismiss(people.prefecture, closed, "Doublon.")
    browser = sign_in(app, people.prefecture)
    page = browser.get("/prefecture/tableau-de-bord").page
    for key in ("moins-15j", "15-30j", "plus-30j"):
        link = f'href="/prefecture/demandes?etat=waiting&anciennete={key}">2 demandes'
        assert link in page, key
        queue = browser.get(f"/prefecture/demandes?etat=waiting&anciennete={key}").page
        assert len(re.findall(r'href="/prefecture/demandes/(\d+)"', queue)) == 2


def test_every_state_count_leads_to_the_queue_listing_as_many(app, people):
    filed(people, days_ago=3)
    closed = filed(people, days_ago=60)
    instruction.dismiss(people.prefecture, closed, "Doublon.")
    browser = sign_in(app, people.prefecture)
    page = browser.get("/prefecture/tableau-de-bord").page
    # "Toutes" counts the decided ones too: it must open the queue on every state,
    # not on its default view (what awaits the agent).
    assert 'href="/prefecture/demandes?etat=all">Toutes (2)' in page
    queue = browser.get("/prefecture/demandes?etat=all").page
    assert len(set(re.findall(r'href="/prefecture/demandes/(\d+)"', queue))) == 2


# --- the instruction-work figures on hand-built data ----------------------------------


def test_waiting_by_age_counts_the_waiting_requests_in_three_buckets(people):
    for days in (1, 3, 14, 16, 20, 29, 31, 400):
        filed(people, days_ago=days)
    opened = filed(people, days_ago=40)
    instruction.open_instruction(people.prefecture, opened)  # in instruction: waiting
    asked = filed(people, days_ago=35)
    instruction.open_instruction(people.prefecture, asked)
    instruction.request_changes(people.prefecture, asked, "Pièce manquante.")  # not waiting
    filed(people, employer=people.other_employer, days_ago=2)  # Meuse: not Finistère's
    requests = requests_for_instructor(people.prefecture)
    assert instruction_work.waiting_by_age(requests) == {
        "moins-15j": 3,
        "15-30j": 3,
        "plus-30j": 3,
    }
    assert instruction_work.waiting_by_age(requests_for_instructor(people.anah)) == {
        "moins-15j": 0,
        "15-30j": 0,
        "plus-30j": 0,
    }


def test_median_days_from_filing_to_decision(people):
    requests = requests_for_instructor(people.prefecture)
    assert instruction_work.median_days_to_decision(requests) is None
    # Odd count: 1.5, 10 and 30 days → 10.
    for after in (1.5, 10, 30):
        decided(people, people.employer, people.prefecture, 60, after)
    # Meuse's and an undecided request do not count.
    decided(people, people.other_employer, people.prefecture55, 60, 2)
    filed(people, days_ago=90)
    assert instruction_work.median_days_to_decision(requests) == 10.0
    # Even count: 1.5, 3, 10, 30 → (3 + 10) / 2.
    decided(people, people.employer, people.prefecture, 60, 3)
    assert instruction_work.median_days_to_decision(requests) == 6.5
    assert (
        instruction_work.median_days_to_decision(requests_for_instructor(people.prefecture55))
        == 2.0
    )


def test_days_between_counts_elapsed_days_in_sql(people):
    found = filed(people)
    found.decided_at = found.submitted_at + timedelta(days=2, hours=6)
    db.session.commit()
    value = db.session.scalar(
        select(days_between(CofundingRequest.submitted_at, CofundingRequest.decided_at))
    )
    assert round(value, 4) == 2.25


def test_granted_in_year_per_funder(people):
    year = paris_today().year
    granted(people, people.employer, people.prefecture, annual_loaded_cost=D(60000))
    # Last year's period and Meuse's grant are not Finistère's money of this year.
    last = filed(
        people,
        post_title="Poste de l'an dernier",
        holder_start_date=date(year - 1, 1, 1),
        contract_end_date=date(year + 2, 12, 31),
        period_start=date(year - 1, 1, 1),
        period_end=date(year - 1, 12, 31),
    )
    instruction.open_instruction(people.prefecture, last)
    instruction.grant(people.prefecture, last)
    granted(people, people.other_employer, people.prefecture55, annual_loaded_cost=D(48000))
    requests = requests_for_instructor(people.prefecture)
    assert instruction_work.granted_in_year(requests, year) == {
        "anct": D("30000.00"),
        "bdt": D("15000.00"),
        "anah": D("0.00"),
    }
    assert instruction_work.requests_per_state(requests)["granted"] == 2


def test_the_waiting_filter_and_the_programme_figure_agree():
    assert tuple(WAITING_STATES) == tuple(figures.WAITING_STATUSES)


# --- ANCT: what needs action ------------------------------------------------------


@pytest.fixture
def anct(app):
    admin = factories.UserFactory(role=Role.ADMIN)
    db.session.commit()
    return sign_in(app, admin)


def test_a_request_waiting_over_30_days_needs_action(people, anct):
    old = filed(people, days_ago=31, post_title="Attend depuis 31 jours")
    recent = filed(people, days_ago=29, post_title="Attend depuis 29 jours")
    page = anct.get("/pilotage/tableau-de-bord").page
    section = page.split('id="demandes-en-attente"')[1].split('id="sans-anah"')[0]
    assert f'href="/pilotage/demandes/{old.id}"' in section
    assert f'href="/pilotage/demandes/{recent.id}"' not in section
    assert "depuis plus de 30 jours (1)" in page
    assert 'href="/pilotage/demandes?etat=waiting&anciennete=plus-30j"' in section
    home = anct.get("/pilotage/").page
    assert "1 demande en attente de décision depuis plus de 30 jours" in home
    # In Meuse, nothing waits.
    meuse = anct.get("/pilotage/tableau-de-bord?departement=55").page
    assert "Aucune demande n'attend de décision depuis plus de 30 jours." in meuse


def test_a_department_without_anah_agent_needs_action_until_one_exists(people, anct, referential):
    filed(people, employer=people.other_employer, **ANAH)  # Meuse asks ANAH
    people.anah55.is_active_account = False
    db.session.commit()
    page = anct.get("/pilotage/tableau-de-bord").page
    section = page.split('id="sans-anah"')[1].split('id="communes-vacantes"')[0]
    assert "Meuse (55) : 1 demande" in section
    assert 'href="/pilotage/comptes"' in section
    assert "1 département sans compte ANAH" in anct.get("/pilotage/").page
    agent = factories.UserFactory(role=Role.ANAH)
    agent.departments = [referential["departments"]["55"]]
    db.session.commit()
    page = anct.get("/pilotage/tableau-de-bord").page
    section = page.split('id="sans-anah"')[1].split('id="communes-vacantes"')[0]
    assert "Meuse" not in section
    assert "a un compte ANAH actif" in section


def test_vacant_towns_move_with_a_chef_de_projet_or_an_open_offer(people, anct, referential):
    page = anct.get("/pilotage/tableau-de-bord").page
    assert "Communes PVD sans chef de projet ni offre ouverte (5)" in page
    # An open offer covering Stenay; a chef de projet in post for Quimperlé.
    stenay = factories.OrganisationFactory(commune=referential["stenay"])
    factories.OfferFactory(organisation=stenay)
    filed(people)
    page = anct.get("/pilotage/tableau-de-bord").page
    assert "Communes PVD sans chef de projet ni offre ouverte (3)" in page
    vacant = page.split('id="communes-vacantes"')[1].split("</section>")[0]
    for town in ("Landerneau", "Commercy", "Ploërmel"):
        assert town in vacant
    assert "Stenay" not in vacant and "Quimperlé" not in vacant


def test_vacant_towns_list_is_paginated(anct, referential):
    department = referential["departments"]["56"]
    for number in range(25):
        factories.CommuneFactory(
            insee_code=f"56{number:03d}",
            name=f"Bourg {number:02d}",
            department=department,
            is_pvd=True,
        )
    db.session.commit()
    first = anct.get("/pilotage/tableau-de-bord?departement=56").page
    # By name: Bourg 00 to Bourg 24, then Ploërmel; 20 a page.
    assert "Bourg 00" in first and "Bourg 19" in first and "Bourg 20" not in first
    assert "page 1 sur 2" in first
    second = anct.get("/pilotage/tableau-de-bord?departement=56&page=2").page
    assert "Bourg 20" in second and "Ploërmel" in second and "Bourg 19" not in second
    for page in ("0", "-3", "abc", "3", "99999999999999999999999"):
        response = anct.get(f"/pilotage/tableau-de-bord?departement=56&page={page}")
        assert response.status_code == 200, page


# --- ANCT: the drill-down -----------------------------------------------------------


def test_drill_down_from_france_to_a_collectivite(people, anct, two_departments):
    france = anct.get("/pilotage/tableau-de-bord").page
    assert 'href="/pilotage/tableau-de-bord?region=53">Bretagne</a>' in france
    assert 'href="/pilotage/tableau-de-bord?region=44">Grand Est</a>' in france
    region = anct.get("/pilotage/tableau-de-bord?region=53").page
    assert "Tableau de bord — Bretagne" in region
    assert 'href="/pilotage/tableau-de-bord?departement=29">Finistère (29)</a>' in region
    assert 'href="/pilotage/tableau-de-bord?departement=56">Morbihan (56)</a>' in region
    assert "Meuse" not in region.split('id="detail"')[1]
    department = anct.get("/pilotage/tableau-de-bord?departement=29").page
    assert "Tableau de bord — Finistère (29)" in department
    # The trail back up: France › Bretagne › Finistère.
    assert 'href="/pilotage/tableau-de-bord?region=53">Bretagne</a>' in department
    detail = department.split('id="detail"')[1].split("</section>")[0]
    assert f'href="/pilotage/collectivites/{people.quimperle.id}">Quimperlé</a>' in detail
    assert eur("45 000,00") in detail  # granted to Quimperlé
    assert "Commercy" not in detail
    # The requests per state link to the list of the same place.
    assert 'href="/pilotage/demandes?etat=granted&departement=29"' in department


def test_an_unknown_place_answers_404(anct, referential):
    assert anct.get("/pilotage/tableau-de-bord?departement=999").status_code == 404
    assert anct.get("/pilotage/tableau-de-bord?region=999").status_code == 404


def test_empty_prefecture_dashboard(client, login_as):
    login_as(Role.PREFECTURE, departments=("56",))
    page = client.get("/prefecture/tableau-de-bord").page
    assert "aucune demande décidée pour le moment" in page
    assert "Ploërmel" in page  # its only PVD town has nobody yet
    assert "Aucun cofinancement n'a encore été accordé sur ce territoire." in page
