"""The national demo's applications and candidates: coherent states and dates for each
offer, candidates active for a quarter applying to a few offers each, the recruits'
profiles of the survey, and the retention period already applied."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from typing import Any

from recrutement.applications.models import ApplicationStatus
from recrutement.core.time import PARIS
from recrutement.demo.national.draws import quarter, quota, within
from recrutement.demo.national.model import AppPlan, Candidate, OfferPlan, Tenure, known
from recrutement.demo.national.parameters import (
    APPLICATIONS_FILLED,
    APPLICATIONS_PER_CANDIDATE,
    FIRST_NAMES,
    LAST_NAMES,
    OPEN_APPLICATION_STATES,
    PROFILE_SHARES,
    SMALLEST_COHORT,
    WITHDRAWN_SHARE,
)
from recrutement.demo.national.world import World


class ApplicationPlanner:
    """The applications of one offer, with coherent states and dates."""

    def __init__(self, rng: random.Random, world: World) -> None:
        self.rng = rng
        self.world = world

    def plan(self, offer: OfferPlan) -> None:
        if offer.status == "filled":
            self.filled(offer)
        elif offer.status == "expired":
            self.expired(offer)
        else:
            self.open(offer)

    def sent_between(self, offer: OfferPlan, last: datetime, count: int) -> list[datetime]:
        """`count` moments after the offer's publication, up to `last`."""
        first = offer.published_at + min(timedelta(minutes=5), (last - offer.published_at) / 2)
        span = max(int((last - first).total_seconds()), 1)
        return sorted(first + timedelta(seconds=within(self.rng, span)) for _ in range(count))

    def filled(self, offer: OfferPlan) -> None:
        tenure, rng = known(offer.tenure, "tenure"), self.rng
        deadline = datetime.combine(offer.content["application_deadline"], time(23, 0), PARIS)
        last = min(deadline.astimezone(UTC), tenure.hired_at - timedelta(hours=1))
        sent = self.sent_between(offer, last, int(rng.triangular(*APPLICATIONS_FILLED)))
        hired = rng.randrange(len(sent))
        for index, created in enumerate(sent):
            if index == hired:
                app = AppPlan(ApplicationStatus.HIRED, created, tenure.hired_at, tenure.hired_at)
                tenure.hire = app
            elif rng.random() < WITHDRAWN_SHARE:
                app = AppPlan(ApplicationStatus.WITHDRAWN, created, self.before(created, last))
            else:
                decided = (
                    tenure.hired_at + timedelta(minutes=rng.randint(1, 20))
                    if rng.random() < 0.7
                    else self.before(created, tenure.hired_at)
                )
                app = AppPlan(ApplicationStatus.REJECTED, created, decided, decided)
            offer.applications.append(app)

    def expired(self, offer: OfferPlan) -> None:
        ended_at = known(offer.ended_at, "end")
        sent = self.sent_between(offer, ended_at, self.rng.randint(2, 12))
        for created in sent:
            if self.rng.random() < 0.15:
                app = AppPlan(ApplicationStatus.WITHDRAWN, created, self.before(created, ended_at))
            else:
                decided = ended_at + timedelta(days=self.rng.randint(1, 20))
                decided = min(decided, self.world.now - timedelta(minutes=1))
                app = AppPlan(ApplicationStatus.REJECTED, created, decided, decided)
            offer.applications.append(app)

    def open(self, offer: OfferPlan) -> None:
        now = self.world.now
        days = (now - offer.published_at).days + 3
        count = max(1, round(self.rng.triangular(4, 40, 12) * min(1.0, days / 40)))
        states = quota(self.rng, count, OPEN_APPLICATION_STATES)
        for created, status in zip(self.sent_between(offer, now, count), states, strict=True):
            updated = created if status == ApplicationStatus.SENT else self.before(created, now)
            decided = updated if status == ApplicationStatus.REJECTED else None
            offer.applications.append(AppPlan(status, created, updated, decided))

    def before(self, start: datetime, end: datetime) -> datetime:
        """A moment after `start` and before `end` (at `end` when there is no room)."""
        span = int((end - start).total_seconds())
        if span <= 120:
            return end
        return start + timedelta(seconds=60 + within(self.rng, span - 60))


