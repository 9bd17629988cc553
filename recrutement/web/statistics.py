"""The public statistics (DESIGN.md, Programme dashboard): /statistiques (page), each
of its tables as CSV or XLSX (/statistiques/<key>.csv|.xlsx), and the open data
(/api/v1/statistiques). France by default, or the région or département given by
`?region=` or `?departement=` (so a link can be shared). Every figure comes from
pilotage.summary; this module only chooses the scope and presents it."""

from __future__ import annotations

import math
from decimal import Decimal

from flask import Response, abort, jsonify, render_template, request, url_for
from sqlalchemy import select

from recrutement.accounts.permissions import public
from recrutement.cofunding.models import CofundingStatus, Funder
from recrutement.core import spreadsheet
from recrutement.core.spreadsheet import MONEY, PERCENT
from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.pilotage import figures
from recrutement.pilotage import scope as scopes
from recrutement.pilotage.cache import cached_summary
from recrutement.pilotage.charts import bar_chart, horizontal_bar_chart, stacked_bar_chart
from recrutement.pilotage.map import department_map
from recrutement.pilotage.map import departments as map_shapes
from recrutement.pilotage.profile import BREAKDOWNS, label
from recrutement.pilotage.scope import Scope, UnknownPlace
from recrutement.pilotage.summary import Summary
from recrutement.pilotage.suppression import SECRET
from recrutement.referential.models import Department, Region
from recrutement.web import api
from recrutement.web.errors import render_error
from recrutement.web.public import bp

# French digit grouping: a narrow no-break space, so "1 234" never wraps.
THIN_SPACE = "\u202f"


def scope_args(scope: Scope) -> dict[str, str]:
    """The query parameters that choose `scope` (empty for France)."""
    if scope.level == scopes.REGION:
        return {"region": scope.code}
    if scope.level == scopes.DEPARTMENT:
        return {"departement": scope.code}
    return {}


def scope_slug(scope: Scope) -> str:
    """The scope in a file name: france, region-53, departement-29."""
    return scope.level if scope.is_france else f"{scope.level}-{scope.code}"


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


def _places() -> tuple[list[Region], list[Department]]:
    regions = db.session.scalars(select(Region).order_by(Region.name)).all()
    departments = db.session.scalars(select(Department).order_by(Department.code)).all()
    return list(regions), list(departments)


def _breadcrumb(scope: Scope | None, region: Region | None) -> list[tuple[str, str | None]]:
    """Accueil › Statistiques (France) › région › département."""
    items: list[tuple[str, str | None]] = [
        ("Accueil", url_for("public.home")),
        ("Statistiques : France", url_for("public.statistics")),
    ]
    if scope is None:
        return [*items, ("Territoire inconnu", None)]
    if scope.is_france:
        return items
    if region is not None:
        items.append((region.name, url_for("public.statistics", region=region.code)))
    if scope.level == scopes.DEPARTMENT:
        items.append((scope.name, None))
    return items


def count_breaks(highest: int) -> list[int]:
    """Six whole bounds from 0 for a map of counts, so that the legend reads "0 à 2",
    "2 à 4"... rather than fractions of an offer."""
    step = max(1, math.ceil(highest / 5))
    return [step * index for index in range(6)]


def _map_figures(summary: Summary) -> tuple[Scope, list[figures.DepartmentFigures]]:
    """What the map shows: the scope's départements, or for a département the whole of
    its région (the département highlighted), so that it is seen among its neighbours."""
    scope = summary.scope
    if scope.level != scopes.DEPARTMENT or scope.code is None:
        return scope, summary.departments
    department = db.session.get(Department, scope.code)
    region_scope = scopes.region(department.region_code)
    return region_scope, figures.by_department(region_scope, summary.on)


def _drawn_maps(summary: Summary) -> tuple[Scope, list[figures.DepartmentFigures], dict]:
    map_scope, rows = _map_figures(summary)
    return map_scope, rows, _maps(summary, map_scope, rows)


