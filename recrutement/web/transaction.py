"""The transaction boundary of the views: one way to call a service from a request.

Services commit what they do. A service that refuses raises ServiceError (a French
message, and the form field it is about); here the refusal is rolled back, so that
nothing it left pending is written or shown, and handed back instead of raised:

- `submit(form, call)`: a form page. Nothing happens unless the form was sent and is
  valid; a refusal goes under the field it names (or at the top of the form), and
  `form_status(form)` answers 400 when the form shows errors.
- `act(call)`: a one-click action (a button, then a redirect); a refusal is flashed.
- `attempt(call)`: the rollback alone, for the few views that say a refusal their way.

Each returns `Done(value)` (truthy, with what the service returned) or `Refused(error)`
(falsy); `submit` returns None when the form was not sent or is invalid. So:

    if done := submit(form, lambda: offers.create_draft(current_user, content)):
        return redirect(url_for("employer.offer", offer_id=done.value.id))
    return render_template("employer/offer_form.html", form=form), form_status(form)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from flask import flash
from flask_wtf import FlaskForm

from recrutement.core.errors import ServiceError
from recrutement.extensions import db
from recrutement.web.forms import add_service_error

T = TypeVar("T")


@dataclass(frozen=True)
class Done(Generic[T]):
    """The service did its work (and committed it); `value` is what it returned."""

    value: T

    def __bool__(self) -> Literal[True]:
        return True


@dataclass(frozen=True)
class Refused:
    """The service refused; what it left pending is rolled back. `error` says why."""

    error: Exception

    @property
    def message(self) -> str:
        """The French sentence of the refusal."""
        return refusal_message(self.error)

    @property
    def field(self) -> str | None:
        """The form field the refusal is about, if it names one."""
        return self.error.field if isinstance(self.error, ServiceError) else None

    def __bool__(self) -> Literal[False]:
        return False


def refusal_message(error: Exception) -> str:
    """What a refusal says to the user."""
    return error.message if isinstance(error, ServiceError) else str(error)


def attempt(
    call: Callable[[], T], refusals: tuple[type[Exception], ...] = (ServiceError,)
) -> Done[T] | Refused:
    """Call a service; a refusal (one of `refusals`) is rolled back and returned."""
    try:
        value = call()
    except refusals as error:
        db.session.rollback()
        return Refused(error)
    return Done(value)


def submit(
    form: FlaskForm,
    call: Callable[[], T],
    refusals: tuple[type[Exception], ...] = (ServiceError,),
) -> Done[T] | Refused | None:
    """Validate a sent form and call the service; a refusal is shown on the form.

    None when the form was not sent (a GET) or is invalid: its errors are on its fields."""
    if not form.validate_on_submit():
        return None
    outcome = attempt(call, refusals)
    if isinstance(outcome, Refused):
        add_service_error(form, outcome.error)
    return outcome


def act(call: Callable[[], T]) -> Done[T] | Refused:
    """A one-click action: call the service; a refusal is flashed as an error."""
    outcome = attempt(call)
    if isinstance(outcome, Refused):
        flash(outcome.message, "error")
    return outcome


def form_status(form: FlaskForm) -> int:
    """The status of a form page: 400 when the form shows errors (its own or the
    service's refusal), 200 otherwise."""
    return 400 if form.errors else 200
