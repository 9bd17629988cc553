"""Where a figure is counted: France, a région, a département, or a préfecture's
départements. Every figure of pilotage.figures takes one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression, select, true

from recrutement.extensions import db
from recrutement.referential.models import Department, Region

FRANCE = "france"
REGION = "region"
DEPARTMENT = "departement"


class UnknownPlace(ValueError):
    """A région or département code that the referential does not know."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class Scope:
    """`department_codes` is None for the whole of France."""

    level: str
    code: str | None
    name: str
    department_codes: tuple[str, ...] | None = None

    @property
    def is_france(self) -> bool:
        return self.department_codes is None

    def where(self, column: SQLColumnExpression[str]) -> ColumnElement[bool]:
        """The SQL condition that keeps rows whose département `column` is in the scope."""
        if self.department_codes is None:
            return true()
        return column.in_(self.department_codes)

    def includes(self, department_code: str) -> bool:
        return self.department_codes is None or department_code in self.department_codes


def france() -> Scope:
    return Scope(FRANCE, None, "France")


def region(code: str) -> Scope:
    found = db.session.get(Region, code)
    if found is None:
        raise UnknownPlace("region", f"Région inconnue : « {code} ».")
    codes = db.session.scalars(
        select(Department.code).where(Department.region_code == code).order_by(Department.code)
    ).all()
    return Scope(REGION, code, found.name, tuple(codes))


def department(code: str) -> Scope:
    found = db.session.get(Department, code)
    if found is None:
        raise UnknownPlace("departement", f"Département inconnu : « {code} ».")
    return Scope(DEPARTMENT, code, found.label, (code,))


def departments(codes: list[str]) -> Scope:
    """A préfecture's départements (usually one)."""
    if len(codes) == 1:
        return department(codes[0])
    found = db.session.scalars(
        select(Department).where(Department.code.in_(codes)).order_by(Department.code)
    ).all()
    return Scope(
        DEPARTMENT,
        None,
        ", ".join(item.label for item in found),
        tuple(item.code for item in found),
    )


def from_args(args: Mapping[str, str]) -> Scope:
    """The scope chosen by `?departement=` or `?region=` (the département wins); France
    when neither is given. Raises UnknownPlace for a code the referential lacks."""
    department_code = (args.get("departement") or "").strip()
    region_code = (args.get("region") or "").strip()
    if department_code:
        return department(department_code)
    if region_code:
        return region(region_code)
    return france()
