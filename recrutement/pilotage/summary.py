"""All the figures of one scope, gathered once and given in every form: the JSON of
`/api/v1/statistiques` (docs/design.md, public contract), and the tables that pages print
and that users download as CSV or XLSX. Small counts are suppressed here, once, for
every output (pilotage.suppression)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from recrutement.cofunding.models import CofundingStatus, Funder
from recrutement.core.spreadsheet import INTEGER, MONEY, PERCENT, TEXT, Column
from recrutement.core.time import paris_today, utcnow
from recrutement.pilotage import figures
from recrutement.pilotage.profile import BREAKDOWNS, label
from recrutement.pilotage.scope import Scope
from recrutement.pilotage.suppression import Count, suppress

T = TypeVar("T")


@dataclass
class Table:
    """A table as pages print it and spreadsheets hold it."""

    key: str  # its name in URLs: /statistiques/<key>.csv
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class Summary:
    scope: Scope
    on: date
    computed_at: datetime
    pvd_towns: int
    pvd_towns_with_project_lead: int
    in_post: int
    cofunded: int
    open_offers: int
    filled_offers: int
    applications: int
    median_days_to_hire: float | None
    requests: dict[str, int]
    money: figures.MoneyGranted
    anah_posts: int
    anah_mean: Decimal | None
    starts: dict[str, int]
    profile: dict[str, dict[str, Count]]
    departments: list[figures.DepartmentFigures]
    # What pages drew from these figures (SVG charts and maps), kept with them so that a
    # summary reused from pilotage.cache is not drawn again.
    rendered: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def drawn(self, key: str, draw: Callable[[], T]) -> T:
        """`draw()` once per summary, under `key`."""
        if key not in self.rendered:
            self.rendered[key] = draw()
        drawing: T = self.rendered[key]
        return drawing

    @property
    def share_with_project_lead(self) -> float | None:
        return self.pvd_towns_with_project_lead / self.pvd_towns if self.pvd_towns else None

    def as_json(self) -> dict[str, Any]:
        """The `/api/v1/statistiques` document, exactly as docs/design.md gives it."""

        def euros(amounts: dict[str, Decimal]) -> dict[str, float]:
            values = {funder.value: float(amounts[funder.value]) for funder in Funder}
            values["total"] = float(sum(amounts.values(), Decimal(0)))
            return values

        return {
            "perimetre": {
                "niveau": self.scope.level,
                "code": self.scope.code,
                "nom": self.scope.name,
            },
            "mis_a_jour": self.computed_at.isoformat(timespec="seconds"),
            "communes_pvd": self.pvd_towns,
            "communes_pvd_avec_chef_de_projet": self.pvd_towns_with_project_lead,
            "chefs_de_projet": {"en_poste": self.in_post, "cofinances": self.cofunded},
            "offres": {"ouvertes": self.open_offers, "pourvues": self.filled_offers},
            "candidatures": self.applications,
            "delai_median_recrutement_jours": self.median_days_to_hire,
            "cofinancement": {
                "demandes": dict(self.requests),
                "montants_accordes": euros(self.money.total),
                "par_annee": {
                    str(year): euros(amounts) for year, amounts in self.money.by_year.items()
                },
                "anah": {
                    "postes": self.anah_posts,
                    "montant_moyen": float(self.anah_mean) if self.anah_mean is not None else None,
                },
            },
            "profil_recrutes": {
                breakdown: {code: count.value for code, count in cells.items()}
                for breakdown, cells in self.profile.items()
            },
        }

    # --- Tables -------------------------------------------------------------------

    def key_figures(self) -> Table:
        median = self.median_days_to_hire
        return Table(
            "chiffres-cles",
            "Chiffres clés",
            [Column("Indicateur", TEXT, 48), Column("Valeur", TEXT, 16)],
            [
                ["Communes Petites villes de demain", self.pvd_towns],
                ["Communes PVD ayant leur chef de projet", self.pvd_towns_with_project_lead],
                ["Chefs de projet en poste", self.in_post],
                ["Chefs de projet cofinancés", self.cofunded],
                ["Offres ouvertes", self.open_offers],
                ["Offres pourvues", self.filled_offers],
                ["Candidatures reçues", self.applications],
                [
                    "Délai médian de recrutement (jours)",
                    None if median is None else median,
                ],
            ],
        )

    def starts_table(self) -> Table:
        return Table(
            "prises-de-poste",
            "Prises de poste par semestre",
            [Column("Semestre", TEXT, 14), Column("Prises de poste", INTEGER, 16)],
            [[semester_label(key), count] for key, count in self.starts.items()],
        )

    def money_table(self) -> Table:
        columns = [Column("Année", TEXT, 10)]
        columns += [Column(funder.label, MONEY, 22) for funder in Funder]
        columns.append(Column("Total", MONEY, 18))
        rows = []
        for year, amounts in self.money.by_year.items():
            values = [amounts[funder.value] for funder in Funder]
            rows.append([str(year), *values, sum(values, Decimal(0))])
        return Table("montants", "Montants accordés par financeur et par année", columns, rows)

    def requests_table(self) -> Table:
        return Table(
            "demandes",
            "Demandes de cofinancement par état",
            [Column("État", TEXT, 22), Column("Demandes", INTEGER, 12)],
            [[CofundingStatus(status).label, count] for status, count in self.requests.items()],
        )

    def anah_table(self) -> Table:
        return Table(
            "anah",
            "Postes cofinancés par l'ANAH",
            [Column("Postes", INTEGER, 10), Column("Montant moyen par poste", MONEY, 24)],
            [[self.anah_posts, self.anah_mean]],
        )

    def profile_tables(self) -> list[Table]:
        tables = []
        for breakdown, (title, _) in BREAKDOWNS.items():
            cells = self.profile[breakdown]
            tables.append(
                Table(
                    f"profil-{breakdown}",
                    f"Profil des recrutés : {title.lower()}",
                    [Column("Catégorie", TEXT, 44), Column("Recrutés", INTEGER, 12)],
                    [
                        [label(breakdown, code), count.value if not count.hidden else count.shown]
                        for code, count in cells.items()
                    ],
                )
            )
        return tables

    def departments_table(self) -> Table:
        return Table(
            "departements",
            "Par département",
            [
                Column("Code", TEXT, 8),
                Column("Département", TEXT, 28),
                Column("Communes PVD", INTEGER, 14),
                Column("Avec chef de projet", INTEGER, 18),
                Column("Part avec chef de projet", PERCENT, 22),
                Column("Chefs de projet en poste", INTEGER, 22),
                Column("Offres ouvertes", INTEGER, 14),
            ],
            [
                [
                    item.code,
                    item.name,
                    item.pvd_towns,
                    item.pvd_towns_with_project_lead,
                    item.share_with_project_lead,
                    item.project_leads_in_post,
                    item.open_offers,
                ]
                for item in self.departments
            ],
        )

    def tables(self) -> list[Table]:
        """Every table of the scope, in the order pages show them."""
        return [
            self.key_figures(),
            self.starts_table(),
            self.money_table(),
            self.requests_table(),
            self.anah_table(),
            *self.profile_tables(),
            self.departments_table(),
        ]

    def table(self, key: str) -> Table | None:
        return next((table for table in self.tables() if table.key == key), None)


def semester_label(key: str) -> str:
    """ "2021-S1" → "1er semestre 2021"."""
    year, semester = key.split("-S")
    return f"{'1er' if semester == '1' else '2e'} semestre {year}"


def summarise(scope: Scope, on: date | None = None) -> Summary:
    """Every figure of `scope` on day `on` (today in France by default)."""
    on = on or paris_today()
    anah_posts, anah_mean = figures.anah_cofunded_posts(scope)
    return Summary(
        scope=scope,
        on=on,
        computed_at=utcnow(),
        pvd_towns=figures.pvd_towns(scope),
        pvd_towns_with_project_lead=figures.pvd_towns_with_project_lead(scope, on),
        in_post=figures.project_leads_in_post(scope, on),
        cofunded=figures.project_leads_cofunded(scope, on),
        open_offers=figures.open_offers(scope),
        filled_offers=figures.filled_offers(scope),
        applications=figures.applications(scope),
        median_days_to_hire=figures.median_days_to_hire(scope),
        requests=figures.requests_by_status(scope),
        money=figures.money_granted(scope),
        anah_posts=anah_posts,
        anah_mean=anah_mean,
        starts=figures.starts_by_semester(scope, on),
        profile={
            breakdown: suppress(counts)
            for breakdown, counts in figures.recruits_profile(scope).items()
        },
        departments=figures.by_department(scope, on),
    )
