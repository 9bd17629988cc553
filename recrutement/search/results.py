"""Search results as pages and as JSON: offers loaded from SQL in the index's order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup
from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.orm import InstrumentedAttribute, defer, joinedload

from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.offers.listing import offer_json
from recrutement.offers.models import ContractType, Experience, Offer, RemoteWork
from recrutement.referential.models import Commune, Department, Region
from recrutement.search.query import SearchResults


@dataclass
class ResultRow:
    """One search result as the pages show it."""

    offer: Offer
    excerpt: Markup  # safe HTML, <mark> around the words found
    # From the town searched near, in km; None without a town.
    distance_km: float | None = None
    # Days left to apply: 0 on the deadline day.
    deadline_in_days: int = 0


def result_rows(results: SearchResults, today: date | None = None) -> list[ResultRow]:
    """The hits' offers, read from the database (the source of truth), in hit order."""
    today = today or paris_today()
    ids = [hit.offer_id for hit in results.hits]
    offers = {
        offer.id: offer
        for offer in db.session.scalars(
            select(Offer)
            .where(Offer.id.in_(ids))
            .options(
                # Result rows never show the offer's long texts (the excerpt comes
                # from the index): they stay in the database.
                defer(Offer.missions),
                defer(Offer.profile),
                defer(Offer.benefits),
                # Each offer has one of each: joined in the same query.
                joinedload(Offer.organisation, innerjoin=True),
                joinedload(Offer.workplace, innerjoin=True).joinedload(Commune.region),
            )
        )
    }
    # An offer deleted since it was indexed is skipped rather than shown broken.
    return [
        ResultRow(
            offers[hit.offer_id],
            hit.excerpt,
            hit.distance_km,
            (offers[hit.offer_id].application_deadline - today).days,
        )
        for hit in results.hits
        if hit.offer_id in offers
    ]


def api_row_json(row: ResultRow) -> dict[str, object]:
    """One search result of `GET /api/v1/offres`: the offer, its excerpt and, in a
    search near a town, `distance_km`."""
    body = offer_json(row.offer, row.excerpt)
    if row.distance_km is not None:
        body["distance_km"] = round(row.distance_km, 1)
    return body


def _content(
    code: InstrumentedAttribute[str], name: InstrumentedAttribute[str]
) -> ScalarSelect[str]:
    return select(func.aggregate_strings(code + "=" + name, "|")).scalar_subquery()


# The régions' and départements' content (referential_state).
ReferentialState = tuple[str | None, str | None]

# Built once: building a statement costs more than running this one.
_REFERENTIAL_STATE = select(
    _content(Region.code, Region.name), _content(Department.code, Department.name)
)


def referential_state() -> ReferentialState:
    """Every région's and département's code and name, concatenated in one query.

    `flask referential load` (another process) is the only writer of these labels
    and records no version, so the state is their content itself: any change,
    even one letter of a name, gives another state. About 120 short rows joined
    in the database cost one round trip, not the reading of two result sets.
    """
    global _last_state
    regions, departments = db.session.connection().execute(_REFERENTIAL_STATE).one()
    state = (regions, departments)
    # The same state as before is returned as the same object: the page cache's
    # keys hold it, so they share one copy of these few kilobytes.
    if state == _last_state:
        return _last_state
    _last_state = state
    return state


_last_state: ReferentialState = (None, None)


# The labels per database, with the referential state they were read in.
_labels: dict[str, tuple[ReferentialState, dict[str, dict[str, str]]]] = {}


def facet_labels(state: ReferentialState | None = None) -> dict[str, dict[str, str]]:
    """French labels of every facet value, for filters and facet lists.

    Read again only when the referential state (`state`, or read now) changed. The
    returned mapping is shared: callers do not change it."""
    state = state if state is not None else referential_state()
    database = str(db.engine.url)
    kept = _labels.get(database)
    if kept is not None and kept[0] == state:
        return kept[1]
    regions = dict(db.session.execute(select(Region.code, Region.name)).tuples().all())
    departments = {
        code: f"{name} ({code})"
        for code, name in db.session.execute(select(Department.code, Department.name)).all()
    }
    labels = {
        "region": regions,
        "departement": departments,
        "contrat": {member.value: member.label for member in ContractType},
        "experience": {member.value: member.label for member in Experience},
        "teletravail": {member.value: member.label for member in RemoteWork},
    }
    _labels[database] = (state, labels)
    return labels
