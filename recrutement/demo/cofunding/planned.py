"""The demo cofunding requests as planned in data/cofunding.toml: who acts for each demo
collectivité, and each request's content and steps, for periods around a given year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from recrutement.cofunding.content import RequestContent
from recrutement.cofunding.models import AttachmentKind, Funder
from recrutement.demo.common import read_data


@dataclass(frozen=True)
class Step:
    """One move on a request. `days_ago` is when it is shown to have happened (0: now;
    a request's steps go forward in time). `by` names the actor for messages and notes."""

    action: str
    days_ago: int
    text: str = ""
    by: str = ""
    kind: AttachmentKind | None = None
    amounts: tuple[tuple[Funder, Decimal], ...] = ()
    # Steps on the renewal draft made by a "renew" step.
    then: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Planned:
    """A demo request: its content, the day it was created and the steps that follow."""

    post_title: str
    holder: tuple[str, str]
    holder_start: date
    contract_type: str
    contract_end: date | None
    period: tuple[date, date]
    cost: Decimal
    created_days_ago: int
    steps: tuple[Step, ...]
    bdt_asked: bool = True
    housing_operation: str = ""  # asks ANAH when given
    # Start from the organisation's most recent hire when it has one (this content otherwise).
    from_hire: bool = False

    def content(self) -> RequestContent:
        return RequestContent(
            post_title=self.post_title,
            holder_first_name=self.holder[0],
            holder_last_name=self.holder[1],
            holder_start_date=self.holder_start,
            contract_type=self.contract_type,
            contract_end_date=self.contract_end,
            period_start=self.period[0],
            period_end=self.period[1],
            annual_loaded_cost=self.cost,
            bdt_asked=self.bdt_asked,
            anah_asked=bool(self.housing_operation),
            housing_operation=self.housing_operation,
        )


_DATA = read_data("cofunding.toml")
# Who acts for each demo organisation (by INSEE code): its member, its préfecture, its
# ANAH delegation (None when the demo has no ANAH agent there).
ACTORS: dict[str, dict[str, str | None]] = {
    insee_code: {role: actors.get(role) for role in ("employer", "prefecture", "anah")}
    for insee_code, actors in _DATA["actors"].items()
}


def plan(year: int) -> dict[str, list[Planned]]:
    """The demo requests of each organisation, for periods around `year` (the current one)."""
    planned: dict[str, list[Planned]] = {insee_code: [] for insee_code in ACTORS}
    for item in _DATA["requests"]:
        planned[item["organisation"]].append(_planned(item, year))
    return planned


def _planned(item: dict[str, Any], year: int) -> Planned:
    first_name, last_name = item["holder"]
    start, end = item["period"]
    contract_end = item.get("contract_end")
    return Planned(
        item["post_title"],
        (first_name, last_name),
        relative_date(item["holder_start"], year),
        item["contract_type"],
        relative_date(contract_end, year) if contract_end else None,
        (relative_date(start, year), relative_date(end, year)),
        Decimal(item["annual_loaded_cost"]),
        item["created_days_ago"],
        _steps(item.get("steps", [])),
        bdt_asked=item.get("bdt_asked", True),
        housing_operation=item.get("housing_operation", ""),
        from_hire=item.get("from_hire", False),
    )


def _steps(items: list[dict[str, Any]]) -> tuple[Step, ...]:
    steps: list[Step] = []
    for item in items:
        if item["action"] == "attach":
            # One step per document, so that each is its own attachment.
            steps += [
                Step("attach", item["days_ago"], kind=AttachmentKind(kind))
                for kind in item["kinds"]
            ]
            continue
        steps.append(
            Step(
                item["action"],
                item["days_ago"],
                text=item.get("text", ""),
                by=item.get("by", ""),
                amounts=tuple(
                    (Funder(funder), Decimal(amount))
                    for funder, amount in item.get("amounts", {}).items()
                ),
                then=_steps(item.get("then", [])),
            )
        )
    return tuple(steps)


_RELATIVE_DATE = re.compile(r"Y([+-]\d+)?-(\d\d)-(\d\d)")


def relative_date(text: str, year: int) -> date:
    """A date of the data file: "Y-09-01" is 1 September of `year`, "Y+1-08-31" the
    next year's 31 August, "Y-2-09-01" 1 September two years before."""
    match = _RELATIVE_DATE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a demo date (Y±n-MM-DD): {text!r}")
    offset, month, day = match.groups()
    return date(year + int(offset or 0), int(month), int(day))
