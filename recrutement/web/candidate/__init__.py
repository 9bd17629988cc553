"""The candidate's space (/candidat/...): home and inbox, applications, profile, saved
searches with alerts, favourites, personal data.

The blueprint is made first; its view modules, imported at the bottom, add their
routes to it (the one place where that pattern is used: each audience's package).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("candidate", __name__, url_prefix="/candidat")

from recrutement.web.candidate import (  # noqa: E402, F401, I001
    alerts,
    applications,
    favourites,
    home,
    personal_data,
    profile,
)
