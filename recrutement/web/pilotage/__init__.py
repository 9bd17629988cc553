"""ANCT's space (/pilotage/...): home, the PVD towns list, the moderation of offers,
accounts and organisations, the dashboard, every cofunding request (read-only).

The blueprint is made first; its view modules, imported at the bottom, add their
routes to it (the one place where that pattern is used: each audience's package).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pilotage", __name__, url_prefix="/pilotage")

# The length of a page of ANCT's lists (offers, accounts, organisations).
STAFF_PAGE_SIZE = 50

from recrutement.web.pilotage import (  # noqa: E402, F401, I001
    admin,
    dashboard,
    home,
    offers,
    requests,
)
