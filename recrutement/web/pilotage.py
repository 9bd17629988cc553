"""ANCT's space (/pilotage/...): home, the PVD referential, moderation.

Accounts and organisations are in pilotage_admin.py, on the same blueprint.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.core.errors import ServiceError
from recrutement.core.french import plural
from recrutement.core.models import record_event_on
from recrutement.core.time import paris_today
from recrutement.core.validators import whole_number
from recrutement.extensions import db
from recrutement.offers import services as offers
from recrutement.offers.forms import UnpublishForm
from recrutement.offers.models import Offer, OfferStatus
from recrutement.offers.queries import get_published_offer_or_404
from recrutement.organisations.forms import PvdImportForm
from recrutement.organisations.models import Organisation, OrganisationStatus
from recrutement.pilotage import figures
from recrutement.pilotage.scope import france
from recrutement.pilotage.to_handle import to_handle
from recrutement.referential.models import Commune
from recrutement.referential.pvd_import import apply_pvd_import, parse_pvd_csv
from recrutement.web.dashboards import FORMATTERS
from recrutement.web.forms import add_service_error, page_number

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
    # The dashboard's summary: national key figures and what needs action.
    today, country = paris_today(), france()
    return render_template(
        "pilotage/home.html",
        pending_count=counts.get(OrganisationStatus.PENDING, 0),
        validated_count=counts.get(OrganisationStatus.VALIDATED, 0),
        pvd_towns=pvd_towns,
        with_project_lead=figures.pvd_towns_with_project_lead(country, today),
        in_post=figures.project_leads_in_post(country, today),
        open_offers=figures.open_offers(country),
        handle=to_handle(country, today),
        **FORMATTERS,
    )


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
                f"Le fichier contient {plural(len(report.errors), 'erreur')} : rien n'a été importé. "
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
        f"{plural(result.added, 'ajoutée')}, "
        f"{plural(result.updated, 'mise à jour', 'mises à jour')}, "
        f"{plural(result.removed, 'retirée')}, {plural(result.unchanged, 'inchangée')}"
    )


@bp.get("/offres")
@roles(Role.ADMIN)
def offers_list():
    """Published offers, newest first, to find one to moderate (by number or title)."""
    query = select(Offer).where(Offer.status == OfferStatus.PUBLISHED)
    text = request.args.get("q", "").strip()
    number = whole_number(text)
    if number is not None:
        query = query.where(Offer.id == number)
    elif text:
        query = query.where(Offer.title.ilike(f"%{text}%"))
    page = db.paginate(
        query.order_by(Offer.published_at.desc()),
        page=page_number(request.args),
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
