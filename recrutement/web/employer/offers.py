"""The collectivité's offers (/collectivite/offres/...): draft, edit, preview, lifecycle."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.applications.services import count_by_offer
from recrutement.core.errors import ServiceError
from recrutement.core.french import of_organisation
from recrutement.core.models import AuditEvent
from recrutement.extensions import db
from recrutement.files.views import send_stored_file
from recrutement.offers import services as offers
from recrutement.offers.forms import ActionForm, OfferForm, RepublishForm
from recrutement.offers.models import Offer, OfferStatus
from recrutement.offers.queries import get_offer_for_member_or_404, offers_of_member
from recrutement.offers.workflow import CLOSE, FILL, PUBLISH, REPUBLISH
from recrutement.web.employer import bp
from recrutement.web.forms import add_service_error, page_number

OFFERS_PAGE_SIZE = 25
# One-click actions that need a confirmation page first.
CONFIRMED_ACTIONS = {
    "cloturer": (
        offers.close,
        CLOSE,
        "Clôturer l'offre",
        "L'offre ne sera plus visible des candidats. Vous pourrez la republier avec une nouvelle date limite.",
    ),
    "pourvue": (
        offers.mark_filled,
        FILL,
        "Marquer l'offre comme pourvue",
        "L'offre ne sera plus visible des candidats et sera comptée comme poste pourvu.",
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
    if form.validate_on_submit():
        try:
            offer = offers.create_draft(current_user, _content(form))
        except ServiceError as error:
            db.session.rollback()
            add_service_error(form, error)
        else:
            flash("Brouillon enregistré. Relisez l'aperçu puis publiez l'offre.", "success")
            return redirect(url_for("employer.offer", offer_id=offer.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("employer/offer_form.html", form=form, offer=None), status


@bp.get("/offres/<int:offer_id>")
@roles(Role.EMPLOYER)
def offer(offer_id: int):
    found = get_offer_for_member_or_404(current_user, offer_id)
    history = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "offer", AuditEvent.object_id == str(found.id))
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    return render_template(
        "employer/offer.html",
        offer=found,
        history=history,
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
    if form.validate_on_submit():
        try:
            offers.update_offer(current_user, found, _content(form))
        except ServiceError as error:
            db.session.rollback()
            add_service_error(form, error)
        else:
            flash("Modifications enregistrées.", "success")
            return redirect(url_for("employer.offer", offer_id=found.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("employer/offer_form.html", form=form, offer=found), status


@bp.get("/offres/<int:offer_id>/apercu")
@roles(Role.EMPLOYER)
def offer_preview(offer_id: int):
    found = get_offer_for_member_or_404(current_user, offer_id)
    return render_template("public/offer.html", offer=found, preview=True)


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
    if not ActionForm().validate_on_submit():
        return redirect(url_for("employer.offer", offer_id=found.id))
    try:
        offers.publish(current_user, found)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("employer.offer", offer_id=found.id))
    return _after_action(
        found, "L'offre est publiée : les candidats peuvent la trouver et postuler."
    )


@bp.post("/offres/<int:offer_id>/republier")
@roles(Role.EMPLOYER)
def offer_republish(offer_id: int):
    found = get_offer_for_member_or_404(current_user, offer_id)
    form = RepublishForm()
    if form.validate_on_submit():
        try:
            offers.republish(current_user, found, form.application_deadline.data)
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            return _after_action(found, "L'offre est de nouveau publiée.")
    else:
        flash("Indiquez une nouvelle date limite valide (jj/mm/aaaa).", "error")
    return redirect(url_for("employer.offer", offer_id=found.id))


@bp.route("/offres/<int:offer_id>/<any(cloturer, pourvue):action>", methods=["GET", "POST"])
@roles(Role.EMPLOYER)
def offer_confirmed_action(offer_id: int, action: str):
    """Close or mark filled, after a confirmation page (works without JavaScript)."""
    found = get_offer_for_member_or_404(current_user, offer_id)
    service, transition, title, consequence = CONFIRMED_ACTIONS[action]
    form = ActionForm()
    if form.validate_on_submit():
        try:
            service(current_user, found)
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("employer.offer", offer_id=found.id))
        return _after_action(found, f"L'offre est {transition.done}.")
    return render_template(
        "employer/offer_confirm.html",
        offer=found,
        form=form,
        title=title,
        consequence=consequence,
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
