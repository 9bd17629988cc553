"""Reading the rule in force from the database."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from recrutement.cofunding.engine import InvalidPeriod, Rule
from recrutement.cofunding.models import FundingRule
from recrutement.extensions import db


def funding_rule_in_force(on: date) -> FundingRule:
    """The FundingRule row in force on `on` (the first day of the period)."""
    row = db.session.scalar(
        select(FundingRule)
        .where(FundingRule.effective_from <= on)
        .order_by(FundingRule.effective_from.desc())
        .limit(1)
    )
    if row is None:
        raise InvalidPeriod("debut", "Aucune règle de cofinancement n'est en vigueur à cette date.")
    return row


def as_rule(row: FundingRule) -> Rule:
    return Rule(
        total_rate=row.total_rate,
        total_cap=row.total_cap,
        total_cap_with_anah=row.total_cap_with_anah,
        anah_rate=row.anah_rate,
        anah_cap=row.anah_cap,
        bdt_rate=row.bdt_rate,
        bdt_cap=row.bdt_cap,
    )


def rule_in_force(on: date) -> Rule:
    """The rule version in force on `on` (the first day of the period)."""
    return as_rule(funding_rule_in_force(on))
