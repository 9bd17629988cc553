"""Where the demo may go: the départements the PVD programme covers, and stand-in PVD
towns until ANCT imports the official list."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, func, select

from recrutement.extensions import db
from recrutement.referential.models import Commune, Department

# Demo PVD towns per département when no official list was imported: the most
# populous communes under 20,000 inhabitants stand in for the real laureates, in the
# places the programme covers (see in_programme).
DEMO_PVD_TOWNS_PER_DEPARTMENT = 16
DEMO_PVD_SIGNED_ON = date(2021, 6, 15)


def in_programme() -> ColumnElement[bool]:
    """The départements the PVD programme covers: metropolitan France and the five
    overseas départements-régions. In the referential, the collectivités d'outre-mer
    (Saint-Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin, Wallis-et-Futuna,
    Polynésie, Nouvelle-Calédonie), the Terres australes and Clipperton are each their
    own région: they have no PVD town, so the demo gives them none (nor any offer)."""
    return Department.region_code != Department.code


def mark_demo_pvd_towns() -> None:
    """Stand-in PVD towns when no official list was imported (commits nothing)."""
    outside = select(Department.code).where(~in_programme())
    # Demo marks of an earlier version of this code in places outside the programme.
    for town in db.session.scalars(
        select(Commune).where(
            Commune.is_pvd,
            Commune.pvd_convention_signed_on == DEMO_PVD_SIGNED_ON,
            Commune.department_code.in_(outside),
        )
    ):
        town.is_pvd = False
        town.pvd_convention_signed_on = None
    db.session.flush()
    if db.session.scalar(select(func.count()).where(Commune.is_pvd)):
        return  # an official list was imported, or the demo already ran
    for department_code in db.session.scalars(select(Department.code).where(in_programme())):
        towns = db.session.scalars(
            select(Commune)
            .where(
                Commune.department_code == department_code,
                Commune.population > 0,
                Commune.population < 20_000,
            )
            .order_by(Commune.population.desc())
            .limit(DEMO_PVD_TOWNS_PER_DEPARTMENT)
        )
        for town in towns:
            town.is_pvd = True
            town.pvd_convention_signed_on = DEMO_PVD_SIGNED_ON
