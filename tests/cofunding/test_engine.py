"""The cofunding rules engine, table-driven: below, at and above each cap, with and
without ANAH, whole, partial and leap years, smallest and largest inputs."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal as D

import pytest

from recrutement.cofunding.engine import InvalidPeriod, Rule, compute_split

RULE = Rule(
    total_rate=D("0.75"),
    total_cap=D("45000"),
    total_cap_with_anah=D("55000"),
    anah_rate=D("0.50"),
    anah_cap=D("40000"),
    bdt_rate=D("0.25"),
    bdt_cap=D("15000"),
)
YEAR = (date(2026, 1, 1), date(2026, 12, 31))

# (case, cost, anah, start, end, anct, bdt, anah part, total, ceiling, days)
CASES = [
    (
        "below every cap",
        "40000",
        False,
        *YEAR,
        "20000.00",
        "10000.00",
        "0.00",
        "30000.00",
        "45000.00",
        365,
    ),
    (
        "exactly at the 45,000 cap",
        "60000",
        False,
        *YEAR,
        "30000.00",
        "15000.00",
        "0.00",
        "45000.00",
        "45000.00",
        365,
    ),
    (
        "above the 45,000 cap",
        "80000",
        False,
        *YEAR,
        "30000.00",
        "15000.00",
        "0.00",
        "45000.00",
        "45000.00",
        365,
    ),
    (
        "ANAH, below its caps",
        "40000",
        True,
        *YEAR,
        "0.00",
        "10000.00",
        "20000.00",
        "30000.00",
        "55000.00",
        365,
    ),
    (
        "ANAH, rate below the 55,000 cap",
        "60000",
        True,
        *YEAR,
        "0.00",
        "15000.00",
        "30000.00",
        "45000.00",
        "55000.00",
        365,
    ),
    (
        "ANAH, exactly at its 40,000 cap",
        "80000",
        True,
        *YEAR,
        "0.00",
        "15000.00",
        "40000.00",
        "55000.00",
        "55000.00",
        365,
    ),
    (
        "ANAH, above every cap",
        "100000",
        True,
        *YEAR,
        "0.00",
        "15000.00",
        "40000.00",
        "55000.00",
        "55000.00",
        365,
    ),
    (
        "BdT below its 15,000 cap",
        "50000",
        False,
        *YEAR,
        "25000.00",
        "12500.00",
        "0.00",
        "37500.00",
        "45000.00",
        365,
    ),
    # Partial year from a start date: 184 of 365 days, each part rounded down.
    (
        "half year",
        "60000",
        False,
        date(2026, 7, 1),
        date(2026, 12, 31),
        "15123.28",
        "7561.64",
        "0.00",
        "22684.92",
        "22684.93",
        184,
    ),
    # Leap year: February 2028 is 29 of 366 days.
    (
        "leap February",
        "60000",
        False,
        date(2028, 2, 1),
        date(2028, 2, 29),
        "2377.04",
        "1188.52",
        "0.00",
        "3565.56",
        "3565.57",
        29,
    ),
    (
        "leap whole year",
        "60000",
        True,
        date(2028, 1, 1),
        date(2028, 12, 31),
        "0.00",
        "15000.00",
        "30000.00",
        "45000.00",
        "55000.00",
        366,
    ),
    (
        "smallest valid input: 1 cent, 1 day",
        "0.01",
        False,
        date(2026, 1, 1),
        date(2026, 1, 1),
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "123.28",
        1,
    ),
    (
        "largest valid input",
        "1000000",
        True,
        *YEAR,
        "0.00",
        "15000.00",
        "40000.00",
        "55000.00",
        "55000.00",
        365,
    ),
]


@pytest.mark.parametrize(
    (
        "case",
        "cost",
        "anah",
        "start",
        "end",
        "anct",
        "bdt",
        "anah_part",
        "total",
        "ceiling",
        "days",
    ),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_split(case, cost, anah, start, end, anct, bdt, anah_part, total, ceiling, days):
    split = compute_split(D(cost), anah, start, end, RULE)
    assert split.parts == {"anct": D(anct), "bdt": D(bdt), "anah": D(anah_part)}
    assert split.total == D(total)
    assert split.ceiling == D(ceiling)
    assert split.days == days


def test_rate_and_limits_are_explained():
    split = compute_split(D("80000"), False, *YEAR, RULE)
    assert split.rate == D("0.5625")  # 45,000 / 80,000
    assert split.limits == {"bdt": "plafond", "anct": "reste", "total": "plafond"}
    below = compute_split(D("40000"), True, *YEAR, RULE)
    assert below.limits["total"] == "taux" and below.limits["anah"] == "taux"
    assert below.limits["bdt"] == "taux"  # 10,000: its rate and the remainder coincide


@pytest.mark.parametrize(
    ("cost", "start", "end", "parameter"),
    [
        ("-1", *YEAR, "cout"),
        ("0", *YEAR, "cout"),
        ("60000", date(2026, 6, 1), date(2026, 5, 31), "fin"),
        ("60000", date(2026, 6, 1), date(2027, 5, 31), "fin"),
    ],
)
def test_invalid_inputs(cost, start, end, parameter):
    with pytest.raises(InvalidPeriod) as raised:
        compute_split(D(cost), False, start, end, RULE)
    assert raised.value.parameter == parameter


def test_no_cap_is_ever_exceeded_whatever_the_inputs():
    generator = random.Random(2026)
    for _ in range(2000):
        cost = D(generator.randint(1, 20_000_000)) / 100
        anah = generator.random() < 0.5
        year = generator.choice((2026, 2028))
        start = date(year, generator.randint(1, 12), 1)
        end = date(year, generator.randint(start.month, 12), 28)
        split = compute_split(cost, anah, start, end, RULE)
        share = D(split.days) / D(split.days_in_year)
        assert split.total <= split.ceiling
        assert split.total <= D("0.75") * cost * share
        assert split.parts["anah"] <= D("40000") * share and split.parts["anah"] <= cost * share / 2
        assert split.parts["bdt"] <= D("15000") * share and split.parts["bdt"] <= cost * share / 4
        assert all(part >= 0 and part == part.quantize(D("0.01")) for part in split.parts.values())
        assert anah or split.parts["anah"] == 0
