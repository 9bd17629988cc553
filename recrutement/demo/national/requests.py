"""The national demo's cofunding requests: one per post held and calendar year since
2021, dated step by step, in the states of the report, split by the real engine with
the rule in force."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from recrutement.cofunding.engine import compute_split
from recrutement.cofunding.models import CofundingStatus, Funder
from recrutement.demo.national.draws import moment, quota
from recrutement.demo.national.model import Agents, RequestPlan, Tenure
from recrutement.demo.national.parameters import (
    ANAH_LOWERED,
    ANNUAL_COST,
    ANNUAL_COST_MAX,
    BDT_ASKED,
    COFUNDING_FROM,
    CURRENT_STATUSES,
    DISMISSALS,
    PAST_STATUSES,
    REFUSALS,
    WAITING,
)
from recrutement.demo.national.world import World


class RequestPlanner:
    """One request per post held and calendar year since 2021, split by the engine."""

    def __init__(self, rng: random.Random, world: World, agents: Agents) -> None:
        self.rng = rng
        self.world = world
        self.today = world.today
        self.without_anah = agents["without_anah"]
        self.requests: list[RequestPlan] = []

    def run(self, tenures: list[Tenure]) -> list[RequestPlan]:
        for tenure in tenures:
            if tenure.offer.line.cofunded:
                self.for_tenure(tenure)
        self.current_statuses()
        for request in self.requests:
            self.schedule(request)
            self.split(request)
        return self.requests

    def for_tenure(self, tenure: Tenure) -> None:
        line = tenure.offer.line
        cost = self.rng.randrange(ANNUAL_COST[0], ANNUAL_COST[1] + 1, 100)
        bdt = self.rng.random() < BDT_ASKED
        last_year = min(self.today.year, (tenure.ends_on or self.today).year)
        previous = None
        for year in range(max(COFUNDING_FROM, tenure.started_on.year), last_year + 1):
            start = max(tenure.started_on, date(year, 1, 1))
            end = min(tenure.ends_on or date(year, 12, 31), date(year, 12, 31))
            if start > self.today - timedelta(days=10):
                break
            anah = line.anah and (
                line.org.department_code not in self.without_anah or year == self.today.year
            )
            request = RequestPlan(tenure, year, (start, end), cost, anah, bdt, previous)
            if year < self.today.year:
                request.status = self.rng.choices(*zip(*PAST_STATUSES.items(), strict=True))[0]
            self.requests.append(request)
            previous = request
            cost = min(ANNUAL_COST_MAX, int(round(cost * 1.015, -2)))

    def current_statuses(self) -> None:
        """This year's states by quota; a request filed lately, or asking an ANAH
        delegation that has no agent, still waits."""
        current = [request for request in self.requests if request.year == self.today.year]
        forced = [request for request in current if self.must_wait(request)]
        others = [request for request in current if not self.must_wait(request)]
        for request, status in zip(
            others, quota(self.rng, len(others), CURRENT_STATUSES, 1), strict=True
        ):
            request.status = status
        for request in forced:
            request.status = self.rng.choice(WAITING)

    def must_wait(self, request: RequestPlan) -> bool:
        department = request.tenure.offer.line.org.department_code
        recent = request.period[0] > self.today - timedelta(days=45)
        return recent or (request.anah_asked and department in self.without_anah)

    def schedule(self, request: RequestPlan) -> None:
        """created → submitted → instruction → decision, never in the future."""
        rng, tenure = self.rng, request.tenure
        if request.previous is None:
            created = max(tenure.hired_at.date(), request.period[0] - timedelta(days=20))
            created += timedelta(days=rng.randint(3, 30))
        else:
            created = date(request.year - 1, 12, 1) + timedelta(days=rng.randint(0, 60))
            previous = request.previous.steps.get("decided")
            if previous is not None:
                created = max(created, previous.date() + timedelta(days=1))
        days = [rng.randint(1, 12), rng.randint(2, 20), rng.randint(7, 50)]
        if request.status in WAITING or request.status == CofundingStatus.CHANGES_REQUESTED:
            self.date_waiting(request, min(created, self.today - timedelta(days=2)))
            return
        steps, day = {"created": created}, created
        for name, gap in zip(("submitted", "opened", "decided"), days, strict=True):
            day += timedelta(days=gap)
            steps[name] = day
        self.stamp(request, steps)

    def date_waiting(self, request: RequestPlan, created: date) -> None:
        submitted = max(
            created + timedelta(days=1), self.today - timedelta(days=self.rng.randint(3, 75))
        )
        steps = {"created": created, "submitted": min(submitted, self.today)}
        if request.status != CofundingStatus.SUBMITTED:
            room = (self.today - steps["submitted"]).days
            steps["opened"] = steps["submitted"] + timedelta(days=self.rng.randint(0, room))
        if request.status == CofundingStatus.CHANGES_REQUESTED:
            room = (self.today - steps["opened"]).days
            steps["changes"] = steps["opened"] + timedelta(days=self.rng.randint(0, room))
        self.stamp(request, steps)

    def stamp(self, request: RequestPlan, days: dict[str, date]) -> None:
        """Working hours of those days, in order, none after now."""
        previous = None
        for name, day in days.items():
            value = moment(self.rng, min(day, self.today), self.world.now)
            if previous is not None and value <= previous:
                value = previous + timedelta(minutes=self.rng.randint(1, 30))
            request.steps[name] = min(value, self.world.now)
            previous = request.steps[name]

    def split(self, request: RequestPlan) -> None:
        """The engine's maximum split; the ANAH opinion may lower ANAH's part."""
        request.rule_id, rule = self.world.rule_on(request.period[0])
        split = compute_split(
            Decimal(request.cost), request.anah_asked, *request.period, rule, request.bdt_asked
        )
        asked = (
            [Funder.ANCT] + [Funder.BDT] * request.bdt_asked + [Funder.ANAH] * request.anah_asked
        )
        request.parts = {funder.value: (split.parts[funder.value],) * 2 for funder in asked}
        if request.anah_asked and self.has_opinion(request):
            anah = split.parts[Funder.ANAH.value]
            lowered = anah * Decimal(self.rng.randint(60, 95)) / 100
            lowered = (lowered / 100).quantize(Decimal(1), rounding=ROUND_DOWN) * 100
            if lowered > 0 and self.rng.random() < ANAH_LOWERED:
                anah = lowered
            request.opinion = anah
            request.parts[Funder.ANAH.value] = (split.parts[Funder.ANAH.value], anah)
        if request.status == CofundingStatus.REFUSED:
            request.reason = self.rng.choice(REFUSALS)
        elif request.status == CofundingStatus.DISMISSED:
            request.reason = self.rng.choice(DISMISSALS)

    def has_opinion(self, request: RequestPlan) -> bool:
        if request.status in (CofundingStatus.GRANTED, CofundingStatus.REFUSED):
            return True
        if request.tenure.offer.line.org.department_code in self.without_anah:
            return False
        return "opened" in request.steps and self.rng.random() < 0.5
