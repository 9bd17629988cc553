"""The one-click unsubscribe link of alert mails (/alertes/desinscription/<token>).

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
from datetime import UTC, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from recrutement.alerts.models import SavedSearch
from recrutement.core.errors import ServiceError
from recrutement.core.urls import absolute_url
from recrutement.extensions import db

_TOKEN_SALT = "saved-search-unsubscribe"  # noqa: S105 — a salt, not a secret
_INVALID_LINK = (
    "Ce lien de désinscription n'est pas valide. Vérifiez qu'il est complet, ou "
    "connectez-vous pour gérer vos alertes."
)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(
        current_app.config["SECRET_KEY"],
        salt=_TOKEN_SALT,
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def token_hash(token: str) -> str:
    """What is stored of a token: its sha256, in hexadecimal."""
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
    if saved_search.unsubscribe_token_hash != token_hash(token):
        saved_search.unsubscribe_token_hash = token_hash(token)
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
        select(SavedSearch).where(SavedSearch.unsubscribe_token_hash == token_hash(token))
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
