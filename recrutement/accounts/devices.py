"""Device cookies (OWASP, "Slow down online guessing attacks with device cookies").

A browser that signed in to an account successfully gets a signed cookie naming that
account and a random device id. Wrong passwords from such a browser count against that
device only; wrong passwords from anywhere else count against the account. So someone
guessing from many addresses locks out the unknown browsers, never the owner's own.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from recrutement.accounts.models import User

DEVICE_COOKIE = "pvd_appareil"
DEVICE_LIFETIME = timedelta(days=180)
_SALT = "recrutement.device-cookie"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def device_token(user: User) -> str:
    """A new device cookie value for `user`'s account."""
    return _serializer().dumps({"u": user.id, "d": secrets.token_urlsafe(12)})


def known_device(token: str | None, user: User | None) -> str | None:
    """The device id when `token` is a valid device cookie of `user`, else None."""
    if not token or user is None:
        return None
    try:
        data = _serializer().loads(token, max_age=int(DEVICE_LIFETIME.total_seconds()))
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user.id:
        return None
    device = data.get("d")
    return device if isinstance(device, str) else None


def set_device_cookie(response: Response, user: User) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        device_token(user),
        max_age=int(DEVICE_LIFETIME.total_seconds()),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
