"""Applying to an offer (/offres/<id>/postuler): a candidate's page, at the offer's
address on the public blueprint (endpoint public.apply)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.applications import services as applications
from recrutement.applications.forms import ApplyForm
from recrutement.candidates.profile import profile_of
from recrutement.offers.queries import get_open_offer_or_404
from recrutement.web.public import bp
from recrutement.web.transaction import form_status, submit


@bp.route("/offres/<int:offer_id>/postuler", methods=["GET", "POST"])
@roles(Role.CANDIDATE)
def apply(offer_id: int):
    offer = get_open_offer_or_404(offer_id)
    already = applications.existing_application(current_user, offer)
    if already is not None:
        flash("Vous avez déjà postulé à cette offre.", "info")
        return redirect(url_for("candidate.application", application_id=already.id))
    profile = profile_of(current_user)
    form = ApplyForm()
    upload = form.cv.data if form.cv.data and getattr(form.cv.data, "filename", "") else None
    if done := submit(
        form, lambda: applications.apply(current_user, offer, form.cover_letter.data, upload)
    ):
        flash(
            "Votre candidature est envoyée. Un courriel de confirmation vient de vous être adressé.",
            "success",
        )
        return redirect(url_for("candidate.application", application_id=done.value.id))
    return (
        render_template("public/apply.html", offer=offer, form=form, profile=profile),
        form_status(form),
    )
