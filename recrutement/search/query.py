"""The offer search of `/offres` and `GET /api/v1/offres` (docs/design.md, Offers and Public contract).

`SearchParams.from_args` validates the public parameters; `search_offers`
answers the offer ids of one page in order, with the total, the facet counts,
highlighted excerpts, the distance to the town searched near, and a "Vouliez-vous
dire" suggestion. The caller loads the offers from SQL. A town that cannot be
found comes back as an InvalidSearch carrying the closest communes' names.

Facet counts follow the usual rule of faceted search: each facet is counted
with every other filter applied but not its own, so that choosing a région
still shows how many offers the other régions have. Hence, for a facet that is
not filtered, its counts add up to `total`.

The search works on document-number sets taken from the index's columns
(cached once per index version, see reader.IndexView), so filters, facets and
the distance filter cost set operations rather than Whoosh queries, and the
query text is matched once.
"""

from __future__ import annotations

import difflib
import heapq
import math
import re
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from itertools import islice
from typing import Any

from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy import func, select
from whoosh import query as whoosh_query
from whoosh.qparser import (
    GroupPlugin,
    MultifieldPlugin,
    OperatorsPlugin,
    PhrasePlugin,
    QueryParser,
    WhitespacePlugin,
)

from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.offers.models import ContractType, Experience, RemoteWork
from recrutement.referential.models import Commune, Department, Region
from recrutement.referential.text import fold
from recrutement.search.analysis import analyze
from recrutement.search.backend import using_postgresql
from recrutement.search.cache import DEFAULT_SIZE, ResultCache
from recrutement.search.documents import date_number
from recrutement.search.index import SCHEMA
from recrutement.search.ranking import matching_documents, scores, scoring_terms
from recrutement.search.reader import IndexView, with_index_view
from recrutement.search.suggestions import suggest

SORT_RELEVANCE = "pertinence"
SORT_DATE = "date"
SORT_DEADLINE = "date_limite"
# Nearest first; only with a commune.
SORT_DISTANCE = "distance"
SORTS = (SORT_RELEVANCE, SORT_DATE, SORT_DEADLINE, SORT_DISTANCE)

DEFAULT_RADIUS_KM = 30
MAX_RADIUS_KM = 200
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 50
MAX_PAGE = 1000
MAX_QUERY_LENGTH = 200
EXCERPT_CHARS = 240
# Communes proposed for a town name that matches none.
COMMUNE_SUGGESTIONS = 5

# Public parameter → index field, in the order facets are shown.
FACET_PARAMETERS = {
    "region": "region",
    "departement": "department",
    "contrat": "contract_type",
    "experience": "experience",
    "teletravail": "remote_work",
}
_VOCABULARIES = {"contrat": ContractType, "experience": Experience, "teletravail": RemoteWork}
_INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_POSTCODE = re.compile(r"^\d{5}$")
_LABEL = re.compile(r"^(?P<name>.+?)\s*\((?P<code>\d[0-9AB]\d{0,3})\)$")
_WORD = re.compile(r"\w+")


class InvalidSearch(ValueError):
    """A search parameter has a value the search cannot use; `message` is for the user,
    `suggestions` the communes close to a town name that matched none."""

    def __init__(self, parameter: str, message: str, suggestions: tuple[Place, ...] = ()):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message
        self.suggestions = suggestions


@dataclass(frozen=True)
class Place:
    """The commune a distance search is centred on."""

    insee_code: str
    name: str
    latitude: float
    longitude: float
    department_code: str = ""

    @property
    def label(self) -> str:
        """The name and département, "Quimperlé (29)": what the "Près de" field shows,
        and what resolves back to this commune when another département has a namesake."""
        return f"{self.name} ({self.department_code})" if self.department_code else self.name


