"""Saved searches with email alerts, and favourites (DESIGN.md, Applications).

A saved search keeps the public search parameters (`SearchParams.to_args`).
Its alert mails the open offers that the search finds, that were published
since its last mail (or since it was saved) and that it never mailed before
(`AlertedOffer`), as one mail per run: at once for "instant" ones
(`alert_instantly`, called when an offer is published), at most once a day or
a week for the others (`send_alerts`). The mail, the `AlertedOffer` rows and
`last_sent_at` are written in one transaction, so a failure never mails an
offer without recording it, nor records it without mailing it.

Unsubscribe links need no login and must keep working in every mail of the
alert. The token is the saved search's identity (id, owner, creation time)
signed with the application's SECRET_KEY (itsdangerous, HMAC-SHA256): it can be
rebuilt for each mail without storing it, nobody can forge one without the key,
and the signature tells a genuine link whose alert is already gone (answered
"already unsubscribed") from a made-up one. Only its sha256 is stored
(`unsubscribe_token_hash`): the link is found by that hash, so the table alone
does not give anyone a working link. If SECRET_KEY changes, old links stop
working and the next mail carries a new one (`unsubscribe_url` stores its hash).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from flask import abort, current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Select, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from recrutement.accounts.models import Role, User
from recrutement.applications.models import AlertedOffer, Favourite, SavedSearch
from recrutement.core.errors import ServiceError
from recrutement.core.time import PARIS, utcnow
from recrutement.core.urls import absolute_url
from recrutement.emails.outbox import queue_email
from recrutement.extensions import db
from recrutement.offers.models import (
    ContractType,
    Experience,
    Offer,
    OfferStatus,
    RemoteWork,
)
from recrutement.offers.presentation import offer_url
from recrutement.referential.models import Commune, Department, Region
from recrutement.search.index import IndexBusy, apply_pending_tasks, try_apply
from recrutement.search.query import (
    MAX_PAGE,
    MAX_PER_PAGE,
    SORT_DATE,
    InvalidSearch,
    SearchParams,
    search_offers,
)

logger = logging.getLogger(__name__)

FREQUENCIES = {
    "instant": "Dès la publication",
    "daily": "Une fois par jour",
    "weekly": "Une fois par semaine",
}
# How long after its last mail an alert may mail again. Slightly less than the
# period, so that a command run by cron at the same hour every day is never late.
SEND_INTERVALS = {
    "instant": timedelta(0),
    "daily": timedelta(hours=23),
    "weekly": timedelta(days=7) - timedelta(hours=1),
}
# The window of a run starts this long before the last mail, so that an offer
# published just before it but not yet in the search index then is not lost
# (AlertedOffer keeps what was mailed from being mailed again).
INDEX_LAG_MARGIN = timedelta(hours=1)
MAX_SAVED_SEARCHES = 20
NAME_LENGTH = 200
# Parameters that do not change which offers a search finds.
_IGNORED_ARGS = ("page", "par_page", "tri")
_TOKEN_SALT = "saved-search-unsubscribe"  # noqa: S105 — a salt, not a secret
_INVALID_LINK = (
    "Ce lien de désinscription n'est pas valide. Vérifiez qu'il est complet, ou "
    "connectez-vous pour gérer vos alertes."
)


# --- Saved searches -------------------------------------------------------------------


def saved_searches_of(user: User) -> Select:
    """The user's own saved searches: views load saved searches only through this."""
    return select(SavedSearch).where(SavedSearch.user_id == user.id)


def get_saved_search_for_user_or_404(user: User, saved_search_id: int) -> SavedSearch:
    found = db.session.scalar(saved_searches_of(user).where(SavedSearch.id == saved_search_id))
    if found is None:
        abort(404)
    return found


def alert_query(args) -> dict[str, str]:
    """The validated parameters of a search, as stored in a saved search; raise ServiceError."""
    try:
        params = SearchParams.from_args(args)
    except InvalidSearch as error:
        raise ServiceError(error.message, field=error.parameter) from error
    return {name: value for name, value in params.to_args().items() if name not in _IGNORED_ARGS}


