"""The queue of cofunding requests of préfectures and ANAH delegations
(/prefecture/demandes) and its exports: it opens on what awaits the agent; the other
views and every state are one click away. One request and its actions are in
requests.py.

Requests are loaded only through cofunding.queries: another département's request is
never listed nor exported.
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.cofunding import export
from recrutement.cofunding.content import euros
from recrutement.cofunding.models import CofundingStatus, Funder
from recrutement.cofunding.queries import (
    AGES,
    ALL,
    ANAH_PENDING,
    DECIDED,
    WAITING,
    WAITING_LABEL,
    QueueFilters,
    answered_on,
    counts_by_status,
    default_view,
    queue,
    view_counts,
)
from recrutement.cofunding.workflow import FILED_STATUSES
from recrutement.core.time import PARIS, paris_today
from recrutement.extensions import db
from recrutement.web.cofunding_queue import QUEUE_PAGE_SIZE, download, filed_on, with_details
from recrutement.web.forms import page_number
from recrutement.web.prefecture import bp

# The views of the queue, in the order of its tabs, with what each says when empty.
VIEW_LABELS = {
    WAITING: "À traiter",
    ANAH_PENDING: "Avis de l'ANAH en attente",
    DECIDED: "Décidées",
    ALL: "Toutes",
}
EMPTY_VIEWS = {
    WAITING: "Rien à traiter : aucune demande déposée ou en instruction n'attend votre décision.",
    ANAH_PENDING: "Aucune demande n'attend l'avis de l'ANAH.",
    DECIDED: "Aucune demande n'est encore décidée.",
}


# --- the queue ------------------------------------------------------------------------


def _queue_filters() -> QueueFilters:
    """The filters of the URL; without a state, the view of what awaits the agent."""
    return QueueFilters.from_args(request.args, default=default_view(current_user))


@bp.get("/demandes", endpoint="requests")
@roles(Role.PREFECTURE, Role.ANAH)
def requests_queue():
    """The agent's queue: it opens on what awaits them (a préfecture: the requests filed
    or in instruction; an ANAH delegation: those waiting for its opinion), oldest filed
    first; the other views and every state are one click away."""
    filters = _queue_filters()
    page = db.paginate(
        with_details(queue(current_user, filters)),
        page=page_number(request.args),
        per_page=QUEUE_PAGE_SIZE,
        error_out=False,
    )
    today = paris_today()
    counts = counts_by_status(current_user)
    views = [WAITING, DECIDED, ALL]
    if current_user.role == Role.ANAH:
        views = [ANAH_PENDING, WAITING, DECIDED, ALL]
    answered = answered_on(
        [found.id for found in page.items if found.status == CofundingStatus.IN_INSTRUCTION]
    )
    default = default_view(current_user)
    labels = dict(VIEW_LABELS)
    if current_user.role == Role.ANAH:
        # For the delegation, what the préfecture has to decide is not "to handle".
        labels[WAITING] = WAITING_LABEL
    return render_template(
        "prefecture/requests.html",
        page=page,
        filters=filters,
        export_args=filters.to_args(),
        # Filters other than the view the queue opens on (the "clear" link shows then).
        narrowed=filters.status != default or bool(filters.funder or filters.age),
        default_view=default,
        views=views,
        view_labels=labels,
        view_counts=view_counts(current_user, counts),
        empty_view=EMPTY_VIEWS.get(filters.status),
        counts=counts,
        statuses=FILED_STATUSES,
        funders=[Funder.BDT, Funder.ANAH],
        ages=AGES,
        filed={found.id: filed_on(found, today) for found in page.items},
        answered={
            request_id: when.astimezone(PARIS).date() for request_id, when in answered.items()
        },
        euros=euros,
    )


def _queue_export() -> tuple[list[list], str]:
    filters = _queue_filters()
    found = db.session.scalars(with_details(queue(current_user, filters))).all()
    return export.queue_rows(found), f"demandes-cofinancement-{paris_today().isoformat()}"


@bp.get("/demandes.csv", endpoint="requests_csv")
@roles(Role.PREFECTURE, Role.ANAH)
def requests_csv():
    rows, name = _queue_export()
    return download(export.write_csv(rows), "text/csv", f"{name}.csv")


@bp.get("/demandes.xlsx", endpoint="requests_xlsx")
@roles(Role.PREFECTURE, Role.ANAH)
def requests_xlsx():
    rows, name = _queue_export()
    return download(
        export.write_xlsx(rows),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{name}.xlsx",
    )
