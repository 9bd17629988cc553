"""What the préfecture's queue (web/prefecture/requests.py) and ANCT's list of every
request (web/pilotage/requests.py) share: the loading, the downloads and "filed n
days ago"."""

from __future__ import annotations

from datetime import date

from flask import Response
from sqlalchemy.orm import selectinload

from recrutement.cofunding.models import CofundingRequest
from recrutement.core.time import PARIS, paris_today
from recrutement.organisations.models import Organisation

QUEUE_PAGE_SIZE = 20


def with_details(query):
    """Load what the queue and the exports show in a few queries, not a few per row."""
    return query.options(
        selectinload(CofundingRequest.organisation).selectinload(Organisation.department),
        selectinload(CofundingRequest.plan),
    )


def filed_on(found: CofundingRequest, today: date | None = None) -> tuple[date, str] | None:
    """The day a request was filed (in France) and how long ago, "il y a 12 jours"."""
    if found.submitted_at is None:
        return None
    day = found.submitted_at.astimezone(PARIS).date()
    days = ((today or paris_today()) - day).days
    if days <= 0:
        return day, "aujourd'hui"
    return day, f"il y a {days} jour{'s' if days > 1 else ''}"


def download(body, mimetype: str, filename: str) -> Response:
    """A private, uncached download of an export."""
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f"attachment; filename={filename}",
            "Cache-Control": "private, no-store",
        },
    )
