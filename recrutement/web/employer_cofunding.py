"""The collectivité's cofunding requests (/collectivite/cofinancements/...)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.cofunding import services
from recrutement.cofunding.queries import get_request_for_member_or_404
from recrutement.web.employer import bp


@bp.get("/cofinancements/<int:request_id>")
@roles(Role.EMPLOYER)
def cofunding_request(request_id: int):
    found = get_request_for_member_or_404(current_user, request_id)
    return render_template(
        "employer/cofunding_request.html",
        request_=found,
        history=services.history(found),
        messages=services.thread(found),
    )
