"""ANCT's administration (/pilotage/comptes, /pilotage/collectivites): every account and
every organisation of the platform, on the pilotage blueprint.

Views stay thin: the rules live in accounts.services and organisations.services,
which take the acting user explicitly.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, select
from wtforms import SelectChoice

from recrutement.accounts import services as accounts
from recrutement.accounts.admin_forms import (
    AccountFilterForm,
    AccountStatusForm,
    ResendInvitationForm,
    StaffDepartmentsForm,
)
from recrutement.accounts.forms import StaffAccountForm
from recrutement.accounts.models import Role, User
from recrutement.accounts.permissions import roles
from recrutement.core.models import history_of
from recrutement.extensions import db
from recrutement.organisations import services as organisations
from recrutement.organisations.admin_forms import OrganisationEditForm, OrganisationFilterForm
from recrutement.organisations.models import Organisation
from recrutement.referential.models import Department
from recrutement.web.forms import page_number
from recrutement.web.organisation_decision import organisation_decision_page
from recrutement.web.pilotage import STAFF_PAGE_SIZE, bp
from recrutement.web.transaction import act, form_status, submit

ACCOUNT_EVENT_LABELS = {
    "signed_up": "Inscription",
    "email_confirmed": "Adresse électronique confirmée",
    "password_reset": "Mot de passe choisi ou réinitialisé",
    "staff_account_created": "Compte créé par l'ANCT",
    "admin_created": "Compte ANCT créé en ligne de commande",
    "account_deactivated": "Compte désactivé",
    "account_reactivated": "Compte réactivé",
    "invitation_resent": "Invitation renvoyée",
    "staff_departments_changed": "Départements modifiés",
    "personal_data.exported": "Données personnelles téléchargées",
}

ORGANISATION_EVENT_LABELS = {
    "organisation_created": "Inscription de la collectivité",
    "organisation_validated": "Collectivité validée",
    "organisation_refused": "Collectivité refusée",
    "organisation_updated": "Collectivité modifiée",
    "member_invited": "Membre invité",
    "invitation_revoked": "Invitation annulée",
    "invitation_accepted": "Invitation acceptée",
}


def _paginate(query: Select) -> Pagination:
    """The `?page=` of the request, clamped: never an error, at worst the last page."""
    number = page_number(request.args)
    page = db.paginate(query, page=number, per_page=STAFF_PAGE_SIZE, error_out=False)
    if page.pages and number > page.pages:
        page = db.paginate(query, page=page.pages, per_page=STAFF_PAGE_SIZE, error_out=False)
    return page


def _department_choices() -> list[SelectChoice]:
    departments = db.session.scalars(select(Department).order_by(Department.code))
    return [SelectChoice(department.code, department.label) for department in departments]


# Organisations


@bp.get("/collectivites", endpoint="organisations")
@roles(Role.ADMIN)
def organisations_list():
    filters = OrganisationFilterForm(request.args)
    filters.departement.choices = [SelectChoice("", "Tous les départements")] + (
        _department_choices()
    )
    filters.validate()
    page = _paginate(
        organisations.search_organisations(
            filters.q.data or "", filters.statut.data or "", filters.departement.data or ""
        )
    )
    filtered = any(request.args.get(name) for name in ("q", "statut", "departement"))
    return render_template(
        "pilotage/organisations.html", filters=filters, page=page, filtered=filtered
    )


@bp.route("/collectivites/<int:organisation_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def organisation(organisation_id: int):
    found = db.get_or_404(Organisation, organisation_id)
    return organisation_decision_page(
        found,
        "pilotage.organisations",
        template="pilotage/organisation.html",
        history=history_of(found, newest_first=True),
        event_labels=ORGANISATION_EVENT_LABELS,
    )


@bp.route("/collectivites/<int:organisation_id>/modifier", methods=["GET", "POST"])
@roles(Role.ADMIN)
def organisation_edit(organisation_id: int):
    found = db.get_or_404(Organisation, organisation_id)
    form = OrganisationEditForm()
    # The towns it covers, those it could cover from what it was made of (a grouping's
    # members), and the PVD towns of its département; any other by its INSEE code.
    choices = {town.insee_code: town for town in found.towns}
    for town in organisations.candidate_towns(organisations.choice_for_organisation(found)):
        choices.setdefault(town.insee_code, town)
    for town in organisations.pvd_towns_of(found.department_code):
        choices.setdefault(town.insee_code, town)
    form.towns.choices = [
        SelectChoice(code, town.label + (" — Petites villes de demain" if town.is_pvd else ""))
        for code, town in sorted(choices.items(), key=lambda item: item[1].name)
    ]
    if request.method == "GET":
        form.name.data = found.name
        form.towns.data = [town.insee_code for town in found.towns]

    def update() -> bool:
        codes = list(form.towns.data or []) + organisations.parse_town_codes(form.extra_towns.data)
        return organisations.update_organisation(current_user, found, form.name.data, codes)

    if done := submit(form, update):
        if done.value:
            flash(
                "La collectivité est modifiée ; le changement figure dans son historique.",
                "success",
            )
        else:
            flash("Aucun changement : la collectivité est inchangée.", "info")
        return redirect(url_for("pilotage.organisation", organisation_id=found.id))
    return render_template(
        "pilotage/organisation_edit.html", organisation=found, form=form
    ), form_status(form)


# Accounts


@bp.route("/comptes", methods=["GET", "POST"], endpoint="accounts")
@roles(Role.ADMIN)
def accounts_page():
    """Every account, searchable; below the list, the creation of a staff account."""
    form = StaffAccountForm()
    form.departments.choices = _department_choices()
    if done := submit(
        form,
        lambda: accounts.create_staff_account(
            current_user,
            form.email.data,
            Role(form.role.data),
            form.departments.data,
            form.first_name.data,
            form.last_name.data,
        ),
    ):
        flash(
            f"Compte créé pour {done.value.email}. Un courriel l'invite à choisir son mot de passe.",
            "success",
        )
        return redirect(url_for("pilotage.accounts"))
    filters = AccountFilterForm(request.args)
    filters.validate()
    page = _paginate(
        accounts.search_accounts(
            filters.q.data or "", filters.role.data or "", filters.organisation.data or ""
        )
    )
    filtered = any(request.args.get(name) for name in ("q", "role", "organisation"))
    return (
        render_template(
            "pilotage/accounts.html", form=form, filters=filters, page=page, filtered=filtered
        ),
        form_status(form),
    )


@bp.get("/comptes/<int:user_id>")
@roles(Role.ADMIN)
def account(user_id: int):
    user = db.get_or_404(User, user_id)
    return render_template(
        "pilotage/account.html",
        account=user,
        history=history_of(user, newest_first=True),
        event_labels=ACCOUNT_EVENT_LABELS,
        invitation=accounts.invitation_to_resend(user),
        invitation_mails=accounts.INVITATION_MAILS,
        has_chosen_password=accounts.has_chosen_password(user),
        resend_form=ResendInvitationForm(),
        is_self=user.id == current_user.id,
    )


def _status_change(user_id: int, deactivate: bool):
    user = db.get_or_404(User, user_id)
    form = AccountStatusForm()
    change = accounts.deactivate_account if deactivate else accounts.reactivate_account
    if submit(form, lambda: change(current_user, user, form.reason.data or "")):
        if deactivate:
            message = f"Le compte de {user.full_name} est désactivé ; ses sessions sont fermées."
        else:
            message = f"Le compte de {user.full_name} est réactivé : la personne peut de nouveau se connecter."
        flash(message, "success")
        return redirect(url_for("pilotage.account", user_id=user.id))
    return (
        render_template(
            "pilotage/account_confirm.html",
            account=user,
            form=form,
            deactivate=deactivate,
            is_self=user.id == current_user.id,
        ),
        form_status(form),
    )


@bp.route("/comptes/<int:user_id>/desactiver", methods=["GET", "POST"])
@roles(Role.ADMIN)
def account_deactivate(user_id: int):
    return _status_change(user_id, deactivate=True)


@bp.route("/comptes/<int:user_id>/reactiver", methods=["GET", "POST"])
@roles(Role.ADMIN)
def account_reactivate(user_id: int):
    return _status_change(user_id, deactivate=False)


@bp.post("/comptes/<int:user_id>/invitation")
@roles(Role.ADMIN)
def account_resend_invitation(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ResendInvitationForm()
    if not form.validate_on_submit():
        flash("Le formulaire a expiré ou n'a pas pu être vérifié. Merci de le renvoyer.", "error")
        return redirect(url_for("pilotage.account", user_id=user.id))
    if done := act(lambda: accounts.resend_invitation(current_user, user)):
        flash(f"Envoyé à {user.email} : {accounts.INVITATION_MAILS[done.value]}.", "success")
    return redirect(url_for("pilotage.account", user_id=user.id))


@bp.route("/comptes/<int:user_id>/departements", methods=["GET", "POST"])
@roles(Role.ADMIN)
def account_departments(user_id: int):
    user = db.get_or_404(User, user_id)
    form = StaffDepartmentsForm()
    form.departments.choices = _department_choices()
    if request.method == "GET":
        form.departments.data = user.department_codes
    if done := submit(
        form, lambda: accounts.change_staff_departments(current_user, user, form.departments.data)
    ):
        if done.value:
            flash("Les départements du compte sont modifiés.", "success")
        else:
            flash("Aucun changement : les départements sont les mêmes.", "info")
        return redirect(url_for("pilotage.account", user_id=user.id))
    return (
        render_template("pilotage/account_departments.html", account=user, form=form),
        form_status(form),
    )