@dataclass(frozen=True)
class SearchParams:
    """A validated search; build it with `from_args`."""

    text: str = ""
    region: str | None = None
    department: str | None = None
    contract_type: str | None = None
    experience: str | None = None
    remote_work: str | None = None
    place: Place | None = None
    radius_km: int | None = None
    # As asked; `effective_sort` says what is applied.
    sort: str | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> SearchParams:
        """Validate the public parameters (`q`, `region`, ..., `par_page`); raise InvalidSearch.

        Empty values count as absent. `commune` is an INSEE code, a postcode, a
        name or a label such as "Quimperlé (29300)"; `rayon` only applies with it.
        """

        def value(name: str) -> str:
            return (args.get(name) or "").strip()

        text = " ".join(value("q").split())
        if len(text) > MAX_QUERY_LENGTH:
            raise InvalidSearch(
                "q", f"La recherche ne doit pas dépasser {MAX_QUERY_LENGTH} caractères."
            )
        filters = {name: value(name) or None for name in FACET_PARAMETERS}
        for name, vocabulary in _VOCABULARIES.items():
            if filters[name] is not None and filters[name] not in vocabulary.LABELS:
                allowed = ", ".join(vocabulary.LABELS)
                raise InvalidSearch(
                    name, f"Valeur inconnue : « {filters[name]} ». Valeurs possibles : {allowed}."
                )
        if filters["region"] is not None and db.session.get(Region, filters["region"]) is None:
            raise InvalidSearch("region", f"Région inconnue : « {filters['region']} ».")
        department = filters["departement"]
        if department is not None:
            department = department.upper()
            if db.session.get(Department, department) is None:
                raise InvalidSearch("departement", f"Département inconnu : « {department} ».")

        radius = _integer(
            args,
            "rayon",
            DEFAULT_RADIUS_KM,
            1,
            MAX_RADIUS_KM,
            f"Le rayon doit être un nombre entier de kilomètres entre 1 et {MAX_RADIUS_KM}.",
        )
        place = resolve_commune(value("commune")) if value("commune") else None

        sort = value("tri") or None
        if sort is not None and sort not in SORTS:
            raise InvalidSearch(
                "tri",
                "Le tri doit être « pertinence », « date », « date_limite » ou « distance ».",
            )
        page = _integer(
            args,
            "page",
            1,
            1,
            MAX_PAGE,
            f"La page doit être un nombre entier entre 1 et {MAX_PAGE}.",
        )
        per_page = _integer(
            args,
            "par_page",
            DEFAULT_PER_PAGE,
            1,
            MAX_PER_PAGE,
            f"Le nombre de résultats par page doit être un nombre entier entre 1 et {MAX_PER_PAGE}.",
        )
        return cls(
            text=text,
            region=filters["region"],
            department=department,
            contract_type=filters["contrat"],
            experience=filters["experience"],
            remote_work=filters["teletravail"],
            place=place,
            radius_km=radius if place else None,
            sort=sort,
            page=page,
            per_page=per_page,
        )

    @property
    def effective_sort(self) -> str:
        """The order applied. Relevance needs words to weigh and distance a commune: a
        search near a town without words comes nearest first, other searches without
        words newest first, searches with words by relevance unless asked otherwise."""
        sort = self.sort
        if sort == SORT_DISTANCE and self.place is None:
            sort = None
        if sort == SORT_RELEVANCE and not self.text:
            sort = None
        if sort is None:
            if self.text:
                return SORT_RELEVANCE
            return SORT_DISTANCE if self.place is not None else SORT_DATE
        return sort

    @property
    def filters(self) -> dict[str, str]:
        """The active facet filters, as {public parameter: value}."""
        values = {
            "region": self.region,
            "departement": self.department,
            "contrat": self.contract_type,
            "experience": self.experience,
            "teletravail": self.remote_work,
        }
        return {name: value for name, value in values.items() if value is not None}

    def to_args(self, **changes: object) -> dict[str, str]:
        """The public parameters of this search (for links and saved searches), with `changes`."""
        args = {"q": self.text, **self.filters}
        if self.place:
            args["commune"] = self.place.insee_code
            args["rayon"] = str(self.radius_km)
        if self.sort:
            args["tri"] = self.sort
        if self.page != 1:
            args["page"] = str(self.page)
        if self.per_page != DEFAULT_PER_PAGE:
            args["par_page"] = str(self.per_page)
        args.update({name: str(value) for name, value in changes.items() if value is not None})
        return {name: value for name, value in args.items() if value}

    def with_page(self, page: int) -> SearchParams:
        return replace(self, page=page)


