"""/api/v1/collectivites: the communes and groupings of the sign-up type-ahead."""

from __future__ import annotations

from flask import jsonify, request

from recrutement.accounts.permissions import public
from recrutement.organisations.services import search_collectivities
from recrutement.web.api import bp


@bp.get("/collectivites")
@public
def collectivities():
    """Communes and groupings matching `q` (name or postcode), for the sign-up type-ahead."""
    query = request.args.get("q", "")
    return jsonify(
        {
            "resultats": [
                {
                    "choix": result.choice,
                    "nom": result.name,
                    "detail": result.detail,
                    "pvd": result.is_pvd,
                    "deja_inscrite": result.taken,
                }
                for result in search_collectivities(query)
            ]
        }
    )
