"""One clock for the whole application, always timezone-aware UTC."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def paris_today() -> date:
    """Today in France: the day application deadlines are counted in."""
    return datetime.now(PARIS).date()


def paris_datetime(moment: datetime | None) -> str:
    """A stored UTC moment as the French read it: 22/11/2026 à 08:15 (Paris time)."""
    if moment is None:
        return ""
    return moment.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M")
