"""What the dashboards' templates (templates/pilotage/_dashboard.html) need besides
their figures: the public statistics page's formatters and charts, so that the
préfecture's and ANCT's dashboards read like /statistiques."""

from __future__ import annotations

from recrutement.pilotage.profile import BREAKDOWNS
from recrutement.pilotage.summary import Summary
from recrutement.web.statistics import (
    draw_charts,
    format_cell,
    format_euros,
    format_number,
    format_share,
    plural,
)

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
