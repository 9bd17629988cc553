"""The cofunding simulator as JSON (/api/v1/simulateur); the page is web/public/simulator.py."""

from __future__ import annotations

from decimal import Decimal

from flask import jsonify, request

from recrutement.accounts.permissions import public
from recrutement.cofunding.engine import InvalidPeriod
from recrutement.web.api import bp
from recrutement.web.simulation import compute


def _euros(amount: Decimal) -> float:
    return float(amount.quantize(Decimal("0.01")))


@bp.get("/simulateur")
@public
def api_simulator():
    try:
        split, *_ = compute(request.args)
    except InvalidPeriod as error:
        return jsonify(
            {"erreur": "Paramètre invalide", "parametre": error.parameter, "message": error.message}
        ), 400
    return jsonify(
        {
            "plafond_total": _euros(split.ceiling),
            "total": _euros(split.total),
            "parts": {name: _euros(value) for name, value in split.parts.items()},
            "taux": float(split.rate),
            "jours": split.days,
        }
    )
