"""The candidate's profile (/candidat/profil): identity, town, mobility, default CV
and the optional answers for the programme's statistics."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from recrutement.accounts.models import Role
from recrutement.accounts.permissions import roles
from recrutement.candidates import profile as profile_services
from recrutement.candidates.forms import ProfileForm
from recrutement.files.views import send_stored_file
from recrutement.web.candidate import bp
from recrutement.web.transaction import form_status, submit


def _profile_form(profile, mobility: list[profile_services.MobilityRegion]) -> ProfileForm:
    form = ProfileForm()
    form.set_places(
        [place.region for place in mobility],
        [department for place in mobility for department in place.departments],
    )
    if request.method == "GET":
        form.first_name.data = current_user.first_name
        form.last_name.data = current_user.last_name
        form.town.data = profile_services.town_text(profile)
        if profile is not None:
            form.phone.data = profile.phone
            form.mobility_regions.data = list(profile.mobility_regions or [])
            form.mobility_departments.data = list(profile.mobility_departments or [])
            years = profile.experience_years
            form.experience_years.data = "" if years is None else str(years)
            form.diploma.data = profile.diploma or ""
            form.field_of_study.data = profile.field_of_study or ""
            form.gender.data = profile.gender or ""
    return form


def _content(form: ProfileForm) -> profile_services.ProfileContent:
    return profile_services.ProfileContent(
        first_name=form.first_name.data or "",
        last_name=form.last_name.data or "",
        phone=form.phone.data or "",
        town=form.town.data or "",
        mobility_regions=form.mobility_regions.data or [],
        mobility_departments=form.mobility_departments.data or [],
        cv_upload=form.cv.data or None,
        remove_cv=form.remove_cv.data,
        experience_years=form.experience_years.data,
        diploma=form.diploma.data or "",
        field_of_study=form.field_of_study.data or "",
        gender=form.gender.data or "",
    )


@bp.route("/profil", methods=["GET", "POST"])
@roles(Role.CANDIDATE)
def profile():
    found = profile_services.existing_profile(current_user)
    mobility = profile_services.mobility_places()
    form = _profile_form(found, mobility)
    if submit(form, lambda: profile_services.update_profile(current_user, _content(form))):
        flash("Votre profil est enregistré.", "success")
        return redirect(url_for("candidate.profile"))
    return (
        render_template("candidate/profile.html", form=form, profile=found, mobility=mobility),
        form_status(form),
    )


@bp.get("/profil/cv")
@roles(Role.CANDIDATE)
def profile_cv():
    cv = profile_services.default_cv_of(current_user)
    if cv is None:
        abort(404)
    return send_stored_file(cv)
