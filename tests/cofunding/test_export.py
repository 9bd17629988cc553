"""Exports of an instructor's queue: CSV (";", BOM) and XLSX (bold header, numbers and
dates as such), the same filtered and scoped requests as the queue, all pages."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from recrutement.cofunding import instruction, services
from recrutement.cofunding.export import HEADERS, MONEY_FORMAT, queue_rows, write_csv
from recrutement.core.time import paris_today, utcnow
from recrutement.extensions import db
from tests.cofunding.conftest import content
from tests.cofunding.test_instruction_pages import ANAH, filed, sign_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_csv(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.data)).active


def xlsx_rows(sheet) -> list[dict]:
    header = [cell.value for cell in sheet[1]]
    return [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


@pytest.fixture
def queue(people):
    """A granted request with ANAH, a submitted one without BDT, a draft, and one in the Meuse."""
    granted = filed(people, days_ago=10, post_title="Chef de projet PVD", **ANAH)
    instruction.open_instruction(people.prefecture, granted)
    instruction.give_anah_opinion(people.anah, granted, True, D("20000"))
    instruction.adjust_parts(people.prefecture, granted, {"bdt": D("5000")})
    instruction.grant(people.prefecture, granted)
    submitted = filed(people, days_ago=2, post_title='=HYPERLINK("x")', bdt_asked=False)
    services.create_request(people.employer, content(post_title="Brouillon"))
    meuse = filed(people, employer=people.other_employer, post_title="Poste de la Meuse")
    return granted, submitted, meuse


def test_csv_export_of_the_queue(app, people, queue):
    granted, submitted, _ = queue
    browser = sign_in(app, people.prefecture)
    response = browser.get("/prefecture/demandes.csv?etat=all")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=demandes-")
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = read_csv(response)
    assert list(rows[0]) == HEADERS
    assert [row["N°"] for row in rows] == [str(granted.id), str(submitted.id)]
    first = rows[0]
    assert first["Collectivité"] == "Quimperlé" and first["Département"] == "Finistère (29)"
    assert first["Poste"] == "Chef de projet PVD" and first["Chef de projet"] == "Camille Le Gall"
    assert (first["Début de période"], first["Fin de période"], first["Jours"]) == (
        "01/03/2026",
        "31/12/2026",
        "306",
    )
    assert first["Coût chargé annuel"] == "60000,00"
    assert first["Financeurs"] == "ANCT / État, Banque des territoires, ANAH"
    assert first["ANAH — demandé"] == "25150,68" and first["ANAH — retenu"] == "20000,00"
    assert first["Banque des territoires — demandé"] == "12575,34"
    assert first["Banque des territoires — retenu"] == "5000,00"
    assert first["Total retenu"] == "25000,00"
    assert first["État"] == "Accordée"
    assert first["Déposée le"] == (paris_today() - timedelta(days=10)).strftime("%d/%m/%Y")
    assert first["Décidée le"] == paris_today().strftime("%d/%m/%Y")
    second = rows[1]
    # A funder not asked is left empty; text a spreadsheet would run as a formula is not.
    assert second["Banque des territoires — demandé"] == "" and second["Décidée le"] == ""
    assert second["Poste"] == '\'=HYPERLINK("x")'


def test_xlsx_export_holds_numbers_and_dates(app, people, queue):
    granted, submitted, _ = queue
    browser = sign_in(app, people.prefecture)
    response = browser.get("/prefecture/demandes.xlsx?etat=all")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert response.headers["Content-Disposition"].endswith(".xlsx")
    assert response.headers["Cache-Control"] == "private, no-store"
    sheet = read_xlsx(response)
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.font.bold for cell in sheet[1])
    rows = xlsx_rows(sheet)
    assert [row["N°"] for row in rows] == [granted.id, submitted.id]
    first = rows[0]
    assert first["ANAH — retenu"] == 20000 and first["Total demandé"] == pytest.approx(
        float(granted.requested_total)
    )
    assert first["Coût chargé annuel"] == 60000 and first["Jours"] == 306
    assert first["Début de période"] == datetime(2026, 3, 1)
    assert isinstance(first["Décidée le"], datetime)
    money_column = HEADERS.index("Coût chargé annuel") + 1
    assert sheet.cell(row=2, column=money_column).number_format == MONEY_FORMAT
    assert sheet.cell(row=2, column=HEADERS.index("Début de période") + 1).is_date
    # The formula-looking title is text, not a formula.
    title = sheet.cell(row=3, column=HEADERS.index("Poste") + 1)
    assert title.value == '=HYPERLINK("x")' and title.data_type == "s"
    assert rows[1]["Banque des territoires — demandé"] is None


def test_another_departments_export_holds_none_of_its_requests(app, people, queue):
    _, _, meuse = queue
    browser = sign_in(app, people.prefecture55)
    rows = read_csv(browser.get("/prefecture/demandes.csv"))
    assert [row["N°"] for row in rows] == [str(meuse.id)]
    assert all(row["Département"] == "Meuse (55)" for row in rows)
    sheet_rows = xlsx_rows(read_xlsx(browser.get("/prefecture/demandes.xlsx")))
    assert [row["N°"] for row in sheet_rows] == [meuse.id]
    assert "Quimperlé" not in browser.get("/prefecture/demandes.csv").get_data(as_text=True)


def test_exports_follow_the_filters_and_the_anah_scope(app, people, queue):
    granted, submitted, _ = queue
    prefecture = sign_in(app, people.prefecture)
    only_submitted = read_csv(prefecture.get("/prefecture/demandes.csv?etat=submitted"))
    assert [row["N°"] for row in only_submitted] == [str(submitted.id)]
    asking_anah = xlsx_rows(
        read_xlsx(prefecture.get("/prefecture/demandes.xlsx?etat=all&financeur=anah"))
    )
    assert [row["N°"] for row in asking_anah] == [granted.id]
    # Without a state, the export is the view the queue opens on: what awaits the agent.
    waiting = read_csv(prefecture.get("/prefecture/demandes.csv"))
    assert [row["N°"] for row in waiting] == [str(submitted.id)]
    anah = sign_in(app, people.anah)
    assert read_csv(anah.get("/prefecture/demandes.csv")) == []  # its opinion is given
    assert [row["N°"] for row in read_csv(anah.get("/prefecture/demandes.csv?etat=all"))] == [
        str(granted.id)
    ]


def test_exports_hold_every_page(app, people):
    made = [filed(people, post_title=f"Poste {n:02d}") for n in range(23)]
    browser = sign_in(app, people.prefecture)
    rows = read_csv(browser.get("/prefecture/demandes.csv"))
    assert [row["N°"] for row in rows] == [str(found.id) for found in made]


def test_an_empty_queue_exports_its_header(app, people):
    browser = sign_in(app, people.prefecture)
    text = browser.get("/prefecture/demandes.csv").get_data(as_text=True)
    assert text == "\ufeff" + ";".join(HEADERS) + "\r\n"
    assert read_xlsx(browser.get("/prefecture/demandes.xlsx")).max_row == 1


def test_rows_are_built_once_for_both_writers(people):
    found = filed(people)
    found.submitted_at = utcnow()
    db.session.commit()
    rows = queue_rows([found])
    assert rows[0][0] == found.id and len(rows[0]) == len(HEADERS)
    assert write_csv(rows).count("\r\n") == 2
