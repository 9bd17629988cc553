"""Flask-Login wiring and server-side sessions.

Signing in creates a UserSession row; the signed cookie carries its random token. On
every request the row must exist, not be ended, and be within both lifetimes: idle
(time since the last request) and absolute (time since sign-in), shorter for staff.
Logging out ends the row, so a copy of the old cookie opens nothing anywhere; a
password change or a deactivation rotates the user's session token, which ends every
session of that user at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any, cast

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import login_user, logout_user
from sqlalchemy import CursorResult, delete, or_, update
from werkzeug.wrappers import Response

from recrutement.accounts.models import Role, User, UserSession
from recrutement.core.time import utcnow
from recrutement.extensions import db, login_manager

SESSION_KEY = "sid"
STAFF_ROLES = {Role.PREFECTURE, Role.ANAH, Role.ADMIN}
# last_seen_at is written at most this often (one write a minute, not one a request).
TOUCH_EVERY = timedelta(seconds=60)
EXPIRED_MESSAGE = "Votre session a expiré : reconnectez-vous pour continuer."


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetimes(role: str) -> tuple[timedelta, timedelta]:
    """(idle, absolute) lifetimes of a session of `role`."""
    config = current_app.config
    if role in STAFF_ROLES:
        return (
            timedelta(minutes=config["STAFF_SESSION_IDLE_MINUTES"]),
            timedelta(hours=config["STAFF_SESSION_ABSOLUTE_HOURS"]),
        )
    return (
        timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]),
    )


def start_session(user: User) -> None:
    """Sign `user` in on a fresh session: nothing from before it survives."""
    session.clear()
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token_hash=_hash(token), user_id=user.id))
    db.session.commit()
    session[SESSION_KEY] = token
    session.permanent = True  # the cookie then expires with PERMANENT_SESSION_LIFETIME
    login_user(user)


def end_session() -> None:
    """Log out: the session row is ended on the server, then the cookie is cleared."""
    token = session.get(SESSION_KEY)
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == _hash(token), UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        db.session.commit()
    logout_user()
    session.clear()


def _live_session(user: User, now: datetime) -> UserSession | None:
    token = session.get(SESSION_KEY)
    if not token:
        return None
    row = db.session.get(UserSession, _hash(token))
    if row is None or row.user_id != user.id or row.ended_at is not None:
        return None
    idle, absolute = lifetimes(user.role)
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        g.session_expired = True
        return None
    return row


def _touch(row: UserSession, now: datetime) -> None:
    """Record the request, on its own connection: the request's transaction may roll back."""
    if now - row.last_seen_at < TOUCH_EVERY:
        return
    with db.engine.begin() as connection:
        connection.execute(
            update(UserSession)
            .where(UserSession.token_hash == row.token_hash)
            .values(last_seen_at=now)
        )


def purge_sessions(now: datetime | None = None) -> int:
    """Delete sessions ended, or idle past every lifetime, more than a day ago."""
    now = now or utcnow()
    config = current_app.config
    longest_idle = timedelta(
        minutes=max(config["SESSION_IDLE_MINUTES"], config["STAFF_SESSION_IDLE_MINUTES"])
    )
    cutoff = now - timedelta(days=1)
    # A bulk DELETE answers a cursor result, which counts the rows.
    result = cast(
        CursorResult[Any],
        db.session.execute(
            delete(UserSession).where(
                or_(
                    UserSession.ended_at < cutoff,
                    UserSession.last_seen_at < cutoff - longest_idle,
                )
            )
        ),
    )
    db.session.commit()
    return result.rowcount or 0


def init_sessions(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader  # type: ignore[untyped-decorator]  # flask_login is untyped
    def load_user(session_id: str) -> User | None:
        user_id, _, token = session_id.partition(":")
        if not user_id.isdigit() or not token:
            return None
        user = db.session.get(User, int(user_id))
        # A rotated token (password changed, account disabled) ends old sessions.
        if user is None or user.session_token != token or not user.is_active:
            return None
        now = utcnow()
        row = _live_session(user, now)
        if row is None:
            return None
        _touch(row, now)
        return user

    @login_manager.unauthorized_handler  # type: ignore[untyped-decorator]  # flask_login is untyped
    def unauthorized() -> Response:
        if g.get("session_expired"):
            flash(EXPIRED_MESSAGE, "info")
        else:
            flash(login_manager.login_message, "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
