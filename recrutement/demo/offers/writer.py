"""The offer generator: an offer's content drawn from the vocabulary with a seeded
`random.Random` (the same seed gives the same offer), for the demo and the load tests."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Generic, TypeVar

from recrutement.demo.common import DOMAIN
from recrutement.demo.offers.vocabulary import (
    BENEFITS,
    CONTACT_FUNCTIONS,
    CONTRACT_WEIGHTS,
    CORE_MISSIONS,
    DURATIONS,
    EXPERIENCE_LINES,
    EXPERIENCE_WEIGHTS,
    GRADES,
    KNOWLEDGE,
    MEN,
    OPENINGS,
    PARTNERSHIP_MISSIONS,
    QUALITIES,
    REMOTE_BENEFITS,
    REMOTE_WEIGHTS,
    REPORTING_LINES,
    ROLE_SENTENCES,
    SALARY_FLOOR,
    SKILLS,
    STUDY_FIELDS,
    SURNAMES,
    THEMES,
    TITLES,
    WOMEN,
)
from recrutement.offers.models import (
    FIXED_TERM_CONTRACTS,
    Category,
    ContractType,
    Experience,
    RemoteWork,
)
from recrutement.referential.text import fold

T = TypeVar("T")

# The seed of the base demo and of `flask demo seed --offers N`.
DEFAULT_SEED = 2026


class Deck(Generic[T]):
    """Draws values in shuffled rounds: every value comes up once per round per weight.

    Random enough to look natural, yet each round holds every value: the first
    ten offers of a call already have all five contract types.
    """

    def __init__(self, rng: random.Random, weights: dict[T, int]) -> None:
        self.rng = rng
        self.cards = [value for value, weight in weights.items() for _ in range(weight)]
        self.pile: list[T] = []

    def draw(self) -> T:
        if not self.pile:
            self.pile = list(self.cards)
            self.rng.shuffle(self.pile)
        return self.pile.pop()


@dataclass(frozen=True)
class Place:
    """Where an offer is: its organisation, workplace and the towns it covers."""

    organisation_id: int
    workplace_insee_code: str
    town_name: str
    population: int | None
    department_name: str
    region_name: str
    signed_year: int
    town_codes: tuple[str, ...]


class OfferWriter:
    """Writes the content of offers (every column but organisation and lifecycle dates)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.contracts = Deck(rng, CONTRACT_WEIGHTS)
        self.experiences = Deck(rng, EXPERIENCE_WEIGHTS)
        self.remote = Deck(rng, REMOTE_WEIGHTS)
        titles, weights = zip(*TITLES, strict=True)
        self._titles, self._title_weights = titles, weights

    def content(self, place: Place, published_on: date) -> dict[str, Any]:
        rng = self.rng
        contract = self.contracts.draw()
        experience = self.experiences.draw()
        remote_work = self.remote.draw()
        category = Category.B if rng.random() < 0.12 else Category.A
        post_is_new = rng.random() < 0.75
        has_salary = rng.random() < 0.7
        salary_min: int | None = None
        salary_max: int | None = None
        if has_salary:
            low, high = SALARY_FLOOR[category]
            salary_min = rng.randrange(low, high + 1, 500)
            salary_max = salary_min + rng.randrange(3_000, 10_001, 500)
        woman = rng.random() < 0.55
        return {
            "title": rng.choices(self._titles, self._title_weights)[0],
            "recruiting_authority": f"{'La' if rng.random() < 0.4 else 'Le'} maire de "
            f"{place.town_name}",
            "post_is_new": post_is_new,
            "vacant_since": None
            if post_is_new
            else published_on - timedelta(days=rng.randint(10, 200)),
            "workplace_insee_code": place.workplace_insee_code,
            "contract_type": contract.value,
            "category": category.value,
            "grades": self._grades(category, contract),
            "working_time_percent": rng.choices((100, 80, 50), (17, 2, 1))[0],
            "remote_work": remote_work.value,
            "salary_min": salary_min,
            "salary_max": salary_max,
            "start_date": None
            if rng.random() < 0.25
            else published_on + timedelta(days=rng.randint(45, 120)),
            "duration_months": rng.choice(DURATIONS[contract])
            if contract in FIXED_TERM_CONTRACTS
            else None,
            "missions": self._missions(place),
            "profile": self._profile(experience),
            "benefits": self._benefits(remote_work),
            "experience": experience.value,
            "contact_name": self._contact_name(woman),
            "contact_email": f"recrutement.{_slug(place.town_name)}@{DOMAIN}",
            # 01 99 00 xx xx: a range ARCEP keeps for fiction, never assigned.
            "contact_phone": f"01 99 00 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}",
            "attachment_id": None,
        }

    def _grades(self, category: Category, contract: ContractType) -> str:
        grades = self.rng.sample(GRADES[category], k=self.rng.choice((1, 2)))
        if contract in (ContractType.TRANSFER, ContractType.SECONDMENT):
            return ", ".join(grades)
        label = "aux grades" if len(grades) > 1 else "au grade"
        return f"Recrutement contractuel par référence {label} : " + ", ".join(grades)

    def _missions(self, place: Place) -> str:
        rng = self.rng
        population = (
            f"{place.town_name} ({_thousands(place.population)} habitants)"
            if place.population
            else place.town_name
        )
        opening = rng.choice(OPENINGS).format(
            town=place.town_name,
            town_pop=population,
            department=place.department_name,
            region=place.region_name,
            year=place.signed_year,
        )
        themes = rng.sample(THEMES, k=rng.randint(2, 4))
        priorities = [theme.phrase for theme in themes]
        priorities_sentence = (
            f"Le projet s'articule autour de {len(priorities)} priorités : "
            + " ; ".join(priorities)
            + "."
        )
        reporting = (
            f"Rattaché(e) à {rng.choice(REPORTING_LINES)}, le ou la chef de projet "
            f"{rng.choice(ROLE_SENTENCES)}."
        )
        bullets = rng.sample(CORE_MISSIONS, k=rng.randint(3, 5))
        for theme in themes:
            bullets.append(rng.choice(theme.missions))
        bullets.append(rng.choice(PARTNERSHIP_MISSIONS))
        rng.shuffle(bullets)
        lines = "\n".join(f"- {bullet}." for bullet in bullets)
        return (
            f"{opening}\n\n{priorities_sentence}\n\n{reporting}\n\nMissions principales :\n{lines}"
        )

    def _profile(self, experience: Experience) -> str:
        rng = self.rng
        lines = [
            f"Formation supérieure (bac + {rng.choice((3, 5, 5))}) en {rng.choice(STUDY_FIELDS)}",
            EXPERIENCE_LINES[experience],
            *rng.sample(KNOWLEDGE, k=2),
            *rng.sample(SKILLS, k=2),
            *rng.sample(QUALITIES, k=2),
        ]
        if rng.random() < 0.7:
            lines.append("Permis B indispensable (déplacements sur le territoire)")
        return "\n".join(f"- {line}." for line in lines)

    def _benefits(self, remote_work: RemoteWork) -> str:
        rng = self.rng
        lines = rng.sample(BENEFITS, k=rng.randint(3, 5))
        lines.insert(rng.randint(0, len(lines)), f"{rng.randint(6, 25)} jours de RTT")
        remote_benefit = REMOTE_BENEFITS[remote_work]
        if remote_benefit:
            lines.append(remote_benefit)
        return "\n".join(f"- {line}." for line in lines)

    def _contact_name(self, woman: bool) -> str:
        rng = self.rng
        first = rng.choice(WOMEN if woman else MEN)
        function = rng.choice(CONTACT_FUNCTIONS)[1 if woman else 0]
        return f"{first} {rng.choice(SURNAMES)}, {function}"


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


def _slug(name: str) -> str:
    return fold(name).replace(" ", "-")
