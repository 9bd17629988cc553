"""Applying to an offer (/offres/<id>/postuler): a candidate's page, at the offer's
address on the public blueprint (endpoint public.apply)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.applications import services as applications
from recrutement.applications.forms import ApplyForm
from recrutement.core.errors import ServiceError
from recrutement.extensions import db
from recrutement.offers.queries import get_open_offer_or_404
from recrutement.web.forms import add_service_error
from recrutement.web.public import bp


@bp.route("/offres/<int:offer_id>/postuler", methods=["GET", "POST"])
@roles(Role.CANDIDATE)
def apply(offer_id: int):
    offer = get_open_offer_or_404(offer_id)
    already = applications.existing_application(current_user, offer)
    if already is not None:
        flash("Vous avez déjà postulé à cette offre.", "info")
        return redirect(url_for("candidate.application", application_id=already.id))
    profile = applications.profile_of(current_user)
    form = ApplyForm()
    if form.validate_on_submit():
        upload = form.cv.data if form.cv.data and getattr(form.cv.data, "filename", "") else None
        try:
            application = applications.apply(current_user, offer, form.cover_letter.data, upload)
        except ServiceError as error:
            db.session.rollback()
            add_service_error(form, error)
        else:
            flash(
                "Votre candidature est envoyée. Un courriel de confirmation vient de vous être adressé.",
                "success",
            )
            return redirect(url_for("candidate.application", application_id=application.id))
    status = 400 if form.errors or form.form_errors else 200
    return (
        render_template("public/apply.html", offer=offer, form=form, profile=profile),
        status,
    )
