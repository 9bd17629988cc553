"""The candidate's favourite offers (/candidat/favoris): the list, add, remove."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.applications.forms import ActionForm
from recrutement.candidates.favourites import (
    add_favourite,
    favourites_of,
    get_favourite_for_user_or_404,
    is_favourite,
    remove_favourite,
)
from recrutement.offers.presentation import slug
from recrutement.offers.queries import get_open_offer_or_404
from recrutement.web.candidate import bp
from recrutement.web.transaction import act


def _is_favourite(offer) -> bool:
    return (
        current_user.is_authenticated
        and current_user.role == Role.CANDIDATE
        and is_favourite(current_user, offer)
    )


# The offer and search pages show the favourite button with it.
bp.add_app_template_global(_is_favourite, "is_favourite")


@bp.get("/favoris")
@roles(Role.CANDIDATE)
def favourites():
    return render_template(
        "candidate/favourites.html", rows=favourites_of(current_user), form=ActionForm()
    )


@bp.post("/favoris/<int:offer_id>")
@roles(Role.CANDIDATE)
def favourite_add(offer_id: int):
    offer = get_open_offer_or_404(offer_id)
    if ActionForm().validate_on_submit():
        if act(lambda: add_favourite(current_user, offer)):
            flash("L'offre est ajoutée à vos favoris.", "success")
    else:
        flash("Le formulaire a expiré. Merci de réessayer.", "error")
    if request.form.get("retour") == "favoris":
        return redirect(url_for("candidate.favourites"))
    return redirect(url_for("public.offer", offer_id=offer.id, slug=slug(offer)))


@bp.post("/favoris/<int:offer_id>/retirer")
@roles(Role.CANDIDATE)
def favourite_remove(offer_id: int):
    favourite = get_favourite_for_user_or_404(current_user, offer_id)
    offer = favourite.offer
    if ActionForm().validate_on_submit():
        remove_favourite(current_user, offer)
        flash("L'offre est retirée de vos favoris.", "success")
    else:
        flash("Le formulaire a expiré. Merci de réessayer.", "error")
    if request.form.get("retour") == "offre":
        return redirect(url_for("public.offer", offer_id=offer.id, slug=slug(offer)))
    return redirect(url_for("candidate.favourites"))
