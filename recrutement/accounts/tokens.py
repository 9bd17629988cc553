"""Signed, expiring, single-use tokens for email confirmation and password reset.

A token signs the user id and a fingerprint of the state it is meant to change
(the confirmation state, the password hash). Using it changes that state, so
the same token never works twice, and no table of used tokens is needed.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from recrutement.accounts.models import User
from recrutement.extensions import db


class TokenPurpose(StrEnum):
    CONFIRM_EMAIL = "confirm-email"
    RESET_PASSWORD = "reset-password"  # noqa: S105 — a token purpose, not a secret


class TokenError(Exception):
    """The token cannot be used; its message is shown to the user, in French."""


def _fingerprint(purpose: TokenPurpose, user: User) -> str:
    if purpose is TokenPurpose.CONFIRM_EMAIL:
        state = f"{user.email}|{user.email_confirmed_at is not None}"
    else:
        state = f"{user.email}|{user.password_hash}"
    return hashlib.sha256(state.encode()).hexdigest()[:20]


def _serializer(purpose: TokenPurpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose.value)


def make_token(purpose: TokenPurpose, user: User) -> str:
    return _serializer(purpose).dumps([user.id, _fingerprint(purpose, user)])


def read_token(purpose: TokenPurpose, token: str) -> User:
    """The user a valid token is for; raise TokenError otherwise."""
    max_age = current_app.config["TOKEN_MAX_AGE_SECONDS"]
    try:
        user_id, fingerprint = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise TokenError(
            "Ce lien a expiré (il est valable une heure). Demandez-en un nouveau."
        ) from error
    except (BadSignature, ValueError, TypeError) as error:
        raise TokenError(
            "Ce lien n'est pas valide. Vérifiez qu'il est complet ou demandez-en un nouveau."
        ) from error
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or fingerprint != _fingerprint(purpose, user):
        raise TokenError(
            "Ce lien a déjà été utilisé ou n'est plus valable. Demandez-en un nouveau."
        )
    return user
