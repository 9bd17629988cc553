"""The categories of the recruits' profile (docs/design.md, Programme dashboard): codes, the
French labels, and how a candidate's optional answers fall into them."""

from __future__ import annotations

from recrutement.candidates.models import FIELDS_OF_STUDY, GENDERS

NOT_ANSWERED = "non_renseigne"
NOT_ANSWERED_LABEL = "Non renseigné"

EXPERIENCE = {
    "moins_1_an": "Moins d'un an",
    "1_5_ans": "1 à 5 ans",
    "5_20_ans": "5 à 20 ans",
    "plus_20_ans": "Plus de 20 ans",
}
DIPLOMA = {
    "bac": "Bac ou autre",
    "bac+2/3": "Bac + 2 ou 3",
    "bac+4/5": "Bac + 4 ou 5",
    "doctorat": "Doctorat",
}
FIELD_OF_STUDY = dict(FIELDS_OF_STUDY)
GENDER = dict(GENDERS)
EMPLOYER = {"commune": "Commune", "epci": "EPCI", "petr": "PETR"}

# The JSON key of each breakdown, its title, and its categories (in display order).
BREAKDOWNS: dict[str, tuple[str, dict[str, str]]] = {
    "experience": ("Expérience professionnelle", EXPERIENCE),
    "diplome": ("Diplôme le plus élevé", DIPLOMA),
    "formation": ("Domaine de formation principal", FIELD_OF_STUDY),
    "genre": ("Genre", GENDER),
    "employeur": ("Employeur", EMPLOYER),
}
# The Recruit column behind each breakdown.
COLUMNS = {
    "experience": "experience",
    "diplome": "diploma",
    "formation": "field_of_study",
    "genre": "gender",
    "employeur": "employer_kind",
}


def experience_band(years: int | None) -> str | None:
    """Under 1 year, 1–5, 5–20, over 20 years (a band's lower bound belongs to it)."""
    if years is None:
        return None
    if years < 1:
        return "moins_1_an"
    if years < 5:
        return "1_5_ans"
    if years < 20:
        return "5_20_ans"
    return "plus_20_ans"


_DIPLOMA_BANDS = {
    "bac": "bac",
    "bac+2": "bac+2/3",
    "bac+3": "bac+2/3",
    "bac+5": "bac+4/5",
    "doctorat": "doctorat",
}


def diploma_band(diploma: str | None) -> str | None:
    """The profile's diploma (candidates.models.DIPLOMAS) in the report's four bands."""
    return _DIPLOMA_BANDS.get(diploma or "")


def categories(breakdown: str) -> list[str]:
    """Every category code of a breakdown, "not answered" last (except for the employer)."""
    codes = list(BREAKDOWNS[breakdown][1])
    return codes if breakdown == "employeur" else [*codes, NOT_ANSWERED]


def label(breakdown: str, code: str) -> str:
    if code == NOT_ANSWERED:
        return NOT_ANSWERED_LABEL
    return BREAKDOWNS[breakdown][1][code]
