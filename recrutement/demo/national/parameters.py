"""The shape of the national demo programme (data/national.toml): the seed report of
January 2022 and its survey, recruitment timings, cofunding, and the texts."""

from __future__ import annotations

from datetime import date
from typing import Any

from recrutement.applications.models import ApplicationStatus
from recrutement.cofunding.models import CofundingStatus
from recrutement.demo.common import DOMAIN, read_data
from recrutement.demo.offers.vocabulary import MEN, SURNAMES, WOMEN

# National rows are found again by the mail domain of their accounts.
NATIONAL_DOMAIN = f"national.{DOMAIN}"

_DATA: dict[str, Any] = read_data("national.toml")


def _pair(values: list[int]) -> tuple[int, int]:
    low, high = values
    return low, high


def _triangle(values: list[int]) -> tuple[int, int, int]:
    """(low, high, mode) of a triangular draw."""
    low, high, mode = values
    return low, high, mode


# When the first holder of each post took it: (first day, last day): share in %.
FIRST_STARTS: dict[tuple[date, date], int] = {
    (item["from"], item["to"]): item["share"] for item in _DATA["first_starts"]
}
# Collectivités prepared their recruitment before the programme's launch (October 2020).
FIRST_PUBLICATION: date = _DATA["first_publication"]
# The recruits' profile, in % (codes of pilotage.profile).
PROFILE_SHARES: dict[str, dict[str, int]] = _DATA["profile"]

_POSTS = _DATA["posts"]
EMPLOYER_SHARES: dict[str, int] = _POSTS["employers"]
VACANT_TOWNS: float = _POSTS["vacant_towns"]
OPEN_ONLY_TOWNS: float = _POSTS["open_only_towns"]
LINE_SHARES: dict[str, int] = _POSTS["lines"]
AFTER_DEPARTURE: dict[str, int] = _POSTS["after_departure"]
SUCCESSOR_LEAVES: float = _POSTS["successor_leaves"]
SECOND_POST_TOWNS: tuple[int, ...] = tuple(_POSTS["second_post_towns"])

_RECRUITMENT = _DATA["recruitment"]
DAYS_TO_HIRE = _triangle(_RECRUITMENT["days_to_hire"])
NOTICE_DAYS = _pair(_RECRUITMENT["notice_days"])
DEADLINE_DAYS: int = _RECRUITMENT["deadline_days"]
APPLICATIONS_FILLED = _triangle(_RECRUITMENT["applications_filled"])
APPLICATIONS_PER_CANDIDATE: int = _RECRUITMENT["applications_per_candidate"]
SMALLEST_COHORT: int = _RECRUITMENT["smallest_cohort"]
WITHDRAWN_SHARE: float = _RECRUITMENT["withdrawn_share"]
OPEN_APPLICATION_STATES = {
    ApplicationStatus(status): weight
    for status, weight in _RECRUITMENT["open_application_states"].items()
}

_COFUNDING = _DATA["cofunding"]
COFUNDING_FROM: int = _COFUNDING["from_year"]
ANNUAL_COST = _pair(_COFUNDING["annual_cost"])
ANNUAL_COST_MAX: int = _COFUNDING["annual_cost_max"]
PAST_STATUSES = {CofundingStatus(k): v for k, v in _COFUNDING["past_statuses"].items()}
CURRENT_STATUSES = {CofundingStatus(k): v for k, v in _COFUNDING["current_statuses"].items()}
WAITING = (CofundingStatus.SUBMITTED, CofundingStatus.IN_INSTRUCTION)
BDT_ASKED: float = _COFUNDING["bdt_asked"]
ANAH_LOWERED: float = _COFUNDING["anah_lowered"]
WITHOUT_ANAH_AGENT: float = _COFUNDING["without_anah_agent"]

# People's names: the offer contacts' and more. True: women's first names.
FIRST_NAMES: dict[bool, tuple[str, ...]] = {
    True: WOMEN + tuple(_DATA["names"]["women"]),
    False: MEN + tuple(_DATA["names"]["men"]),
}
LAST_NAMES: tuple[str, ...] = SURNAMES + tuple(_DATA["names"]["surnames"])

_TEXTS = _DATA["texts"]
LETTERS: tuple[str, ...] = tuple(_TEXTS["letters"])
REJECTIONS: tuple[str, ...] = tuple(_TEXTS["rejections"])
INTERVIEWS: tuple[str, ...] = tuple(_TEXTS["interviews"])
HOUSING_OPERATIONS: tuple[str, ...] = tuple(_TEXTS["housing_operations"])
REFUSALS: tuple[str, ...] = tuple(_TEXTS["refusals"])
DISMISSALS: tuple[str, ...] = tuple(_TEXTS["dismissals"])
CHANGES: tuple[str, ...] = tuple(_TEXTS["changes"])
ANAH_OPINION: str = _TEXTS["anah_opinion"]
