"""Import of the PVD towns list (docs/design.md, Referential).

ANCT keeps the list of PVD laureate communes in a CSV file: one commune a line,
its INSEE code and the date its convention d'adhésion was signed (empty while
the convention is not signed yet). The file is THE list: after an import, the
communes of the file are PVD with the file's dates and every other commune is
not.

Use in two steps, so that a user can see the problems (or the changes) before
anything is written:

    report = parse_pvd_csv(raw_bytes)      # validates every line, writes nothing
    if report.ok:
        preview_pvd_import(report)         # optional: fills the counts only
        apply_pvd_import(report, actor)    # one transaction, commits

or in one call from a command line: `import_pvd_file(path)`. Messages are in
French: they are shown to ANCT's staff as they are.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, Table, bindparam, select, update
from sqlalchemy.orm import Session

from recrutement.core.french import plural
from recrutement.extensions import db
from recrutement.referential.models import Commune

# A mapped class's __table__ is typed as any FROM clause; this one is a plain table.
COMMUNE = cast(Table, Commune.__table__)
PARIS = ZoneInfo("Europe/Paris")
EXPECTED_COLUMNS = 2
CHUNK = 500

_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


@dataclass
class PvdRow:
    """One valid line of the file."""

    line: int
    insee_code: str
    signed_on: date | None


@dataclass
class PvdImportReport:
    """What a file says, what is wrong with it, and what importing it changes."""

    errors: list[str] = field(default_factory=list)
    rows: list[PvdRow] = field(default_factory=list, repr=False)
    # Filled by preview_pvd_import() and apply_pvd_import():
    added: int = 0  # communes that become PVD
    updated: int = 0  # PVD communes whose signature date changes
    removed: int = 0  # PVD communes absent from the file, no longer PVD
    unchanged: int = 0  # PVD communes of the file already as the file says
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        """A French one-paragraph account, for a flash message or a terminal."""
        if self.errors:
            count = len(self.errors)
            return (
                f"Le fichier comporte {count} erreur{'s' if count > 1 else ''} : "
                "aucune modification n'a été enregistrée."
            )
        verb = "Import effectué" if self.applied else "Import possible"
        return (
            f"{verb} : {len(self.rows)} communes PVD dans le fichier ; "
            f"{plural(self.added, 'ajoutée')}, "
            f"{plural(self.updated, 'date modifiée', 'dates modifiées')}, "
            f"{plural(self.removed, 'retirée')} de la liste, {plural(self.unchanged, 'inchangée')}."
        )


class PvdImportError(ValueError):
    """apply_pvd_import() was given a report with errors."""


# --- reading ------------------------------------------------------------------------------


def decode(raw: bytes) -> str:
    """Text of the file: UTF-8 (with or without BOM), else Latin-1 (Windows exports)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _separator(lines: list[str]) -> str:
    """`;` (French spreadsheets) unless the first line only has commas."""
    first = next((line for line in lines if line.strip()), "")
    if ";" in first:
        return ";"
    if "," in first:
        return ","
    return ";"


def _is_header(cells: list[str]) -> bool:
    """Whether the first line is a header (`code_insee`, `Code commune 2024`...).

    An INSEE code has at most one letter (2A004), a title has words.
    """
    first = cells[0].strip() if cells else ""
    letters = sum(char.isalpha() for char in first)
    return letters >= 3 or (bool(first) and not any(char.isdigit() for char in first))


def _parse_date(text: str) -> date | None:
    """A date written JJ/MM/AAAA or AAAA-MM-JJ; None when not a valid date."""
    match = _FRENCH_DATE.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
    else:
        match = _ISO_DATE.match(text)
        if not match:
            return None
        year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _date_format_hint(text: str) -> str:
    if _ISO_DATE.match(text) or re.match(r"^\d{4}-", text):
        return "AAAA-MM-JJ"
    if "/" in text:
        return "JJ/MM/AAAA"
    return "JJ/MM/AAAA ou AAAA-MM-JJ"


