"""The national demo's random draws: quotas in given proportions, moments in working
hours, spans that draw the same randomness whatever their length."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from recrutement.core.time import PARIS

T = TypeVar("T")


def quota(rng: random.Random, size: int, shares: Mapping[T, float], floor: int = 0) -> list[T]:
    """`size` values in the proportions of `shares` (largest remainders), shuffled;
    with `floor`, each value comes up at least that often when there is room."""
    total = sum(shares.values())
    exact = {value: size * weight / total for value, weight in shares.items()}
    counts = {value: int(share) for value, share in exact.items()}
    by_remainder = sorted(exact, key=lambda value: exact[value] - counts[value], reverse=True)
    for value in by_remainder[: size - sum(counts.values())]:
        counts[value] += 1
    if counts:
        largest = max(counts, key=lambda value: counts[value])
        for value in counts:
            while counts[value] < floor and counts[largest] > floor + 1:
                counts[value] += 1
                counts[largest] -= 1
    values = [value for value, count in counts.items() for _ in range(count)]
    rng.shuffle(values)
    return values


def within(rng: random.Random, seconds: int) -> int:
    """A number of seconds below `seconds`, drawing the same randomness whatever the span
    (unlike randrange): spans that depend on the time of day keep the day's data the same."""
    return int(rng.random() * seconds)


def moment(rng: random.Random, day: date, now: datetime) -> datetime:
    """A working hour of `day` in France, as UTC; never after `now`."""
    local = datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), PARIS)
    return min(local.astimezone(UTC), now - timedelta(minutes=rng.randint(2, 30)))


def quarter(moment_: datetime) -> tuple[int, int]:
    return moment_.year, (moment_.month - 1) // 3 + 1
