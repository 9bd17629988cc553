"""Recording the anonymous recruit snapshot (pilotage.models.Recruit).

Called by the hire (applications.services.hire) and by the filing of a cofunding
request (cofunding.services.submit), inside their transaction: the caller commits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from sqlalchemy import select

from recrutement.applications.models import Application
from recrutement.candidates.models import CandidateProfile
from recrutement.core.time import PARIS, paris_today
from recrutement.extensions import db
from recrutement.offers.models import FIXED_TERM_CONTRACTS
from recrutement.offers.rules import add_months
from recrutement.organisations.models import Organisation, OrganisationKind
from recrutement.pilotage.models import Recruit, RecruitSource
from recrutement.pilotage.profile import diploma_band, experience_band

if TYPE_CHECKING:
    from recrutement.cofunding.models import CofundingRequest


def employer_kind(organisation: Organisation) -> str:
    """commune, epci or petr."""
    if organisation.kind == OrganisationKind.COMMUNE or organisation.grouping is None:
        return "commune"
    kind: str = organisation.grouping.kind
    return kind


def _snapshot_for(organisation: Organisation, post_key: str) -> Recruit:
    recruit = db.session.scalar(
        select(Recruit).where(
            Recruit.organisation_id == organisation.id, Recruit.post_key == post_key
        )
    )
    if recruit is None:
        recruit = Recruit(organisation_id=organisation.id, post_key=post_key)
    recruit.department_code = organisation.department_code
    recruit.employer_kind = employer_kind(organisation)
    return recruit


def record_hire(application: Application) -> Recruit:
    """The snapshot of a hire: the post starts on the offer's start date (or today when
    that is past or unknown) and, for a fixed-term contract, ends after its duration."""
    offer = application.offer
    today = paris_today()
    recruit = _snapshot_for(offer.organisation, f"offer:{offer.id}")
    recruit.offer_id = offer.id
    recruit.source = RecruitSource.HIRE
    started = offer.start_date if offer.start_date and offer.start_date > today else today
    recruit.started_on = started
    recruit.ends_on = (
        add_months(started, offer.duration_months)
        if offer.contract_type in FIXED_TERM_CONTRACTS and offer.duration_months
        else None
    )
    recruit.hired_on = today
    published = offer.first_published_at or offer.published_at
    recruit.days_to_hire = (
        max((today - published.astimezone(PARIS).date()).days, 0) if published else None
    )
    profile = (
        db.session.scalar(
            select(CandidateProfile).where(CandidateProfile.user_id == application.candidate_id)
        )
        if application.candidate_id
        else None
    )
    recruit.experience = experience_band(profile.experience_years) if profile else None
    recruit.diploma = diploma_band(profile.diploma) if profile else None
    recruit.field_of_study = profile.field_of_study if profile else None
    recruit.gender = profile.gender if profile else None
    db.session.add(recruit)
    return recruit


def record_declared_post(request: CofundingRequest) -> Recruit:
    """What a filed cofunding request says of its post: its holder's start date and the
    contract's end. A post hired on the platform keeps its profile; one filled
    elsewhere gets a snapshot without profile answers."""
    recruit = _snapshot_for(request.organisation, request.post_key)
    # A snapshot just created has no source yet (the column is required once written).
    if cast(str | None, recruit.source) is None:
        recruit.source = RecruitSource.DECLARED
        recruit.offer_id = request.offer_id
    recruit.started_on = request.holder_start_date
    recruit.ends_on = request.contract_end_date
    db.session.add(recruit)
    return recruit
