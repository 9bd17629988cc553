"""ANCT's space (/pilotage/...): organisations, staff accounts, the PVD referential."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from recrutement.accounts import services as accounts
from recrutement.accounts.forms import StaffAccountForm
from recrutement.accounts.models import Role, User
from recrutement.accounts.permissions import roles
from recrutement.core.errors import ServiceError
from recrutement.core.models import record_event_on
from recrutement.extensions import db
from recrutement.offers import services as offers
from recrutement.offers.forms import UnpublishForm
from recrutement.offers.models import Offer, OfferStatus
from recrutement.offers.queries import get_published_offer_or_404
from recrutement.organisations import services as organisations
from recrutement.organisations.forms import PvdImportForm
from recrutement.organisations.models import Organisation, OrganisationStatus
from recrutement.organisations.queries import (
    get_organisation_for_instructor_or_404,
    organisations_for_instructor,
)
from recrutement.referential.models import Commune, Department
from recrutement.referential.pvd_import import apply_pvd_import, parse_pvd_csv
from recrutement.web.forms import add_service_error
from recrutement.web.instruction import organisation_decision_page

bp = Blueprint("pilotage", __name__, url_prefix="/pilotage")

STAFF_PAGE_SIZE = 50


@bp.get("/")
@roles(Role.ADMIN)
def home():
    counts = dict(
        db.session.execute(
            select(Organisation.status, func.count(Organisation.id)).group_by(Organisation.status)
        ).all()
    )
    pvd_towns = db.session.scalar(select(func.count()).where(Commune.is_pvd))
    return render_template(
        "pilotage/home.html",
        pending_count=counts.get(OrganisationStatus.PENDING, 0),
        validated_count=counts.get(OrganisationStatus.VALIDATED, 0),
        pvd_towns=pvd_towns,
    )


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


@bp.route("/referentiel", methods=["GET", "POST"])
@roles(Role.ADMIN)
def referential():
    form = PvdImportForm()
    report = None
    if form.validate_on_submit():
        raw = form.file.data.read()
        report = parse_pvd_csv(raw)
        if report.errors:
            form.file.errors = [
                f"Le fichier contient {len(report.errors)} erreur(s) : rien n'a été importé. "
                "Corrigez les lignes ci-dessous puis déposez-le de nouveau."
            ]
        else:
            result = apply_pvd_import(report, current_user)
            record_event_on(
                current_user,
                "pvd_list_imported",
                "pvd_list",
                form.file.data.filename,
                _summary(result),
            )
            db.session.commit()
            flash(f"Liste des communes PVD importée : {_summary(result)}.", "success")
            return redirect(url_for("pilotage.referential"))
    pvd_towns = db.session.scalar(select(func.count()).where(Commune.is_pvd))
    status = 400 if form.errors or (report and report.errors) else 200
    return (
        render_template("pilotage/referential.html", form=form, report=report, pvd_towns=pvd_towns),
        status,
    )


def _summary(result) -> str:
    return (
        f"{result.added} ajoutée(s), {result.updated} mise(s) à jour, "
        f"{result.removed} retirée(s), {result.unchanged} inchangée(s)"
    )


@bp.get("/offres")
@roles(Role.ADMIN)
def offers_list():
    """Published offers, newest first, to find one to moderate (by number or title)."""
    query = select(Offer).where(Offer.status == OfferStatus.PUBLISHED)
    text = request.args.get("q", "").strip()
    if text.isdigit():
        query = query.where(Offer.id == int(text))
    elif text:
        query = query.where(Offer.title.ilike(f"%{text}%"))
    page = db.paginate(
        query.order_by(Offer.published_at.desc()),
        page=request.args.get("page", 1, type=int),
        per_page=STAFF_PAGE_SIZE,
        error_out=False,
    )
    return render_template("pilotage/offers.html", page=page, q=text)


@bp.route("/offres/<int:offer_id>/depublier", methods=["GET", "POST"])
@roles(Role.ADMIN)
def offer_unpublish(offer_id: int):
    offer = get_published_offer_or_404(offer_id)
    form = UnpublishForm()
    if form.validate_on_submit():
        try:
            offers.unpublish(current_user, offer, form.reason.data)
        except ServiceError as error:
            db.session.rollback()
            add_service_error(form, error)
        else:
            flash(f"L'offre n° {offer.id} est retirée ; la collectivité est prévenue.", "success")
            return redirect(url_for("pilotage.offers_list"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("pilotage/offer_unpublish.html", offer=offer, form=form), status