def _integer(
    args: Mapping[str, str], name: str, default: int, low: int, high: int, message: str
) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise InvalidSearch(name, message)
    return int(raw)


def resolve_commune(text: str) -> Place:
    """Find the commune meant by an INSEE code, a postcode, a name or "Name (postcode)".

    A postcode or a name shared by several communes means the most populous one.
    """
    text = text.strip()
    candidates = select(Commune).order_by(
        func.coalesce(Commune.population, 0).desc(), Commune.insee_code
    )
    commune = None
    if _INSEE_CODE.match(text.upper()):
        commune = db.session.get(Commune, text.upper())
    if commune is None and _POSTCODE.match(text):
        commune = db.session.scalars(
            candidates.where(Commune.postcodes.contains(text)).limit(1)
        ).first()
    if commune is None:
        name, code = text, None
        if match := _LABEL.match(text):
            name, code = match["name"], match["code"]
        query = candidates.where(Commune.search_name == fold(name))
        if code and len(code) == 5:
            query = query.where(Commune.postcodes.contains(code))
        elif code:
            query = query.where(Commune.department_code == code.upper())
        commune = db.session.scalars(query.limit(1)).first()
    if commune is None:
        suggestions = close_communes(text)
        message = f"Aucune commune ne s'appelle « {text} »."
        if suggestions:
            message += " Vouliez-vous dire " + ", ".join(p.label for p in suggestions) + " ?"
        else:
            message += " Vérifiez son orthographe ou indiquez son code postal."
        raise InvalidSearch("commune", message, suggestions)
    if commune.latitude is None or commune.longitude is None:
        raise InvalidSearch(
            "commune",
            f"La position de {commune.name} n'est pas connue : la recherche autour d'elle est impossible.",
        )
    return _place(commune)


def _place(commune: Commune) -> Place:
    # Only communes with a position are centred on (the callers' queries say so).
    assert commune.latitude is not None and commune.longitude is not None
    return Place(
        commune.insee_code,
        commune.name,
        commune.latitude,
        commune.longitude,
        commune.department_code,
    )


# "St Brieuc" for "Saint-Brieuc": abbreviations people type, as `fold` leaves them.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def close_communes(text: str, limit: int = COMMUNE_SUGGESTIONS) -> tuple[Place, ...]:
    """The communes whose name is closest to a misspelt `text` ("Kimperlé" → Quimperlé),
    most alike first, then most populous; only communes a search can centre on."""
    label = _LABEL.match(text.strip())
    words = fold(label["name"] if label else text).split()
    wanted = " ".join(_ABBREVIATIONS.get(word, word) for word in words)[:60]
    if len(wanted) < 3:
        return ()
    # difflib's ratio is at most 2·min(a, b)/(a + b): names much shorter or longer than
    # `wanted` cannot reach the cutoff and are not compared at all.
    cutoff, size = 0.75, len(wanted)
    by_length = _positioned_commune_names()
    lengths = range(math.ceil(size * cutoff / (2 - cutoff)), int(size * (2 - cutoff) / cutoff) + 1)
    names = [name for length in lengths for name in by_length.get(length, ())]
    close = difflib.get_close_matches(wanted, names, n=limit, cutoff=cutoff)
    if not close:
        return ()
    likeness = {name: difflib.SequenceMatcher(None, wanted, name).ratio() for name in close}
    communes = db.session.scalars(
        select(Commune).where(
            Commune.search_name.in_(close),
            Commune.latitude.is_not(None),
            Commune.longitude.is_not(None),
        )
    ).all()
    communes = sorted(
        communes,
        key=lambda commune: (
            -likeness[commune.search_name],
            -(commune.population or 0),
            commune.insee_code,
        ),
    )
    return tuple(_place(commune) for commune in communes[:limit])


