"""The dashboard of a préfecture or an ANAH delegation (/prefecture/tableau-de-bord):
the programme's figures for the agent's départements only, and the state of its
instruction work.

The programme's figures are those of the scope of the agent's own départements; the
work figures are computed from cofunding.queries.requests_for_instructor, the query
its queue lists (an ANAH agent's work is the requests that ask ANAH). Neither can read
another département's figures.
"""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.cofunding.models import Funder
from recrutement.cofunding.queries import AGES, WAITING, requests_for_instructor
from recrutement.cofunding.workflow import FILED_STATUSES
from recrutement.extensions import db
from recrutement.pilotage import figures, instruction_work, scope
from recrutement.pilotage.cache import cached_summary
from recrutement.referential.models import Commune
from recrutement.web.dashboards import blocks
from recrutement.web.prefecture import bp


@bp.get("/tableau-de-bord", endpoint="dashboard")
@roles(Role.PREFECTURE, Role.ANAH)
def dashboard():
    place = scope.departments(current_user.department_codes)
    summary = cached_summary(place)
    requests = requests_for_instructor(current_user)
    year = summary.on.year
    granted = instruction_work.granted_in_year(requests, year)
    return render_template(
        "prefecture/dashboard.html",
        place=place,
        summary=summary,
        per_state=instruction_work.requests_per_state(requests),
        statuses=FILED_STATUSES,
        by_age=instruction_work.waiting_by_age(requests),
        ages=AGES,
        waiting=WAITING,
        median_days=instruction_work.median_days_to_decision(requests),
        year=year,
        granted=granted,
        granted_total=sum(granted.values()),
        funders=list(Funder),
        vacant_towns=db.session.scalars(
            figures.vacant_towns(place, summary.on).options(selectinload(Commune.department))
        ).all(),
        **blocks(summary),
    )
