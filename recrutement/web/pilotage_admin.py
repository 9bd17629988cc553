"""ANCT's administration (/pilotage/comptes, /pilotage/collectivites): accounts and organisations."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from recrutement.accounts import services as accounts
from recrutement.accounts.forms import StaffAccountForm
from recrutement.accounts.models import Role, User
from recrutement.accounts.permissions import roles
from recrutement.core.errors import ServiceError
from recrutement.extensions import db
from recrutement.organisations import services as organisations
from recrutement.organisations.models import Organisation
from recrutement.organisations.queries import (
    get_organisation_for_instructor_or_404,
    organisations_for_instructor,
)
from recrutement.referential.models import Department
from recrutement.web.forms import add_service_error
from recrutement.web.instruction import organisation_decision_page
from recrutement.web.pilotage import STAFF_PAGE_SIZE, bp


@bp.get("/collectivites", endpoint="organisations")
@roles(Role.ADMIN)
def organisations_list():
    department_code = request.args.get("departement", "")
    query = organisations_for_instructor(current_user)
    if department_code:
        query = query.where(Organisation.department_code == department_code)
    return render_template(
        "instruction/organisations.html",
        pending=organisations.pending_for_instructor(query),
        detail_endpoint="pilotage.organisation",
        scope=department_code or "toute la France",
    )


@bp.route("/collectivites/<int:organisation_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def organisation(organisation_id: int):
    found = get_organisation_for_instructor_or_404(current_user, organisation_id)
    return organisation_decision_page(found, "pilotage.organisations")


def _department_choices() -> list[SelectChoice]:
    departments = db.session.scalars(select(Department).order_by(Department.code))
    return [SelectChoice(department.code, department.label) for department in departments]


@bp.route("/comptes", methods=["GET", "POST"], endpoint="accounts")
@roles(Role.ADMIN)
def accounts_page():
    form = StaffAccountForm()
    form.departments.choices = _department_choices()
    if form.validate_on_submit():
        try:
            user = accounts.create_staff_account(
                current_user,
                form.email.data,
                Role(form.role.data),
                form.departments.data,
                form.first_name.data,
                form.last_name.data,
            )
        except ServiceError as error:
            add_service_error(form, error)
        else:
            flash(
                f"Compte créé pour {user.email}. Un courriel l'invite à choisir son mot de passe.",
                "success",
            )
            return redirect(url_for("pilotage.accounts"))
    page = max(request.args.get("page", 1, type=int), 1)
    staff = db.paginate(
        select(User)
        .where(User.role.in_([Role.PREFECTURE, Role.ANAH, Role.ADMIN]))
        .order_by(User.role, User.email),
        page=page,
        per_page=STAFF_PAGE_SIZE,
        error_out=False,
    )
    status = 400 if form.errors or form.form_errors else 200
    return render_template("pilotage/accounts.html", form=form, staff=staff), status