# The names of the communes with a position, read once per state of the referential
# (about 35,000: reading them costs more than comparing them).
_names_cache: dict[str, tuple[tuple[Any, ...], dict[int, list[str]]]] = {}


def _positioned_commune_names() -> dict[int, list[str]]:
    """{length: distinct names of that length} of the communes with a position."""
    positioned = (Commune.latitude.is_not(None), Commune.longitude.is_not(None))
    state = tuple(
        db.session.execute(
            select(
                func.count(),
                func.sum(func.length(Commune.search_name)),
                func.max(Commune.insee_code),
            ).where(*positioned)
        ).one()
    )
    database = str(db.engine.url)
    cached = _names_cache.get(database)
    if cached is None or cached[0] != state:
        by_length: dict[int, list[str]] = {}
        for name in set(db.session.scalars(select(Commune.search_name).where(*positioned))):
            by_length.setdefault(len(name), []).append(name)
        cached = _names_cache[database] = (state, by_length)
    return cached[1]


@dataclass(frozen=True)
class SearchHit:
    """One offer of the page: its id, its relevance (None when not sorted by relevance),
    its excerpt (safe HTML, the words found in <mark>) and, in a search near a town,
    the distance in km from that town to the offer's workplace."""

    offer_id: int
    score: float | None
    excerpt: Markup
    distance_km: float | None = None

    @property
    def excerpt_text(self) -> str:
        """The excerpt as plain text: no tags, no character references."""
        return excerpt_text(self.excerpt)


@dataclass
class SearchResults:
    total: int
    page: int
    per_page: int
    hits: list[SearchHit]
    # {"region": {code: count}, "departement": {...}, "contrat": {...}, "experience": {...},
    #  "teletravail": {...}}, each sorted by decreasing count.
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # The query with its misspelt words corrected, or None.
    suggestion: str | None = None
    sort: str = SORT_DATE

    @property
    def offer_ids(self) -> list[int]:
        return [hit.offer_id for hit in self.hits]

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_offers(params: SearchParams, today: date | None = None) -> SearchResults:
    """Search the open offers: published ones whose application deadline is not past.

    `today` defaults to the date in Paris; an offer stays open on its deadline day.
    """
    today = today or paris_today()
    size = current_app.config.get("SEARCH_CACHE_SIZE", DEFAULT_SIZE)

    if using_postgresql():
        from recrutement.search import postgresql

        pg_view = postgresql.current_view()
        found = _results.get(
            pg_view, (params, today), size, lambda: postgresql.search(pg_view, params, today)
        )
    else:

        def search(view: IndexView) -> SearchResults:
            return _results.get(view, (params, today), size, lambda: _search(view, params, today))

        found = with_index_view(search)
    # The kept results are shared: each caller gets its own lists to change.
    return replace(
        found,
        hits=list(found.hits),
        facets={name: dict(counts) for name, counts in found.facets.items()},
    )


# This process's results, for the index version they were computed on (cache.py).
_results: ResultCache[SearchResults] = ResultCache()


