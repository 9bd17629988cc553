"""ANCT's dashboard (/pilotage/tableau-de-bord): every figure of the programme with the
drill-down France → région → département → collectivité (`?region=`, `?departement=`),
and what needs action in the chosen place.

The figures come from pilotage.summary and pilotage.figures (SQL, per scope); this
module only chooses the scope, gathers them and hands them to the template.
"""

from __future__ import annotations

from collections import defaultdict

from flask import abort, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.cofunding.models import CofundingRequest, CofundingStatus
from recrutement.cofunding.queries import WAITING
from recrutement.core.spreadsheet import INTEGER, PERCENT, TEXT, Column
from recrutement.extensions import db
from recrutement.organisations.models import Organisation, OrganisationStatus
from recrutement.pilotage import figures
from recrutement.pilotage.cache import cached_summary
from recrutement.pilotage.map import department_map
from recrutement.pilotage.map import departments as map_shapes
from recrutement.pilotage.scope import DEPARTMENT, FRANCE, REGION, Scope, UnknownPlace, from_args
from recrutement.pilotage.summary import Summary, Table
from recrutement.pilotage.to_handle import WAITING_DAYS, to_handle
from recrutement.referential.models import Commune, Department, Region
from recrutement.web.dashboards import blocks, count_breaks, format_number, plural
from recrutement.web.forms import page_number
from recrutement.web.pilotage import bp

# How many of the oldest waiting requests the dashboard lists (the rest: /pilotage/demandes).
WAITING_SHOWN = 10
VACANT_PAGE_SIZE = 20

PLACE_COLUMNS = [
    Column("Communes PVD", INTEGER, 14),
    Column("Avec chef de projet", INTEGER, 18),
    Column("Part avec chef de projet", PERCENT, 22),
    Column("Chefs de projet en poste", INTEGER, 22),
    Column("Offres ouvertes", INTEGER, 14),
]


def _share(covered: int, towns: int) -> float | None:
    return covered / towns if towns else None


def regions_table(summary: Summary) -> tuple[Table, dict[str, str]]:
    """France's drill-down: the régions, added up from the départements' grouped figures
    (about a hundred rows, already counted in SQL)."""
    names = dict(db.session.execute(select(Region.code, Region.name)).tuples().all())
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for item in summary.departments:
        line = totals[item.region_code]
        line[0] += item.pvd_towns
        line[1] += item.pvd_towns_with_project_lead
        line[2] += item.project_leads_in_post
        line[3] += item.open_offers
    ordered = sorted(totals.items(), key=lambda pair: names.get(pair[0], pair[0]))
    rows = [
        [names.get(code, code), towns, covered, _share(covered, towns), leads, offers]
        for code, (towns, covered, leads, offers) in ordered
    ]
    links = {
        names.get(code, code): url_for("pilotage.dashboard", region=code) for code, _ in ordered
    }
    return Table("regions", "Par région", [Column("Région", TEXT, 28), *PLACE_COLUMNS], rows), links


def departments_table(summary: Summary) -> tuple[Table, dict[str, str]]:
    """A région's drill-down: its départements."""
    rows = [
        [
            f"{item.name} ({item.code})",
            item.pvd_towns,
            item.pvd_towns_with_project_lead,
            item.share_with_project_lead,
            item.project_leads_in_post,
            item.open_offers,
        ]
        for item in summary.departments
    ]
    links = {
        f"{item.name} ({item.code})": url_for("pilotage.dashboard", departement=item.code)
        for item in summary.departments
    }
    columns = [Column("Département", TEXT, 28), *PLACE_COLUMNS]
    return Table("departements", "Par département", columns, rows), links


def vacant_map(summary: Summary, counts: dict[str, int]) -> Markup | None:
    """Where posts are vacant, on the map (pilotage.map): France, or a région's
    départements alone; each département leads to its own dashboard. Départements
    without a PVD town read "pas de donnée". None for a single département."""
    place = summary.scope
    if place.level == DEPARTMENT:
        return None
    known = set(map_shapes())
    only = None if place.is_france else set(place.department_codes or ()) & known
    if only is not None and not only:
        return None
    values = {item.code: counts.get(item.code, 0) for item in summary.departments if item.pvd_towns}
    return department_map(
        values,
        title="Communes PVD sans chef de projet ni offre ouverte, par département",
        legend_title="communes PVD sans chef de projet ni offre ouverte",
        value_format=lambda value: format_number(value) + plural(value, " commune", " communes"),
        breaks=count_breaks(max(values.values(), default=0)),
        link=lambda code: url_for(
            "pilotage.dashboard", departement=code, _anchor="communes-vacantes"
        ),
        only=only,
    )


def trail(place: Scope) -> list[tuple[str, str | None]]:
    """France → région → département, each a link but the current place."""
    items: list[tuple[str, str | None]] = [("France", url_for("pilotage.dashboard"))]
    if place.level == REGION:
        items.append((place.name, None))
    elif place.level == DEPARTMENT:
        department = db.session.get_one(Department, place.code)
        items.append(
            (department.region.name, url_for("pilotage.dashboard", region=department.region_code))
        )
        items.append((place.name, None))
    items[-1] = (items[-1][0], None)
    return items


@bp.get("/tableau-de-bord", endpoint="dashboard")
@roles(Role.ADMIN)
def dashboard():
    try:
        place = from_args(request.args)
    except UnknownPlace:
        abort(404)
    summary = cached_summary(place)
    drill: Table | None = None
    links: dict[str, str] = {}
    organisations: list[figures.OrganisationFigures] = []
    if place.level == FRANCE:
        drill, links = regions_table(summary)
    elif place.level == REGION:
        drill, links = departments_table(summary)
    else:
        organisations = figures.by_organisation(place, summary.on)
    waiting = db.session.scalars(
        figures.requests_waiting(place, WAITING_DAYS)
        .options(selectinload(CofundingRequest.organisation).selectinload(Organisation.department))
        .limit(WAITING_SHOWN)
    ).all()
    vacant_page = db.paginate(
        figures.vacant_towns(place, summary.on).options(selectinload(Commune.department)),
        page=page_number(request.args),
        per_page=VACANT_PAGE_SIZE,
        error_out=False,
    )
    vacant_counts = figures.vacant_towns_by_department(place, summary.on)
    place_args = {"region": place.code} if place.level == REGION else {}
    if place.level == DEPARTMENT:
        place_args = {"departement": place.code}
    return render_template(
        "pilotage/dashboard.html",
        place=place,
        summary=summary,
        trail=trail(place),
        drill=drill,
        drill_links=links,
        organisations=organisations,
        organisation_labels={status.value: status.label for status in OrganisationStatus},
        handle=to_handle(place, summary.on),
        waiting=waiting,
        waiting_days=WAITING_DAYS,
        waiting_args={**place_args, "etat": WAITING, "anciennete": "plus-30j"},
        vacant_page=vacant_page,
        vacant_rows=[
            (item, vacant_counts.get(item.code, 0))
            for item in summary.departments
            if vacant_counts.get(item.code)
        ],
        place_args=place_args,
        status_labels=CofundingStatus.LABELS,
        map_svg=vacant_map(summary, vacant_counts),
        **blocks(summary),
        regions=db.session.scalars(select(Region).order_by(Region.name)).all(),
        departments=db.session.scalars(select(Department).order_by(Department.code)).all(),
    )
