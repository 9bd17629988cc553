"""Every cofunding request of the country, read-only, for ANCT (/pilotage/demandes/...):
the list with the préfecture queue's filters plus région and département, its exports,
and one request with its history, messages, attachments and decision.

Requests are loaded only through cofunding.queries.requests_for_programme (a draft is
the collectivité's own business: 404). ANCT acts on nothing here, and never reads the
instructors' private notes.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.cofunding import export, services
from recrutement.cofunding.content import euros
from recrutement.cofunding.models import CofundingStatus, Funder
from recrutement.cofunding.queries import (
    AGES,
    WAITING,
    WAITING_LABEL,
    ProgrammeFilters,
    filtered,
    get_request_for_programme_or_404,
    requests_for_programme,
    status_counts,
)
from recrutement.cofunding.workflow import FILED_STATUSES
from recrutement.core.models import history_of
from recrutement.core.time import paris_today
from recrutement.extensions import db
from recrutement.files.views import send_stored_file
from recrutement.referential.models import Department, Region
from recrutement.web.cofunding_queue import QUEUE_PAGE_SIZE, download, filed_on, with_details
from recrutement.web.forms import page_number
from recrutement.web.pilotage import bp


def _filters() -> ProgrammeFilters:
    return ProgrammeFilters.from_args(request.args)


@bp.get("/demandes", endpoint="requests")
@roles(Role.ADMIN)
def requests_list():
    filters = _filters()
    scoped = requests_for_programme(current_user)
    page = db.paginate(
        with_details(filtered(scoped, filters)),
        page=page_number(request.args),
        per_page=QUEUE_PAGE_SIZE,
        error_out=False,
    )
    today = paris_today()
    place_args = {
        key: value for key, value in filters.to_args().items() if key in ("region", "departement")
    }
    return render_template(
        "pilotage/requests.html",
        page=page,
        filters=filters,
        export_args=filters.to_args(),
        place_args=place_args,
        # The counts of the chosen place, whatever the other filters.
        counts=status_counts(filters.in_place(scoped)),
        statuses=FILED_STATUSES,
        waiting=WAITING,
        waiting_label=WAITING_LABEL,
        funders=[Funder.BDT, Funder.ANAH],
        ages=AGES,
        regions=db.session.scalars(select(Region).order_by(Region.name)).all(),
        departments=db.session.scalars(select(Department).order_by(Department.code)).all(),
        filed={found.id: filed_on(found, today) for found in page.items},
        euros=euros,
    )


def _export() -> tuple[list[list], str]:
    found = db.session.scalars(
        with_details(filtered(requests_for_programme(current_user), _filters()))
    ).all()
    return export.queue_rows(found), f"demandes-cofinancement-france-{paris_today().isoformat()}"


@bp.get("/demandes.csv", endpoint="requests_csv")
@roles(Role.ADMIN)
def requests_csv():
    rows, name = _export()
    return download(export.write_csv(rows), "text/csv", f"{name}.csv")


@bp.get("/demandes.xlsx", endpoint="requests_xlsx")
@roles(Role.ADMIN)
def requests_xlsx():
    rows, name = _export()
    return download(
        export.write_xlsx(rows),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{name}.xlsx",
    )


@bp.get("/demandes/<int:request_id>", endpoint="request")
@roles(Role.ADMIN)
def request_detail(request_id: int):
    found = get_request_for_programme_or_404(current_user, request_id)
    return render_template(
        "pilotage/request.html",
        request_=found,
        history=history_of(found),
        messages=services.thread(found),
        filed=filed_on(found),
        euros=euros,
    )


@bp.get("/demandes/<int:request_id>/pieces/<int:attachment_id>")
@roles(Role.ADMIN)
def request_attachment(request_id: int, attachment_id: int):
    found = get_request_for_programme_or_404(current_user, request_id)
    attachment = next((a for a in found.attachments if a.id == attachment_id), None)
    if attachment is None:
        abort(404)
    return send_stored_file(attachment.file)


@bp.get("/demandes/<int:request_id>/decision.pdf")
@roles(Role.ADMIN)
def request_decision(request_id: int):
    found = get_request_for_programme_or_404(current_user, request_id)
    if found.status != CofundingStatus.GRANTED or found.decision_pdf is None:
        abort(404)
    return send_stored_file(found.decision_pdf, f"decision-cofinancement-{found.id}.pdf")
