"""The national demo's planner: each post of each collectivité, holder after holder,
with the offers that filled it (or did not), then everything that follows from them."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from recrutement.core.french import of_organisation
from recrutement.core.time import PARIS
from recrutement.demo.national.applications import ApplicationPlanner, CandidatePlanner
from recrutement.demo.national.draws import moment, quota, within
from recrutement.demo.national.model import Line, OfferPlan, Org, Plan, Tenure
from recrutement.demo.national.organisations import plan_agents, plan_lines, plan_organisations
from recrutement.demo.national.parameters import (
    AFTER_DEPARTURE,
    DAYS_TO_HIRE,
    DEADLINE_DAYS,
    FIRST_PUBLICATION,
    FIRST_STARTS,
    NOTICE_DAYS,
    SUCCESSOR_LEAVES,
)
from recrutement.demo.national.requests import RequestPlanner
from recrutement.demo.national.world import World
from recrutement.demo.offers import Deck, OfferWriter, Place
from recrutement.offers.models import FIXED_TERM_CONTRACTS, ContractType
from recrutement.offers.rules import add_months


class Planner:
    """Draws the whole programme (no database access)."""

    def __init__(self, rng: random.Random, world: World) -> None:
        self.rng = rng
        self.world = world
        self.today = world.today
        self.offers: list[OfferPlan] = []
        self.tenures: list[Tenure] = []
        self.after_departure = Deck(rng, AFTER_DEPARTURE)
        self.writer = OfferWriter(rng)
        # Posts whose holder leaves are on fixed-term contracts.
        self.fixed_term_writer = OfferWriter(rng)
        self.fixed_term_writer.contracts = Deck(
            rng, {ContractType.PROJECT_CONTRACT: 2, ContractType.FIXED_TERM: 1}
        )

    def run(self) -> Plan:
        orgs, vacant = plan_organisations(self.rng, self.world)
        lines = plan_lines(self.rng, orgs)
        recruiting = sum(1 for line in lines if not line.org.open_only)
        starts = quota(self.rng, recruiting, dict(FIRST_STARTS))
        for line in lines:
            self.plan_line(line, None if line.org.open_only else self.day_in(starts.pop()))
        self.date_organisations()
        applications = ApplicationPlanner(self.rng, self.world)
        for offer in self.offers:
            applications.plan(offer)
        candidates = CandidatePlanner(self.rng, self.world).run(self.offers, self.tenures)
        agents = plan_agents(self.rng, self.world, lines)
        requests = RequestPlanner(self.rng, self.world, agents).run(self.tenures)
        return Plan(
            self.world, orgs, lines, self.offers, self.tenures, candidates, requests, agents, vacant
        )

    def day_in(self, window: tuple[date, date]) -> date:
        first, last = window
        day = first + timedelta(days=self.rng.randint(0, (last - first).days))
        # Half the chefs de projet take their post on the first of a month.
        return day.replace(day=1) if self.rng.random() < 0.5 else day

    def moment(self, day: date) -> datetime:
        return moment(self.rng, day, self.world.now)

    # --- one post, holder after holder ---

    def plan_line(self, line: Line, first_start: date | None) -> None:
        if first_start is None:
            self.vacancy(line, since=None, open_now=True)
            return
        tenure = self.first_tenure(line, first_start)
        while tenure.ends_on is not None and tenure.ends_on < self.today:
            outcome = self.after_departure.draw()
            successor = self.successor(line, tenure.ends_on) if outcome == "hired" else None
            if successor is None:
                self.vacancy(line, since=tenure.ends_on, open_now=outcome != "vacant")
                return
            tenure = successor

    def first_tenure(self, line: Line, start: date) -> Tenure:
        hire_on = start - timedelta(days=self.rng.randint(*NOTICE_DAYS))
        days = int(self.rng.triangular(*DAYS_TO_HIRE))
        published_on = max(hire_on - timedelta(days=days), FIRST_PUBLICATION)
        return self.tenure(line, published_on, hire_on, start, line.turnover, vacant_since=None)

    def successor(self, line: Line, left_on: date) -> Tenure | None:
        published_on = left_on + timedelta(days=self.rng.randint(-75, 30))
        hire_on = published_on + timedelta(days=int(self.rng.triangular(*DAYS_TO_HIRE)))
        if hire_on >= self.today:
            return None
        notice = timedelta(days=self.rng.randint(*NOTICE_DAYS))
        start = max(hire_on + notice, left_on + timedelta(days=1))
        leaves = self.rng.random() < SUCCESSOR_LEAVES
        return self.tenure(line, published_on, hire_on, start, leaves, vacant_since=left_on)

    def tenure(
        self,
        line: Line,
        published_on: date,
        hire_on: date,
        start: date,
        leaves: bool,
        vacant_since: date | None,
    ) -> Tenure:
        days = (hire_on - published_on).days
        deadline = published_on + timedelta(days=self.rng.randint(DEADLINE_DAYS, min(60, days - 1)))
        writer = self.fixed_term_writer if leaves else self.writer
        offer = self.offer(line, "filled", published_on, deadline, vacant_since, writer)
        offer.content["start_date"] = start
        offer.ended_at = max(self.moment(hire_on), offer.published_at + timedelta(hours=1))
        ends_on = self.contract_end(offer.content, start, leaves)
        tenure = Tenure(offer, offer.ended_at, start, ends_on, days)
        offer.tenure = tenure
        self.tenures.append(tenure)
        return tenure

    def contract_end(self, content: dict[str, Any], start: date, leaves: bool) -> date | None:
        """The end of the contract: within the past for a holder who leaves; otherwise
        at least two months ahead (a contract that ran out was renewed, as the
        cofunding requests declare)."""
        contract = content["contract_type"]
        if contract not in FIXED_TERM_CONTRACTS:
            return None
        latest = self.today - timedelta(days=30)
        options = [
            months for months in (12, 18, 24, 30, 36, 48) if add_months(start, months) <= latest
        ]
        if leaves and options:
            content["duration_months"] = self.rng.choice(options)
            return add_months(start, content["duration_months"])
        content["duration_months"] = 72 if contract == ContractType.PROJECT_CONTRACT else 36
        end = add_months(start, content["duration_months"])
        if end < self.today + timedelta(days=60):
            end = date(self.today.year + self.rng.randint(1, 2), 12, 31)
        return end

    def vacancy(self, line: Line, since: date | None, open_now: bool) -> None:
        """A post without holder: maybe an offer that expired unfilled, and an open one."""
        earliest = since or date(2021, 3, 1)
        room = (self.today - earliest).days
        if room > 200 and self.rng.random() < (0.5 if since else 0.3):
            published_on = earliest + timedelta(days=self.rng.randint(0, room - 160))
            deadline = published_on + timedelta(days=self.rng.randint(DEADLINE_DAYS, 50))
            offer = self.offer(line, "expired", published_on, deadline, since, self.writer)
            offer.ended_at = datetime.combine(
                deadline + timedelta(days=1), time(2, 5), PARIS
            ).astimezone(UTC)
        if open_now:
            published_on = self.today - timedelta(days=self.rng.randint(0, 55))
            days_ago = (self.today - published_on).days
            deadline = published_on + timedelta(days=self.rng.randint(max(31, days_ago + 1), 90))
            self.offer(line, "published", published_on, deadline, since, self.writer)

    def offer(
        self,
        line: Line,
        status: str,
        published_on: date,
        deadline: date,
        vacant_since: date | None,
        writer: OfferWriter,
    ) -> OfferPlan:
        content = writer.content(self.place(line), published_on)
        # A post never held is new; one left by its holder is vacant since then.
        content.update(
            post_is_new=vacant_since is None,
            vacant_since=vacant_since,
            application_deadline=deadline,
        )
        if line.org.kind != "commune":
            content["recruiting_authority"] = (
                f"{self.rng.choice(('Le président', 'La présidente'))} {of_organisation(line.org.name)}"
            )
        published_at = self.moment(published_on)
        created_at = self.moment(published_on - timedelta(days=self.rng.randint(1, 12)))
        offer = OfferPlan(line, status, content, created_at, published_at)
        self.offers.append(offer)
        return offer

    def place(self, line: Line) -> Place:
        town = line.workplace
        department, region = self.world.departments[town.department_code]
        return Place(
            organisation_id=0,
            workplace_insee_code=town.insee_code,
            town_name=town.name,
            population=town.population,
            department_name=department,
            region_name=region,
            signed_year=town.signed_on.year if town.signed_on else 2021,
            town_codes=tuple(item.insee_code for item in line.org.towns),
        )

    def date_organisations(self) -> None:
        """Each signed up a few weeks before its first offer, validated before publishing it."""
        first: dict[int, OfferPlan] = {}
        for offer in self.offers:
            known = first.get(id(offer.line.org))
            if known is None or offer.created_at < known.created_at:
                first[id(offer.line.org)] = offer
        for offer in first.values():
            self.date_organisation(offer.line.org, offer)

    def date_organisation(self, org: Org, first: OfferPlan) -> None:
        org.created_at = first.created_at - timedelta(
            days=self.rng.randint(5, 40), minutes=self.rng.randint(0, 300)
        )
        span = max(int((first.published_at - org.created_at).total_seconds()), 120)
        org.decided_at = org.created_at + timedelta(seconds=60 + within(self.rng, span - 120))
