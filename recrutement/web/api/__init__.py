"""The read-only JSON API of public data (/api/v1/...): every route of it is here.

The blueprint is made first; its view modules, imported at the bottom, add their
routes to it (the one place where that pattern is used: each audience's package).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from recrutement.web.api import collectivities, offers, simulator, statistics  # noqa: E402, F401, I001