def _normalise_code(text: str) -> str:
    """Trim and uppercase a code; put back the leading zero a spreadsheet dropped."""
    code = text.strip().upper()
    if code.isdigit() and len(code) == 4:
        code = "0" + code
    return code


def _today() -> date:
    return datetime.now(PARIS).date()


@dataclass
class _Line:
    number: int
    raw_code: str
    code: str
    raw_date: str
    signed_on: date | None


def parse_pvd_csv(
    raw: bytes, session: Session | None = None, today: date | None = None
) -> PvdImportReport:
    """Read and check a PVD list file; write nothing.

    Every line is checked and every problem reported with its line number, so
    that the file can be corrected in one go. INSEE codes are checked against
    the communes of the database.
    """
    session = session if session is not None else db.session()
    today = today or _today()
    report = PvdImportReport()
    lines = decode(raw).splitlines()
    if not any(line.strip() for line in lines):
        report.errors.append("Le fichier est vide.")
        return report

    separator = _separator(lines)
    shape_errors: dict[int, str] = {}
    parsed: list[_Line] = []
    first_content_line = True
    for number, text in enumerate(lines, start=1):
        # One line at a time: a stray quote must not swallow the following lines.
        cells = next(csv.reader([text], delimiter=separator), [])
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if first_content_line:
            first_content_line = False
            if _is_header(cells):
                continue
        # Trailing empty cells (a spreadsheet's extra separators) do not count.
        while len(cells) > EXPECTED_COLUMNS and not cells[-1].strip():
            cells.pop()
        if len(cells) != EXPECTED_COLUMNS:
            plural = "s" if len(cells) > 1 else ""
            shape_errors[number] = (
                f"Ligne {number} : {len(cells)} colonne{plural} au lieu de {EXPECTED_COLUMNS} "
                f"(code INSEE et date de signature, séparés par « {separator} »)."
            )
            continue
        raw_code, raw_date = cells[0].strip(), cells[1].strip()
        parsed.append(
            _Line(
                number=number,
                raw_code=raw_code,
                code=_normalise_code(raw_code),
                raw_date=raw_date,
                signed_on=_parse_date(raw_date) if raw_date else None,
            )
        )

    known = _known_codes(session, sorted({line.code for line in parsed if line.code}))
    first_seen: dict[str, int] = {}
    messages: dict[int, list[str]] = {n: [message] for n, message in shape_errors.items()}
    for line in parsed:
        problems = []
        number = line.number
        if not line.code:
            problems.append(f"Ligne {number} : code INSEE manquant.")
        elif line.code not in known:
            problems.append(
                f"Ligne {number} : code INSEE « {line.raw_code} » inconnu du référentiel."
            )
        elif line.code in first_seen:
            problems.append(
                f"Ligne {number} : la commune {line.code} figure déjà "
                f"à la ligne {first_seen[line.code]}."
            )
        else:
            first_seen[line.code] = number
        if line.raw_date and line.signed_on is None:
            problems.append(
                f"Ligne {number} : date « {line.raw_date} » invalide "
                f"(attendu {_date_format_hint(line.raw_date)})."
            )
        elif line.signed_on and line.signed_on > today:
            problems.append(
                f"Ligne {number} : date « {line.raw_date} » dans le futur "
                f"(nous sommes le {today:%d/%m/%Y})."
            )
        if problems:
            messages[number] = problems
        else:
            report.rows.append(PvdRow(line=number, insee_code=line.code, signed_on=line.signed_on))

    report.errors = [message for number in sorted(messages) for message in messages[number]]
    if not report.errors and not report.rows:
        report.errors.append("Le fichier ne contient aucune commune.")
    return report


def _known_codes(session: Session, codes: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(codes), CHUNK):
        chunk = codes[start : start + CHUNK]
        known.update(
            session.scalars(select(COMMUNE.c.insee_code).where(COMMUNE.c.insee_code.in_(chunk)))
        )
    return known


# --- applying -----------------------------------------------------------------------------


