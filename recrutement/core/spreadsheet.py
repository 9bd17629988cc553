"""The one CSV and XLSX writer of the platform: every table a user downloads goes
through it, so text a spreadsheet would run as a formula is always neutralised (a
leading quote in CSV; a cell typed as text in XLSX).

A table is a list of Column (header, kind, width) and rows of typed values (numbers,
Decimal euros, dates, text; None for an empty cell).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

TEXT, INTEGER, MONEY, DATE, PERCENT = "text", "integer", "money", "date", "percent"

# Text a spreadsheet would read as a formula (CSV/formula injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

MONEY_FORMAT = '#,##0.00 "€"'
DATE_FORMAT = "DD/MM/YYYY"
PERCENT_FORMAT = "0.0 %"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str
    width: int = 14


def neutralise(text: str) -> str:
    """Text that cannot start a formula: a leading ' makes spreadsheets keep it as text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        # Text, or a mark such as "< 5" in a numeric column.
        return neutralise(value)
    if kind == MONEY:
        # French spreadsheets read "12575,34" as a number.
        return f"{Decimal(value):.2f}".replace(".", ",")
    if kind == PERCENT:
        return f"{value * 100:.1f}".replace(".", ",")
    if kind == DATE:
        day: str = value.strftime("%d/%m/%Y")
        return day
    return str(value)


def write_csv(columns: list[Column], rows: list[list[Any]]) -> str:
    """ ";"-separated, with a BOM so that spreadsheet software reads the accents right."""
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";")
    writer.writerow([neutralise(column.header) for column in columns])
    for row in rows:
        writer.writerow(
            [_csv_cell(value, column.kind) for value, column in zip(row, columns, strict=True)]
        )
    return "\ufeff" + output.getvalue()


def write_xlsx(columns: list[Column], rows: list[list[Any]], title: str) -> bytes:
    """A workbook with a bold, frozen header row with filters, real numbers for amounts
    and real dates."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook holds one worksheet
    # Excel refuses these characters in a sheet title.
    sheet.title = "".join(" " if char in "[]:*?/\\" else char for char in title)[:31] or "Feuille"
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = bold
        cell.data_type = "s"
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for row_number, row in enumerate(rows, start=2):
        for index, (value, column) in enumerate(zip(row, columns, strict=True), start=1):
            if value is None:
                continue
            if isinstance(value, str):
                # openpyxl turns text starting with "=" into a formula: a cell typed as a
                # string is shown as typed and never evaluated, so no quote is needed.
                cell = sheet.cell(row=row_number, column=index, value=value)
                cell.data_type = "s"
                continue
            cell = sheet.cell(row=row_number, column=index, value=value)
            if column.kind == MONEY:
                cell.number_format = MONEY_FORMAT
            elif column.kind == DATE:
                cell.number_format = DATE_FORMAT
            elif column.kind == PERCENT:
                cell.number_format = PERCENT_FORMAT
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
