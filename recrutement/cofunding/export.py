"""An instructor's queue of cofunding requests as a spreadsheet: one function builds the
rows (typed values: numbers, dates, text), two writers turn them into CSV or XLSX.

The requests given are already scoped and filtered (cofunding.queries.queue): this
module never decides who sees what.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from recrutement.cofunding.models import CofundingRequest, Funder
from recrutement.core.time import PARIS

TEXT, INTEGER, MONEY, DATE = "text", "integer", "money", "date"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str
    width: int = 14


COLUMNS: list[Column] = [
    Column("N°", INTEGER, 8),
    Column("Collectivité", TEXT, 28),
    Column("Département", TEXT, 18),
    Column("Poste", TEXT, 36),
    Column("Chef de projet", TEXT, 24),
    Column("Début de période", DATE),
    Column("Fin de période", DATE),
    Column("Jours", INTEGER, 8),
    Column("Coût chargé annuel", MONEY, 16),
    Column("Financeurs", TEXT, 36),
    *(
        Column(f"{funder.label} — {which}", MONEY, 18)
        for funder in Funder
        for which in ("demandé", "retenu")
    ),
    Column("Total demandé", MONEY, 16),
    Column("Total retenu", MONEY, 16),
    Column("État", TEXT, 20),
    Column("Déposée le", DATE),
    Column("Décidée le", DATE),
]

HEADERS = [column.header for column in COLUMNS]


def _paris_date(moment: datetime | None) -> date | None:
    return moment.astimezone(PARIS).date() if moment else None


def queue_rows(requests: Iterable[CofundingRequest]) -> list[list]:
    """One row per request, in the order of COLUMNS, with typed values (None: empty)."""
    rows = []
    for request in requests:
        parts = []
        for funder in Funder:
            line = request.part(funder.value)
            parts += [line.requested_amount, line.granted_amount] if line else [None, None]
        rows.append(
            [
                request.id,
                request.organisation.name,
                request.organisation.department.label,
                request.post_title,
                request.holder_name,
                request.period_start,
                request.period_end,
                (request.period_end - request.period_start).days + 1,
                request.annual_loaded_cost,
                ", ".join(funder.label for funder in request.funders),
                *parts,
                request.requested_total,
                request.granted_total,
                request.status_enum.label,
                _paris_date(request.submitted_at),
                _paris_date(request.decided_at),
            ]
        )
    return rows


# Text a spreadsheet would read as a formula (CSV/formula injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == MONEY:
        # French spreadsheets read "12575,34" as a number.
        return f"{Decimal(value):.2f}".replace(".", ",")
    if kind == DATE:
        return value.strftime("%d/%m/%Y")
    text = str(value)
    if kind == TEXT and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(rows: list[list]) -> str:
    """ ";"-separated, with a BOM so that spreadsheet software reads the accents right."""
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";")
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow(
            [_csv_cell(value, column.kind) for value, column in zip(row, COLUMNS, strict=True)]
        )
    return "\ufeff" + output.getvalue()


MONEY_FORMAT = '#,##0.00 "€"'
DATE_FORMAT = "DD/MM/YYYY"


def write_xlsx(rows: list[list], title: str = "Demandes") -> bytes:
    """A workbook with a bold header row, real numbers for amounts and real dates."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    bold = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = bold
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for row_number, row in enumerate(rows, start=2):
        for index, (value, column) in enumerate(zip(row, COLUMNS, strict=True), start=1):
            if value is None:
                continue
            cell = sheet.cell(row=row_number, column=index, value=value)
            if column.kind == MONEY:
                cell.number_format = MONEY_FORMAT
            elif column.kind == DATE:
                cell.number_format = DATE_FORMAT
            elif column.kind == TEXT:
                # openpyxl turns text starting with "=" into a formula: keep it text.
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
