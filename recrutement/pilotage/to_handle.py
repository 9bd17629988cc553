"""What needs ANCT's action (docs/design.md, Programme dashboard: "what needs action"), as
counts for a scope: the dashboard lists each, the home page of /pilotage/ shows these
counts. Each list is a figure of pilotage.figures; this module only counts them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select

from recrutement.extensions import db
from recrutement.pilotage import figures
from recrutement.pilotage.scope import Scope

# A request waits "too long" once filed more than this many days ago without decision.
WAITING_DAYS = 30


@dataclass
class ToHandle:
    waiting_requests: int
    departments_without_anah_agent: list[tuple[str, str, int]]
    vacant_towns: int

    @property
    def total(self) -> int:
        return self.waiting_requests + len(self.departments_without_anah_agent) + self.vacant_towns


def count(query: Select[Any]) -> int:
    """The number of rows of a query (its ORDER BY is dropped)."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def to_handle(scope: Scope, on: date) -> ToHandle:
    """Requests waiting for a decision for more than WAITING_DAYS days, départements whose
    requests ask ANAH without an active ANAH agent, PVD towns with neither a chef de
    projet in post on `on` nor an open offer; all within `scope`."""
    return ToHandle(
        waiting_requests=count(figures.requests_waiting(scope, WAITING_DAYS)),
        departments_without_anah_agent=figures.departments_without_anah_agent(scope),
        vacant_towns=count(figures.vacant_towns(scope, on)),
    )