def _changes(session: Session, report: PvdImportReport) -> tuple[list[dict[str, Any]], list[str]]:
    """The communes to set PVD (with their date) and those to remove; fills the counts."""
    wanted = {row.insee_code: row.signed_on for row in report.rows}
    current: dict[str, tuple[bool, date | None]] = {}
    codes = sorted(wanted)
    query = select(COMMUNE.c.insee_code, COMMUNE.c.is_pvd, COMMUNE.c.pvd_convention_signed_on)
    for code, is_pvd, signed_on in session.execute(query.where(COMMUNE.c.is_pvd.is_(True))):
        current[code] = (bool(is_pvd), signed_on)
    for start in range(0, len(codes), CHUNK):
        chunk = codes[start : start + CHUNK]
        for code, is_pvd, signed_on in session.execute(
            query.where(COMMUNE.c.insee_code.in_(chunk))
        ):
            current[code] = (bool(is_pvd), signed_on)

    report.added = report.updated = report.unchanged = 0
    to_set: list[dict[str, Any]] = []
    for code in codes:
        is_pvd, signed_on = current.get(code, (False, None))
        if not is_pvd:
            report.added += 1
        elif signed_on != wanted[code]:
            report.updated += 1
        else:
            report.unchanged += 1
            continue
        to_set.append({"b_code": code, "is_pvd": True, "pvd_convention_signed_on": wanted[code]})
    to_remove = sorted(
        code for code, (is_pvd, _d) in current.items() if is_pvd and code not in wanted
    )
    report.removed = len(to_remove)
    return to_set, to_remove


def preview_pvd_import(report: PvdImportReport, session: Session | None = None) -> PvdImportReport:
    """Fill the report's counts (added, updated, removed, unchanged) without writing."""
    if report.errors:
        raise PvdImportError("le fichier comporte des erreurs")
    _changes(session if session is not None else db.session(), report)
    return report


def apply_pvd_import(
    report: PvdImportReport, actor: object | None = None, session: Session | None = None
) -> PvdImportReport:
    """Make the database's PVD list the file's, in one transaction; commit.

    Refused (PvdImportError, nothing written) when the report has errors. The
    audit event is the caller's to write: `actor` is accepted for symmetry with
    the other services and not used here.
    """
    del actor  # recorded by the caller in its audit event
    if not report.ok:
        raise PvdImportError("le fichier comporte des erreurs : rien n'a été importé")
    session = session if session is not None else db.session()
    try:
        to_set, to_remove = _changes(session, report)
        if to_set:
            # An executemany UPDATE answers a cursor result, which counts the rows.
            result = cast(
                CursorResult[Any],
                session.execute(
                    update(COMMUNE).where(COMMUNE.c.insee_code == bindparam("b_code")), to_set
                ),
            )
            if result.rowcount not in (-1, len(to_set)):
                raise PvdImportError("des communes du fichier ont disparu du référentiel")
        for start in range(0, len(to_remove), CHUNK):
            session.execute(
                update(COMMUNE)
                .where(COMMUNE.c.insee_code.in_(to_remove[start : start + CHUNK]))
                .values(is_pvd=False, pvd_convention_signed_on=None)
            )
        session.commit()
    except Exception:
        session.rollback()
        raise
    report.applied = True
    return report


def import_pvd_file(
    source: Path | str | bytes,
    actor: object | None = None,
    *,
    dry_run: bool = False,
    session: Session | None = None,
    today: date | None = None,
) -> PvdImportReport:
    """Parse a PVD list file (a path or its bytes) and apply it when it has no error.

    For a command line: print `report.errors` one a line, then `report.summary()`;
    exit non-zero when `report.errors` is not empty. With `dry_run`, only the
    counts are computed.
    """
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    report = parse_pvd_csv(raw, session=session, today=today)
    if report.errors:
        return report
    if dry_run:
        return preview_pvd_import(report, session=session)
    return apply_pvd_import(report, actor, session=session)
