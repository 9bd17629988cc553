"""Who may reach which route.

Every view declares its audience with `@public` or `@roles(...)`; a global
before-request hook refuses everything else, so a forgotten declaration fails
closed (and the URL-map test in tests/test_permissions.py fails loudly).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from recrutement.accounts.models import Role, User
from recrutement.accounts.sessions import EXPIRED_MESSAGE

PUBLIC = "public"
# What a view declares: PUBLIC, or the roles that may reach it.
Access = str | frozenset[Role]
View = TypeVar("View", bound=Callable[..., Any])
# Endpoints Flask adds itself.
BUILTIN_PUBLIC_ENDPOINTS = {"static"}

ROLE_HOME_ENDPOINTS = {
    Role.CANDIDATE: "candidate.home",
    Role.EMPLOYER: "employer.home",
    Role.PREFECTURE: "prefecture.home",
    Role.ANAH: "prefecture.home",
    Role.ADMIN: "pilotage.home",
}


def _declare(view: View, access: Access) -> View:
    """Record a view's audience on the function itself, where view_access reads it."""
    view.access = access  # type: ignore[attr-defined]  # a function attribute, by design
    return view


def public(view: View) -> View:
    """Mark a view as reachable by anyone, signed in or not."""
    return _declare(view, PUBLIC)


def roles(*allowed: Role) -> Callable[[View], View]:
    """Mark a view as reserved to signed-in users of the given roles."""

    def decorator(view: View) -> View:
        return _declare(view, frozenset(allowed))

    return decorator


def view_access(endpoint: str | None) -> Access | None:
    """The declared access of an endpoint: PUBLIC, a set of roles, or None."""
    if endpoint is None:
        return None
    if endpoint in BUILTIN_PUBLIC_ENDPOINTS:
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    access: Access | None = getattr(view, "access", None)
    return access


def enforce_access() -> Response | None:
    """Before-request hook: apply the view's declaration, refusing by default."""
    if request.endpoint is None:
        return None  # 404 or 405: Flask answers it
    access = view_access(request.endpoint)
    if access == PUBLIC:
        return None
    if access is None:
        current_app.logger.error("route without access declaration: %s", request.endpoint)
        abort(403)
    if not current_user.is_authenticated:
        if request.path.startswith("/api/"):
            abort(401)
        if g.get("session_expired"):
            flash(EXPIRED_MESSAGE, "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if current_user.role not in access:
        abort(403)
    return None


def home_url_for(user: User) -> str:
    """Where a signed-in user lands: their role's home."""
    return url_for(ROLE_HOME_ENDPOINTS[Role(user.role)])


def require(condition: bool) -> None:
    """Abort with 404 unless `condition`: for objects the user may not know exist."""
    if not condition:
        abort(404)
