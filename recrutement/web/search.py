"""The public search page (/offres) and the search API (/api/v1/offres)."""

from __future__ import annotations

from flask import jsonify, render_template, request, url_for

from recrutement.accounts.permissions import public
from recrutement.offers.listing import (
    facet_labels,
    offer_detail_json,
    offer_json,
    result_rows,
)
from recrutement.offers.queries import get_open_offer_or_404
from recrutement.search.query import InvalidSearch, SearchParams, search_offers
from recrutement.web import api
from recrutement.web.public import bp

# The facets the JSON API returns (DESIGN.md); the page shows them all.
API_FACETS = ("region", "departement", "contrat")
SORTS = {
    "pertinence": "Pertinence",
    "date": "Les plus récentes",
    "date_limite": "Date limite la plus proche",
}


def search_url(params: SearchParams | None, **changes) -> str:
    """This search's address with `changes`; an empty value removes a parameter.
    Changing anything but the page starts again at page 1."""
    args = params.to_args() if params else {}
    if "page" not in changes:
        args.pop("page", None)
    for name, value in changes.items():
        if value in (None, ""):
            args.pop(name, None)
        else:
            args[name] = str(value)
    return url_for("public.search", **args)


@bp.get("/offres")
@public
def search():
    try:
        params = SearchParams.from_args(request.args)
    except InvalidSearch as error:
        return (
            render_template(
                "public/search.html",
                params=None,
                results=None,
                rows=[],
                labels=facet_labels(),
                error=error,
                args=request.args,
                sorts=SORTS,
                url=lambda **changes: search_url(None, **changes),
            ),
            400,
        )
    results = search_offers(params)
    return render_template(
        "public/search.html",
        params=params,
        results=results,
        rows=result_rows(results),
        labels=facet_labels(),
        error=None,
        args=request.args,
        sorts=SORTS,
        url=lambda **changes: search_url(params, **changes),
    )


@api.bp.get("/offres")
@public
def api_search():
    try:
        params = SearchParams.from_args(request.args)
    except InvalidSearch as error:
        body = {
            "erreur": "Paramètre invalide",
            "parametre": error.parameter,
            "message": error.message,
        }
        return jsonify(body), 400
    results = search_offers(params)
    return jsonify(
        {
            "total": results.total,
            "page": results.page,
            "par_page": results.per_page,
            "resultats": [offer_json(row.offer, row.excerpt) for row in result_rows(results)],
            "facettes": {name: results.facets.get(name, {}) for name in API_FACETS},
            "suggestion": results.suggestion,
        }
    )


@api.bp.get("/offres/<int:offer_id>")
@public
def api_offer(offer_id: int):
    return jsonify(offer_detail_json(get_open_offer_or_404(offer_id)))
