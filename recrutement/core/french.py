"""French wording in one place: names with their article, the preposition "de",
plurals, numbers, amounts and dates. Pages (as Jinja filters, see FILTERS), mails and
the decision PDF all go through these, so a rule is fixed once for all of them.

- "de" before a place keeps its article and contracts it: de + Le → du, de + Les → des,
  d' before a vowel or a mute h ("Commune du Puy-en-Velay", "Commune des
  Sables-d'Olonne", "Commune d'Avallon", "Commune de L'Haÿ-les-Roses", "Commune
  d'Hyères");
- an organisation's name gets the article its first word calls for ("la commune de
  Quimperlé", "le PETR du Pays de Brocéliande", "Quimperlé Communauté"), so that a
  sentence reads "l'exécutif de la commune de Quimperlé";
- counts say "1 demande", "2 demandes", never "demande(s)";
- numbers group thousands with a narrow no-break space (U+202F) and amounts put one
  before the euro sign too, so "45 000 €" never splits across two lines.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

from recrutement.core.time import PARIS

# Espace fine insécable: the French typographic space inside numbers and before
# units; no line ever breaks on it.
NARROW_NBSP = "\u202f"

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

# Place names whose initial h is aspirated: "de" does not elide before them. French
# elides before most h ("d'Hyères", "d'Hénin-Beaumont"); these take "de", as their
# own town halls write it. Compared folded (lowercase, without accents).
ASPIRATED_H = frozenset({"haguenau", "halluin", "ham", "hem", "honfleur", "houdan", "houilles"})
# "Haut" is aspirated: "de Hautmont", "de Haute-Goulaine".
ASPIRATED_H_PREFIXES = ("haut",)
# Before a vowel, a y sounds like a consonant ("de Yutz", "de Yenne"); these
# still elide, by usage.
ELIDING_Y_BEFORE_VOWEL = frozenset({"yerres"})

# The first word of an organisation's name, folded, and the article it takes; True
# where the word is a common noun to write in lowercase inside a sentence ("la
# commune de Quimperlé"). A name that starts with anything else is a proper name
# and takes no article ("Quimperlé Communauté", "Brest Métropole").
ORGANISATION_HEADS = {
    "commune": ("la", True),
    "ville": ("la", True),
    "mairie": ("la", True),
    "communaute": ("la", False),
    "cc": ("la", False),
    "ca": ("la", False),
    "cu": ("la", False),
    "metropole": ("la", False),
    "eurometropole": ("l'", False),
    "agglomeration": ("l'", False),
    "epci": ("l'", False),
    "etablissement": ("l'", False),
    "petr": ("le", False),
    "pole": ("le", False),
    "pays": ("le", False),
    "syndicat": ("le", False),
    "sivom": ("le", False),
    "sivu": ("le", False),
}

_LEADING_ARTICLE = re.compile(r"^(les|le)\s+(\S.*)$", re.IGNORECASE | re.DOTALL)
_FIRST_WORD = re.compile(r"[^\s\-'’]+")
_VOWELS = "aeiou"


def _fold(text: str) -> str:
    """Lowercase, without accents; œ and æ become two letters."""
    text = text.casefold().replace("œ", "oe").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def starts_with_vowel_sound(text: str) -> bool:
    """Whether "de" elides before `text`: a vowel, a mute h, or a y sounding like i
    ("Avallon", "Œuilly", "Hyères", "Y"; not "Hautmont", "Yutz")."""
    match = _FIRST_WORD.match(text.strip())
    if not match:
        return False
    word = _fold(match.group())
    first = word[0]
    if first in _VOWELS:
        return True
    if first == "y":
        return len(word) == 1 or word[1] not in _VOWELS + "y" or word in ELIDING_Y_BEFORE_VOWEL
    if first == "h":
        return word not in ASPIRATED_H and not word.startswith(ASPIRATED_H_PREFIXES)
    return False


def of(phrase: str) -> str:
    """ "de" followed by `phrase`, contracted or elided as French requires:
    "Le Havre" → "du Havre", "Les Abymes" → "des Abymes", "Avallon" → "d'Avallon",
    "la commune de Mellac" → "de la commune de Mellac", "La Rochelle" → "de La Rochelle"."""
    phrase = (phrase or "").strip()
    match = _LEADING_ARTICLE.match(phrase)
    if match:
        article, rest = match.groups()
        return ("des " if article.lower() == "les" else "du ") + rest
    if starts_with_vowel_sound(phrase):
        return f"d'{phrase}"
    return f"de {phrase}"


def of_place(name: str) -> str:
    """ "de" + a place name from the referential: "du Puy-en-Velay", "de L'Haÿ-les-Roses"."""
    return of(name)


def commune_organisation_name(commune_name: str) -> str:
    """The name of the organisation of a commune: "Commune du Puy-en-Velay"."""
    return f"Commune {of_place(commune_name)}"


def with_article(organisation_name: str) -> str:
    """An organisation's name as it reads inside a sentence, with its article:
    "Commune de Quimperlé" → "la commune de Quimperlé", "PETR du Pays de Redon" →
    "le PETR du Pays de Redon", "Eurométropole de Strasbourg" → "l'Eurométropole de
    Strasbourg"; a proper name stays as it is ("Quimperlé Communauté")."""
    name = (organisation_name or "").strip()
    match = _FIRST_WORD.match(name)
    if not match:
        return name
    head = ORGANISATION_HEADS.get(_fold(match.group()))
    if head is None:
        return name
    article, lowercase = head
    if lowercase:
        name = name[:1].lower() + name[1:]
    return f"{article}{name}" if article.endswith("'") else f"{article} {name}"


