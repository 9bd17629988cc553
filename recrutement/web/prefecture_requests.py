"""The instruction of cofunding requests by préfectures and ANAH delegations
(/prefecture/demandes/...)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.cofunding import services
from recrutement.cofunding.queries import get_request_for_instructor_or_404
from recrutement.web.prefecture import bp


@bp.get("/demandes/<int:request_id>", endpoint="request")
@roles(Role.PREFECTURE, Role.ANAH)
def request_detail(request_id: int):
    found = get_request_for_instructor_or_404(current_user, request_id)
    return render_template(
        "prefecture/request.html",
        request_=found,
        history=services.history(found),
        messages=services.thread(found),
        notes=services.notes(found),
    )
