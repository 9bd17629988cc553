"""The personal data pages list exactly what is collected (issue 11, point 5): every
column of every table is on /donnees-personnelles (or the table is declared free of
personal data), the candidate's page lists what is about them, and the cookies named
are the ones the platform sets.

A new column or table that nobody described makes these tests fail: describe it in
recrutement/candidates/data_inventory.py."""

from __future__ import annotations

import re

from recrutement.accounts.devices import DEVICE_COOKIE
from recrutement.accounts.models import Role
from recrutement.candidates import data_inventory
from recrutement.candidates.data_inventory import NOT_PERSONAL, RECORDS, SECTIONS
from recrutement.extensions import db
from tests import factories


def text_of(page: str) -> str:
    """The page's words, tags dropped, every space (no-break ones too) made one."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def words(text: str) -> str:
    return " ".join(text.split())


def test_every_table_is_described_or_declared_free_of_personal_data(app):
    tables = set(db.metadata.tables)
    described = [record.table for record in RECORDS]
    assert len(described) == len(set(described)), "a table is described twice"
    assert not set(described) & NOT_PERSONAL
    undescribed = tables - set(described) - NOT_PERSONAL
    assert not undescribed, (
        f"tables missing from the personal data page: {sorted(undescribed)}; describe them "
        "in recrutement/candidates/data_inventory.py (or add them to NOT_PERSONAL)"
    )
    assert set(described) | NOT_PERSONAL <= tables, "the inventory names a table that is gone"


def test_every_column_has_a_line_on_the_page(app):
    for record in RECORDS:
        columns = {column.name for column in db.metadata.tables[record.table].columns}
        listed = [column for item in record.items for column in item.columns]
        listed += list(record.links)
        assert len(listed) == len(set(listed)), f"{record.table}: a column is listed twice"
        missing = columns - set(listed)
        assert not missing, (
            f"{record.table}: columns {sorted(missing)} are not on the personal data page; "
            "describe them in recrutement/candidates/data_inventory.py"
        )
        assert set(listed) <= columns, f"{record.table}: {sorted(set(listed) - columns)} are gone"


def test_each_record_has_one_place_on_the_page():
    placed = [table for _heading, tables in SECTIONS for table in tables]
    assert sorted(placed) == sorted(record.table for record in RECORDS)


def test_the_public_page_shows_every_line_and_its_retention(client, app):
    page = text_of(client.get("/donnees-personnelles").page)
    for heading, records in data_inventory.sections(app.config, "2 ans"):
        assert heading in page
        for record in records:
            assert record.title in page, record.table
            for item in record.items:
                assert words(item.text) in page, (record.table, item.columns)
            assert f"Combien de temps : {words(record.retention)}" in page, record.table
    assert "après 2 ans sans connexion ni candidature" in page
    assert "après 2 heures sans activité ou 24 heures après la connexion" in page
    assert "30 minutes et 10 heures pour les agents" in page
    # No leftover placeholder.
    assert "{" not in page.split("Données collectées", 1)[1].split("Destinataires", 1)[0]


def test_the_retention_follows_the_configuration(client, app):
    app.config["RETENTION_DAYS"] = 3 * 365
    assert "après 3 ans sans connexion ni candidature" in text_of(
        client.get("/donnees-personnelles").page
    )


def test_the_cookies_named_are_the_ones_the_platform_sets(client, app, referential):
    page = text_of(client.get("/donnees-personnelles").page)
    assert app.config["SESSION_COOKIE_NAME"] == "session"
    assert [cookie.name for cookie in data_inventory.COOKIES] == ["session", DEVICE_COOKIE]
    assert "pvd_appareil" in page and "180 jours" in page
    assert "ne dépose qu’un seul cookie" not in page

    user = factories.UserFactory(role=Role.CANDIDATE)
    response = client.post("/connexion", data={"email": user.email, "password": factories.PASSWORD})
    set_cookies = {header.split("=", 1)[0] for header in response.headers.getlist("Set-Cookie")}
    assert set_cookies <= {cookie.name for cookie in data_inventory.COOKIES}
    assert DEVICE_COOKIE in set_cookies


def test_the_candidate_page_lists_what_is_about_them(client, login_as, app):
    login_as(Role.CANDIDATE)
    page = text_of(client.get("/candidat/donnees").page)
    for record in data_inventory.records(app.config, "2 ans", data_inventory.CANDIDATE):
        assert record.title in page
        for item in record.items:
            assert words(item.text) in page
    for absent in ("Notes d'instruction", "Avis de l'ANAH", "Invitations des membres"):
        assert absent not in page
    assert "pvd_appareil" in page
    # The actions stay first.
    assert page.index("Télécharger mes données") < page.index("Ce que nous conservons")
