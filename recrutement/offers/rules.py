"""Rules on offer dates (docs/design.md: a notice stays open at least one month)."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def earliest_deadline(published_on: date) -> date:
    """The first deadline allowed for a notice published on `published_on`."""
    return add_months(published_on, 1)


# A notice open longer than this is a typo (or an offer that would never expire).
LONGEST_OPENING_MONTHS = 12


def latest_deadline(published_on: date) -> date:
    """The last deadline allowed for a notice published (or saved) on `published_on`."""
    return add_months(published_on, LONGEST_OPENING_MONTHS)
