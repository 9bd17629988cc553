"""ANCT's home (/pilotage/): the national key figures and what needs action; and the
PVD towns list (/pilotage/referentiel)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.core.french import plural
from recrutement.core.models import record_event_on
from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.organisations.forms import PvdImportForm
from recrutement.organisations.models import Organisation, OrganisationStatus
from recrutement.pilotage import figures
from recrutement.pilotage.scope import france
from recrutement.pilotage.to_handle import to_handle
from recrutement.referential.models import Commune
from recrutement.referential.pvd_import import apply_pvd_import, parse_pvd_csv
from recrutement.web.dashboards import FORMATTERS
from recrutement.web.pilotage import bp
from recrutement.web.transaction import form_status


@bp.get("/")
@roles(Role.ADMIN)
def home():
    counts = dict(
        db.session.execute(
            select(Organisation.status, func.count(Organisation.id)).group_by(Organisation.status)
        )
        .tuples()
        .all()
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
    # A file with errors has them said on its field: the form shows errors, 400.
    return (
        render_template("pilotage/referential.html", form=form, report=report, pvd_towns=pvd_towns),
        form_status(form),
    )


def _summary(result) -> str:
    return (
        f"{plural(result.added, 'ajoutée')}, "
        f"{plural(result.updated, 'mise à jour', 'mises à jour')}, "
        f"{plural(result.removed, 'retirée')}, {plural(result.unchanged, 'inchangée')}"
    )
