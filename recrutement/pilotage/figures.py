"""The programme's figures (docs/design.md, Programme dashboard), each defined once.

Every figure is a function of a scope (pilotage.scope) and, where time matters, a day;
each is computed in SQL with grouped queries, never by looping over the programme in
Python. Views, exports and the API only call these (through pilotage.summary).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Exists,
    Integer,
    Select,
    SQLColumnExpression,
    and_,
    case,
    cast,
    exists,
    func,
    or_,
    select,
)

from recrutement.accounts.models import Role, User, user_department
from recrutement.applications.models import Application
from recrutement.cofunding.models import CofundingRequest, CofundingStatus, Funder, FundingPlan
from recrutement.cofunding.workflow import FILED_STATUSES
from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.offers.models import Offer, OfferStatus, offer_town
from recrutement.organisations.models import Organisation, organisation_town
from recrutement.pilotage.models import Recruit
from recrutement.pilotage.profile import COLUMNS, NOT_ANSWERED, categories
from recrutement.pilotage.scope import Scope
from recrutement.referential.models import Commune, Department

CENT = Decimal("0.01")
# Requests that wait for the préfecture's (or ANAH's) decision.
WAITING_STATUSES = (CofundingStatus.SUBMITTED, CofundingStatus.IN_INSTRUCTION)


def _scalar(query: Select[Any]) -> int:
    value: int | None = db.session.scalar(query)
    return value or 0


def _in_post(on: date) -> ColumnElement[bool]:
    """A recruit's post has started on `on` and its contract has not ended."""
    return and_(Recruit.started_on <= on, or_(Recruit.ends_on.is_(None), Recruit.ends_on >= on))


def _year(column: SQLColumnExpression[date]) -> ColumnElement[int]:
    return cast(func.extract("year", column), Integer)


def pvd_towns(scope: Scope) -> int:
    """PVD towns: communes with `is_pvd` whose département is in the scope."""
    return _scalar(select(func.count()).where(Commune.is_pvd, scope.where(Commune.department_code)))


def _towns_with_project_lead(on: date) -> Select[tuple[str]]:
    """INSEE codes of the towns covered by an organisation with a chef de projet in post."""
    return (
        select(organisation_town.c.commune_insee_code)
        .join(Recruit, Recruit.organisation_id == organisation_town.c.organisation_id)
        .where(_in_post(on))
    )


def pvd_towns_with_project_lead(scope: Scope, on: date) -> int:
    """PVD towns with a chef de projet: PVD towns of the scope covered by an organisation
    that has a chef de projet in post on `on` (a town counts once, in its own département,
    even when its organisation's seat lies in another)."""
    return _scalar(
        select(func.count()).where(
            Commune.is_pvd,
            scope.where(Commune.department_code),
            Commune.insee_code.in_(_towns_with_project_lead(on)),
        )
    )


def project_leads_in_post(scope: Scope, on: date) -> int:
    """Chefs de projet in post on `on`: posts filled on the platform (a hire, from its start
    date) or declared in a filed cofunding request, whose contract has not ended on `on`;
    counted in the département of their organisation."""
    return _scalar(
        select(func.count(Recruit.id)).where(scope.where(Recruit.department_code), _in_post(on))
    )


def _granted_covering(on: date) -> Exists:
    """A granted request for the recruit's post whose period covers `on`."""
    return exists().where(
        CofundingRequest.organisation_id == Recruit.organisation_id,
        CofundingRequest.post_key == Recruit.post_key,
        CofundingRequest.status == CofundingStatus.GRANTED,
        CofundingRequest.period_start <= on,
        CofundingRequest.period_end >= on,
    )


def project_leads_cofunded(scope: Scope, on: date) -> int:
    """Cofunded chefs de projet: in post on `on`, with a granted cofunding request for
    their post whose period covers `on`."""
    return _scalar(
        select(func.count(Recruit.id)).where(
            scope.where(Recruit.department_code), _in_post(on), _granted_covering(on)
        )
    )


def _offers_in(scope: Scope) -> Select[tuple[int]]:
    """Offers whose place of work lies in the scope (the search's own scoping)."""
    return (
        select(func.count(Offer.id))
        .join(Commune, Commune.insee_code == Offer.workplace_insee_code)
        .where(scope.where(Commune.department_code))
    )


def open_offers(scope: Scope) -> int:
    """Posts open: offers published today (the public search's `total` for the scope)."""
    return _scalar(_offers_in(scope).where(Offer.status == OfferStatus.PUBLISHED))


def filled_offers(scope: Scope) -> int:
    """Posts filled: offers in the state `filled` (the hire was recorded on the platform)."""
    return _scalar(_offers_in(scope).where(Offer.status == OfferStatus.FILLED))


