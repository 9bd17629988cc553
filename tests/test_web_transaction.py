"""The views' transaction boundary (recrutement.web.transaction): a sent, valid form calls
the service; a refusal is rolled back, shown on its field or flashed, and answers 400."""

from __future__ import annotations

import pytest
from flask import get_flashed_messages
from sqlalchemy import func, select
from wtforms import StringField

from recrutement.core.errors import ServiceError
from recrutement.core.forms import Form
from recrutement.core.validators import required
from recrutement.extensions import db
from recrutement.referential.models import Region
from recrutement.web.transaction import Done, Refused, act, attempt, form_status, submit


class NameForm(Form):
    name = StringField("Nom", validators=[required()])


def name_form() -> NameForm:
    return NameForm(meta={"csrf": False})


def regions() -> int:
    return db.session.scalar(select(func.count()).select_from(Region))


def add_region_then_refuse(field: str | None = None) -> None:
    """A service that changes something, then refuses: nothing of it may stay."""
    db.session.add(Region(code="99", name="Refusée"))
    db.session.flush()
    raise ServiceError("Ce nom est déjà pris.", field=field)


def add_region() -> Region:
    region = Region(code="98", name="Acceptée")
    db.session.add(region)
    db.session.commit()
    return region


def test_a_form_not_sent_calls_nothing_and_answers_200(app):
    with app.test_request_context("/", method="GET"):
        form = name_form()
        assert submit(form, add_region) is None
        assert form_status(form) == 200
    assert regions() == 0


def test_an_invalid_form_calls_nothing_and_answers_400(app):
    with app.test_request_context("/", method="POST", data={"name": ""}):
        form = name_form()
        assert submit(form, add_region) is None
        assert form.name.errors
        assert form_status(form) == 400
    assert regions() == 0


def test_a_valid_form_calls_the_service_and_hands_back_what_it_returned(app):
    with app.test_request_context("/", method="POST", data={"name": "Bretagne"}):
        form = name_form()
        done = submit(form, add_region)
        assert isinstance(done, Done) and done
        assert done.value.code == "98"
        assert form_status(form) == 200
    assert regions() == 1


def test_a_refusal_naming_a_field_goes_under_it_and_is_rolled_back(app):
    with app.test_request_context("/", method="POST", data={"name": "Bretagne"}):
        form = name_form()
        outcome = submit(form, lambda: add_region_then_refuse(field="name"))
        assert isinstance(outcome, Refused) and not outcome
        assert outcome.field == "name"
        assert form.name.errors == ["Ce nom est déjà pris."]
        assert form.form_errors == []
        assert form_status(form) == 400
        assert not db.session.new
    assert regions() == 0


def test_a_refusal_naming_no_field_goes_at_the_top_of_the_form(app):
    with app.test_request_context("/", method="POST", data={"name": "Bretagne"}):
        form = name_form()
        outcome = submit(form, add_region_then_refuse)
        assert isinstance(outcome, Refused)
        assert outcome.field is None
        assert form.form_errors == ["Ce nom est déjà pris."]
        assert form_status(form) == 400
    assert regions() == 0


def test_a_one_click_action_flashes_a_refusal_and_nothing_on_success(app):
    with app.test_request_context("/", method="POST"):
        assert not act(add_region_then_refuse)
        assert get_flashed_messages(with_categories=True) == [("error", "Ce nom est déjà pris.")]
    assert regions() == 0
    with app.test_request_context("/", method="POST"):
        done = act(add_region)
        assert done and done.value.name == "Acceptée"
        assert get_flashed_messages() == []
    assert regions() == 1


class LinkExpired(Exception):
    """Not a ServiceError: refused only where a view says so."""


def expire() -> None:
    raise LinkExpired("Ce lien a expiré.")


def test_other_refusals_are_caught_only_when_named(app):
    with app.test_request_context("/", method="POST", data={"name": "Bretagne"}):
        form = name_form()
        outcome = submit(form, expire, refusals=(LinkExpired, ServiceError))
        assert isinstance(outcome, Refused)
        assert outcome.message == "Ce lien a expiré."
        assert form.form_errors == ["Ce lien a expiré."]
    with app.test_request_context("/", method="POST"), pytest.raises(LinkExpired):
        attempt(expire)
