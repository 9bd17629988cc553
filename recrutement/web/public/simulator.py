"""The public cofunding simulator page (/simulateur); its JSON twin is web/api/simulator.py."""

from __future__ import annotations

from datetime import date

from flask import render_template, request

from recrutement.accounts.permissions import public
from recrutement.cofunding.engine import InvalidPeriod
from recrutement.cofunding.rules import funding_rule_in_force
from recrutement.core.time import paris_today
from recrutement.web.public import bp
from recrutement.web.simulation import compute


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
            split, cost, anah, start, end = compute(request.args)
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
