"""Keep the index in step with the database (after pypi/warehouse).

- `after_flush` writes an `IndexTask` for every offer the flush inserted,
  changed or deleted, in the flush's own transaction, and remembers the offer
  ids in `session.info`. New offers have their id by then, which `before_flush`
  could not give. The tasks are inserted on the flush's connection rather than
  added to the session, so they are written by this flush and not left for a
  next one that might never come.
- `after_commit` applies those offers' tasks if the index lock is free
  (`try_apply`); otherwise the worker will. Outside a request (command line,
  worker, scripts) it applies them at once. Within a request it remembers the
  ids in the request's environ (per request, even where requests share an app
  context, as in the tests), and the `after_request` hook of `init_search`
  applies them when the response is closed, once it has been sent (gunicorn's
  sync worker and the Werkzeug server close it after writing it; the test client
  when the test closes the response or follows a redirect): the user does not
  wait for the index write, and the index lags by that write only.
- `after_rollback` forgets the ids; the tasks went away with the transaction.

Bulk statements (`update(Offer)...` executed on the session) bypass the flush:
code that uses them calls `queue_reindex(offer_ids)` in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from itertools import chain

from flask import Flask, Response, current_app, has_request_context, request
from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import History

from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.offers.models import IndexTask, Offer
from recrutement.organisations.models import Organisation

logger = logging.getLogger(__name__)

PENDING_KEY = "recrutement.search.pending_offer_ids"
# Keys of the request's environ: the offers committed during the request, and
# whether its response is already built (a commit after that cannot wait for it).
DEFERRED_KEY = "recrutement.search.deferred_offer_ids"
RESPONSE_BUILT_KEY = "recrutement.search.response_built"


# How long a write made after a response waits for the index lock before leaving its
# tasks to the worker (whose round comes every few seconds).
AFTER_RESPONSE_LOCK_WAIT_SECONDS = 2.0


def init_search(app: Flask) -> None:
    """Register the session events that keep the index in step, and the hook that
    applies a request's tasks after its response (called by create_app).

    Refuses SEARCH_BACKEND=postgresql on another database (ConfigurationError).
    """
    if app.config.get("SEARCH_BACKEND") == "postgresql" and not str(
        app.config["SQLALCHEMY_DATABASE_URI"]
    ).startswith("postgresql"):
        from recrutement.config import ConfigurationError

        raise ConfigurationError("SEARCH_BACKEND=postgresql needs a PostgreSQL DATABASE_URL.")
    for name, listener in _LISTENERS:
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
    if _apply_after_response not in app.after_request_funcs.get(None, []):
        app.after_request(_apply_after_response)
    app.extensions["recrutement.search"] = True


def queue_reindex(offer_ids: Iterable[int], session: Session | None = None) -> None:
    """Write index tasks for these offers in the session's current transaction.

    For changes the flush does not see, such as bulk UPDATE statements.
    """
    session = session or db.session()
    _write_tasks(session, set(offer_ids))


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    offer_ids: set[int] = set()
    renamed: list[int] = []
    dirty = session.dirty
    for instance in chain(session.new, dirty, session.deleted):
        if isinstance(instance, Offer):
            # `dirty` also holds objects whose attributes were set to the same value.
            if instance in dirty and not session.is_modified(instance):
                continue
            offer_ids.add(instance.id)
        elif isinstance(instance, Organisation) and instance in dirty and _name_changed(instance):
            # The organisation's name is in its offers' documents.
            renamed.append(instance.id)
    if renamed:
        offer_ids.update(
            session.connection().scalars(select(Offer.id).where(Offer.organisation_id.in_(renamed)))
        )
    _write_tasks(session, offer_ids)


def _name_changed(organisation: Organisation) -> bool:
    history: History = inspect(organisation).attrs.name.history
    return bool(history.added or history.deleted)


def _write_tasks(session: Session, offer_ids: set[int]) -> None:
    offer_ids.discard(None)
    if not offer_ids:
        return
    now = utcnow()
    session.connection().execute(
        insert(IndexTask),
        [{"offer_id": offer_id, "created_at": now} for offer_id in sorted(offer_ids)],
    )
    session.info.setdefault(PENDING_KEY, set()).update(offer_ids)


def _after_commit(session: Session) -> None:
    offer_ids = session.info.pop(PENDING_KEY, None)
    if not offer_ids:
        return
    if (
        has_request_context()
        and current_app.extensions.get("recrutement.search")
        and not request.environ.get(RESPONSE_BUILT_KEY, False)
    ):
        request.environ.setdefault(DEFERRED_KEY, set()).update(offer_ids)
        return
    _apply(offer_ids)


def _apply_after_response(response: Response) -> Response:
    """Have the offers committed during this request indexed once `response` is sent.

    Should the response never be closed, the worker applies the tasks.
    """
    request.environ[RESPONSE_BUILT_KEY] = True
    offer_ids = request.environ.pop(DEFERRED_KEY, None)
    if offer_ids:
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        response.call_on_close(partial(_apply_in_context, app, offer_ids))
    return response


def _apply_in_context(app: Flask, offer_ids: set[int]) -> None:
    # The request's contexts are gone when the response is closed. Nothing may
    # escape to the server: the response is sent, the worker will apply the tasks.
    # Nobody waits on this response any more: the write may wait a little for the
    # index lock (another request's write, a check of the index) rather than leave
    # the publication to the worker's next round.
    try:
        with app.app_context():
            _apply(offer_ids, lock_wait=AFTER_RESPONSE_LOCK_WAIT_SECONDS)
    except Exception:
        logger.exception("search index update failed: tasks left to the worker")


def _apply(offer_ids: set[int], lock_wait: float = 0.0) -> None:
    # The commit is done whatever happens here: a failure only leaves the
    # tasks pending for the worker.
    from recrutement.search.index import try_apply

    try:
        if not try_apply(offer_ids, timeout=lock_wait):
            logger.info("search index busy: tasks left to the worker")
    except Exception:
        logger.exception("search index update failed: tasks left to the worker")


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


_LISTENERS = (
    ("after_flush", _after_flush),
    ("after_commit", _after_commit),
    ("after_rollback", _after_rollback),
)
