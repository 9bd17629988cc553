"""The cofunding computation: one pure function, Decimal arithmetic, parts rounded down.

With C the annual loaded cost (docs/design.md):
    total = min(rate × C, cap)           cap: 45,000 € without ANAH, 55,000 € with
    anah  = min(50 % C, 40,000, total)   only when ANAH is asked
    bdt   = min(25 % C, 15,000, total − anah)
    anct  = total − anah − bdt
then each part is prorated by days covered / days in that year and rounded down
to the cent, so no cap is ever exceeded.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Rule:
    """The figures of one FundingRule row (kept free of the database for the engine)."""

    total_rate: Decimal
    total_cap: Decimal
    total_cap_with_anah: Decimal
    anah_rate: Decimal
    anah_cap: Decimal
    bdt_rate: Decimal
    bdt_cap: Decimal


@dataclass(frozen=True)
class Split:
    days: int
    days_in_year: int
    prorated_cost: Decimal
    ceiling: Decimal  # the total cap, prorated
    parts: dict[str, Decimal]  # anct, bdt, anah
    total: Decimal
    rate: Decimal  # total / prorated cost, 4 decimals
    # Which rule bound each part asked: "taux", "plafond", "reste" (what the others leave).
    limits: dict[str, str]


class InvalidPeriod(ValueError):
    """The inputs cannot be computed; `parameter` names the culprit, `message` is French."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def _down(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_DOWN)


def check_period(start: date, end: date) -> None:
    if end < start:
        raise InvalidPeriod("fin", "La fin de la période précède son début.")
    if end.year != start.year:
        raise InvalidPeriod(
            "fin",
            "Une demande couvre une période d'une seule année civile : faites-en une par année.",
        )


def compute_split(
    cost: Decimal, anah_asked: bool, start: date, end: date, rule: Rule, bdt_asked: bool = True
) -> Split:
    """The maximum split of the subsidy for an annual loaded `cost` over [start, end].

    A funder that is not asked pays nothing; ANCT/State pays what the others leave."""
    if cost <= 0:
        raise InvalidPeriod("cout", "Le coût chargé annuel doit être un montant positif.")
    check_period(start, end)
    cap = rule.total_cap_with_anah if anah_asked else rule.total_cap
    by_rate = rule.total_rate * cost
    total = min(by_rate, cap)
    limits = {}
    anah = Decimal(0)
    if anah_asked:
        anah = min(rule.anah_rate * cost, rule.anah_cap, total)
        limits["anah"] = _which(anah, rule.anah_rate * cost, rule.anah_cap)
    bdt = Decimal(0)
    if bdt_asked:
        bdt = min(rule.bdt_rate * cost, rule.bdt_cap, total - anah)
        limits["bdt"] = _which(bdt, rule.bdt_rate * cost, rule.bdt_cap)
    anct = total - anah - bdt
    limits["anct"] = "reste"
    limits["total"] = "taux" if by_rate <= cap else "plafond"

    days = (end - start).days + 1
    days_in_year = 366 if calendar.isleap(start.year) else 365
    share = Decimal(days) / Decimal(days_in_year)
    parts = {"anct": _down(anct * share), "bdt": _down(bdt * share), "anah": _down(anah * share)}
    prorated_cost = cost * share
    paid = sum(parts.values(), Decimal(0))
    return Split(
        days=days,
        days_in_year=days_in_year,
        prorated_cost=prorated_cost,
        ceiling=_down(cap * share),
        parts=parts,
        total=paid,
        rate=(paid / prorated_cost).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
        limits=limits,
    )


def _which(value: Decimal, by_rate: Decimal, cap: Decimal) -> str:
    if value == by_rate:
        return "taux"
    if value == cap:
        return "plafond"
    return "reste"
