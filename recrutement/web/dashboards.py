"""The formatters and charts shared by the public statistics page (web/public/statistics.py)
and the préfecture's and ANCT's dashboards, so that the three read alike, and what the
dashboards' templates (templates/shared/_dashboard.html) need besides their figures."""

from __future__ import annotations

import math
from decimal import Decimal

from recrutement.cofunding.models import CofundingStatus, Funder
from recrutement.core.spreadsheet import MONEY, PERCENT
from recrutement.pilotage.charts import bar_chart, horizontal_bar_chart, stacked_bar_chart
from recrutement.pilotage.profile import BREAKDOWNS, label
from recrutement.pilotage.summary import Summary
from recrutement.pilotage.suppression import SECRET

# French digit grouping: a narrow no-break space, so "1 234" never wraps.
THIN_SPACE = "\u202f"


def format_number(value: int | float) -> str:
    """1234 → "1 234"; 12.5 → "12,5"."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", THIN_SPACE).replace(".", ",")
    return f"{int(value):,}".replace(",", THIN_SPACE)


def format_euros(amount) -> str:
    """12575.34 → "12 575,34 €"."""
    text = f"{Decimal(amount):,.2f}".replace(",", THIN_SPACE).replace(".", ",")
    return f"{text}\u00a0€"


def format_share(share: float | None) -> str:
    """0.456 → "45,6 %"."""
    if share is None:
        return "non disponible"
    return f"{share * 100:.1f}".replace(".", ",") + "\u00a0%"


def plural(count: float, one: str, many: str) -> str:
    """French agreement: 0 and 1 take the singular."""
    return one if count < 2 else many


def format_cell(value, kind: str) -> str:
    """A table cell as the page prints it; a mark ("< 5", "secret") or a text as is."""
    if value is None:
        return "non disponible"
    if isinstance(value, str):
        return value
    if kind == MONEY:
        return format_euros(value)
    if kind == PERCENT:
        return format_share(value)
    return format_number(value)


def count_breaks(highest: int) -> list[int]:
    """Six whole bounds from 0 for a map of counts, so that the legend reads "0 à 2",
    "2 à 4"... rather than fractions of an offer."""
    step = max(1, math.ceil(highest / 5))
    return [step * index for index in range(6)]


def compact_euros(amount: float) -> str:
    """A chart's amount, short enough to stay level over a bar: 25554922 → "26 M€",
    8057333 → "8,1 M€", 85350 → "85 k€"."""
    size, unit = next(
        ((size, unit) for size, unit in ((1_000_000, "M€"), (1000, "k€")) if amount >= size),
        (1, "€"),
    )
    value = amount / size
    shown = round(value) if value >= 10 else round(value, 1)
    return f"{format_number(float(shown))}\u00a0{unit}"


def draw_charts(summary: Summary) -> dict:
    """The charts above each table (pilotage.charts), as inline SVG. A profile cell
    marked "secret" (5 or more, hidden so that another cannot be recomputed) has no
    bar: the chart would say "< 5"; the table under it gives the mark."""
    found: dict = {}
    if summary.starts:
        found["starts"] = bar_chart(
            [(short_semester(key), count) for key, count in summary.starts.items()],
            title="Prises de poste des chefs de projet par semestre",
            value_format=format_number,
        )
    if summary.money.by_year:
        years = list(summary.money.by_year)
        found["money"] = stacked_bar_chart(
            [str(year) for year in years],
            {
                funder.label: [float(summary.money.by_year[year][funder.value]) for year in years]
                for funder in Funder
            },
            title="Montants accordés par financeur et par année",
            # Rounded, so that a year's total stays level over its bar; the table
            # under the chart gives every amount to the cent.
            value_format=compact_euros,
        )
    if any(summary.requests.values()):
        found["requests"] = horizontal_bar_chart(
            [(CofundingStatus(status).label, count) for status, count in summary.requests.items()],
            title="Demandes de cofinancement par état",
            value_format=format_number,
        )
    for breakdown, cells in summary.profile.items():
        found[f"profile-{breakdown}"] = horizontal_bar_chart(
            [
                (label(breakdown, code), count.value)
                for code, count in cells.items()
                if count.shown != SECRET
            ],
            title=f"Profil des recrutés : {BREAKDOWNS[breakdown][0].lower()}",
            value_format=format_number,
        )
    return found


def short_semester(key: str) -> str:
    """ "2021-S1" → "S1 2021", short enough to stay level under a bar."""
    year, semester = key.split("-S")
    return f"S{semester} {year}"


FORMATTERS = {
    "number": format_number,
    "euros": format_euros,
    "share": format_share,
    "cell": format_cell,
    "plural": plural,
}


def blocks(summary: Summary) -> dict:
    """The template context of the dashboard blocks for `summary`."""
    charts = summary.drawn("charts", lambda: draw_charts(summary))
    return {**FORMATTERS, "charts": charts, "breakdowns": BREAKDOWNS}
