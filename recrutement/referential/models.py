"""Referential models (docs/glossary.md): Region, Department, Commune, Grouping."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recrutement.extensions import Model, db

grouping_member = Table(
    "grouping_member",
    db.metadata,
    Column("grouping_siren", ForeignKey("grouping.siren", ondelete="CASCADE"), primary_key=True),
    Column("commune_insee_code", ForeignKey("commune.insee_code"), primary_key=True),
)


class Region(Model):
    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))

    departments: Mapped[list[Department]] = relationship(back_populates="region")


class Department(Model):
    __tablename__ = "department"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)

    region: Mapped[Region] = relationship(back_populates="departments")

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})"


class Grouping(Model):
    """An intercommunality: an EPCI from the referential or a PETR declared by hand."""

    __tablename__ = "grouping"

    siren: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # `epci` or `petr`
    kind: Mapped[str] = mapped_column(String(10))
    # Legal form of an EPCI: CC, CA, CU, METRO, MET69; empty for a PETR.
    legal_form: Mapped[str] = mapped_column(String(10), default="")
    # The département of the seat (most member communes); scopes the préfecture.
    department_code: Mapped[str | None] = mapped_column(ForeignKey("department.code"), index=True)
    # Lowercase, accent-free name for type-ahead search.
    search_name: Mapped[str] = mapped_column(String(200), index=True)
    # True for groupings declared by an employer (PETR), not loaded from the sources.
    declared: Mapped[bool] = mapped_column(default=False)

    department: Mapped[Department | None] = relationship()
    members: Mapped[list[Commune]] = relationship(
        secondary=grouping_member, order_by="Commune.name"
    )


class Commune(Model):
    __tablename__ = "commune"
    __table_args__ = (Index("ix_commune_is_pvd_department", "is_pvd", "department_code"),)

    insee_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    search_name: Mapped[str] = mapped_column(String(200), index=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    population: Mapped[int | None] = mapped_column(Integer)
    # Space-separated list, e.g. "29300 29360".
    postcodes: Mapped[str] = mapped_column(String(250), default="")
    siren: Mapped[str | None] = mapped_column(String(9))
    epci_siren: Mapped[str | None] = mapped_column(ForeignKey("grouping.siren"), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # How the coordinates were found: `geonames` (matched), or estimated from the
    # `postcode`, `epci` or `department` neighbours; `none` when nothing could place it.
    coordinates_source: Mapped[str] = mapped_column(String(20), default="")
    is_pvd: Mapped[bool] = mapped_column(default=False)
    pvd_convention_signed_on: Mapped[date | None]

    department: Mapped[Department] = relationship()
    region: Mapped[Region] = relationship()
    epci: Mapped[Grouping | None] = relationship(foreign_keys=[epci_siren])

    @property
    def label(self) -> str:
        first_postcode = self.postcodes.split(" ")[0] if self.postcodes else self.department_code
        return f"{self.name} ({first_postcode})"
