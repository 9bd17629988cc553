"""Saved searches: a candidate's search kept with how often to mail its new offers
(docs/design.md, Applications; docs/glossary.md: SavedSearch).

A saved search keeps the public search parameters (`SearchParams.to_args`), less
those that do not change which offers it finds (page, size, order). Sending the
alerts is alerts.sending's work; the unsubscribe link is alerts.unsubscribe's.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from flask import abort
from sqlalchemy import Select, select

from recrutement.accounts.models import Role, User
from recrutement.alerts.models import SavedSearch
from recrutement.alerts.unsubscribe import token_hash, unsubscribe_token
from recrutement.core.errors import ServiceError
from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.offers.models import ContractType, Experience, RemoteWork
from recrutement.referential.models import Commune, Department, Region
from recrutement.search.query import InvalidSearch, SearchParams

FREQUENCIES = {
    "instant": "Dès la publication",
    "daily": "Une fois par jour",
    "weekly": "Une fois par semaine",
}
MAX_SAVED_SEARCHES = 20
NAME_LENGTH = 200
# Parameters that do not change which offers a search finds.
_IGNORED_ARGS = ("page", "par_page", "tri")


def saved_searches_of(user: User) -> Select[tuple[SavedSearch]]:
    """The user's own saved searches: views load saved searches only through this."""
    return select(SavedSearch).where(SavedSearch.user_id == user.id)


def get_saved_search_for_user_or_404(user: User, saved_search_id: int) -> SavedSearch:
    """One of the user's saved searches, or 404 (another's is not found either)."""
    found = db.session.scalar(saved_searches_of(user).where(SavedSearch.id == saved_search_id))
    if found is None:
        abort(404)
    return found


def alert_query(args: Mapping[str, str]) -> dict[str, str]:
    """The validated parameters of a search, as stored in a saved search; raise ServiceError."""
    try:
        params = SearchParams.from_args(args)
    except InvalidSearch as error:
        raise ServiceError(error.message, field=error.parameter) from error
    return {name: value for name, value in params.to_args().items() if name not in _IGNORED_ARGS}


def describe(query: Mapping[str, str]) -> str:
    """A French summary of a stored query: "« urbanisme » — Bretagne — CDD"."""
    parts: list[str] = []
    if query.get("q"):
        parts.append(f"« {query['q']} »")
    if query.get("region"):
        region = db.session.get(Region, query["region"])
        parts.append(region.name if region else query["region"])
    if query.get("departement"):
        department = db.session.get(Department, query["departement"])
        parts.append(department.label if department else query["departement"])
    for name, vocabulary in (
        ("contrat", ContractType),
        ("experience", Experience),
        ("teletravail", RemoteWork),
    ):
        if query.get(name) in vocabulary.LABELS:
            parts.append(vocabulary.LABELS[query[name]])
    if query.get("commune"):
        commune = db.session.get(Commune, query["commune"])
        place = commune.name if commune else query["commune"]
        parts.append(f"à moins de {query.get('rayon', '30')} km de {place}")
    return " — ".join(parts) or "Toutes les offres"


def alert_title(saved_search: SavedSearch) -> str:
    """The name in quotes, unless it quotes its words already: « Mon Finistère »."""
    name = saved_search.name
    return name if "«" in name else f"« {name} »"


def save_search(
    user: User, args: Mapping[str, str], frequency: str, name: str | None = None
) -> SavedSearch:
    """Save the search of `args` (the public search parameters) as an alert."""
    if user.role != Role.CANDIDATE:
        raise ServiceError("Seuls les candidats peuvent créer des alertes.")
    if frequency not in FREQUENCIES:
        raise ServiceError("Choisissez la fréquence de l'alerte.", field="frequency")
    query = alert_query(args)
    existing = db.session.scalars(saved_searches_of(user)).all()
    for saved in existing:
        if saved.query == query:
            raise ServiceError(
                f"Vous avez déjà une alerte pour cette recherche : « {saved.name} »."
            )
    if len(existing) >= MAX_SAVED_SEARCHES:
        raise ServiceError(
            f"Vous avez déjà {MAX_SAVED_SEARCHES} alertes : supprimez-en une avant d'en créer "
            "une autre."
        )
    name = " ".join((name or "").split()) or describe(query)
    saved = SavedSearch(
        user_id=user.id,
        name=name[:NAME_LENGTH],
        query=query,
        frequency=frequency,
        created_at=utcnow(),
        # Replaced below once the id is known; nobody holds a token for this value.
        unsubscribe_token_hash=secrets.token_hex(32),
    )
    db.session.add(saved)
    db.session.flush()
    saved.unsubscribe_token_hash = token_hash(unsubscribe_token(saved))
    db.session.commit()
    return saved


def delete_saved_search(user: User, saved_search: SavedSearch) -> None:
    """Delete one of the user's saved searches (its alerted offers go with it)."""
    if saved_search.user_id != user.id:
        raise ServiceError("Cette alerte n'est pas la vôtre.")
    db.session.delete(saved_search)
    db.session.commit()
