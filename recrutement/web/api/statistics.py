"""The public statistics as open data (/api/v1/statistiques): France, or the région or
département of `?region=` or `?departement=`, as pilotage.summary counts them."""

from __future__ import annotations

from flask import jsonify, request

from recrutement.accounts.permissions import public
from recrutement.pilotage import scope as scopes
from recrutement.pilotage.cache import cached_summary
from recrutement.pilotage.scope import UnknownPlace
from recrutement.web.api import bp


@bp.get("/statistiques")
@public
def api_statistics():
    try:
        scope = scopes.from_args(request.args)
    except UnknownPlace as error:
        return jsonify(
            {"erreur": "Paramètre invalide", "parametre": error.parameter, "message": error.message}
        ), 400
    return jsonify(cached_summary(scope).as_json())