def describe(query: dict) -> str:
    """A French summary of a stored query: "« urbanisme » — Bretagne — CDD"."""
    parts = []
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


def save_search(user: User, args, frequency: str, name: str | None = None) -> SavedSearch:
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
    saved.unsubscribe_token_hash = _hash(unsubscribe_token(saved))
    db.session.commit()
    return saved


def delete_saved_search(user: User, saved_search: SavedSearch) -> None:
    if saved_search.user_id != user.id:
        raise ServiceError("Cette alerte n'est pas la vôtre.")
    db.session.delete(saved_search)
    db.session.commit()


# --- Unsubscribe links ----------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(
        current_app.config["SECRET_KEY"],
        salt=_TOKEN_SALT,
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _microseconds(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def unsubscribe_token(saved_search: SavedSearch) -> str:
    """The token of the saved search's unsubscribe link: the same in every mail."""
    return _serializer().dumps(
        [saved_search.id, saved_search.user_id, _microseconds(saved_search.created_at)]
    )


def unsubscribe_url(saved_search: SavedSearch) -> str:
    """The one-click unsubscribe link (no login); records its hash if the key changed."""
    token = unsubscribe_token(saved_search)
    if saved_search.unsubscribe_token_hash != _hash(token):
        saved_search.unsubscribe_token_hash = _hash(token)
    return absolute_url("public.alert_unsubscribe", token=token)


def saved_search_for_token(token: str) -> SavedSearch | None:
    """The saved search of a genuine unsubscribe token, or None when it is already gone.

    A token we did not sign raises ServiceError (French message).
    """
    try:
        payload = _serializer().loads(token)
    except BadSignature as error:
        raise ServiceError(_INVALID_LINK) from error
    if not (
        isinstance(payload, list)
        and len(payload) == 3
        and all(isinstance(part, int) for part in payload)
    ):
        raise ServiceError(_INVALID_LINK)
    return db.session.scalar(
        select(SavedSearch).where(SavedSearch.unsubscribe_token_hash == _hash(token))
    )


def unsubscribe(token: str) -> str | None:
    """Delete the saved search of this link; return its name, or None if it was already
    deleted (a second click is not an error). Raise ServiceError for a bad token."""
    saved = saved_search_for_token(token)
    if saved is None:
        return None
    name = saved.name
    db.session.delete(saved)
    db.session.commit()
    return name


# --- Alerts ---------------------------------------------------------------------------


def _open_offers_on(today: date) -> Select:
    return select(Offer).where(
        Offer.status == OfferStatus.PUBLISHED, Offer.application_deadline >= today
    )


def _paris_date(moment: datetime) -> date:
    return moment.astimezone(PARIS).date()


def _found_offers(
    query: dict, candidates: set[int], oldest: datetime, today: date
) -> list[int] | None:
    """Which `candidates` (offer ids, published at `oldest` or later) the saved query
    finds, newest first; None when the query is no longer valid.

    Pages through the results sorted by date until every candidate is found or
    the results are older than the oldest candidate.
    """
    try:
        params = SearchParams.from_args(query)
    except InvalidSearch as error:
        logger.warning("saved search no longer valid", extra={"error": error.message})
        return None
    params = replace(params, sort=SORT_DATE, per_page=MAX_PER_PAGE)
    found: list[int] = []
    for page in range(1, MAX_PAGE + 1):
        hits = search_offers(replace(params, page=page), today).offer_ids
        published = dict(
            db.session.execute(select(Offer.id, Offer.published_at).where(Offer.id.in_(hits))).all()
        )
        for offer_id in hits:
            if offer_id in candidates:
                found.append(offer_id)
            elif published.get(offer_id) is not None and published[offer_id] < oldest:
                return found
        if len(found) == len(candidates) or len(hits) < params.per_page:
            return found
    return found


def _mail_alert(saved: SavedSearch, offers: list[Offer], now: datetime) -> None:
    """Queue the alert mail listing `offers` and record them as mailed (not committed)."""
    count = len(offers)
    plural = "s" if count > 1 else ""
    subject = f"{count} nouvelle{plural} offre{plural} pour votre alerte {alert_title(saved)}"
    queue_email(
        saved.user.email,
        "alert",
        subject[:250],
        user=saved.user,
        saved_search=saved,
        title=alert_title(saved),
        description=describe(saved.query),
        items=[(offer, offer_url(offer)) for offer in offers],
        search_link=absolute_url("public.search", **saved.query),
        manage_link=absolute_url("candidate.alerts_list"),
        unsubscribe_link=unsubscribe_url(saved),
        # Mail clients offer their own one-click "unsubscribe" with these (RFC 8058).
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url(saved)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    for offer in offers:
        db.session.add(AlertedOffer(saved_search_id=saved.id, offer_id=offer.id, sent_at=now))
    saved.last_sent_at = now


def _can_receive(user: User) -> bool:
    return user.is_active_account and user.email_confirmed_at is not None


def _load_offers(offer_ids: list[int]) -> list[Offer]:
    offers = {
        offer.id: offer
        for offer in db.session.scalars(
            select(Offer)
            .where(Offer.id.in_(offer_ids))
            .options(selectinload(Offer.organisation), selectinload(Offer.workplace))
        )
    }
    return [offers[offer_id] for offer_id in offer_ids if offer_id in offers]


def _commit_alert() -> bool:
    """Commit one alert; False when another worker mailed the same offers meanwhile."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        logger.info("alert already sent by another worker")
        return False
    return True


def send_alerts(frequency: str, now: datetime | None = None) -> int:
    """Mail every due saved search of `frequency` the new offers it finds; return how
    many mails were queued.

    A saved search is due when it never mailed, or mailed at least SEND_INTERVALS
    ago, so running this more often than the period sends nothing more. A run
    with nothing new sends no mail and leaves `last_sent_at` as it is.
    """
    if frequency not in FREQUENCIES:
        raise ValueError(f"unknown alert frequency: {frequency}")
    now = now or utcnow()
    today = _paris_date(now)
    try:
        # The index must hold what was published until now.
        apply_pending_tasks()
    except IndexBusy:
        logger.warning("search index busy: alerts use it as it is")
    ids = db.session.scalars(
        select(SavedSearch.id).where(SavedSearch.frequency == frequency).order_by(SavedSearch.id)
    ).all()
    sent = 0
    for saved_search_id in ids:
        saved = db.session.scalar(
            select(SavedSearch)
            .where(SavedSearch.id == saved_search_id, SavedSearch.frequency == frequency)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        if saved is None or not _can_receive(saved.user):
            db.session.rollback()
            continue
        if saved.last_sent_at is not None and now - saved.last_sent_at < SEND_INTERVALS[frequency]:
            db.session.rollback()
            continue
        since = saved.created_at
        if saved.last_sent_at is not None:
            since = max(since, saved.last_sent_at - INDEX_LAG_MARGIN)
        already = exists().where(
            AlertedOffer.saved_search_id == saved.id, AlertedOffer.offer_id == Offer.id
        )
        candidates = dict(
            db.session.execute(
                _open_offers_on(today)
                .with_only_columns(Offer.id, Offer.published_at)
                .where(Offer.published_at > since, Offer.published_at <= now, ~already)
            ).all()
        )
        found = (
            _found_offers(saved.query, set(candidates), min(candidates.values()), today)
            if candidates
            else None
        )
        if not found:
            db.session.rollback()
            continue
        _mail_alert(saved, _load_offers(found), now)
        if _commit_alert():
            sent += 1
    return sent


def alert_instantly(offer: Offer) -> int:
    """Mail the "instant" saved searches that find this offer, just published; return
    how many mails were queued. Called after the publication is committed.

    Never raises: the offer is published whatever happens here, and what is missed
    is caught up by `send_alerts("instant")`, which the worker runs.
    """
    try:
        return _alert_instantly(offer)
    except Exception:
        logger.exception("instant alerts failed", extra={"offer_id": offer.id})
        db.session.rollback()
        return 0


def _alert_instantly(offer: Offer) -> int:
    now = utcnow()
    today = _paris_date(now)
    offer_id = offer.id
    if db.session.scalar(_open_offers_on(today).where(Offer.id == offer_id)) is None:
        return 0
    published_at = offer.published_at
    # Normally done when the publication was committed; a no-op then.
    try_apply([offer_id])
    already = exists().where(
        AlertedOffer.saved_search_id == SavedSearch.id, AlertedOffer.offer_id == offer_id
    )
    saved_searches = db.session.scalars(
        select(SavedSearch)
        .where(SavedSearch.frequency == "instant", ~already)
        .order_by(SavedSearch.id)
    ).all()
    # Several candidates often save the same search: search once per query.
    answers: dict[str, bool] = {}
    matching = []
    for saved in saved_searches:
        if not _can_receive(saved.user) or saved.created_at >= published_at:
            continue
        key = repr(sorted(saved.query.items()))
        if key not in answers:
            answers[key] = bool(_found_offers(saved.query, {offer_id}, published_at, today))
        if answers[key]:
            matching.append(saved.id)
    sent = 0
    for saved_search_id in matching:
        saved = db.session.get(SavedSearch, saved_search_id)
        offer = db.session.get(Offer, offer_id)
        if saved is None or offer is None:
            continue
        _mail_alert(saved, [offer], now)
        if _commit_alert():
            sent += 1
    return sent


# --- Favourites -----------------------------------------------------------------------


@dataclass
class FavouriteRow:
    offer: Offer
    added_at: datetime
    is_open: bool


def _check_candidate(user: User) -> None:
    if user.role != Role.CANDIDATE:
        raise ServiceError("Seuls les candidats peuvent garder des offres en favoris.")


def is_favourite(user: User, offer: Offer) -> bool:
    return db.session.get(Favourite, (user.id, offer.id)) is not None


def add_favourite(user: User, offer: Offer) -> Favourite:
    """Keep an open offer in the user's favourites (adding it twice changes nothing)."""
    _check_candidate(user)
    if (
        db.session.scalar(_open_offers_on(_paris_date(utcnow())).where(Offer.id == offer.id))
        is None
    ):
        raise ServiceError("Cette offre n'est plus ouverte aux candidatures.")
    favourite = db.session.get(Favourite, (user.id, offer.id))
    if favourite is not None:
        return favourite
    favourite = Favourite(user_id=user.id, offer_id=offer.id, created_at=utcnow())
    db.session.add(favourite)
    try:
        db.session.commit()
    except IntegrityError:
        # Added at the same moment by another request (a double click).
        db.session.rollback()
        favourite = db.session.get(Favourite, (user.id, offer.id))
    return favourite


def remove_favourite(user: User, offer: Offer) -> None:
    """Remove an offer from the user's favourites, open or not (removing twice is fine)."""
    favourite = db.session.get(Favourite, (user.id, offer.id))
    if favourite is not None:
        db.session.delete(favourite)
        db.session.commit()


def get_favourite_for_user_or_404(user: User, offer_id: int) -> Favourite:
    favourite = db.session.get(Favourite, (user.id, offer_id))
    if favourite is None:
        abort(404)
    return favourite


def favourites_of(user: User) -> list[FavouriteRow]:
    """The user's favourites: still open offers first, then the others; newest first."""
    today = _paris_date(utcnow())
    favourites = db.session.scalars(
        select(Favourite)
        .where(Favourite.user_id == user.id)
        .options(
            selectinload(Favourite.offer).selectinload(Offer.organisation),
            selectinload(Favourite.offer).selectinload(Offer.workplace),
        )
        .order_by(Favourite.created_at.desc(), Favourite.offer_id.desc())
    ).all()
    rows = [
        FavouriteRow(
            offer=favourite.offer,
            added_at=favourite.created_at,
            is_open=favourite.offer.status == OfferStatus.PUBLISHED
            and favourite.offer.application_deadline >= today,
        )
        for favourite in favourites
    ]
    return sorted(rows, key=lambda row: not row.is_open)
