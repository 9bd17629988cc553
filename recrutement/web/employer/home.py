"""The collectivité's home (/collectivite/)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.organisations.home import employer_home, record_visit
from recrutement.web.employer import bp


@bp.get("/")
@roles(Role.EMPLOYER)
def home():
    """The offers with their new applications since the last visit, what awaits an
    action, and the way to create an offer."""
    previous_visit = record_visit(current_user.membership)
    db.session.commit()
    return render_template(
        "employer/home.html",
        organisation=current_user.organisation,
        home=employer_home(current_user, previous_visit),
        today=paris_today(),
    )
