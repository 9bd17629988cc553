"""The collectivité's offers (/collectivite/offres/...): draft, edit, preview, lifecycle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from recrutement.accounts.models import Role, User
from recrutement.accounts.permissions import roles
from recrutement.applications.services import count_by_offer
from recrutement.core.french import of_organisation
from recrutement.core.models import history_of
from recrutement.extensions import db
from recrutement.files.views import send_stored_file
from recrutement.offers import services as offers
from recrutement.offers.forms import ActionForm, OfferForm, RepublishForm
from recrutement.offers.models import Offer, OfferStatus
from recrutement.offers.queries import get_offer_for_member_or_404, offers_of_member
from recrutement.offers.workflow import CLOSE, FILL, PUBLISH, REPUBLISH
from recrutement.web.employer import bp
from recrutement.web.forms import page_number
from recrutement.web.public.offer_page import render_offer_page
from recrutement.web.transaction import act, form_status, submit

OFFERS_PAGE_SIZE = 25


@dataclass(frozen=True)
class ConfirmedAction:
    """A one-click action on an offer that asks for a confirmation page first: the
    service it calls, the page's title and consequence, the message once done."""

    service: Callable[[User, Offer], object]
    title: str
    consequence: str
    done: str


# By the action's word in the URL (/collectivite/offres/<id>/<action>).
CONFIRMED_ACTIONS = {
    "cloturer": ConfirmedAction(
        service=offers.close,
        title="Clôturer l'offre",
        consequence="L'offre ne sera plus visible des candidats. Vous pourrez la republier avec une nouvelle date limite.",
        done=f"L'offre est {CLOSE.done}.",
    ),
    "pourvue": ConfirmedAction(
        service=offers.mark_filled,
        title="Marquer l'offre comme pourvue",
        consequence="L'offre ne sera plus visible des candidats et sera comptée comme poste pourvu.",
        done=f"L'offre est {FILL.done}.",
    ),
}


def _offer_form(offer: Offer | None = None) -> OfferForm:
    form = OfferForm(obj=offer) if offer is not None and request.method == "GET" else OfferForm()
    towns = offers.allowed_towns(current_user.organisation)
    form.towns.choices = [SelectChoice(town.insee_code, town.label) for town in towns]
    form.workplace_insee_code.choices = [SelectChoice("", "Choisir une commune")] + [
        SelectChoice(town.insee_code, town.label) for town in towns
    ]
    if request.method == "GET":
        if offer is not None:
            form.towns.data = [town.insee_code for town in offer.towns]
            form.post_is_new.data = "1" if offer.post_is_new else "0"
        else:
            form.towns.data = [town.insee_code for town in current_user.organisation.towns]
            form.recruiting_authority.data = (
                f"L'exécutif {of_organisation(current_user.organisation.name)}"
            )
            form.contact_name.data = current_user.full_name
            form.contact_email.data = current_user.email
    return form


def _content(form: OfferForm) -> offers.OfferContent:
    upload = form.attachment.data
    return offers.OfferContent(
        values=form.content_values(),
        town_codes=form.towns.data,
        attachment=upload if upload and getattr(upload, "filename", "") else None,
        remove_attachment=form.remove_attachment.data,
    )


@bp.get("/offres")
@roles(Role.EMPLOYER)
def offers_list():
    status = request.args.get("etat", "")
    query = offers_of_member(current_user).order_by(Offer.updated_at.desc())
    if status in set(OfferStatus):
        query = query.where(Offer.status == status)
    page = db.paginate(
        query,
        page=page_number(request.args),
        per_page=OFFERS_PAGE_SIZE,
        error_out=False,
    )
    counts = count_by_offer([offer.id for offer in page.items])
    return render_template(
        "employer/offers.html",
        page=page,
        status=status,
        statuses=list(OfferStatus),
        counts=counts,
    )


@bp.route("/offres/nouvelle", methods=["GET", "POST"])
@roles(Role.EMPLOYER)
def offer_new():
    form = _offer_form()
    if done := submit(form, lambda: offers.create_draft(current_user, _content(form))):
        flash("Brouillon enregistré. Relisez l'aperçu puis publiez l'offre.", "success")
        return redirect(url_for("employer.offer", offer_id=done.value.id))
    return render_template("employer/offer_form.html", form=form, offer=None), form_status(form)


