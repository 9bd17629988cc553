"""The search API (/api/v1/offres) and one open offer (/api/v1/offres/<id>)."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request

from recrutement.accounts.permissions import public
from recrutement.core.time import paris_today
from recrutement.offers.listing import offer_detail_json
from recrutement.offers.queries import get_open_offer_or_404
from recrutement.search.cache import ResultCache, cached_on_current_view
from recrutement.search.query import InvalidSearch, SearchParams, search_offers
from recrutement.search.results import api_row_json, result_rows
from recrutement.web.api import bp

# The facets the JSON API returns (docs/design.md); the page shows them all.
API_FACETS = ("region", "departement", "contrat")


@bp.get("/offres")
@public
def api_search():
    try:
        params = SearchParams.from_args(request.args)
    except InvalidSearch as error:
        body: dict[str, object] = {
            "erreur": "Paramètre invalide",
            "parametre": error.parameter,
            "message": error.message,
        }
        if error.suggestions:
            body["suggestions"] = [
                {
                    "code_insee": place.insee_code,
                    "nom": place.name,
                    "departement": place.department_code,
                }
                for place in error.suggestions
            ]
        return jsonify(body), 400
    today = paris_today()
    return jsonify(cached_on_current_view(_bodies, (params, today), lambda: _body(params, today)))


# The bodies, by index view (search/cache.py); each is shared, never changed.
_bodies: ResultCache[dict[str, object]] = ResultCache()


def _body(params: SearchParams, today: date) -> dict[str, object]:
    results = search_offers(params, today)
    return {
        "total": results.total,
        "page": results.page,
        "par_page": results.per_page,
        "resultats": [api_row_json(row) for row in result_rows(results, today)],
        "facettes": {name: results.facets.get(name, {}) for name in API_FACETS},
        "suggestion": results.suggestion,
    }


@bp.get("/offres/<int:offer_id>")
@public
def api_offer(offer_id: int):
    return jsonify(offer_detail_json(get_open_offer_or_404(offer_id)))
