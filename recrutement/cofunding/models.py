"""The programme's funding rules as data with an effective date (DESIGN.md, Cofunding)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Numeric
from sqlalchemy.orm import Mapped, mapped_column

from recrutement.extensions import db


class FundingRule(db.Model):
    """One version of the cofunding rules; a rule change is a new row, not a code change.

    The version in force for a period is the latest whose `effective_from` is on
    or before the period's first day.
    """

    __tablename__ = "funding_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    effective_from: Mapped[date] = mapped_column(unique=True)
    # Total subsidy: at most this share of the annual loaded cost...
    total_rate: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    # ... and at most these amounts a year, without or with ANAH.
    total_cap: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    total_cap_with_anah: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    anah_rate: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    anah_cap: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    bdt_rate: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    bdt_cap: Mapped[Decimal] = mapped_column(Numeric(10, 2))
