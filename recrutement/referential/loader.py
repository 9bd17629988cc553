"""Load the shipped referential file into the database, fast and idempotently.

The file (`data/referential.json.gz`, rebuilt by `scripts/build_referential.py`)
holds régions, départements, EPCI with their members and current communes. The
loader compares it with the database and writes only the difference, with
SQLAlchemy Core bulk statements:

- rows of the file missing from the database are inserted, rows that differ are
  updated; loading the same file twice writes nothing;
- the PVD columns of communes (`is_pvd`, `pvd_convention_signed_on`) are never
  written for an existing commune, and groupings declared by users
  (`declared=True`, PETR) are never touched, nor their members;
- rows that the file no longer holds (a commune merged into a commune nouvelle,
  a dissolved EPCI) are deleted only when nothing references them; otherwise
  they are kept (a kept commune leaves its EPCI) and counted in `kept`.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    String,
    Table,
    bindparam,
    column,
    delete,
    insert,
    inspect,
    select,
    table,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnClause

from recrutement.extensions import db
from recrutement.referential.models import Commune, Department, Grouping, Region, grouping_member
from recrutement.referential.text import fold

DATA_FILE = Path(__file__).resolve().parent / "data" / "referential.json.gz"
SUPPORTED_FORMAT = 1

# A mapped class's __table__ is typed as any FROM clause; these are plain tables.
REGION = cast(Table, Region.__table__)
DEPARTMENT = cast(Table, Department.__table__)
GROUPING = cast(Table, Grouping.__table__)
COMMUNE = cast(Table, Commune.__table__)
MEMBER = grouping_member

REGION_COLUMNS = ("code", "name")
DEPARTMENT_COLUMNS = ("code", "name", "region_code")
# Columns of the commune table that the referential owns (never the PVD ones).
COMMUNE_COLUMNS = (
    "insee_code",
    "name",
    "search_name",
    "department_code",
    "region_code",
    "population",
    "postcodes",
    "siren",
    "epci_siren",
    "latitude",
    "longitude",
    "coordinates_source",
)
GROUPING_COLUMNS = (
    "siren",
    "name",
    "kind",
    "legal_form",
    "department_code",
    "search_name",
    "declared",
)
TABLE_NAMES = ("regions", "departments", "groupings", "communes", "grouping_members")
CHUNK = 500


class ReferentialFileError(ValueError):
    """The data file is missing, unreadable or of an unknown format."""


def read_referential_file(path: Path | str | None = None) -> dict[str, Any]:
    """Read the data file and return the rows each table should hold.

    Returns a dict with `regions`, `departments`, `groupings`, `communes` (each a
    dict from primary key to a row dict), `grouping_members` (a set of
    (siren, insee_code) pairs), `sources` (versions) and `postcodes_truncated`.
    """
    path = Path(path) if path else DATA_FILE
    try:
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            raw = json.load(stream)
    except (OSError, ValueError) as error:
        raise ReferentialFileError(f"{path}: {error}") from error
    if raw.get("format") != SUPPORTED_FORMAT:
        raise ReferentialFileError(f"{path}: unsupported format {raw.get('format')!r}")

    regions = {code: {"code": code, "name": name} for code, name in raw["regions"]}
    departments = {
        code: {"code": code, "name": name, "region_code": region}
        for code, name, region in raw["departments"]
    }

    groupings: dict[str, dict[str, Any]] = {}
    members: set[tuple[str, str]] = set()
    position = {name: index for index, name in enumerate(raw["grouping_columns"])}
    for row in raw["groupings"]:
        siren = row[position["siren"]]
        name = row[position["name"]]
        groupings[siren] = {
            "siren": siren,
            "name": name,
            "kind": "epci",
            "legal_form": row[position["legal_form"]],
            "department_code": row[position["department_code"]],
            "search_name": fold(name),
            "declared": False,
        }
        members.update((siren, insee_code) for insee_code in row[position["members"]])

    # The model bounds the postcode list; a longer one (Paris) keeps whole postcodes.
    postcodes_type = COMMUNE.c.postcodes.type
    postcodes_length = postcodes_type.length if isinstance(postcodes_type, String) else None
    truncated = 0
    communes: dict[str, dict[str, Any]] = {}
    names = raw["commune_columns"]
    for values in raw["communes"]:
        row = dict(zip(names, values, strict=True))
        postcodes = row["postcodes"] or ""
        if postcodes_length and len(postcodes) > postcodes_length:
            postcodes = postcodes[: postcodes_length + 1].rsplit(" ", 1)[0]
            truncated += 1
        communes[row["insee_code"]] = {
            "insee_code": row["insee_code"],
            "name": row["name"],
            "search_name": fold(row["name"]),
            "department_code": row["department_code"],
            "region_code": row["region_code"],
            "population": row["population"],
            "postcodes": postcodes,
            "siren": row["siren"],
            "epci_siren": row["epci_siren"],
            "latitude": row["latitude"],
            "longitude": row["longitude"],
            "coordinates_source": row["coordinates_source"],
        }
    return {
        "sources": raw.get("sources", {}),
        "regions": regions,
        "departments": departments,
        "groupings": groupings,
        "communes": communes,
        "grouping_members": members,
        "postcodes_truncated": truncated,
    }


def load_referential(
    session: Session | None = None, path: Path | str | None = None
) -> dict[str, Any]:
    """Bring the database's referential in line with the data file; commit.

    Returns the counts: the rows of the file per table (`regions`,
    `departments`, `groupings`, `communes`, `grouping_members`), and per table
    the rows `inserted`, `updated`, `deleted`, and `kept` (in the database but
    no longer in the file, kept because referenced), `declared_conflicts`
    (EPCI of the file whose SIREN a user already declared: left alone),
    `postcodes_truncated` and `changed` (False when nothing was written).
    """
    session = session if session is not None else db.session()
    wanted = read_referential_file(path)
    try:
        counts = _synchronise(session, wanted)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return counts


# --- synchronisation ----------------------------------------------------------------------


def _synchronise(session: Session, wanted: dict[str, Any]) -> dict[str, Any]:
    counts: dict[str, Any] = {name: len(wanted[name]) for name in TABLE_NAMES}
    for key in ("inserted", "updated", "deleted", "kept"):
        counts[key] = dict.fromkeys(TABLE_NAMES, 0)
    counts["postcodes_truncated"] = wanted["postcodes_truncated"]

    existing_regions = _rows(session, REGION, REGION_COLUMNS)
    existing_departments = _rows(session, DEPARTMENT, DEPARTMENT_COLUMNS)
    existing_groupings = _rows(session, GROUPING, GROUPING_COLUMNS)
    existing_communes = _rows(session, COMMUNE, COMMUNE_COLUMNS)
    existing_members = {
        (siren, code)
        for siren, code in session.execute(
            select(MEMBER.c.grouping_siren, MEMBER.c.commune_insee_code)
        )
    }

    declared_index = GROUPING_COLUMNS.index("declared")
    declared = {siren for siren, row in existing_groupings.items() if row[declared_index]}
    wanted_groupings = {s: r for s, r in wanted["groupings"].items() if s not in declared}
    counts["declared_conflicts"] = len(wanted["groupings"]) - len(wanted_groupings)

    # Parents before children: a commune references its EPCI, a member both.
    _upsert(session, REGION, REGION_COLUMNS, wanted["regions"], existing_regions, counts, "regions")
    _upsert(
        session,
        DEPARTMENT,
        DEPARTMENT_COLUMNS,
        wanted["departments"],
        existing_departments,
        counts,
        "departments",
    )
    _upsert(
        session,
        GROUPING,
        GROUPING_COLUMNS,
        wanted_groupings,
        existing_groupings,
        counts,
        "groupings",
    )
    _upsert(
        session,
        COMMUNE,
        COMMUNE_COLUMNS,
        wanted["communes"],
        existing_communes,
        counts,
        "communes",
    )

    # Members of the referential's groupings (never of declared ones).
    wanted_members = {pair for pair in wanted["grouping_members"] if pair[0] not in declared}
    managed_members = {pair for pair in existing_members if pair[0] not in declared}
    stale_members = sorted(managed_members - wanted_members)
    new_members = sorted(wanted_members - existing_members)
    if stale_members:
        session.execute(
            delete(MEMBER).where(
                MEMBER.c.grouping_siren == bindparam("b_siren"),
                MEMBER.c.commune_insee_code == bindparam("b_code"),
            ),
            [{"b_siren": siren, "b_code": code} for siren, code in stale_members],
        )
    if new_members:
        session.execute(
            insert(MEMBER),
            [{"grouping_siren": siren, "commune_insee_code": code} for siren, code in new_members],
        )
    counts["deleted"]["grouping_members"] = len(stale_members)
    counts["inserted"]["grouping_members"] = len(new_members)

    # Rows the file no longer holds, children first so that parents become free.
    obsolete_communes = sorted(set(existing_communes) - set(wanted["communes"]))
    if obsolete_communes:
        leaving = [
            {"b_key": code}
            for code in obsolete_communes
            if existing_communes[code][COMMUNE_COLUMNS.index("epci_siren")] is not None
        ]
        if leaving:
            counts["updated"]["communes"] += len(leaving)
            session.execute(
                update(COMMUNE)
                .where(COMMUNE.c.insee_code == bindparam("b_key"))
                .values(epci_siren=None),
                leaving,
            )
        # A PVD town stays until ANCT's list drops it (pvd_import), even if merged.
        pvd: set[str] = set()
        for start in range(0, len(obsolete_communes), CHUNK):
            chunk = obsolete_communes[start : start + CHUNK]
            pvd.update(
                session.scalars(
                    select(COMMUNE.c.insee_code).where(
                        COMMUNE.c.insee_code.in_(chunk), COMMUNE.c.is_pvd.is_(True)
                    )
                )
            )
        _delete_unreferenced(
            session, COMMUNE, "insee_code", obsolete_communes, counts, "communes", keep=pvd
        )
    obsolete_groupings = sorted(
        siren
        for siren in set(existing_groupings) - set(wanted["groupings"])
        if siren not in declared
    )
    _delete_unreferenced(session, GROUPING, "siren", obsolete_groupings, counts, "groupings")
    _delete_unreferenced(
        session,
        DEPARTMENT,
        "code",
        sorted(set(existing_departments) - set(wanted["departments"])),
        counts,
        "departments",
    )
    _delete_unreferenced(
        session,
        REGION,
        "code",
        sorted(set(existing_regions) - set(wanted["regions"])),
        counts,
        "regions",
    )

    counts["changed"] = any(
        counts[key][name] for key in ("inserted", "updated", "deleted") for name in TABLE_NAMES
    )
    return counts


def _rows(session: Session, source: Table, columns: Iterable[str]) -> dict[str, tuple[Any, ...]]:
    """All rows of a table as tuples of `columns`, keyed by the first column."""
    result = session.execute(select(*(source.c[name] for name in columns)))
    return {row[0]: tuple(row) for row in result.all()}


def _upsert(
    session: Session,
    target: Table,
    columns: tuple[str, ...],
    wanted: dict[str, dict[str, Any]],
    existing: dict[str, tuple[Any, ...]],
    counts: dict[str, Any],
    name: str,
) -> None:
    """Insert the missing rows and update those that differ, in bulk.

    `existing` maps keys to tuples of `columns` (see `_rows`); the key is `columns[0]`.
    """
    key = columns[0]
    new_rows = [row for pk, row in wanted.items() if pk not in existing]
    changed_rows = [
        row
        for pk, row in wanted.items()
        if pk in existing and tuple(row[column_name] for column_name in columns) != existing[pk]
    ]
    if new_rows:
        session.execute(insert(target), new_rows)
    if changed_rows:
        session.execute(
            update(target).where(target.c[key] == bindparam("b_key")),
            [
                {"b_key": row[key], **{c: v for c, v in row.items() if c != key}}
                for row in changed_rows
            ],
        )
    counts["inserted"][name] = len(new_rows)
    counts["updated"][name] = len(changed_rows)


def _delete_unreferenced(
    session: Session,
    target: Table,
    key: str,
    candidates: list[str],
    counts: dict[str, Any],
    name: str,
    keep: Iterable[str] = (),
) -> None:
    """Delete the candidate rows that no other row references; count the kept ones."""
    if not candidates:
        return
    kept = set(keep) | _referenced(session, target.name, key, candidates)
    doomed = [value for value in candidates if value not in kept]
    for start in range(0, len(doomed), CHUNK):
        session.execute(delete(target).where(target.c[key].in_(doomed[start : start + CHUNK])))
    counts["deleted"][name] += len(doomed)
    counts["kept"][name] += len(candidates) - len(doomed)


def _referenced(session: Session, table_name: str, key: str, values: list[str]) -> set[str]:
    """The values of `table_name.key` that a foreign key of any table points at.

    The foreign keys are read from the database itself, so tables added by other
    parts of the application count without this module knowing them.
    """
    inspector = inspect(session.connection())
    found: set[str] = set()
    for other in inspector.get_table_names():
        for foreign_key in inspector.get_foreign_keys(other):
            if foreign_key["referred_table"] != table_name:
                continue
            if foreign_key["referred_columns"] != [key]:
                continue
            referencing: ColumnClause[str] = column(foreign_key["constrained_columns"][0])
            source = table(other, referencing)
            for start in range(0, len(values), CHUNK):
                chunk = values[start : start + CHUNK]
                found.update(
                    session.scalars(
                        select(referencing).select_from(source).where(referencing.in_(chunk))
                    )
                )
    return found


def describe_load(counts: dict[str, Any]) -> str:
    """One French line about what `load_referential` did."""
    changes = ", ".join(
        f"{sum(counts[kind].values())} {label}"
        for kind, label in (
            ("inserted", "ajout(s)"),
            ("updated", "mise(s) à jour"),
            ("deleted", "suppression(s)"),
        )
    )
    return (
        f"{counts['communes']} communes, {counts['groupings']} EPCI, "
        f"{counts['departments']} départements, {counts['regions']} régions ({changes})"
    )
