"""Every CSV and XLSX the platform produces goes through core.spreadsheet, which
neutralises formulas: hostile values typed by users reach no spreadsheet as a live
formula (issue 10, finding 2)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from recrutement.accounts.models import Role
from recrutement.applications.models import ApplicationStatus
from recrutement.core.spreadsheet import Column, neutralise, write_csv, write_xlsx
from recrutement.extensions import db
from tests import factories
from tests.applications.test_employer_handling import make_application
from tests.cofunding.test_instruction_pages import filed, sign_in

HOSTILE = ['=HYPERLINK("https://malveillant.example","x")', "@SUM(1+1)", "+33 1 23", "-2+3"]
FORMULA_STARTS = ("=", "+", "-", "@")


def csv_cells(text: str) -> list[str]:
    assert text.startswith("\ufeff")
    return [cell for row in csv.reader(io.StringIO(text[1:]), delimiter=";") for cell in row]


def assert_no_live_formula_in_csv(text: str) -> None:
    for cell in csv_cells(text):
        assert not cell.startswith(FORMULA_STARTS), cell


def assert_no_live_formula_in_xlsx(data: bytes) -> None:
    sheet = load_workbook(io.BytesIO(data)).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value


def test_the_writer_neutralises_text_in_both_formats():
    columns = [Column("Nom", "text"), Column("Nombre", "integer")]
    rows = [[value, 3] for value in HOSTILE]
    text = write_csv(columns, rows)
    assert_no_live_formula_in_csv(text)
    assert "'=HYPERLINK(" in text
    data = write_xlsx(columns, rows, "Essai")
    assert_no_live_formula_in_xlsx(data)
    values = [row[0] for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
    assert values[1:] == HOSTILE  # kept as typed, as text
    assert neutralise("Quimperlé") == "Quimperlé"


def test_the_employer_applications_export(client, login_as):
    employer = login_as(Role.EMPLOYER)
    offer = factories.OfferFactory(organisation=employer.organisation)
    application = make_application(offer, "pirate@exemple.fr", ApplicationStatus.SENT)
    application.candidate.last_name = HOSTILE[0]
    application.candidate.first_name = HOSTILE[1]
    db.session.commit()
    text = client.get(f"/collectivite/offres/{offer.id}/candidatures.csv").get_data(as_text=True)
    assert_no_live_formula_in_csv(text)
    assert "'=HYPERLINK(" in text and "'@SUM(1+1)" in text


def test_the_instruction_queue_exports(app, people):
    filed(people, post_title=HOSTILE[0], holder_last_name=HOSTILE[1])
    people.quimperle.name = HOSTILE[2]
    db.session.commit()
    prefecture = sign_in(app, people.prefecture)
    text = prefecture.get("/prefecture/demandes.csv").get_data(as_text=True)
    assert_no_live_formula_in_csv(text)
    assert "'=HYPERLINK(" in text
    assert_no_live_formula_in_xlsx(prefecture.get("/prefecture/demandes.xlsx").data)
