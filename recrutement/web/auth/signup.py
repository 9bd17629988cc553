"""Signing up as a candidate or for a collectivité, and confirming the email address."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from recrutement.accounts import services as accounts
from recrutement.accounts.forms import CandidateSignupForm, EmailForm
from recrutement.accounts.permissions import home_url_for, public
from recrutement.accounts.tokens import TokenError
from recrutement.core.french import commune_organisation_name
from recrutement.extensions import db
from recrutement.organisations import services as organisations
from recrutement.organisations.forms import EmployerSignupForm
from recrutement.referential.models import Commune, Department, Grouping
from recrutement.web.auth import bp
from recrutement.web.auth.sign_in import remote_address
from recrutement.web.transaction import form_status, submit


@bp.route("/inscription/candidat", methods=["GET", "POST"])
@public
def signup_candidate():
    form = CandidateSignupForm()
    if done := submit(
        form,
        lambda: accounts.register_candidate(
            form.email.data,
            form.password.data,
            form.first_name.data,
            form.last_name.data,
            remote_address(),
        ),
    ):
        return render_template("auth/check_your_email.html", email=done.value.email)
    return render_template("auth/signup_candidate.html", form=form), form_status(form)


@bp.route("/inscription/collectivite", methods=["GET", "POST"])
@public
def signup_employer():
    """Two steps, both usable without JavaScript: find the collectivité, then sign up."""
    form = EmployerSignupForm()
    choice_value = request.values.get("choix") or form.choice.data or ""
    if not choice_value:
        query = request.args.get("q", "")
        results = organisations.search_collectivities(query)
        return render_template("auth/signup_employer_search.html", query=query, results=results)

    choice = _parse_choice(choice_value, form)
    if choice is None:
        flash("Cette collectivité est introuvable : recherchez-la de nouveau.", "error")
        return redirect(url_for("auth.signup_employer"))
    form.choice.data = choice_value
    departments = (
        list(db.session.scalars(select(Department).order_by(Department.code)))
        if choice.kind == "petr"
        else []
    )
    if choice.kind == "petr" and not choice.petr_department_code:
        return render_template(
            "auth/signup_employer_petr.html", departments=departments, choice_value=choice_value
        )
    towns = organisations.candidate_towns(choice)
    form.towns.choices = [
        SelectChoice(
            town.insee_code, town.label + (" — Petites villes de demain" if town.is_pvd else "")
        )
        for town in towns
    ]
    if request.method == "GET":
        # Pre-check what is most likely: the commune itself, or the grouping's PVD towns.
        form.towns.data = [
            town.insee_code for town in towns if choice.kind == "commune" or town.is_pvd
        ]
    if done := submit(
        form,
        lambda: organisations.register_employer(
            email=form.email.data,
            password=form.password.data,
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            choice=choice,
            town_codes=form.towns.data,
            remote_address=remote_address(),
        ),
    ):
        return render_template("auth/check_your_email.html", email=done.value.email, employer=True)
    return (
        render_template(
            "auth/signup_employer.html",
            form=form,
            choice=choice,
            choice_label=_choice_label(choice),
            departments=departments,
        ),
        form_status(form),
    )


def _parse_choice(value: str, form: EmployerSignupForm) -> organisations.OrganisationChoice | None:
    kind, _, key = value.partition(":")
    if kind == "petr":
        department = request.values.get("departement") or form.petr_department.data or ""
        form.petr_department.data = department
        return organisations.OrganisationChoice(
            "petr",
            key=(form.petr_siren.data or "").strip(),
            petr_name=form.petr_name.data or "",
            petr_department_code=department,
        )
    if kind in {"commune", "grouping"} and key:
        choice = organisations.OrganisationChoice(kind, key=key)
        return choice if organisations.candidate_towns(choice) else None
    return None


def _choice_label(choice: organisations.OrganisationChoice) -> str:
    if choice.kind == "commune":
        return commune_organisation_name(db.session.get_one(Commune, choice.key).name)
    if choice.kind == "grouping":
        return db.session.get_one(Grouping, choice.key).name
    department = db.session.get(Department, choice.petr_department_code)
    return f"PETR — {department.label}" if department else "PETR"


@bp.get("/inscription/confirmer/<token>")
@public
def confirm_email(token: str):
    try:
        user = accounts.confirm_email(token)
    except TokenError as error:
        flash(str(error), "error")
        return redirect(url_for("auth.resend_confirmation"))
    flash("Votre adresse électronique est confirmée. Vous pouvez vous connecter.", "success")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(home_url_for(user))
    return redirect(url_for("auth.login"))


@bp.route("/inscription/renvoyer-confirmation", methods=["GET", "POST"])
@public
def resend_confirmation():
    form = EmailForm()
    if form.validate_on_submit():
        accounts.resend_confirmation(form.email.data, remote_address())
        flash(
            "Si un compte non confirmé existe pour cette adresse, un nouveau lien vient de lui "
            "être envoyé. Il est valable une heure.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/resend_confirmation.html", form=form)
