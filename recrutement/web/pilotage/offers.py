"""ANCT's moderation of offers (/pilotage/offres): find a published offer, unpublish it
with a reason the collectivité is told."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.core.validators import whole_number
from recrutement.extensions import db
from recrutement.offers import services as offers
from recrutement.offers.forms import UnpublishForm
from recrutement.offers.models import Offer, OfferStatus
from recrutement.offers.queries import get_published_offer_or_404
from recrutement.web.forms import page_number
from recrutement.web.pilotage import STAFF_PAGE_SIZE, bp
from recrutement.web.transaction import form_status, submit


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
    if submit(form, lambda: offers.unpublish(current_user, offer, form.reason.data)):
        flash(f"L'offre n° {offer.id} est retirée ; la collectivité est prévenue.", "success")
        return redirect(url_for("pilotage.offers_list"))
    return render_template("pilotage/offer_unpublish.html", offer=offer, form=form), form_status(
        form
    )
