"""The public statistics (docs/design.md, Programme dashboard): /statistiques (page) and each
of its tables as CSV or XLSX (/statistiques/<key>.csv|.xlsx); the open data
(/api/v1/statistiques) is web/api/statistics.py. France by default, or the région or
département given by `?region=` or `?departement=` (so a link can be shared). Every
figure comes from pilotage.summary; this module only chooses the scope and presents it."""

from __future__ import annotations

from flask import Response, abort, render_template, request, url_for
from sqlalchemy import select

from recrutement.accounts.permissions import public
from recrutement.core import spreadsheet
from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.pilotage import figures
from recrutement.pilotage import scope as scopes
from recrutement.pilotage.cache import cached_summary
from recrutement.pilotage.map import department_map
from recrutement.pilotage.map import departments as map_shapes
from recrutement.pilotage.profile import BREAKDOWNS
from recrutement.pilotage.scope import Scope, UnknownPlace
from recrutement.pilotage.summary import Summary
from recrutement.referential.models import Department, Region
from recrutement.web.dashboards import (
    count_breaks,
    draw_charts,
    format_cell,
    format_euros,
    format_number,
    format_share,
    plural,
)
from recrutement.web.errors import render_error
from recrutement.web.public import bp


def scope_args(scope: Scope) -> dict[str, str | None]:
    """The query parameters that choose `scope` (empty for France)."""
    if scope.level == scopes.REGION:
        return {"region": scope.code}
    if scope.level == scopes.DEPARTMENT:
        return {"departement": scope.code}
    return {}


def scope_slug(scope: Scope) -> str:
    """The scope in a file name: france, region-53, departement-29."""
    return scope.level if scope.is_france else f"{scope.level}-{scope.code}"


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


def _map_figures(summary: Summary) -> tuple[Scope, list[figures.DepartmentFigures]]:
    """What the map shows: the scope's départements, or for a département the whole of
    its région (the département highlighted), so that it is seen among its neighbours."""
    scope = summary.scope
    if scope.level != scopes.DEPARTMENT or scope.code is None:
        return scope, summary.departments
    department = db.session.get_one(Department, scope.code)
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
    code = summary.scope.code
    highlight = {code} if summary.scope.level == scopes.DEPARTMENT and code is not None else None
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
        region = db.session.get_one(Department, scope.code).region
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
    body: str | bytes
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