def _search(view: IndexView, params: SearchParams, today: date) -> SearchResults:
    text_query = parse_text(params.text)
    candidates: Set[int] = view.open_docs(date_number(today))
    if text_query is not None:
        candidates = _intersection(candidates, [matching_documents(view, text_query)])
    distances: dict[int, float] = {}
    if params.place is not None:
        distances = view.distances_within(
            params.place.latitude, params.place.longitude, params.radius_km or DEFAULT_RADIUS_KM
        )
        candidates = candidates & distances.keys()
    selected = {
        FACET_PARAMETERS[name]: view.docs_with(FACET_PARAMETERS[name], value)
        for name, value in params.filters.items()
    }
    matching = _intersection(candidates, list(selected.values()))

    facets = {}
    for name, field_name in FACET_PARAMETERS.items():
        if field_name in selected:
            others = [docs for other, docs in selected.items() if other != field_name]
            counted = _intersection(candidates, others)
        else:
            counted = matching
        counts = view.count_values(field_name, counted)
        facets[name] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    sort = params.effective_sort
    if sort == SORT_RELEVANCE and text_query is None:
        # Only stop words were typed ("de"): nothing to weigh.
        sort = SORT_DATE
    page = _page(view, text_query, matching, sort, params, distances)
    terms = _highlight_terms(text_query)
    hits = [
        SearchHit(view.offer_ids[doc], score, _excerpt(view, doc, terms), distances.get(doc))
        for doc, score in page
    ]
    return SearchResults(
        total=len(matching),
        page=params.page,
        per_page=params.per_page,
        hits=hits,
        facets=facets,
        suggestion=suggest(view, params.text) if params.text else None,
        sort=sort,
    )


def _intersection(base: Set[int], others: Sequence[Set[int]]) -> Set[int]:
    result = base
    for docs in sorted(others, key=len):
        result = result & docs if len(result) <= len(docs) else docs & result
    return result


def _page(
    view: IndexView,
    text_query: Any,
    matching: Set[int],
    sort: str,
    params: SearchParams,
    distances: dict[int, float],
) -> list[tuple[int, float | None]]:
    start = (params.page - 1) * params.per_page
    end = start + params.per_page
    if start >= len(matching):
        return []
    published, ids = view.published_at, view.offer_ids
    if sort == SORT_RELEVANCE:
        # Keys built by zip and compared as tuples: no Python call per document.
        documents = list(matching)
        relevance = scores(view, text_query, documents)
        best = heapq.nlargest(
            end,
            zip(
                relevance,
                map(published.__getitem__, documents),
                map(ids.__getitem__, documents),
                documents,
                strict=True,
            ),
        )
        return [(doc, score) for score, _published, _id, doc in best[start:end]]
    if sort == SORT_DISTANCE and distances:
        ordered = heapq.nsmallest(
            end, matching, key=lambda doc: (distances[doc], -published[doc], -ids[doc])
        )
    else:
        # Dates do not depend on the search: the index's order, filtered.
        order = view.by_deadline if sort == SORT_DEADLINE else view.newest_first
        ordered = list(islice(filter(matching.__contains__, order), end))
    return [(doc, None) for doc in ordered[start:end]]


# --- Query text ---------------------------------------------------------------------

# Words, "quoted phrases", (groups) and the operators OU/OR, ET/AND, SAUF/NOT in
# capitals; every word is required by default. No field names ("titre:") or
# wildcards, which users type by accident and which would cost a full scan ("*").
_PARSER = QueryParser(
    None,
    SCHEMA,
    plugins=[
        WhitespacePlugin(),
        PhrasePlugin(),
        GroupPlugin(),
        OperatorsPlugin(
            And=r"(?<=\s)(AND|ET)(?=\s)",
            Or=r"(?<=\s)(OR|OU)(?=\s)",
            AndNot=None,
            AndMaybe=None,
            Not=r"(^|(?<=(\s|[()])))(NOT|SAUF)(?=\s)",
            Require=None,
        ),
        MultifieldPlugin(["title", "body"]),
    ],
)


@lru_cache(maxsize=1024)
def parse_text(text: str) -> Any:
    """The Whoosh query for the words of `q` (all required), or None when none is left.

    A text always parses to the same query (the parser knows the schema, not the
    index's content), so parsed queries are kept; nothing changes them once parsed.
    """
    if not text:
        return None
    parsed = _PARSER.parse(text)
    if parsed is whoosh_query.NullQuery or not list(parsed.iter_all_terms()):
        return None
    return parsed


def _highlight_terms(text_query: Any) -> frozenset[str]:
    if text_query is None:
        return frozenset()
    # The words that made the offer match, not those it was required to lack.
    return frozenset(text for _field, text in scoring_terms(text_query))


