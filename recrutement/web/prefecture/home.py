"""The home of préfectures and ANAH delegations (/prefecture/), and the collectivités
waiting for the préfecture's validation."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.cofunding.queries import counts_by_status
from recrutement.cofunding.workflow import FILED_STATUSES
from recrutement.organisations import services as organisations
from recrutement.organisations.queries import (
    get_organisation_for_instructor_or_404,
    organisations_for_instructor,
)
from recrutement.web.organisation_decision import organisation_decision_page
from recrutement.web.prefecture import bp


@bp.get("/")
@roles(Role.PREFECTURE, Role.ANAH)
def home():
    pending = (
        organisations.pending_for_instructor(organisations_for_instructor(current_user))
        if current_user.role == Role.PREFECTURE
        else []
    )
    return render_template(
        "prefecture/home.html",
        pending=pending,
        queue_counts=counts_by_status(current_user),
        queue_statuses=FILED_STATUSES,
    )


@bp.get("/collectivites", endpoint="organisations")
@roles(Role.PREFECTURE)
def organisations_list():
    pending = organisations.pending_for_instructor(organisations_for_instructor(current_user))
    return render_template(
        "prefecture/organisations.html",
        pending=pending,
        detail_endpoint="prefecture.organisation",
        scope=", ".join(d.label for d in current_user.departments),
    )


@bp.route("/collectivites/<int:organisation_id>", methods=["GET", "POST"])
@roles(Role.PREFECTURE)
def organisation(organisation_id: int):
    found = get_organisation_for_instructor_or_404(current_user, organisation_id)
    return organisation_decision_page(found, "prefecture.organisations")
