"""The collectivité's home (issue 11, point 7): its offers with the applications new
since the member's previous visit, what awaits an action, and "Créer une offre"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from recrutement.accounts.models import Role
from recrutement.applications.models import ApplicationStatus
from recrutement.cofunding import instruction
from recrutement.cofunding import services as cofunding
from recrutement.core.time import paris_today, utcnow
from recrutement.extensions import db
from recrutement.offers.models import OfferStatus
from recrutement.organisations.home import VISIT_GAP
from tests import factories
from tests.applications.test_employer_handling import make_application
from tests.cofunding.conftest import content


@pytest.fixture
def employer(login_as):
    return login_as(Role.EMPLOYER)


def received(application, ago: timedelta):
    application.created_at = utcnow() - ago
    db.session.commit()
    return application


def visit_ended(member, ago: timedelta):
    """As if the member's last home view was `ago` ago (a visit that has ended)."""
    member.membership.last_seen_at = utcnow() - ago
    db.session.commit()


def test_a_new_organisation_sees_what_to_do_first(client, employer):
    page = client.get("/collectivite/").page
    assert 'href="/collectivite/offres/nouvelle"' in page and "Créer une offre" in page
    assert "Aucune offre publiée pour le moment." in page
    assert "Rien n'attend d'action de votre part pour le moment." in page
    assert "0 nouvelle candidature" not in page  # the figure and its label are apart
    assert "nouvelle candidature" in page and "ces 7 derniers jours" in page


def test_offers_show_their_new_applications_since_the_previous_visit(client, employer):
    open_offer = factories.OfferFactory(organisation=employer.organisation, title="Urbaniste")
    filled = factories.OfferFactory(
        organisation=employer.organisation, title="Poste pourvu", status=OfferStatus.FILLED
    )
    draft = factories.OfferFactory(
        organisation=employer.organisation, title="Brouillon", status=OfferStatus.DRAFT
    )
    received(make_application(open_offer, "ancien@exemple.fr"), timedelta(days=3))
    received(make_application(open_offer, "hier@exemple.fr"), timedelta(hours=20))
    received(make_application(open_offer, "matin@exemple.fr"), timedelta(hours=3))
    received(make_application(filled, "pourvu@exemple.fr"), timedelta(days=20))

    # The previous visit ended two days ago: two of the three applications are new.
    visit_ended(employer, timedelta(days=2))
    page = client.get("/collectivite/").page
    assert "Urbaniste" in page and "2 nouvelles" in page
    assert "depuis votre dernière visite, le " in page
    assert "Poste pourvu" not in page  # neither open nor anything new
    assert draft.title not in page.split("vos-offres")[1].split("Toutes nos offres")[0]
    assert "(dont 1 brouillon)" in page

    # Back on the home within the same visit: the counts stay.
    assert "2 nouvelles" in client.get("/collectivite/").page

    # A later visit: what was new is not any more; a newcomer is.
    visit_ended(employer, VISIT_GAP + timedelta(minutes=1))
    received(make_application(open_offer, "nouveau@exemple.fr"), timedelta(seconds=1))
    page = client.get("/collectivite/").page
    assert "1 nouvelle" in page and "2 nouvelles" not in page


def test_an_offer_that_is_no_longer_open_shows_when_it_received_something_new(client, employer):
    closed = factories.OfferFactory(
        organisation=employer.organisation, title="Offre close", status=OfferStatus.CLOSED
    )
    make_application(closed, "tardif@exemple.fr")
    page = client.get("/collectivite/").page
    assert "Offre close" in page and "1 nouvelle" in page and "clôturée" in page


def test_what_awaits_an_action(client, employer, programme_rule, referential):
    offer = factories.OfferFactory(
        organisation=employer.organisation,
        title="Chef de projet revitalisation",
        application_deadline=paris_today() + timedelta(days=3),
    )
    later = factories.OfferFactory(
        organisation=employer.organisation,
        title="Offre au long cours",
        application_deadline=paris_today() + timedelta(days=40),
    )
    make_application(offer, "a@exemple.fr")
    make_application(offer, "b@exemple.fr")
    make_application(later, "c@exemple.fr", ApplicationStatus.IN_REVIEW)
    hired = make_application(later, "d@exemple.fr", ApplicationStatus.HIRED)
    request = cofunding.create_request(employer, content())
    cofunding.submit(employer, request)
    prefecture = factories.UserFactory(role=Role.PREFECTURE)
    prefecture.departments = [referential["departments"]["29"]]
    db.session.commit()
    instruction.open_instruction(prefecture, request)
    instruction.request_changes(prefecture, request, "Joignez la délibération.")

    page = client.get("/collectivite/").page
    todo = page.split('id="a-traiter"')[1].split('id="vos-offres"')[0]
    assert f"complément sur la demande de cofinancement n° {request.id}" in todo
    assert f'href="/collectivite/cofinancements/{request.id}"' in todo
    assert "2 candidatures à examiner" in todo
    assert 'href="/collectivite/candidatures?etat=sent"' in todo
    assert "1 entretien à organiser" in todo
    assert 'href="/collectivite/candidatures?etat=in_review"' in todo
    assert "« Chef de projet revitalisation » : date limite dans 3 jours" in todo
    assert "« Offre au long cours » : date limite" not in todo
    assert f"Demander le cofinancement du poste pourvu par {hired.candidate.full_name}" in todo
    # Five things to do (the two applications to examine count as one task).
    assert '<span class="app-figure__number">5</span>' in page

    # Once the request is filed for the hire, that task goes.
    cofunding.create_request(employer, content(), hire=hired)
    todo = client.get("/collectivite/").page.split('id="a-traiter"')[1]
    assert "Demander le cofinancement du poste pourvu" not in todo.split('id="vos-offres"')[0]


def test_another_organisation_s_activity_never_shows(client, employer, referential):
    theirs = factories.OfferFactory(
        organisation__commune=referential["commercy"],
        title="Offre de Commercy",
        application_deadline=paris_today() + timedelta(days=2),
    )
    make_application(theirs, "x@exemple.fr")
    make_application(theirs, "y@exemple.fr", ApplicationStatus.IN_REVIEW)
    page = client.get("/collectivite/").page
    assert "Offre de Commercy" not in page
    assert "Rien n'attend d'action de votre part pour le moment." in page
    assert '<span class="app-figure__number">0</span>' in page


def test_the_visit_is_the_member_s_own(client, employer, login_as, app):
    """A colleague's visit does not make the applications old for this member."""
    offer = factories.OfferFactory(organisation=employer.organisation, title="Urbaniste")
    make_application(offer, "a@exemple.fr")
    colleague = factories.MembershipFactory(organisation=employer.organisation).user
    colleague.membership.last_seen_at = utcnow()
    colleague.membership.previous_visit_at = utcnow()
    db.session.commit()
    assert "1 nouvelle" in client.get("/collectivite/").page
    db.session.refresh(employer.membership)
    assert employer.membership.last_seen_at is not None


def test_only_employers_reach_the_home(client, login_as):
    assert client.get("/collectivite/").headers["Location"].startswith("/connexion?next=")
    login_as(Role.CANDIDATE)
    assert client.get("/collectivite/").status_code == 403
