"""An instructor's queue of cofunding requests as a spreadsheet: one function builds the
rows (typed values: numbers, dates, text), two writers turn them into CSV or XLSX.

The requests given are already scoped and filtered (cofunding.queries.queue): this
module never decides who sees what.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from recrutement.cofunding.models import CofundingRequest, Funder
from recrutement.core import spreadsheet
from recrutement.core.spreadsheet import DATE, INTEGER, MONEY, MONEY_FORMAT, TEXT, Column
from recrutement.core.time import PARIS

__all__ = ["COLUMNS", "HEADERS", "MONEY_FORMAT", "queue_rows", "write_csv", "write_xlsx"]

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


def queue_rows(requests: Iterable[CofundingRequest]) -> list[list[Any]]:
    """One row per request, in the order of COLUMNS, with typed values (None: empty)."""
    rows = []
    for request in requests:
        parts: list[Decimal | None] = []
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
                request.status.label,
                _paris_date(request.submitted_at),
                _paris_date(request.decided_at),
            ]
        )
    return rows


def write_csv(rows: list[list[Any]]) -> str:
    """The queue as CSV (core.spreadsheet: ";", BOM, formulas neutralised)."""
    return spreadsheet.write_csv(COLUMNS, rows)


def write_xlsx(rows: list[list[Any]], title: str = "Demandes") -> bytes:
    """The queue as a workbook (core.spreadsheet: real numbers and dates)."""
    return spreadsheet.write_xlsx(COLUMNS, rows, title)