def applications(scope: Scope) -> int:
    """Applications ever sent to offers whose place of work lies in the scope."""
    query = select(func.count(Application.id))
    if not scope.is_france:
        query = (
            query.join(Offer, Offer.id == Application.offer_id)
            .join(Commune, Commune.insee_code == Offer.workplace_insee_code)
            .where(scope.where(Commune.department_code))
        )
    return _scalar(query)


def _median(values_query: Select[Any], column: str) -> float | None:
    """The median of a one-column query, in SQL (two middle rows read by OFFSET)."""
    subquery = values_query.subquery()
    value = subquery.c[column]
    count = _scalar(select(func.count()).select_from(subquery).where(value.is_not(None)))
    if count == 0:
        return None
    middle = db.session.scalars(
        select(value)
        .where(value.is_not(None))
        .order_by(value)
        .offset((count - 1) // 2)
        .limit(2 - count % 2)
    ).all()
    return round(sum(float(item) for item in middle) / len(middle), 1)


def median_days_to_hire(scope: Scope, since: date | None = None) -> float | None:
    """Median time to hire: days from an offer's first publication to the hire it led to,
    over the hires of the scope recorded on the platform (since `since` when given)."""
    query = select(Recruit.days_to_hire.label("days")).where(
        scope.where(Recruit.department_code), Recruit.days_to_hire.is_not(None)
    )
    if since is not None:
        query = query.where(Recruit.hired_on >= since)
    return _median(query, "days")


def _requests_in(scope: Scope) -> Select[tuple[CofundingRequest]]:
    return (
        select(CofundingRequest)
        .join(Organisation, Organisation.id == CofundingRequest.organisation_id)
        .where(scope.where(Organisation.department_code))
    )


def requests_by_status(scope: Scope) -> dict[str, int]:
    """Cofunding requests filed by organisations of the scope, per state (drafts are the
    collectivité's own business and are not counted); every filed state, zeros included."""
    scoped = _requests_in(scope).subquery()
    found: dict[str, int] = dict(
        db.session.execute(select(scoped.c.status, func.count()).group_by(scoped.c.status))
        .tuples()
        .all()
    )
    return {status.value: found.get(status.value, 0) for status in FILED_STATUSES}


def _money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


@dataclass
class MoneyGranted:
    """Amounts granted per funder: in all, and per calendar year of the period."""

    total: dict[str, Decimal]
    by_year: dict[int, dict[str, Decimal]]


def money_granted(scope: Scope) -> MoneyGranted:
    """Money granted: the amounts fixed by granted requests of the scope's organisations,
    per funder (ANCT/État, Banque des territoires, ANAH), by calendar year of the period
    (a request's period lies in one calendar year)."""
    year = _year(CofundingRequest.period_start)
    query = (
        select(year, FundingPlan.funder, func.sum(FundingPlan.granted_amount))
        .join(CofundingRequest, CofundingRequest.id == FundingPlan.request_id)
        .where(CofundingRequest.status == CofundingStatus.GRANTED)
        .group_by(year, FundingPlan.funder)
        .order_by(year)
    )
    if not scope.is_france:
        query = query.join(Organisation, Organisation.id == CofundingRequest.organisation_id).where(
            scope.where(Organisation.department_code)
        )
    rows = db.session.execute(query).all()
    total = {funder.value: Decimal("0.00") for funder in Funder}
    by_year: dict[int, dict[str, Decimal]] = {}
    for row_year, funder, amount in rows:
        line = by_year.setdefault(int(row_year), {f.value: Decimal("0.00") for f in Funder})
        line[funder] = _money(amount)
        total[funder] += _money(amount)
    return MoneyGranted(total, by_year)


def anah_cofunded_posts(scope: Scope) -> tuple[int, Decimal | None]:
    """ANAH-cofunded posts: posts (organisation and post) with a granted ANAH part above
    zero, and the mean ANAH amount granted per such post (all its periods added)."""
    per_post = (
        select(func.sum(FundingPlan.granted_amount).label("amount"))
        .join(CofundingRequest, CofundingRequest.id == FundingPlan.request_id)
        .join(Organisation, Organisation.id == CofundingRequest.organisation_id)
        .where(
            scope.where(Organisation.department_code),
            CofundingRequest.status == CofundingStatus.GRANTED,
            FundingPlan.funder == Funder.ANAH,
            FundingPlan.granted_amount > 0,
        )
        .group_by(CofundingRequest.organisation_id, CofundingRequest.post_key)
        .subquery()
    )
    count, amount = db.session.execute(select(func.count(), func.sum(per_post.c.amount))).one()
    if not count:
        return 0, None
    return count, (_money(amount) / count).quantize(CENT)


def starts_by_semester(scope: Scope, on: date) -> dict[str, int]:
    """When recruits started: posts of the scope taken up on or before `on`, by semester
    of their start date ("2021-S1" is January to June 2021), oldest first. A post whose
    chef de projet arrives later is not counted yet."""
    year = _year(Recruit.started_on)
    semester = case((cast(func.extract("month", Recruit.started_on), Integer) <= 6, 1), else_=2)
    rows = db.session.execute(
        select(year, semester, func.count())
        .where(scope.where(Recruit.department_code), Recruit.started_on <= on)
        .group_by(year, semester)
        .order_by(year, semester)
    ).all()
    return {f"{int(y)}-S{int(s)}": count for y, s, count in rows}


def recruits_profile(scope: Scope) -> dict[str, dict[str, int]]:
    """Profile of recruits: every post of the scope, by experience, diploma, field of study,
    gender (the candidate's optional answers at the hire; "non renseigné" otherwise) and
    employer kind (commune, EPCI, PETR). Raw counts: publish them through
    pilotage.suppression only."""
    profile: dict[str, dict[str, int]] = {}
    for breakdown, column_name in COLUMNS.items():
        column = func.coalesce(getattr(Recruit, column_name), NOT_ANSWERED)
        found: dict[str, int] = dict(
            db.session.execute(
                select(column, func.count())
                .where(scope.where(Recruit.department_code))
                .group_by(column)
            )
            .tuples()
            .all()
        )
        profile[breakdown] = {code: found.get(code, 0) for code in categories(breakdown)}
    return profile


def recruits_count(scope: Scope) -> int:
    """Every post of the scope ever recorded (the total of each profile breakdown)."""
    return _scalar(select(func.count(Recruit.id)).where(scope.where(Recruit.department_code)))


# --- Per département, for the map and the drill-down --------------------------------


@dataclass
class DepartmentFigures:
    code: str
    name: str
    region_code: str
    pvd_towns: int
    pvd_towns_with_project_lead: int
    project_leads_in_post: int
    open_offers: int

    @property
    def share_with_project_lead(self) -> float | None:
        if not self.pvd_towns:
            return None
        return self.pvd_towns_with_project_lead / self.pvd_towns


def by_department(scope: Scope, on: date) -> list[DepartmentFigures]:
    """The map's figures for each département of the scope, in four grouped queries."""
    towns: dict[str, int] = dict(
        db.session.execute(
            select(Commune.department_code, func.count())
            .where(Commune.is_pvd)
            .group_by(Commune.department_code)
        )
        .tuples()
        .all()
    )
    covered: dict[str, int] = dict(
        db.session.execute(
            select(Commune.department_code, func.count())
            .where(Commune.is_pvd, Commune.insee_code.in_(_towns_with_project_lead(on)))
            .group_by(Commune.department_code)
        )
        .tuples()
        .all()
    )
    leads: dict[str, int] = dict(
        db.session.execute(
            select(Recruit.department_code, func.count())
            .where(_in_post(on))
            .group_by(Recruit.department_code)
        )
        .tuples()
        .all()
    )
    offers: dict[str, int] = dict(
        db.session.execute(
            select(Commune.department_code, func.count(Offer.id))
            .join(Commune, Commune.insee_code == Offer.workplace_insee_code)
            .where(Offer.status == OfferStatus.PUBLISHED)
            .group_by(Commune.department_code)
        )
        .tuples()
        .all()
    )
    departments = db.session.scalars(
        select(Department).where(scope.where(Department.code)).order_by(Department.code)
    ).all()
    # Places without PVD towns nor activity (the Terres australes, Clipperton…) are left out.
    active = set(towns) | set(leads) | set(offers)
    return [
        DepartmentFigures(
            code=item.code,
            name=item.name,
            region_code=item.region_code,
            pvd_towns=towns.get(item.code, 0),
            pvd_towns_with_project_lead=covered.get(item.code, 0),
            project_leads_in_post=leads.get(item.code, 0),
            open_offers=offers.get(item.code, 0),
        )
        for item in departments
        if item.code in active
    ]


@dataclass
class OrganisationFigures:
    id: int
    name: str
    status: str
    towns: int
    project_leads_in_post: int
    open_offers: int
    requests: int
    granted: Decimal


def by_organisation(scope: Scope, on: date) -> list[OrganisationFigures]:
    """The last step of ANCT's drill-down: each organisation of the scope."""
    towns = (
        select(func.count())
        .where(organisation_town.c.organisation_id == Organisation.id)
        .scalar_subquery()
    )
    leads = (
        select(func.count(Recruit.id))
        .where(Recruit.organisation_id == Organisation.id, _in_post(on))
        .scalar_subquery()
    )
    offers = (
        select(func.count(Offer.id))
        .where(Offer.organisation_id == Organisation.id, Offer.status == OfferStatus.PUBLISHED)
        .scalar_subquery()
    )
    requests = (
        select(func.count(CofundingRequest.id))
        .where(
            CofundingRequest.organisation_id == Organisation.id,
            CofundingRequest.status.in_(FILED_STATUSES),
        )
        .scalar_subquery()
    )
    granted = (
        select(func.coalesce(func.sum(FundingPlan.granted_amount), 0))
        .join(CofundingRequest, CofundingRequest.id == FundingPlan.request_id)
        .where(
            CofundingRequest.organisation_id == Organisation.id,
            CofundingRequest.status == CofundingStatus.GRANTED,
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            Organisation.id,
            Organisation.name,
            Organisation.status,
            towns,
            leads,
            offers,
            requests,
            granted,
        )
        .where(scope.where(Organisation.department_code))
        .order_by(Organisation.name)
    ).all()
    return [
        OrganisationFigures(
            organisation_id, name, status, town_count, in_post, published, filed, _money(amount)
        )
        for organisation_id, name, status, town_count, in_post, published, filed, amount in rows
    ]


# --- What needs action -------------------------------------------------------------


def requests_waiting(scope: Scope, days: int = 30) -> Select[tuple[CofundingRequest]]:
    """Requests waiting for a decision (filed or in instruction) for more than `days`
    days since filing, oldest first: a query of CofundingRequest."""
    return (
        _requests_in(scope)
        .where(
            CofundingRequest.status.in_(WAITING_STATUSES),
            CofundingRequest.submitted_at <= utcnow() - timedelta(days=days),
        )
        .order_by(CofundingRequest.submitted_at)
    )


def departments_without_anah_agent(scope: Scope) -> list[tuple[str, str, int]]:
    """Départements where filed, undecided requests ask ANAH and no active ANAH agent
    covers the département: (code, name, number of such requests)."""
    has_agent = exists().where(
        user_department.c.department_code == Organisation.department_code,
        user_department.c.user_id == User.id,
        User.role == Role.ANAH,
        User.is_active_account.is_(True),
    )
    rows = db.session.execute(
        select(Department.code, Department.name, func.count(CofundingRequest.id))
        .join(Organisation, Organisation.department_code == Department.code)
        .join(CofundingRequest, CofundingRequest.organisation_id == Organisation.id)
        .where(
            scope.where(Organisation.department_code),
            CofundingRequest.anah_asked.is_(True),
            CofundingRequest.status.in_((*WAITING_STATUSES, CofundingStatus.CHANGES_REQUESTED)),
            ~has_agent,
        )
        .group_by(Department.code, Department.name)
        .order_by(Department.code)
    ).all()
    return [(code, name, count) for code, name, count in rows]


def _towns_with_open_offer() -> CompoundSelect[tuple[str]]:
    """Towns named by a published offer, or covered by an organisation publishing one."""
    named = (
        select(offer_town.c.commune_insee_code)
        .join(Offer, Offer.id == offer_town.c.offer_id)
        .where(Offer.status == OfferStatus.PUBLISHED)
    )
    covered = (
        select(organisation_town.c.commune_insee_code)
        .join(Offer, Offer.organisation_id == organisation_town.c.organisation_id)
        .where(Offer.status == OfferStatus.PUBLISHED)
    )
    return named.union(covered)


def vacant_towns(scope: Scope, on: date) -> Select[tuple[Commune]]:
    """Where posts are vacant: PVD towns of the scope with neither a chef de projet in post
    on `on` nor an open offer. A query of Commune, by département then name."""
    return (
        select(Commune)
        .where(
            Commune.is_pvd,
            scope.where(Commune.department_code),
            Commune.insee_code.not_in(_towns_with_project_lead(on)),
            Commune.insee_code.not_in(_towns_with_open_offer()),
        )
        .order_by(Commune.department_code, Commune.name)
    )


def vacant_towns_by_department(scope: Scope, on: date) -> dict[str, int]:
    """How many PVD towns are vacant in each département of the scope (for the map)."""
    vacant = vacant_towns(scope, on).subquery()
    return dict(
        db.session.execute(
            select(vacant.c.department_code, func.count()).group_by(vacant.c.department_code)
        )
        .tuples()
        .all()
    )
