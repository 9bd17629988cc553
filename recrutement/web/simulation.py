"""The cofunding simulator's query string (cout, anah, debut, fin), read the same way by
the page (/simulateur) and the API (/api/v1/simulateur)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from recrutement.cofunding.engine import InvalidPeriod, Split, compute_split
from recrutement.cofunding.rules import as_rule, funding_rule_in_force
from recrutement.core.time import paris_today

MAX_COST = Decimal("1000000")


def parse(args) -> tuple[Decimal, bool, date, date]:
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


def compute(args) -> tuple[Split, Decimal, bool, date, date]:
    cost, anah, start, end = parse(args)
    rule = as_rule(funding_rule_in_force(start))
    return compute_split(cost, anah, start, end, rule), cost, anah, start, end
