"""Accounts at the door (no URL prefix): sign-in and out, sign-up and email
confirmation, password reset, invitations.

The blueprint is made first; its view modules, imported at the bottom, add their
routes to it (the one place where that pattern is used: each audience's package).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__)

from recrutement.web.auth import invitation, sign_in, signup  # noqa: E402, F401, I001
