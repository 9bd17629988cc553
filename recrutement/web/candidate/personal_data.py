"""The candidate's personal data: what is kept, download it, delete the account
(/candidat/donnees...). The rules live in candidates.personal_data."""

from __future__ import annotations

import tempfile

from flask import flash, redirect, render_template, send_file, session, url_for
from flask_login import current_user, logout_user
from wtforms import PasswordField

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.candidates import personal_data
from recrutement.core.forms import Form
from recrutement.core.time import paris_today
from recrutement.core.validators import bounded, required
from recrutement.web.candidate import bp
from recrutement.web.data_inventory import retention_text
from recrutement.web.transaction import form_status, submit


class DeleteAccountForm(Form):
    password = PasswordField(
        "Votre mot de passe",
        description="Pour confirmer que c'est bien vous qui supprimez ce compte.",
        validators=[required(), bounded(128)],
        render_kw={"autocomplete": "current-password"},
    )


@bp.get("/donnees")
@roles(Role.CANDIDATE)
def personal_data_home():
    return render_template("candidate/data.html", retention=retention_text())


@bp.get("/donnees/archive.zip")
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


@bp.route("/donnees/supprimer", methods=["GET", "POST"])
@roles(Role.CANDIDATE)
def personal_data_delete():
    """Delete the account, after a confirmation page with the password."""
    form = DeleteAccountForm()
    if submit(
        form,
        lambda: personal_data.delete_account(
            current_user._get_current_object(), form.password.data
        ),
    ):
        logout_user()
        session.clear()
        flash(
            "Votre compte est supprimé. Vos candidatures ont été anonymisées. "
            "Merci d'avoir utilisé Recrutement PVD.",
            "success",
        )
        return redirect(url_for("public.home"))
    return render_template("candidate/delete_account.html", form=form), form_status(form)
