"""The words of the demo offers (data/offers.toml): titles, missions, profiles, benefits,
contacts and the weights they are drawn with; and how many offers the base demo has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from recrutement.demo.common import read_data
from recrutement.offers.models import Category, ContractType, Experience, OfferStatus, RemoteWork


@dataclass(frozen=True)
class Theme:
    """A priority of a revitalisation project: how it is named, what the post does for it."""

    key: str
    phrase: str
    missions: tuple[str, ...]


_DATA: dict[str, Any] = read_data("offers.toml")

# The base demo: the demo collectivités with offers in every state, how many in each,
# and the published offers across France.
DEMO_STATE_ORGANISATIONS: tuple[str, ...] = tuple(_DATA["base_demo"]["organisations"])
STATES_FOR_DEMO: tuple[tuple[OfferStatus, int], ...] = tuple(
    (OfferStatus(status), count) for status, count in _DATA["base_demo"]["per_state"].items()
)
DEMO_OFFERS_ACROSS_FRANCE: int = _DATA["base_demo"]["across_france"]

# (title, weight)
TITLES: tuple[tuple[str, int], ...] = tuple(_DATA["titles"].items())
CONTRACT_WEIGHTS = {ContractType(k): v for k, v in _DATA["weights"]["contract_type"].items()}
EXPERIENCE_WEIGHTS = {Experience(k): v for k, v in _DATA["weights"]["experience"].items()}
REMOTE_WEIGHTS = {RemoteWork(k): v for k, v in _DATA["weights"]["remote_work"].items()}
DURATIONS: dict[ContractType, tuple[int, ...]] = {
    ContractType(k): tuple(v) for k, v in _DATA["duration_months"].items()
}
GRADES: dict[Category, tuple[str, ...]] = {
    Category(k): tuple(v) for k, v in _DATA["grades"].items()
}
# Gross annual salary in euros: (lowest, highest) minimum per category.
SALARY_FLOOR: dict[Category, tuple[int, int]] = {
    Category(k): (low, high) for k, (low, high) in _DATA["salary_floor"].items()
}

_MISSIONS = _DATA["missions"]
OPENINGS: tuple[str, ...] = tuple(_MISSIONS["openings"])
REPORTING_LINES: tuple[str, ...] = tuple(_MISSIONS["reporting_lines"])
ROLE_SENTENCES: tuple[str, ...] = tuple(_MISSIONS["role_sentences"])
CORE_MISSIONS: tuple[str, ...] = tuple(_MISSIONS["core"])
PARTNERSHIP_MISSIONS: tuple[str, ...] = tuple(_MISSIONS["partnership"])
THEMES: tuple[Theme, ...] = tuple(
    Theme(item["key"], item["phrase"], tuple(item["missions"])) for item in _DATA["themes"]
)

_PROFILE = _DATA["profile"]
STUDY_FIELDS: tuple[str, ...] = tuple(_PROFILE["study_fields"])
EXPERIENCE_LINES = {Experience(k): v for k, v in _PROFILE["experience"].items()}
KNOWLEDGE: tuple[str, ...] = tuple(_PROFILE["knowledge"])
SKILLS: tuple[str, ...] = tuple(_PROFILE["skills"])
QUALITIES: tuple[str, ...] = tuple(_PROFILE["qualities"])

BENEFITS: tuple[str, ...] = tuple(_DATA["benefits"]["lines"])
REMOTE_BENEFITS: dict[RemoteWork, str | None] = {
    remote: _DATA["benefits"]["remote_work"].get(remote.value) for remote in RemoteWork
}

WOMEN: tuple[str, ...] = tuple(_DATA["contact"]["women"])
MEN: tuple[str, ...] = tuple(_DATA["contact"]["men"])
SURNAMES: tuple[str, ...] = tuple(_DATA["contact"]["surnames"])
# (as a man holds it, as a woman holds it)
CONTACT_FUNCTIONS: tuple[tuple[str, str], ...] = tuple(
    (item["man"], item["woman"]) for item in _DATA["contact"]["functions"]
)
