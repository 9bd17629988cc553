"""The candidate's personal data: what is kept, download it, delete the account
(/candidat/donnees...). The rules live in applications.personal_data."""

from __future__ import annotations

import tempfile

from flask import current_app, flash, redirect, render_template, send_file, session, url_for
from flask_login import current_user, logout_user
from wtforms import PasswordField

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.applications import data_inventory, personal_data
from recrutement.core.errors import ServiceError
from recrutement.core.forms import Form
from recrutement.core.time import paris_today
from recrutement.core.validators import bounded, required
from recrutement.extensions import db
from recrutement.web import candidate
from recrutement.web.forms import add_service_error


class DeleteAccountForm(Form):
    password = PasswordField(
        "Votre mot de passe",
        description="Pour confirmer que c'est bien vous qui supprimez ce compte.",
        validators=[required(), bounded(128)],
        render_kw={"autocomplete": "current-password"},
    )


def retention_text() -> str:
    """The configured retention period as people say it: "2 ans", or a number of days."""
    return data_inventory.retention_text(current_app.config["RETENTION_DAYS"])


@candidate.bp.app_context_processor
def personal_data_inventory() -> dict:
    """What is collected and for how long (applications.data_inventory), for the pages
    that list it: /donnees-personnelles (public blueprint) and /candidat/donnees. A
    function, so that other pages do not pay for it."""

    def inventory() -> dict:
        config = current_app.config
        return {
            "sections": data_inventory.sections(config, retention_text()),
            "candidate_records": data_inventory.records(
                config, retention_text(), data_inventory.CANDIDATE
            ),
            "cookies": data_inventory.cookies(config),
            "links_text": data_inventory.LINKS_TEXT,
            "retention": retention_text(),
        }

    return {"personal_data_inventory": inventory}


@candidate.bp.get("/donnees")
@roles(Role.CANDIDATE)
def personal_data_home():
    return render_template("candidate/data.html", retention=retention_text())


@candidate.bp.get("/donnees/archive.zip")
@roles(Role.CANDIDATE)
def personal_data_archive():
    # Built on disk, not in memory: a candidate may have many 5 MB CVs. The
    # response streams it and closes it (so no `with` block here).
    archive = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        personal_data.write_archive(current_user, archive)
        archive.seek(0)
    except Exception:
        archive.close()
        raise
    personal_data.record_export(current_user)
    response = send_file(
        archive,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"mes-donnees-recrutement-pvd-{paris_today().isoformat()}.zip",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@candidate.bp.route("/donnees/supprimer", methods=["GET", "POST"])
@roles(Role.CANDIDATE)
def personal_data_delete():
    """Delete the account, after a confirmation page with the password."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            personal_data.delete_account(current_user._get_current_object(), form.password.data)
        except ServiceError as error:
            db.session.rollback()
            add_service_error(form, error)
        else:
            logout_user()
            session.clear()
            flash(
                "Votre compte est supprimé. Vos candidatures ont été anonymisées. "
                "Merci d'avoir utilisé Recrutement PVD.",
                "success",
            )
            return redirect(url_for("public.home"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("candidate/delete_account.html", form=form), status