class CandidatePlanner:
    """Who applied: candidates active for a quarter apply to a few offers each; every
    hire is a different person, whose profile is the recruit's."""

    def __init__(self, rng: random.Random, world: World) -> None:
        self.rng = rng
        self.world = world
        self.pools: dict[tuple[int, int], int] = {}
        self.people: dict[tuple[int, int, int], Candidate] = {}

    def run(self, offers: list[OfferPlan], tenures: list[Tenure]) -> list[Candidate]:
        quarters = Counter(
            quarter(app.created_at) for offer in offers for app in offer.applications
        )
        self.pools = {
            key: max(count // APPLICATIONS_PER_CANDIDATE, SMALLEST_COHORT)
            for key, count in quarters.items()
        }
        for offer in offers:
            self.assign(offer)
        assign_profiles(self.rng, tenures)
        for candidate in self.people.values():
            self.name(candidate)
        self.anonymise(offers)
        return [
            candidate
            for candidate in self.people.values()
            if candidate.last_at >= self.world.cutoff
        ]

    def assign(self, offer: OfferPlan) -> None:
        used: set[tuple[int, int, int]] = set()
        for app in offer.applications:
            cohort = quarter(app.created_at)
            hired = app.status == ApplicationStatus.HIRED
            key = self.pick(cohort, used, hired)
            used.add(key)
            person = self.people.get(key)
            if person is None:
                person = self.people[key] = Candidate(key, app.created_at, app.created_at)
            person.first_at = min(person.first_at, app.created_at)
            person.last_at = max(person.last_at, app.created_at)
            if hired:
                person.hired = offer.tenure
            app.candidate = person

    def pick(
        self, cohort: tuple[int, int], used: set[tuple[int, int, int]], hired: bool
    ) -> tuple[int, int, int]:
        for _ in range(50):
            key = (*cohort, self.rng.randrange(self.pools[cohort]))
            person = self.people.get(key)
            if key not in used and not (hired and person is not None and person.hired):
                return key
        self.pools[cohort] += 1
        return (*cohort, self.pools[cohort] - 1)

    def name(self, candidate: Candidate) -> None:
        if candidate.hired is not None:
            candidate.woman = candidate.hired.profile["gender"] == "femme"
        else:
            candidate.woman = self.rng.random() < 0.62
        candidate.name = (
            self.rng.choice(FIRST_NAMES[candidate.woman]),
            self.rng.choice(LAST_NAMES),
        )
        if candidate.hired is not None:
            candidate.hired.holder = candidate.name

    def anonymise(self, offers: list[OfferPlan]) -> None:
        """The retention period, as the worker applies it: an account without an
        application since the cutoff is gone, and finished applications older than the
        cutoff are stripped of their candidate."""
        cutoff = self.world.cutoff
        for offer in offers:
            for app in offer.applications:
                finished = app.finished_at
                kept = known(app.candidate, "candidate").last_at >= cutoff
                app.anonymised = not kept or (finished is not None and finished < cutoff)


def assign_profiles(rng: random.Random, tenures: list[Tenure]) -> None:
    """The recruits' answers, in the survey's proportions."""
    for column, shares in PROFILE_SHARES.items():
        for tenure, value in zip(tenures, quota(rng, len(tenures), shares), strict=True):
            tenure.profile[column] = value


def candidate_answers(rng: random.Random, person: Candidate) -> dict[str, Any]:
    """The optional profile answers: a recruit's match its snapshot; others answer
    seven times out of ten."""
    if person.hired is not None:
        profile = person.hired.profile
    elif rng.random() < 0.7:
        profile = {
            column: rng.choices(*zip(*shares.items(), strict=True))[0]
            for column, shares in PROFILE_SHARES.items()
        }
        profile["gender"] = "femme" if person.woman else "homme"
    else:
        return dict.fromkeys(("experience_years", "diploma", "field_of_study", "gender"))
    years = {"moins_1_an": (0, 0), "1_5_ans": (1, 4), "5_20_ans": (5, 19), "plus_20_ans": (20, 30)}
    diplomas = {"bac": "bac", "bac+2/3": rng.choice(("bac+2", "bac+3")), "bac+4/5": "bac+5"}
    return {
        "experience_years": rng.randint(*years[profile["experience"]]),
        "diploma": diplomas.get(profile["diploma"], profile["diploma"]),
        "field_of_study": profile["field_of_study"],
        "gender": profile["gender"],
    }