@bp.get("/offres/<int:offer_id>")
@roles(Role.EMPLOYER)
def offer(offer_id: int):
    found = get_offer_for_member_or_404(current_user, offer_id)
    return render_template(
        "employer/offer.html",
        offer=found,
        history=history_of(found),
        action_form=ActionForm(),
        republish_form=RepublishForm(),
        can=lambda transition: transition.allows(found.status),
        application_count=count_by_offer([found.id]).get(found.id, 0),
        transitions={"publish": PUBLISH, "republish": REPUBLISH, "close": CLOSE, "fill": FILL},
    )


@bp.route("/offres/<int:offer_id>/modifier", methods=["GET", "POST"])
@roles(Role.EMPLOYER)
def offer_edit(offer_id: int):
    found = get_offer_for_member_or_404(current_user, offer_id)
    form = _offer_form(found)
    if submit(form, lambda: offers.update_offer(current_user, found, _content(form))):
        flash("Modifications enregistrées.", "success")
        return redirect(url_for("employer.offer", offer_id=found.id))
    return render_template("employer/offer_form.html", form=form, offer=found), form_status(form)


@bp.get("/offres/<int:offer_id>/apercu")
@roles(Role.EMPLOYER)
def offer_preview(offer_id: int):
    found = get_offer_for_member_or_404(current_user, offer_id)
    return render_template(
        "public/offer.html", offer=found, page=render_offer_page(found, preview=True), preview=True
    )


@bp.get("/offres/<int:offer_id>/fiche-de-poste")
@roles(Role.EMPLOYER)
def offer_attachment(offer_id: int):
    found = get_offer_for_member_or_404(current_user, offer_id)
    if found.attachment is None:
        return redirect(url_for("employer.offer", offer_id=found.id))
    return send_stored_file(found.attachment, f"fiche-de-poste-{found.id}.pdf")


def _after_action(offer: Offer, message: str):
    flash(message, "success")
    return redirect(url_for("employer.offer", offer_id=offer.id))


@bp.post("/offres/<int:offer_id>/publier")
@roles(Role.EMPLOYER)
def offer_publish(offer_id: int):
    found = get_offer_for_member_or_404(current_user, offer_id)
    if ActionForm().validate_on_submit() and act(lambda: offers.publish(current_user, found)):
        return _after_action(
            found, "L'offre est publiée : les candidats peuvent la trouver et postuler."
        )
    return redirect(url_for("employer.offer", offer_id=found.id))


@bp.post("/offres/<int:offer_id>/republier")
@roles(Role.EMPLOYER)
def offer_republish(offer_id: int):
    found = get_offer_for_member_or_404(current_user, offer_id)
    form = RepublishForm()
    if form.validate_on_submit():
        if act(lambda: offers.republish(current_user, found, form.application_deadline.data)):
            return _after_action(found, "L'offre est de nouveau publiée.")
    else:
        flash("Indiquez une nouvelle date limite valide (jj/mm/aaaa).", "error")
    return redirect(url_for("employer.offer", offer_id=found.id))


@bp.route("/offres/<int:offer_id>/<any(cloturer, pourvue):action>", methods=["GET", "POST"])
@roles(Role.EMPLOYER)
def offer_confirmed_action(offer_id: int, action: str):
    """Close or mark filled, after a confirmation page (works without JavaScript)."""
    found = get_offer_for_member_or_404(current_user, offer_id)
    confirmed = CONFIRMED_ACTIONS[action]
    form = ActionForm()
    if form.validate_on_submit():
        if act(lambda: confirmed.service(current_user, found)):
            return _after_action(found, confirmed.done)
        return redirect(url_for("employer.offer", offer_id=found.id))
    return render_template(
        "employer/offer_confirm.html",
        offer=found,
        form=form,
        title=confirmed.title,
        consequence=confirmed.consequence,
        action=action,
    )


@bp.post("/offres/<int:offer_id>/dupliquer")
@roles(Role.EMPLOYER)
def offer_duplicate(offer_id: int):
    found = get_offer_for_member_or_404(current_user, offer_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("employer.offer", offer_id=found.id))
    copy = offers.duplicate(current_user, found)
    flash("Copie créée en brouillon : vérifiez-la, notamment la date limite.", "success")
    return redirect(url_for("employer.offer_edit", offer_id=copy.id))
