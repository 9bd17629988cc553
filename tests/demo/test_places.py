"""Places without PVD towns stay out of the demo (issue 11, point 5): the demo marks
no stand-in PVD town there, and the offer generator places no offer there."""

from __future__ import annotations

from sqlalchemy import select

from recrutement.demo.offers import create_demo_offers
from recrutement.demo.places import DEMO_PVD_SIGNED_ON, mark_demo_pvd_towns
from recrutement.extensions import db
from recrutement.offers.models import Offer
from recrutement.referential.models import Commune
from tests import factories


def test_a_department_without_pvd_towns_gets_no_offer(referential):
    clipperton = factories.DepartmentFactory(
        code="989",
        name="Île de Clipperton",
        region=factories.RegionFactory(code="989", name="Île de Clipperton"),
    )
    factories.CommuneFactory(insee_code="98901", name="Île de Clipperton", department=clipperton)
    no_pvd = factories.CommuneFactory(department=referential["departments"]["29"])

    create_demo_offers(30)

    workplaces = set(db.session.scalars(select(Offer.workplace_insee_code)))
    assert workplaces
    assert all(db.session.get(Commune, code).is_pvd for code in workplaces)
    assert "98901" not in workplaces and no_pvd.insee_code not in workplaces


def test_the_demo_marks_no_pvd_town_outside_the_programme(app):
    for code, name in (("29", "Finistère"), ("975", "Saint-Pierre-et-Miquelon")):
        region = factories.RegionFactory(code="53" if code == "29" else code, name=name)
        department = factories.DepartmentFactory(code=code, name=name, region=region)
        factories.CommuneFactory(
            insee_code=f"{code}001"[:5], department=department, population=5000
        )
    # An earlier demo had marked Saint-Pierre-et-Miquelon: the next seed takes it back.
    stale = factories.CommuneFactory(
        insee_code="97502",
        department=db.session.get(type(department), "975"),
        population=5194,
        is_pvd=True,
        pvd_convention_signed_on=DEMO_PVD_SIGNED_ON,
    )

    mark_demo_pvd_towns()
    db.session.commit()

    pvd = set(db.session.scalars(select(Commune.department_code).where(Commune.is_pvd)))
    assert pvd == {"29"}
    assert not db.session.get(Commune, stale.insee_code).is_pvd
