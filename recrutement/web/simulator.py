"""The public cofunding simulator: /simulateur (page) and /api/v1/simulateur (JSON)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import jsonify, render_template, request

from recrutement.accounts.permissions import public
from recrutement.cofunding.engine import InvalidPeriod, Split, compute_split
from recrutement.cofunding.rules import as_rule, funding_rule_in_force
from recrutement.core.time import paris_today
from recrutement.web import api
from recrutement.web.public import bp

MAX_COST = Decimal("1000000")


def _parse(args) -> tuple[Decimal, bool, date, date]:
    """Read cout, anah, debut, fin; raise InvalidPeriod naming the bad parameter."""
    raw_cost = (args.get("cout") or "").strip().replace(" ", "").replace(",", ".")
    if not raw_cost:
        raise InvalidPeriod("cout", "Indiquez le coût chargé annuel du poste, en euros.")
    try:
        cost = Decimal(raw_cost)
    except InvalidOperation as error:
        raise InvalidPeriod("cout", "Le coût chargé annuel doit être un nombre d'euros.") from error
    if not cost.is_finite() or cost <= 0 or cost > MAX_COST:
        raise InvalidPeriod(
            "cout", "Le coût chargé annuel doit être compris entre 0 et 1 000 000 €."
        )
    anah = (args.get("anah") or "0").strip()
    if anah not in ("0", "1"):
        raise InvalidPeriod("anah", "« anah » vaut 0 (ANAH non sollicitée) ou 1 (sollicitée).")
    year = paris_today().year
    start = _date(args, "debut", date(year, 1, 1))
    end = _date(args, "fin", date(start.year, 12, 31))
    return cost, anah == "1", start, end


def _date(args, name: str, default: date) -> date:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise InvalidPeriod(name, f"« {name} » doit être une date AAAA-MM-JJ.") from error


def _compute(args) -> tuple[Split, Decimal, bool, date, date]:
    cost, anah, start, end = _parse(args)
    rule = as_rule(funding_rule_in_force(start))
    return compute_split(cost, anah, start, end, rule), cost, anah, start, end


def _euros(amount: Decimal) -> float:
    return float(amount.quantize(Decimal("0.01")))


@api.bp.get("/simulateur")
@public
def api_simulator():
    try:
        split, *_ = _compute(request.args)
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


def _rule_on(day: date):
    """The rule row in force on `day`, or None (before any rule, or none loaded)."""
    try:
        return funding_rule_in_force(day)
    except InvalidPeriod:
        return None


@bp.get("/simulateur")
@public
def simulator():
    split = error = None
    values = {}
    # The figures the page explains are those of the rule in force (data, not text).
    rule_date = paris_today()
    if request.args:
        try:
            split, cost, anah, start, end = _compute(request.args)
            values = {"cost": cost, "anah": anah, "start": start, "end": end}
            rule_date = start
        except InvalidPeriod as problem:
            error = problem
    rule = _rule_on(rule_date) or _rule_on(paris_today())
    status = 400 if error else 200
    return render_template(
        "public/simulator.html",
        split=split,
        error=error,
        args=request.args,
        values=values,
        rule=rule,
    ), status
