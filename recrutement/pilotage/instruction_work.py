"""The state of an instructor's work (docs/design.md, Programme dashboard: a préfecture sees
"the state of its instruction work"), each figure defined once, computed in SQL.

Every figure takes the scoped query of the requests its reader may see: for a
préfecture or an ANAH delegation, cofunding.queries.requests_for_instructor(user), the
query its queue lists; so the figures can never count another département's request
(nor, for ANAH, a request that does not ask ANAH).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, Select, and_, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

from recrutement.cofunding.models import CofundingRequest, CofundingStatus, Funder, FundingPlan
from recrutement.cofunding.queries import AGES, WAITING_STATES, status_counts
from recrutement.cofunding.workflow import DECIDED_STATES
from recrutement.core.time import utcnow
from recrutement.extensions import db

# The median in SQL of the programme's figures (two middle rows read by OFFSET).
from recrutement.pilotage.figures import CENT, _median


class days_between(FunctionElement[float]):  # noqa: N801 (an SQL function, named as one)
    """Days elapsed from the timestamp `start` to the timestamp `end`, as a real number
    (36 hours are 1.5 days), in the database's own dialect."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_postgresql(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)})) / 86400.0)"
    )


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
    )


def requests_per_state(requests: Select[Any]) -> dict[str, int]:
    """Requests per state: the reader's filed requests counted in each filed state
    (zeros included), as the queue counts them."""
    return status_counts(requests)


def waiting_by_age(requests: Select[Any], now: datetime | None = None) -> dict[str, int]:
    """Age of the requests waiting for a decision (filed or in instruction): how many
    were filed less than 15 days ago, 15 to 30 days ago, more than 30 days ago (the
    queue's age filter, cofunding.queries.AGES; the boundaries are the same)."""
    now = now or utcnow()
    waiting = requests.where(CofundingRequest.status.in_(WAITING_STATES)).subquery()
    filed = waiting.c.submitted_at
    buckets = []
    for _, newest_days, oldest_days in AGES.values():
        condition = filed <= now - timedelta(days=newest_days)
        if oldest_days is not None:
            condition = and_(condition, filed > now - timedelta(days=oldest_days))
        buckets.append(func.coalesce(func.sum(case((condition, 1), else_=0)), 0))
    row = db.session.execute(select(*buckets).select_from(waiting)).one()
    return dict(zip(AGES, row, strict=True))


def median_days_to_decision(requests: Select[Any]) -> float | None:
    """Median time to decision: days from filing (`submitted_at`) to the decision
    (`decided_at`: granted, refused or classée sans suite), median over the reader's
    decided requests; None when none is decided. Elapsed days, one decimal."""
    decided = requests.where(
        CofundingRequest.status.in_(DECIDED_STATES),
        CofundingRequest.submitted_at.is_not(None),
        CofundingRequest.decided_at.is_not(None),
    ).subquery()
    days = select(days_between(decided.c.submitted_at, decided.c.decided_at).label("days"))
    return _median(days, "days")


def granted_in_year(requests: Select[Any], year: int) -> dict[str, Decimal]:
    """Amounts granted this year per funder: the amounts fixed by the reader's granted
    requests whose period lies in `year` (the programme counts money by calendar year
    of the period, as pilotage.figures.money_granted), every funder (zeros included)."""
    ids = (
        requests.where(CofundingRequest.status == CofundingStatus.GRANTED)
        .with_only_columns(CofundingRequest.id)
        .where(CofundingRequest.period_start.between(date(year, 1, 1), date(year, 12, 31)))
        .scalar_subquery()
    )
    found = dict(
        db.session.execute(
            select(FundingPlan.funder, func.sum(FundingPlan.granted_amount))
            .where(FundingPlan.request_id.in_(ids))
            .group_by(FundingPlan.funder)
        )
        .tuples()
        .all()
    )
    return {funder.value: Decimal(str(found.get(funder) or 0)).quantize(CENT) for funder in Funder}
