"""The collectivité's space (/collectivite/...): home, members, offers, applications
and cofunding requests.

The blueprint is made first; its view modules, imported at the bottom, add their
routes to it (the one place where that pattern is used: each audience's package).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("employer", __name__, url_prefix="/collectivite")

from recrutement.web.employer import (  # noqa: E402, F401, I001
    applications,
    cofunding,
    home,
    members,
    offers,
)