def of_organisation(organisation_name: str) -> str:
    """ "de" + an organisation's name: "de la commune de Quimperlé", "du PETR du Pays de
    Redon", "de Quimperlé Communauté", "d'Auray Quiberon Terre Atlantique"."""
    return of(with_article(organisation_name))


def upper_first(text: str) -> str:
    """The first letter in capital, the rest untouched (Jinja's `capitalize` would
    lowercase "Quimperlé Communauté" into "Quimperlé communauté")."""
    return text[:1].upper() + text[1:] if text else ""


def plural_form(singular: str) -> str:
    """The plural of one French word: +s, +x after -au/-eu, unchanged after s, x, z."""
    if " " in singular:
        raise ValueError(f"Give the plural of « {singular} » explicitly.")
    if singular.endswith(("s", "x", "z")):
        return singular
    if singular.endswith(("au", "eu")):
        return singular + "x"
    return singular + "s"


def plural(count: int | None, singular: str, plural: str | None = None) -> str:
    """A count with its noun: "1 demande", "2 demandes", "12 500 candidatures".
    French keeps the singular below two ("0 demande", "1 demande"). Give `plural` for
    anything but one regular word ("candidature retenue", "candidatures retenues")."""
    count = count or 0
    word = singular if abs(count) < 2 else (plural or plural_form(singular))
    return f"{number(count)} {word}"


def number(value: int | float | Decimal | None, decimals: int = 0) -> str:
    """A number the French way: thousands grouped by a narrow no-break space, a
    decimal comma ("45 000", "1 234,5" with decimals=1); "" for None."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NARROW_NBSP).replace(".", ",")


def euros(amount: int | float | Decimal | None, cents: bool | None = None) -> str:
    """An amount in euros that never splits: "45 000 €", "12 575,34 €".
    cents=None shows cents only when there are some; True always; False never
    (rounded). "" for None."""
    if amount is None:
        return ""
    if cents is None:
        cents = Decimal(str(amount)) != Decimal(str(amount)).to_integral_value()
    return f"{number(amount, 2 if cents else 0)}{NARROW_NBSP}€"


def percent(rate: float | Decimal | None, decimals: int = 0) -> str:
    """A fraction as a percentage: 0.75 → "75 %", with the narrow no-break space."""
    if rate is None:
        return ""
    return f"{number(Decimal(str(rate)) * 100, decimals)}{NARROW_NBSP}%"


def _day(value: date | datetime) -> date:
    """The day as the French live it: an aware moment is read in Paris time."""
    if isinstance(value, datetime):
        return value.astimezone(PARIS).date() if value.tzinfo else value.date()
    return value


def long_date(value: date | datetime | None) -> str:
    """ "1er mars 2026", "12 décembre 2026"; "" for None."""
    if value is None:
        return ""
    day = _day(value)
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def long_datetime(moment: datetime | None) -> str:
    """A stored moment as French write it, in Paris time: "1er mars 2026 à 8 h 05";
    "" for None."""
    if moment is None:
        return ""
    local = moment.astimezone(PARIS) if moment.tzinfo else moment
    return f"{long_date(local)} à {local.hour}{NARROW_NBSP}h{NARROW_NBSP}{local.minute:02d}"


def short_date(value: date | datetime | None) -> str:
    """ "01/03/2026" (an aware moment read in Paris time); "" for None."""
    if value is None:
        return ""
    return _day(value).strftime("%d/%m/%Y")


# The Jinja filters: {{ commune.name|of_place }}, {{ count|plural("demande") }},
# {{ amount|euros }}, {{ offer.application_deadline|long_date }}…
FILTERS = {
    "of_place": of_place,
    "of_organisation": of_organisation,
    "with_article": with_article,
    "upper_first": upper_first,
    "plural": plural,
    "number": number,
    "euros": euros,
    "percent": percent,
    "long_date": long_date,
    "long_datetime": long_datetime,
    "short_date": short_date,
}