def _excerpt(view: IndexView, doc: int, terms: frozenset[str]) -> Markup:
    body = view.searcher.stored_fields(doc).get("body", "")
    return excerpt(body, terms)


def excerpt(text: str, terms: frozenset[str] | set[str]) -> Markup:
    """About EXCERPT_CHARS of `text` around most of the words that reduce to `terms`.

    Those words are wrapped in <mark>, the rest is escaped: the result is safe
    HTML. Without a match, the excerpt is the start of the text.
    """
    if not terms:
        return escape(_leading_text(text))
    matches = _matching_words(text, terms)
    if not matches:
        return escape(_leading_text(text))
    # The window starting at the match that has the most matches after it within reach.
    best_first, best_count = 0, 0
    for first, (match_start, _match_end) in enumerate(matches):
        limit = match_start + EXCERPT_CHARS - 40
        count = 0
        for _other_start, other_end in matches[first:]:
            if other_end > limit:
                break
            count += 1
        if count > best_count:
            best_first, best_count = first, count
    start = _word_boundary(text, matches[best_first][0] - 40, backwards=True)
    end = _word_boundary(text, start + EXCERPT_CHARS, backwards=False)
    # Plain strings, each piece escaped or our own tags: cheaper than Markup's methods.
    pieces = ["… " if start > 0 else ""]
    position = start
    for match_start, match_end in matches[best_first:]:
        if match_end > end:
            break
        pieces.append(escape(text[position:match_start]))
        pieces.append(f"<mark>{escape(text[match_start:match_end])}</mark>")
        position = match_end
    pieces.append(escape(text[position:end]))
    pieces.append(" …" if end < len(text) else "")
    # Newlines between paragraphs become single spaces.
    return Markup(" ".join("".join(pieces).split()))  # noqa: S704 — every piece is escaped


def _matching_words(text: str, terms: frozenset[str] | set[str]) -> list[tuple[int, int]]:
    """Where the words of `text` that reduce to `terms` are, in order, as (start, end).

    Each distinct word is analysed once, then found with str.find: a match is a
    whole word, neither preceded nor followed by a word character (what `\\w` means).
    """
    wanted = [word for word in set(_WORD.findall(text)) if _index_term(word) in terms]
    found: list[tuple[int, int]] = []
    length = len(text)
    for word in wanted:
        position = text.find(word)
        while position >= 0:
            after = position + len(word)
            before_character = text[position - 1] if position else " "
            after_character = text[after] if after < length else " "
            if not (_is_word_character(before_character) or _is_word_character(after_character)):
                found.append((position, after))
            # The word is made of word characters: no whole word starts inside it.
            position = text.find(word, after)
    found.sort()
    return found


def _is_word_character(character: str) -> bool:
    # What `\w` matches in a str pattern.
    return character.isalnum() or character == "_"


def excerpt_text(highlighted: Markup) -> str:
    """A highlighted excerpt as plain text: tags dropped, "&amp;" and the like decoded."""
    return highlighted.striptags()


@lru_cache(maxsize=200_000)
def _index_term(word: str) -> str | None:
    terms = analyze(word)
    return terms[0] if terms else None


def _word_boundary(text: str, position: int, backwards: bool) -> int:
    if position <= 0:
        return 0
    if position >= len(text):
        return len(text)
    if backwards:
        space = text.rfind(" ", 0, position)
        return space + 1 if space >= 0 else 0
    space = text.find(" ", position)
    return space if space >= 0 else len(text)


def _leading_text(body: str) -> str:
    # Only the start is shown: spaces folded in a prefix of the body give a prefix of
    # the whole body folded, so a long enough prefix spares folding the rest.
    text = " ".join(body[: 4 * EXCERPT_CHARS].split())
    if len(text) <= EXCERPT_CHARS:
        text = " ".join(body.split())
    if len(text) <= EXCERPT_CHARS:
        return text
    cut = text.rfind(" ", 0, EXCERPT_CHARS)
    return text[: cut if cut > 0 else EXCERPT_CHARS] + " …"