def _maps(summary: Summary, map_scope: Scope, rows: list[figures.DepartmentFigures]) -> dict:
    """The two maps of France by département (pilotage.map), each linking every
    département to its own statistics; none for a région the shapes do not know."""

    def link(code: str) -> str:
        return url_for("public.statistics", departement=code)

    if not rows:
        return {}
    only = None
    if not map_scope.is_france:
        only = set(map_scope.department_codes or ()) & set(map_shapes())
        if not only:
            return {}
    highlight = {summary.scope.code} if summary.scope.level == scopes.DEPARTMENT else None
    share = department_map(
        {row.code: row.share_with_project_lead for row in rows if row.pvd_towns},
        title="Part des communes PVD ayant leur chef de projet, par département",
        legend_title="part des communes PVD ayant leur chef de projet",
        value_format=lambda value: format_share(value),
        breaks=[0, 0.2, 0.4, 0.6, 0.8, 1],
        link=link,
        only=only,
        highlight=highlight,
    )
    offer_counts = {row.code: row.open_offers for row in rows}
    offers = department_map(
        offer_counts,
        title="Offres ouvertes, par département",
        legend_title="offres ouvertes",
        value_format=lambda value: format_number(value),
        breaks=count_breaks(max(offer_counts.values(), default=0)),
        link=link,
        only=only,
        highlight=highlight,
    )
    return {"share": share, "offers": offers}


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


@bp.get("/statistiques")
@public
def statistics():
    regions, departments = _places()
    try:
        scope = scopes.from_args(request.args)
    except UnknownPlace as error:
        return render_template(
            "public/statistics.html",
            error=error,
            summary=None,
            scope=None,
            regions=regions,
            departments=departments,
            breadcrumb=_breadcrumb(None, None),
            args=request.args,
        ), 400
    summary = cached_summary(scope)
    region = None
    if scope.level == scopes.REGION:
        region = db.session.get(Region, scope.code)
    elif scope.level == scopes.DEPARTMENT:
        region = db.session.get(Department, scope.code).region
    map_scope, map_rows, maps = summary.drawn("maps", lambda: _drawn_maps(summary))
    return render_template(
        "public/statistics.html",
        error=None,
        summary=summary,
        scope=scope,
        region=region,
        regions=regions,
        departments=departments,
        breadcrumb=_breadcrumb(scope, region),
        tables={table.key: table for table in summary.tables()},
        breakdowns=BREAKDOWNS,
        recruits=sum(summary.starts.values()),
        requests_filed=sum(summary.requests.values()),
        map_scope=map_scope,
        map_rows=map_rows,
        maps=maps,
        charts=summary.drawn("charts", lambda: draw_charts(summary)),
        scope_args=scope_args(scope),
        cell=format_cell,
        number=format_number,
        euros=format_euros,
        share=format_share,
        plural=plural,
    )


def _download(key: str, extension: str):
    try:
        scope = scopes.from_args(request.args)
    except UnknownPlace as error:
        return render_error(400, error.message)
    table = cached_summary(scope).table(key)
    if table is None:
        abort(404)
    filename = f"statistiques-pvd-{scope_slug(scope)}-{key}-{paris_today().isoformat()}"
    if extension == "csv":
        body = spreadsheet.write_csv(table.columns, table.rows)
        mimetype = "text/csv"
    else:
        body = spreadsheet.write_xlsx(table.columns, table.rows, table.title)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}.{extension}"'},
    )


@bp.get("/statistiques/<key>.csv")
@public
def statistics_csv(key: str):
    return _download(key, "csv")


@bp.get("/statistiques/<key>.xlsx")
@public
def statistics_xlsx(key: str):
    return _download(key, "xlsx")


@api.bp.get("/statistiques")
@public
def api_statistics():
    try:
        scope = scopes.from_args(request.args)
    except UnknownPlace as error:
        return jsonify(
            {"erreur": "Paramètre invalide", "parametre": error.parameter, "message": error.message}
        ), 400
    return jsonify(cached_summary(scope).as_json())
