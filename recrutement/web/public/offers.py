"""Public offer pages: one offer, an organisation's page, the Atom feed, the sitemap."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import public
from recrutement.applications.services import existing_application
from recrutement.core.time import paris_today, utcnow
from recrutement.extensions import db
from recrutement.files.views import send_stored_file
from recrutement.offers.feed import atom_feed
from recrutement.offers.models import Offer
from recrutement.offers.presentation import (
    REMOTE_WORK_SHORT,
    contract_summary,
    distance_label,
    salary_range,
    slug,
)
from recrutement.offers.queries import (
    get_open_offer_or_404,
    open_offer_page_rows,
    open_offers,
)
from recrutement.organisations.models import Organisation, OrganisationStatus
from recrutement.web.public import bp
from recrutement.web.public.offer_page import cached_offer_page

FEED_SIZE = 50

# Offer pages, the employer's preview of one (web/employer/offers.py) and the search page
# show offers with these.
bp.add_app_template_global(salary_range, "offer_salary")
bp.add_app_template_global(contract_summary, "offer_contract")
bp.add_app_template_global(distance_label, "offer_distance")
# Flask types template globals as functions; a mapping works as well.
bp.add_app_template_global(REMOTE_WORK_SHORT, "remote_work_short")  # type: ignore[arg-type]


@bp.get("/offres/<int:offer_id>", defaults={"slug": ""})
@bp.get("/offres/<int:offer_id>-<slug>")
@public
def offer(offer_id: int, slug: str):
    # The open check is read on every request, never kept: a closed, withdrawn or past
    # offer answers 404 whatever the cache holds.
    today = paris_today()
    rows = open_offer_page_rows(offer_id, today)
    if rows is None:
        abort(404)
    page = cached_offer_page(rows, today)
    # A candidate who already applied is shown their application instead of the button,
    # and their favourites form: only they need the offer as an object.
    found = application = None
    if current_user.is_authenticated and current_user.role == Role.CANDIDATE:
        found = db.session.get(Offer, offer_id)
        if found is None:
            abort(404)
        application = existing_application(current_user, found)
    return render_template("public/offer.html", page=page, offer=found, application=application)


@bp.get("/offres/<int:offer_id>/fiche-de-poste.pdf")
@public
def offer_attachment(offer_id: int):
    found = get_open_offer_or_404(offer_id)
    if found.attachment is None:
        abort(404)
    return send_stored_file(found.attachment, f"fiche-de-poste-{found.id}.pdf")


@bp.get("/collectivites/<int:organisation_id>")
@public
def organisation(organisation_id: int):
    found = db.session.scalar(
        select(Organisation).where(
            Organisation.id == organisation_id,
            Organisation.status == OrganisationStatus.VALIDATED,
        )
    )
    if found is None:
        abort(404)
    offers = db.session.scalars(
        open_offers().where(Offer.organisation_id == found.id).order_by(Offer.published_at.desc())
    ).all()
    return render_template("public/organisation.html", organisation=found, offers=offers)


@bp.get("/offres.atom")
@public
def feed():
    offers = db.session.scalars(
        open_offers().order_by(Offer.published_at.desc()).limit(FEED_SIZE)
    ).all()
    body = atom_feed(
        offers,
        base_url=current_app.config["BASE_URL"],
        home_path=url_for("public.home"),
        offer_path=lambda offer, with_slug: (
            url_for("public.offer", offer_id=offer.id, slug=slug(offer))
            if with_slug
            else url_for("public.offer", offer_id=offer.id)
        ),
        updated=(offers[0].published_at if offers else None) or utcnow(),
    )
    return Response(body, mimetype="application/atom+xml")


@bp.get("/sitemap.xml")
@public
def sitemap():
    offers = db.session.scalars(
        open_offers().options(selectinload(Offer.workplace)).order_by(Offer.id)
    ).all()
    organisation_ids = db.session.scalars(
        select(Organisation.id).where(Organisation.status == OrganisationStatus.VALIDATED)
    ).all()
    body = render_template(
        "public/sitemap.xml", offers=offers, organisation_ids=organisation_ids, slug=slug
    )
    return Response(body, mimetype="application/xml")
