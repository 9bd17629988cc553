"""A whole programme of demo data (`flask demo seed --national`): the dashboard's and
the load tests' national volume.

On top of the plain demo (its referential, its PVD towns and its accounts), it
leaves on the platform what the Petites villes de demain programme would have left
since October 2020:

- the PVD towns that no organisation covers yet are grouped into collectivités:
  communes, the referential's EPCI, and a few PETR declared like an employer
  declares one; an organisation often covers several PVD towns, and a few towns
  are covered by none;
- each collectivité is validated by its préfecture and has one member;
- each chef de projet post is an offer, filled through the platform with its
  applications (most rejected, one hired, some withdrawn) and the anonymous
  `Recruit` snapshot of the hire; the first holders start with the seasonality of
  the January 2022 report, some leave when their contract ends and the post is
  filled again, republished, or left vacant;
- each post held gets one cofunding request per calendar year from 2021, split by
  the real engine with the rule row in force (`cofunding.engine`), granted for
  past years and in every state for the current one;
- the recruits' profiles follow the report's survey (PROFILE_SHARES);
- each département gets a préfecture agent, and an ANAH agent where ANAH pays, when
  the plain demo has none; in a few départements ANAH is asked for the first time
  this year and no ANAH agent exists yet (what the dashboard flags).

Everything is planned in Python with one seeded `random.Random` (same database,
same day, same data), then written with SQLAlchemy Core bulk inserts in a single
transaction: no ORM flush per row, no mail, no index task. The caller rebuilds the
search index once afterwards (`flask demo seed` does).

National rows are found again by the mail domain of their accounts
(NATIONAL_DOMAIN): when one exists, nothing is added. Every national account has
the demo password (DEMO_PASSWORD), hashed once. The data is written as the platform
would hold it today, retention period included: applications finished more than
RETENTION_DAYS ago are already anonymised, and candidates without an application
since then have no account any more. Refused in production.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from time import perf_counter

from flask import current_app
from sqlalchemy import insert, select

from recrutement.accounts.models import Role, User, user_department
from recrutement.accounts.passwords import hash_password
from recrutement.applications.models import Application, ApplicationStatus
from recrutement.candidates.models import CandidateProfile
from recrutement.cofunding.content import euros
from recrutement.cofunding.engine import Rule, compute_split
from recrutement.cofunding.models import (
    AnahOpinion,
    CofundingRequest,
    CofundingStatus,
    Funder,
    FundingPlan,
    FundingRule,
)
from recrutement.cofunding.rules import as_rule
from recrutement.core.french import commune_organisation_name, of_organisation, of_place
from recrutement.core.models import AuditEvent
from recrutement.core.time import PARIS, paris_today, utcnow
from recrutement.demo import DemoRefused
from recrutement.demo.offers import Deck, OfferWriter, Place
from recrutement.demo.offers.vocabulary import MEN, SURNAMES, WOMEN
from recrutement.extensions import db
from recrutement.offers.models import FIXED_TERM_CONTRACTS, ContractType, Offer, offer_town
from recrutement.offers.rules import add_months
from recrutement.organisations.models import (
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    organisation_town,
)
from recrutement.organisations.services import valid_siren
from recrutement.pilotage.models import Recruit, RecruitSource
from recrutement.referential.models import Commune, Department, Grouping, Region
from recrutement.referential.text import fold

NATIONAL_DOMAIN = "national.demo.recrutement-pvd.fr"
DEFAULT_SEED = 2026
BATCH = 5_000

# --- the programme's shape (the seed report of January 2022 and its survey) -----------

# When the first holder of each post took it: (first day, last day), share in %.
FIRST_STARTS = (
    ((date(2020, 10, 1), date(2020, 12, 31)), 2),
    ((date(2021, 1, 1), date(2021, 6, 30)), 13),
    ((date(2021, 7, 1), date(2021, 12, 31)), 73),
    ((date(2022, 1, 1), date(2022, 1, 31)), 11),
    ((date(2022, 2, 1), date(2022, 3, 31)), 1),
)
# Collectivités prepared their recruitment before the programme's launch (October 2020).
FIRST_PUBLICATION = date(2020, 6, 1)
# The recruits' profile, in % (codes of pilotage.profile).
PROFILE_SHARES = {
    "gender": {"femme": 69, "homme": 31},
    "diploma": {"bac+4/5": 90, "bac+2/3": 6, "doctorat": 3, "bac": 1},
    "field_of_study": {
        "urbanisme": 61,
        "sciences_sociales": 12,
        "developpement": 8,
        "droit": 6,
        "architecture": 4,
        "environnement": 4,
        "economie": 3,
        "autre": 2,
    },
    "experience": {"moins_1_an": 12, "1_5_ans": 45, "5_20_ans": 38, "plus_20_ans": 5},
}
# Employers of the posts, in %.
EMPLOYER_SHARES = {"epci": 60, "commune": 36, "petr": 4}

# Share of the available PVD towns that no organisation covers, and that an
# organisation covers which has not recruited yet (its first offer is open).
VACANT_TOWNS = 0.04
OPEN_ONLY_TOWNS = 0.07
# Posts (in %) whose first holder leaves when the contract ends, that ask ANAH (an
# OPAH-RU on their territory), and that ask for cofunding at all.
LINE_SHARES = {"turnover": 40, "anah": 16, "cofunded": 92}
# What follows a departure (weights), and the chance that a successor leaves in turn.
AFTER_DEPARTURE = {"hired": 7, "open": 3, "vacant": 1}
SUCCESSOR_LEAVES = 0.2
# Groupings covering this many towns or more employ a second (third) chef de projet.
SECOND_POST_TOWNS = (3, 6)

# Recruitment timings, in days: offer first published → hire (low, high, mode), hire →
# start, application deadline after publication.
DAYS_TO_HIRE = (32, 120, 55)
NOTICE_DAYS = (10, 75)
DEADLINE_DAYS = 31
# Applications per filled offer (low, high, mode), per candidate on average.
APPLICATIONS_FILLED = (8, 70, 18)
APPLICATIONS_PER_CANDIDATE = 5
SMALLEST_COHORT = 100
# Applications of an open offer, by state (weights).
OPEN_APPLICATION_STATES = {
    ApplicationStatus.SENT: 55,
    ApplicationStatus.IN_REVIEW: 28,
    ApplicationStatus.INTERVIEW: 8,
    ApplicationStatus.REJECTED: 5,
    ApplicationStatus.WITHDRAWN: 4,
}
WITHDRAWN_SHARE = 0.07

# Cofunding: annual loaded cost (€, grows 1.5 % a year, at most 60,000), request states.
COFUNDING_FROM = 2021
ANNUAL_COST = (45_000, 57_000)
ANNUAL_COST_MAX = 60_000
PAST_STATUSES = {
    CofundingStatus.GRANTED: 96,
    CofundingStatus.REFUSED: 3,
    CofundingStatus.DISMISSED: 1,
}
CURRENT_STATUSES = {
    CofundingStatus.GRANTED: 86,
    CofundingStatus.IN_INSTRUCTION: 5,
    CofundingStatus.SUBMITTED: 4,
    CofundingStatus.CHANGES_REQUESTED: 2,
    CofundingStatus.REFUSED: 2,
    CofundingStatus.DISMISSED: 1,
}
WAITING = (CofundingStatus.SUBMITTED, CofundingStatus.IN_INSTRUCTION)
BDT_ASKED = 0.92
ANAH_LOWERED = 0.25
# Share of the départements with ANAH posts where the ANAH delegation has no account:
# their posts ask ANAH for the first time this year and wait.
WITHOUT_ANAH_AGENT = 0.08

# --- texts -------------------------------------------------------------------------------

MORE_WOMEN = ("Léa", "Manon", "Chloé", "Pauline", "Laura", "Mathilde", "Aurélie", "Morgane")
MORE_MEN = ("Antoine", "Romain", "Maxime", "Guillaume", "Florian", "Adrien", "Kevin", "Loïc")
MORE_SURNAMES = ("Roux", "David", "Bertrand", "Morel", "Guérin", "Muller", "Henry", "Roussel")
FIRST_NAMES = {True: WOMEN + MORE_WOMEN, False: MEN + MORE_MEN}
LAST_NAMES = SURNAMES + MORE_SURNAMES

LETTERS = (
    "Madame, Monsieur,\n\nDiplômé(e) en urbanisme, je souhaite mettre mon expérience de la "
    "conduite de projet au service de la revitalisation de {town}.\n\nCordialement.",
    "Madame, Monsieur,\n\nChargé(e) de mission dans une intercommunalité, j'ai suivi une "
    "OPAH-RU et la requalification d'espaces publics. Le projet de {town} m'intéresse "
    "vivement.\n\nJe vous prie d'agréer mes salutations distinguées.",
    "Bonjour,\n\nJeune diplômé(e) d'un master en aménagement du territoire, je serais heureux(se) "
    "de rejoindre votre équipe pour le programme Petites villes de demain.\n\nBien à vous.",
    "Madame, Monsieur,\n\nAprès dix ans en bureau d'études, je souhaite rejoindre une "
    "collectivité et piloter un projet de territoire comme celui de {town}.\n\nCordialement.",
)
REJECTIONS = (
    "Nous avons retenu un profil plus expérimenté en conduite de projet urbain.",
    "Votre candidature n'a pas été retenue : le poste demande une expérience en collectivité.",
    "Nous avons reçu de nombreuses candidatures et en avons retenu une autre.",
    "Le jury a retenu une candidature dont le profil correspond davantage au poste.",
)
INTERVIEWS = (
    "Entretien en mairie, salle du conseil, avec les élus et la directrice générale des services.",
    "Entretien au siège de la communauté de communes devant un jury de trois personnes.",
    "Entretien en visioconférence ; le lien vous sera envoyé la veille.",
)
HOUSING_OPERATIONS = (
    "OPAH-RU du centre-bourg de {town}",
    "OPAH-RU de {town} (2022-2027)",
    "Opération de revitalisation du territoire et OPAH-RU de {town}",
)
REFUSALS = (
    "Le poste est déjà financé par un autre programme sur la même période : le cumul dépasserait "
    "le plafond de 75 % du coût du poste.",
    "Les missions décrites ne correspondent pas à celles d'un chef de projet Petites villes de "
    "demain.",
)
DISMISSALS = (
    "Sans réponse de la collectivité à la demande de complément, la demande est classée sans "
    "suite.",
    "La collectivité a déposé une nouvelle demande pour la même période : celle-ci est classée.",
)
CHANGES = (
    "Merci de joindre le contrat signé et la délibération créant le poste.",
    "Le coût chargé annuel paraît élevé : pouvez-vous joindre le détail du calcul ?",
)


# --- entry point -------------------------------------------------------------------------


def seed_national(
    scale: float = 1.0, seed: int = DEFAULT_SEED, progress: Callable[[str], None] | None = None
) -> str:
    """Add the national programme unless it is there; return a French summary.

    `scale` keeps that share of the départements (drawn with the seed; 1 keeps them
    all), with the same proportions: tests use a small one. Needs the referential,
    the PVD towns and a funding rule (`flask db upgrade`, then `flask demo seed`).
    Commits once; the search index must be rebuilt afterwards.
    """
    if current_app.config["APP_ENV"] == "production":
        raise DemoRefused("Les données de démonstration sont refusées en production.")
    if already_seeded():
        return "Programme national de démonstration : déjà présent, rien à ajouter."
    clock = Clock(progress)
    rng = random.Random(f"{seed}:national")
    world = read_world(rng, scale)
    clock(f"{len(world.towns)} communes PVD sans collectivité retenues")
    plan = Planner(rng, world).run()
    clock(
        f"plan : {len(plan.orgs)} collectivités, {len(plan.offers)} offres, "
        f"{plan.application_count()} candidatures, {len(plan.tenures)} recrutements, "
        f"{len(plan.requests)} demandes"
    )
    Writer(plan, clock, random.Random(f"{seed}:national:writer")).run()
    db.session.commit()
    clock("enregistré")
    return summary(plan, clock)


def already_seeded() -> bool:
    """True when an account of the national domain exists."""
    return (
        db.session.scalar(select(User.id).where(User.email.like(f"%@{NATIONAL_DOMAIN}")).limit(1))
        is not None
    )


class Clock:
    """Prints each step with the seconds elapsed since the start."""

    def __init__(self, echo: Callable[[str], None] | None):
        self.echo = echo or (lambda _message: None)
        self.started = perf_counter()

    def __call__(self, message: str) -> None:
        self.echo(f"  [{self.elapsed():5.1f} s] {message}")

    def elapsed(self) -> float:
        return perf_counter() - self.started


def quota(rng: random.Random, size: int, shares: dict, floor: int = 0) -> list:
    """`size` values in the proportions of `shares` (largest remainders), shuffled;
    with `floor`, each value comes up at least that often when there is room."""
    total = sum(shares.values())
    exact = {value: size * weight / total for value, weight in shares.items()}
    counts = {value: int(share) for value, share in exact.items()}
    by_remainder = sorted(exact, key=lambda value: exact[value] - counts[value], reverse=True)
    for value in by_remainder[: size - sum(counts.values())]:
        counts[value] += 1
    largest = max(counts, key=counts.get) if counts else None
    for value in counts:
        while counts[value] < floor and counts[largest] > floor + 1:
            counts[value] += 1
            counts[largest] -= 1
    values = [value for value, count in counts.items() for _ in range(count)]
    rng.shuffle(values)
    return values


# --- what the database holds already -----------------------------------------------------


@dataclass(frozen=True)
class Town:
    insee_code: str
    name: str
    department_code: str
    population: int | None
    epci_siren: str | None
    signed_on: date | None


@dataclass
class World:
    """The referential and accounts the national programme is built on."""

    today: date
    now: datetime
    cutoff: datetime  # applications finished before it are anonymised
    retention: timedelta
    towns: list[Town]
    departments: dict[str, tuple[str, str]]  # code: (name, région name)
    groupings: dict[str, tuple[str, str | None]]  # siren: (name, département)
    taken_sirens: set[str]
    prefecture_agents: dict[str, int]
    anah_agents: dict[str, int]
    rules: list[tuple[date, int, Rule]]
    password_hash: str

    def rule_on(self, day: date) -> tuple[int, Rule]:
        found = [(rule_id, rule) for since, rule_id, rule in self.rules if since <= day]
        return found[-1]


def read_world(rng: random.Random, scale: float) -> World:
    now = utcnow()
    retention = timedelta(days=current_app.config["RETENTION_DAYS"])
    rules = _rules()
    towns = _available_towns()
    if not towns:
        raise DemoRefused(
            "Aucune commune PVD sans collectivité : lancez d'abord `flask demo seed`."
        )
    return World(
        today=paris_today(),
        now=now,
        cutoff=now - retention,
        retention=retention,
        towns=_sample(rng, towns, scale),
        departments=_departments(),
        groupings={
            siren: (name, code)
            for siren, name, code in db.session.execute(
                select(Grouping.siren, Grouping.name, Grouping.department_code)
            )
        },
        taken_sirens=set(db.session.scalars(select(Grouping.siren))),
        prefecture_agents=_agents(Role.PREFECTURE),
        anah_agents=_agents(Role.ANAH),
        rules=rules,
        password_hash=hash_password(current_app.config["DEMO_PASSWORD"]),
    )


def _rules() -> list[tuple[date, int, Rule]]:
    rows = db.session.scalars(select(FundingRule).order_by(FundingRule.effective_from)).all()
    if not rows or rows[0].effective_from > date(COFUNDING_FROM, 1, 1):
        raise DemoRefused("Aucune règle de cofinancement en vigueur : lancez `flask db upgrade`.")
    return [(row.effective_from, row.id, as_rule(row)) for row in rows]


def _available_towns() -> list[Town]:
    """PVD towns that no organisation covers or is, and whose EPCI has none."""
    covered = select(organisation_town.c.commune_insee_code)
    communes = select(Organisation.commune_insee_code).where(
        Organisation.commune_insee_code.is_not(None)
    )
    taken_groupings = set(
        db.session.scalars(
            select(Organisation.grouping_siren).where(Organisation.grouping_siren.is_not(None))
        )
    )
    rows = db.session.execute(
        select(
            Commune.insee_code,
            Commune.name,
            Commune.department_code,
            Commune.population,
            Commune.epci_siren,
            Commune.pvd_convention_signed_on,
        )
        .where(Commune.is_pvd, Commune.insee_code.not_in(covered))
        .where(Commune.insee_code.not_in(communes))
        .order_by(Commune.insee_code)
    )
    return [
        Town(*row[:4], None if row.epci_siren in taken_groupings else row.epci_siren, row[5])
        for row in rows
    ]


def _sample(rng: random.Random, towns: list[Town], scale: float) -> list[Town]:
    """The towns of a share `scale` of the départements (all of them at 1)."""
    if scale >= 1:
        return towns
    codes = sorted({town.department_code for town in towns})
    rng.shuffle(codes)
    kept, count = set(), 0
    for code in codes:
        if kept and count >= scale * len(towns):
            break
        kept.add(code)
        count += sum(1 for town in towns if town.department_code == code)
    return [town for town in towns if town.department_code in kept]


def _departments() -> dict[str, tuple[str, str]]:
    rows = db.session.execute(
        select(Department.code, Department.name, Region.name).join(
            Region, Region.code == Department.region_code
        )
    )
    return {code: (name, region) for code, name, region in rows}


def _agents(role: Role) -> dict[str, int]:
    """An active agent of `role` per département, when there is one."""
    rows = db.session.execute(
        select(user_department.c.department_code, User.id)
        .join(User, User.id == user_department.c.user_id)
        .where(User.role == role, User.is_active_account.is_(True))
        .order_by(User.id)
    )
    agents: dict[str, int] = {}
    for code, user_id in rows:
        agents.setdefault(code, user_id)
    return agents


# --- the plan ----------------------------------------------------------------------------


@dataclass(eq=False)
class Org:
    kind: str  # the employer kinds of pilotage.profile: commune, epci or petr
    name: str
    department_code: str
    towns: list[Town]
    posts: int = 1
    open_only: bool = False  # has not recruited yet: its first offer is open
    commune_insee_code: str | None = None
    grouping_siren: str | None = None
    declared_petr: bool = False
    created_at: datetime | None = None
    decided_at: datetime | None = None
    id: int | None = None
    member_id: int | None = None

    @property
    def email(self) -> str:
        return f"{self.kind}-{self.commune_insee_code or self.grouping_siren}@{NATIONAL_DOMAIN}"


@dataclass(eq=False)
class Line:
    """A chef de projet post of an organisation, held by one recruit after another."""

    org: Org
    workplace: Town
    turnover: bool = False
    anah: bool = False
    cofunded: bool = False
    housing_operation: str = ""


@dataclass(eq=False)
class AppPlan:
    status: str
    created_at: datetime
    updated_at: datetime
    decided_at: datetime | None = None
    candidate: Candidate | None = None
    anonymised: bool = False
    id: int | None = None

    @property
    def finished_at(self) -> datetime | None:
        if self.status in (ApplicationStatus.HIRED, ApplicationStatus.REJECTED):
            return self.decided_at
        return self.updated_at if self.status == ApplicationStatus.WITHDRAWN else None


@dataclass(eq=False)
class OfferPlan:
    line: Line
    status: str
    content: dict
    created_at: datetime
    published_at: datetime
    ended_at: datetime | None = None  # filled or expired
    applications: list[AppPlan] = field(default_factory=list)
    tenure: Tenure | None = None
    id: int | None = None


@dataclass(eq=False)
class Tenure:
    """One holder of a post: the hire, the start and the end of the contract."""

    offer: OfferPlan
    hired_at: datetime
    started_on: date
    ends_on: date | None
    days_to_hire: int
    profile: dict[str, str] = field(default_factory=dict)
    holder: tuple[str, str] = ("", "")
    hire: AppPlan | None = None


@dataclass(eq=False)
class Candidate:
    key: tuple
    first_at: datetime
    last_at: datetime
    hired: Tenure | None = None
    woman: bool = True
    name: tuple[str, str] = ("", "")
    id: int | None = None

    @property
    def email(self) -> str:
        return f"candidat-{self.key[0]}-{self.key[1]}-{self.key[2]}@{NATIONAL_DOMAIN}"


@dataclass(eq=False)
class RequestPlan:
    tenure: Tenure
    year: int
    period: tuple[date, date]
    cost: int
    anah_asked: bool
    bdt_asked: bool
    previous: RequestPlan | None
    status: str = CofundingStatus.GRANTED
    steps: dict[str, datetime] = field(default_factory=dict)
    parts: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    rule_id: int | None = None
    opinion: Decimal | None = None
    reason: str = ""
    id: int | None = None


@dataclass
class Plan:
    world: World
    orgs: list[Org]
    lines: list[Line]
    offers: list[OfferPlan]
    tenures: list[Tenure]
    candidates: list[Candidate]
    requests: list[RequestPlan]
    agents: dict[str, dict[str, int | None]]
    vacant_towns: int

    def application_count(self) -> int:
        return sum(len(offer.applications) for offer in self.offers)


class Planner:
    """Draws the whole programme (no database access)."""

    def __init__(self, rng: random.Random, world: World):
        self.rng = rng
        self.world = world
        self.today = world.today
        self.offers: list[OfferPlan] = []
        self.tenures: list[Tenure] = []
        self.after_departure = Deck(rng, AFTER_DEPARTURE)
        self.writer = OfferWriter(rng)
        # Posts whose holder leaves are on fixed-term contracts.
        self.fixed_term_writer = OfferWriter(rng)
        self.fixed_term_writer.contracts = Deck(
            rng, {ContractType.PROJECT_CONTRACT: 2, ContractType.FIXED_TERM: 1}
        )

    def run(self) -> Plan:
        orgs, vacant = plan_organisations(self.rng, self.world)
        lines = plan_lines(self.rng, orgs)
        recruiting = sum(1 for line in lines if not line.org.open_only)
        starts = quota(self.rng, recruiting, dict(FIRST_STARTS))
        for line in lines:
            self.plan_line(line, None if line.org.open_only else self.day_in(starts.pop()))
        self.date_organisations()
        applications = ApplicationPlanner(self.rng, self.world)
        for offer in self.offers:
            applications.plan(offer)
        candidates = CandidatePlanner(self.rng, self.world).run(self.offers, self.tenures)
        agents = plan_agents(self.rng, self.world, lines)
        requests = RequestPlanner(self.rng, self.world, agents).run(self.tenures)
        return Plan(
            self.world, orgs, lines, self.offers, self.tenures, candidates, requests, agents, vacant
        )

    def day_in(self, window: tuple[date, date]) -> date:
        first, last = window
        day = first + timedelta(days=self.rng.randint(0, (last - first).days))
        # Half the chefs de projet take their post on the first of a month.
        return day.replace(day=1) if self.rng.random() < 0.5 else day

    def moment(self, day: date) -> datetime:
        return moment(self.rng, day, self.world.now)

    # --- one post, holder after holder ---

    def plan_line(self, line: Line, first_start: date | None) -> None:
        if first_start is None:
            self.vacancy(line, since=None, open_now=True)
            return
        tenure = self.first_tenure(line, first_start)
        while tenure.ends_on is not None and tenure.ends_on < self.today:
            outcome = self.after_departure.draw()
            successor = self.successor(line, tenure.ends_on) if outcome == "hired" else None
            if successor is None:
                self.vacancy(line, since=tenure.ends_on, open_now=outcome != "vacant")
                return
            tenure = successor

    def first_tenure(self, line: Line, start: date) -> Tenure:
        hire_on = start - timedelta(days=self.rng.randint(*NOTICE_DAYS))
        days = int(self.rng.triangular(*DAYS_TO_HIRE))
        published_on = max(hire_on - timedelta(days=days), FIRST_PUBLICATION)
        return self.tenure(line, published_on, hire_on, start, line.turnover, vacant_since=None)

    def successor(self, line: Line, left_on: date) -> Tenure | None:
        published_on = left_on + timedelta(days=self.rng.randint(-75, 30))
        hire_on = published_on + timedelta(days=int(self.rng.triangular(*DAYS_TO_HIRE)))
        if hire_on >= self.today:
            return None
        notice = timedelta(days=self.rng.randint(*NOTICE_DAYS))
        start = max(hire_on + notice, left_on + timedelta(days=1))
        leaves = self.rng.random() < SUCCESSOR_LEAVES
        return self.tenure(line, published_on, hire_on, start, leaves, vacant_since=left_on)

    def tenure(
        self,
        line: Line,
        published_on: date,
        hire_on: date,
        start: date,
        leaves: bool,
        vacant_since: date | None,
    ) -> Tenure:
        days = (hire_on - published_on).days
        deadline = published_on + timedelta(days=self.rng.randint(DEADLINE_DAYS, min(60, days - 1)))
        writer = self.fixed_term_writer if leaves else self.writer
        offer = self.offer(line, "filled", published_on, deadline, vacant_since, writer)
        offer.content["start_date"] = start
        offer.ended_at = max(self.moment(hire_on), offer.published_at + timedelta(hours=1))
        ends_on = self.contract_end(offer.content, start, leaves)
        tenure = Tenure(offer, offer.ended_at, start, ends_on, days)
        offer.tenure = tenure
        self.tenures.append(tenure)
        return tenure

    def contract_end(self, content: dict, start: date, leaves: bool) -> date | None:
        """The end of the contract: within the past for a holder who leaves; otherwise
        at least two months ahead (a contract that ran out was renewed, as the
        cofunding requests declare)."""
        contract = content["contract_type"]
        if contract not in FIXED_TERM_CONTRACTS:
            return None
        latest = self.today - timedelta(days=30)
        options = [
            months for months in (12, 18, 24, 30, 36, 48) if add_months(start, months) <= latest
        ]
        if leaves and options:
            content["duration_months"] = self.rng.choice(options)
            return add_months(start, content["duration_months"])
        content["duration_months"] = 72 if contract == ContractType.PROJECT_CONTRACT else 36
        end = add_months(start, content["duration_months"])
        if end < self.today + timedelta(days=60):
            end = date(self.today.year + self.rng.randint(1, 2), 12, 31)
        return end

    def vacancy(self, line: Line, since: date | None, open_now: bool) -> None:
        """A post without holder: maybe an offer that expired unfilled, and an open one."""
        earliest = since or date(2021, 3, 1)
        room = (self.today - earliest).days
        if room > 200 and self.rng.random() < (0.5 if since else 0.3):
            published_on = earliest + timedelta(days=self.rng.randint(0, room - 160))
            deadline = published_on + timedelta(days=self.rng.randint(DEADLINE_DAYS, 50))
            offer = self.offer(line, "expired", published_on, deadline, since, self.writer)
            offer.ended_at = datetime.combine(
                deadline + timedelta(days=1), time(2, 5), PARIS
            ).astimezone(UTC)
        if open_now:
            published_on = self.today - timedelta(days=self.rng.randint(0, 55))
            days_ago = (self.today - published_on).days
            deadline = published_on + timedelta(days=self.rng.randint(max(31, days_ago + 1), 90))
            self.offer(line, "published", published_on, deadline, since, self.writer)

    def offer(
        self,
        line: Line,
        status: str,
        published_on: date,
        deadline: date,
        vacant_since: date | None,
        writer: OfferWriter,
    ) -> OfferPlan:
        content = writer.content(self.place(line), published_on)
        # A post never held is new; one left by its holder is vacant since then.
        content.update(
            post_is_new=vacant_since is None,
            vacant_since=vacant_since,
            application_deadline=deadline,
        )
        if line.org.kind != "commune":
            content["recruiting_authority"] = (
                f"{self.rng.choice(('Le président', 'La présidente'))} {of_organisation(line.org.name)}"
            )
        published_at = self.moment(published_on)
        created_at = self.moment(published_on - timedelta(days=self.rng.randint(1, 12)))
        offer = OfferPlan(line, status, content, created_at, published_at)
        self.offers.append(offer)
        return offer

    def place(self, line: Line) -> Place:
        town = line.workplace
        department, region = self.world.departments[town.department_code]
        return Place(
            organisation_id=0,
            workplace_insee_code=town.insee_code,
            town_name=town.name,
            population=town.population,
            department_name=department,
            region_name=region,
            signed_year=town.signed_on.year if town.signed_on else 2021,
            town_codes=tuple(item.insee_code for item in line.org.towns),
        )

    def date_organisations(self) -> None:
        """Each signed up a few weeks before its first offer, validated before publishing it."""
        first: dict[int, OfferPlan] = {}
        for offer in self.offers:
            known = first.get(id(offer.line.org))
            if known is None or offer.created_at < known.created_at:
                first[id(offer.line.org)] = offer
        for offer in first.values():
            self.date_organisation(offer.line.org, offer)

    def date_organisation(self, org: Org, first: OfferPlan) -> None:
        org.created_at = first.created_at - timedelta(
            days=self.rng.randint(5, 40), minutes=self.rng.randint(0, 300)
        )
        span = max(int((first.published_at - org.created_at).total_seconds()), 120)
        org.decided_at = org.created_at + timedelta(seconds=60 + within(self.rng, span - 120))


def within(rng: random.Random, seconds: int) -> int:
    """A number of seconds below `seconds`, drawing the same randomness whatever the span
    (unlike randrange): spans that depend on the time of day keep the day's data the same."""
    return int(rng.random() * seconds)


def moment(rng: random.Random, day: date, now: datetime) -> datetime:
    """A working hour of `day` in France, as UTC; never after `now`."""
    local = datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), PARIS)
    return min(local.astimezone(UTC), now - timedelta(minutes=rng.randint(2, 30)))


# --- organisations -------------------------------------------------------------------


def plan_organisations(rng: random.Random, world: World) -> tuple[list[Org], int]:
    """The collectivités of the available towns, and how many towns are left without one."""
    groups = _groups(world.towns)
    rng.shuffle(groups)
    total = sum(len(group) for group in groups)
    vacant, groups = _take(groups, VACANT_TOWNS * total)
    opening, groups = _take(groups, OPEN_ONLY_TOWNS * total)
    orgs = [_opening_org(group, world) for group in opening]
    orgs += _assign_kinds(rng, groups, world)
    return orgs, sum(len(group) for group in vacant)


def _groups(towns: list[Town]) -> list[list[Town]]:
    """Towns by EPCI (a town without one alone), most populous first."""
    by_epci: dict[str, list[Town]] = defaultdict(list)
    groups = []
    for town in towns:
        if town.epci_siren:
            by_epci[town.epci_siren].append(town)
        else:
            groups.append([town])
    groups += list(by_epci.values())
    for group in groups:
        group.sort(key=lambda town: (-(town.population or 0), town.insee_code))
    return sorted(groups, key=lambda group: group[0].insee_code)


def _take(groups: list, target: float) -> tuple[list, list]:
    """Groups from the front adding up to about `target` towns, and the others."""
    taken, others, count = [], [], 0
    for group in groups:
        if count < target and count + len(group) <= target + 1:
            taken.append(group)
            count += len(group)
        else:
            others.append(group)
    return taken, others


def _posts(towns: int) -> int:
    return 1 + sum(1 for threshold in SECOND_POST_TOWNS if towns >= threshold)


def _assign_kinds(rng: random.Random, groups: list, world: World) -> list[Org]:
    """Each group becomes communes, an EPCI or (with a neighbour) a PETR: whichever
    keeps the posts closest to EMPLOYER_SHARES."""
    counts = dict.fromkeys(EMPLOYER_SHARES, 0)
    pending, orgs = list(groups), []
    while pending:
        group = pending.pop(0)
        partner = _petr_partner(group, pending)
        options = _options(group, partner)
        kind = min(options, key=lambda option: _error(counts, option, options[option]))
        counts[kind] += options[kind]
        if kind == "petr":
            pending.remove(partner)
            orgs.append(_petr_org(rng, group + partner, world))
        elif kind == "epci":
            orgs.append(_epci_org(group, world))
        else:
            orgs += [_commune_org(town) for town in group]
    return orgs


def _petr_partner(group: list[Town], pending: list) -> list[Town] | None:
    if not group[0].epci_siren:
        return None
    department = group[0].department_code
    return next(
        (
            other
            for other in pending
            if other[0].epci_siren and other[0].department_code == department and len(other) <= 3
        ),
        None,
    )


def _options(group: list[Town], partner: list[Town] | None) -> dict[str, int]:
    """The kinds `group` may take, with the posts each makes."""
    options = {}
    if group[0].epci_siren:
        options["epci"] = _posts(len(group))
    if len(group) <= 3 or not group[0].epci_siren:
        options["commune"] = len(group)
    if partner:
        options["petr"] = _posts(len(group) + len(partner))
    return options


def _error(counts: dict[str, int], kind: str, posts: int) -> float:
    after = dict(counts)
    after[kind] += posts
    total = sum(after.values())
    return sum((after[k] / total - EMPLOYER_SHARES[k] / 100) ** 2 for k in after)


def _commune_org(town: Town) -> Org:
    return Org(
        "commune",
        commune_organisation_name(town.name),
        town.department_code,
        [town],
        commune_insee_code=town.insee_code,
    )


def _epci_org(towns: list[Town], world: World) -> Org:
    siren = towns[0].epci_siren
    name, department = world.groupings[siren]
    return Org(
        "epci",
        name,
        department or towns[0].department_code,
        towns,
        posts=_posts(len(towns)),
        grouping_siren=siren,
    )


def _opening_org(towns: list[Town], world: World) -> Org:
    org = _epci_org(towns, world) if towns[0].epci_siren else _commune_org(towns[0])
    org.posts, org.open_only = 1, True
    return org


def _petr_org(rng: random.Random, towns: list[Town], world: World) -> Org:
    towns = sorted(towns, key=lambda town: (-(town.population or 0), town.insee_code))
    main = towns[0].name
    return Org(
        "petr",
        f"PETR du Pays {of_place(main)}",
        towns[0].department_code,
        towns,
        posts=_posts(len(towns)),
        grouping_siren=_new_siren(rng, world.taken_sirens),
        declared_petr=True,
    )


def _new_siren(rng: random.Random, taken: set[str]) -> str:
    """A SIREN passing the Luhn check that no grouping holds (PETR are declared)."""
    while True:
        body = f"200{rng.randrange(100_000):05d}"
        siren = next(body + digit for digit in "0123456789" if valid_siren(body + digit))
        if siren not in taken:
            taken.add(siren)
            return siren


def plan_lines(rng: random.Random, orgs: list[Org]) -> list[Line]:
    """Every post of every organisation, with its fate drawn by quota."""
    recruiting = [(org, index) for org in orgs if not org.open_only for index in range(org.posts)]
    flags = {
        name: quota(rng, len(recruiting), {True: share, False: 100 - share})
        for name, share in LINE_SHARES.items()
    }
    lines = [
        Line(org, org.towns[index % len(org.towns)], *(flags[name][n] for name in LINE_SHARES))
        for n, (org, index) in enumerate(recruiting)
    ]
    for line in lines:
        if line.anah:
            operation = rng.choice(HOUSING_OPERATIONS)
            line.housing_operation = operation.format(town=line.workplace.name)
    opening = [Line(org, org.towns[0]) for org in orgs if org.open_only]
    return lines + opening


def plan_agents(rng: random.Random, world: World, lines: list[Line]) -> dict:
    """The préfecture agent of each département, and the ANAH agent where ANAH pays;
    None for the départements left without ANAH agent."""
    departments = sorted({line.org.department_code for line in lines})
    anah = sorted({line.org.department_code for line in lines if line.anah})
    without = set()
    if len(anah) >= 2:
        candidates = [code for code in anah if code not in world.anah_agents]
        count = min(max(1, round(WITHOUT_ANAH_AGENT * len(anah))), len(candidates))
        without = set(rng.sample(candidates, count))
    return {
        "prefecture": {code: world.prefecture_agents.get(code) for code in departments},
        "anah": {code: world.anah_agents.get(code) for code in anah if code not in without},
        "without_anah": dict.fromkeys(sorted(without)),
    }


# --- applications and candidates -----------------------------------------------------


class ApplicationPlanner:
    """The applications of one offer, with coherent states and dates."""

    def __init__(self, rng: random.Random, world: World):
        self.rng = rng
        self.world = world

    def plan(self, offer: OfferPlan) -> None:
        if offer.status == "filled":
            self.filled(offer)
        elif offer.status == "expired":
            self.expired(offer)
        else:
            self.open(offer)

    def sent_between(self, offer: OfferPlan, last: datetime, count: int) -> list[datetime]:
        """`count` moments after the offer's publication, up to `last`."""
        first = offer.published_at + min(timedelta(minutes=5), (last - offer.published_at) / 2)
        span = max(int((last - first).total_seconds()), 1)
        return sorted(first + timedelta(seconds=within(self.rng, span)) for _ in range(count))

    def filled(self, offer: OfferPlan) -> None:
        tenure, rng = offer.tenure, self.rng
        deadline = datetime.combine(offer.content["application_deadline"], time(23, 0), PARIS)
        last = min(deadline.astimezone(UTC), tenure.hired_at - timedelta(hours=1))
        sent = self.sent_between(offer, last, int(rng.triangular(*APPLICATIONS_FILLED)))
        hired = rng.randrange(len(sent))
        for index, created in enumerate(sent):
            if index == hired:
                app = AppPlan(ApplicationStatus.HIRED, created, tenure.hired_at, tenure.hired_at)
                tenure.hire = app
            elif rng.random() < WITHDRAWN_SHARE:
                app = AppPlan(ApplicationStatus.WITHDRAWN, created, self.before(created, last))
            else:
                decided = (
                    tenure.hired_at + timedelta(minutes=rng.randint(1, 20))
                    if rng.random() < 0.7
                    else self.before(created, tenure.hired_at)
                )
                app = AppPlan(ApplicationStatus.REJECTED, created, decided, decided)
            offer.applications.append(app)

    def expired(self, offer: OfferPlan) -> None:
        sent = self.sent_between(offer, offer.ended_at, self.rng.randint(2, 12))
        for created in sent:
            if self.rng.random() < 0.15:
                app = AppPlan(
                    ApplicationStatus.WITHDRAWN, created, self.before(created, offer.ended_at)
                )
            else:
                decided = offer.ended_at + timedelta(days=self.rng.randint(1, 20))
                decided = min(decided, self.world.now - timedelta(minutes=1))
                app = AppPlan(ApplicationStatus.REJECTED, created, decided, decided)
            offer.applications.append(app)

    def open(self, offer: OfferPlan) -> None:
        now = self.world.now
        days = (now - offer.published_at).days + 3
        count = max(1, round(self.rng.triangular(4, 40, 12) * min(1.0, days / 40)))
        states = quota(self.rng, count, OPEN_APPLICATION_STATES)
        for created, status in zip(self.sent_between(offer, now, count), states, strict=True):
            updated = created if status == ApplicationStatus.SENT else self.before(created, now)
            decided = updated if status == ApplicationStatus.REJECTED else None
            offer.applications.append(AppPlan(status, created, updated, decided))

    def before(self, start: datetime, end: datetime) -> datetime:
        """A moment after `start` and before `end` (at `end` when there is no room)."""
        span = int((end - start).total_seconds())
        if span <= 120:
            return end
        return start + timedelta(seconds=60 + within(self.rng, span - 60))


class CandidatePlanner:
    """Who applied: candidates active for a quarter apply to a few offers each; every
    hire is a different person, whose profile is the recruit's."""

    def __init__(self, rng: random.Random, world: World):
        self.rng = rng
        self.world = world
        self.pools: dict[tuple[int, int], int] = {}
        self.people: dict[tuple, Candidate] = {}

    def run(self, offers: list[OfferPlan], tenures: list[Tenure]) -> list[Candidate]:
        quarters = Counter(
            quarter(app.created_at) for offer in offers for app in offer.applications
        )
        self.pools = {
            key: max(count // APPLICATIONS_PER_CANDIDATE, SMALLEST_COHORT)
            for key, count in quarters.items()
        }
        for offer in offers:
            self.assign(offer)
        assign_profiles(self.rng, tenures)
        for candidate in self.people.values():
            self.name(candidate)
        self.anonymise(offers)
        return [
            candidate
            for candidate in self.people.values()
            if candidate.last_at >= self.world.cutoff
        ]

    def assign(self, offer: OfferPlan) -> None:
        used: set[tuple] = set()
        for app in offer.applications:
            cohort = quarter(app.created_at)
            hired = app.status == ApplicationStatus.HIRED
            key = self.pick(cohort, used, hired)
            used.add(key)
            person = self.people.get(key)
            if person is None:
                person = self.people[key] = Candidate(key, app.created_at, app.created_at)
            person.first_at = min(person.first_at, app.created_at)
            person.last_at = max(person.last_at, app.created_at)
            if hired:
                person.hired = offer.tenure
            app.candidate = person

    def pick(self, cohort: tuple[int, int], used: set, hired: bool) -> tuple:
        for _ in range(50):
            key = (*cohort, self.rng.randrange(self.pools[cohort]))
            person = self.people.get(key)
            if key not in used and not (hired and person is not None and person.hired):
                return key
        self.pools[cohort] += 1
        return (*cohort, self.pools[cohort] - 1)

    def name(self, candidate: Candidate) -> None:
        if candidate.hired is not None:
            candidate.woman = candidate.hired.profile["gender"] == "femme"
        else:
            candidate.woman = self.rng.random() < 0.62
        candidate.name = (
            self.rng.choice(FIRST_NAMES[candidate.woman]),
            self.rng.choice(LAST_NAMES),
        )
        if candidate.hired is not None:
            candidate.hired.holder = candidate.name

    def anonymise(self, offers: list[OfferPlan]) -> None:
        """The retention period, as the worker applies it: an account without an
        application since the cutoff is gone, and finished applications older than the
        cutoff are stripped of their candidate."""
        cutoff = self.world.cutoff
        for offer in offers:
            for app in offer.applications:
                finished = app.finished_at
                kept = app.candidate.last_at >= cutoff
                app.anonymised = not kept or (finished is not None and finished < cutoff)


def quarter(moment_: datetime) -> tuple[int, int]:
    return moment_.year, (moment_.month - 1) // 3 + 1


def assign_profiles(rng: random.Random, tenures: list[Tenure]) -> None:
    """The recruits' answers, in the survey's proportions."""
    for column, shares in PROFILE_SHARES.items():
        for tenure, value in zip(tenures, quota(rng, len(tenures), shares), strict=True):
            tenure.profile[column] = value


# --- cofunding requests ----------------------------------------------------------------


class RequestPlanner:
    """One request per post held and calendar year since 2021, split by the engine."""

    def __init__(self, rng: random.Random, world: World, agents: dict):
        self.rng = rng
        self.world = world
        self.today = world.today
        self.without_anah = agents["without_anah"]
        self.requests: list[RequestPlan] = []

    def run(self, tenures: list[Tenure]) -> list[RequestPlan]:
        for tenure in tenures:
            if tenure.offer.line.cofunded:
                self.for_tenure(tenure)
        self.current_statuses()
        for request in self.requests:
            self.date(request)
            self.split(request)
        return self.requests

    def for_tenure(self, tenure: Tenure) -> None:
        line = tenure.offer.line
        cost = self.rng.randrange(ANNUAL_COST[0], ANNUAL_COST[1] + 1, 100)
        bdt = self.rng.random() < BDT_ASKED
        last_year = min(self.today.year, (tenure.ends_on or self.today).year)
        previous = None
        for year in range(max(COFUNDING_FROM, tenure.started_on.year), last_year + 1):
            start = max(tenure.started_on, date(year, 1, 1))
            end = min(tenure.ends_on or date(year, 12, 31), date(year, 12, 31))
            if start > self.today - timedelta(days=10):
                break
            anah = line.anah and (
                line.org.department_code not in self.without_anah or year == self.today.year
            )
            request = RequestPlan(tenure, year, (start, end), cost, anah, bdt, previous)
            if year < self.today.year:
                request.status = self.rng.choices(*zip(*PAST_STATUSES.items(), strict=True))[0]
            self.requests.append(request)
            previous = request
            cost = min(ANNUAL_COST_MAX, round(cost * 1.015, -2))

    def current_statuses(self) -> None:
        """This year's states by quota; a request filed lately, or asking an ANAH
        delegation that has no agent, still waits."""
        current = [request for request in self.requests if request.year == self.today.year]
        forced = [request for request in current if self.must_wait(request)]
        others = [request for request in current if not self.must_wait(request)]
        for request, status in zip(
            others, quota(self.rng, len(others), CURRENT_STATUSES, 1), strict=True
        ):
            request.status = status
        for request in forced:
            request.status = self.rng.choice(WAITING)

    def must_wait(self, request: RequestPlan) -> bool:
        department = request.tenure.offer.line.org.department_code
        recent = request.period[0] > self.today - timedelta(days=45)
        return recent or (request.anah_asked and department in self.without_anah)

    def date(self, request: RequestPlan) -> None:
        """created → submitted → instruction → decision, never in the future."""
        rng, tenure = self.rng, request.tenure
        if request.previous is None:
            created = max(tenure.hired_at.date(), request.period[0] - timedelta(days=20))
            created += timedelta(days=rng.randint(3, 30))
        else:
            created = date(request.year - 1, 12, 1) + timedelta(days=rng.randint(0, 60))
            previous = request.previous.steps.get("decided")
            if previous is not None:
                created = max(created, previous.date() + timedelta(days=1))
        days = [rng.randint(1, 12), rng.randint(2, 20), rng.randint(7, 50)]
        if request.status in WAITING or request.status == CofundingStatus.CHANGES_REQUESTED:
            self.date_waiting(request, min(created, self.today - timedelta(days=2)))
            return
        steps, day = {"created": created}, created
        for name, gap in zip(("submitted", "opened", "decided"), days, strict=True):
            day += timedelta(days=gap)
            steps[name] = day
        self.stamp(request, steps)

    def date_waiting(self, request: RequestPlan, created: date) -> None:
        submitted = max(
            created + timedelta(days=1), self.today - timedelta(days=self.rng.randint(3, 75))
        )
        steps = {"created": created, "submitted": min(submitted, self.today)}
        if request.status != CofundingStatus.SUBMITTED:
            room = (self.today - steps["submitted"]).days
            steps["opened"] = steps["submitted"] + timedelta(days=self.rng.randint(0, room))
        if request.status == CofundingStatus.CHANGES_REQUESTED:
            room = (self.today - steps["opened"]).days
            steps["changes"] = steps["opened"] + timedelta(days=self.rng.randint(0, room))
        self.stamp(request, steps)

    def stamp(self, request: RequestPlan, days: dict[str, date]) -> None:
        """Working hours of those days, in order, none after now."""
        previous = None
        for name, day in days.items():
            value = moment(self.rng, min(day, self.today), self.world.now)
            if previous is not None and value <= previous:
                value = previous + timedelta(minutes=self.rng.randint(1, 30))
            request.steps[name] = min(value, self.world.now)
            previous = request.steps[name]

    def split(self, request: RequestPlan) -> None:
        """The engine's maximum split; the ANAH opinion may lower ANAH's part."""
        request.rule_id, rule = self.world.rule_on(request.period[0])
        split = compute_split(
            Decimal(request.cost), request.anah_asked, *request.period, rule, request.bdt_asked
        )
        asked = (
            [Funder.ANCT] + [Funder.BDT] * request.bdt_asked + [Funder.ANAH] * request.anah_asked
        )
        request.parts = {funder.value: (split.parts[funder.value],) * 2 for funder in asked}
        if request.anah_asked and self.has_opinion(request):
            anah = split.parts[Funder.ANAH.value]
            lowered = anah * Decimal(self.rng.randint(60, 95)) / 100
            lowered = (lowered / 100).quantize(Decimal(1), rounding=ROUND_DOWN) * 100
            if lowered > 0 and self.rng.random() < ANAH_LOWERED:
                anah = lowered
            request.opinion = anah
            request.parts[Funder.ANAH.value] = (split.parts[Funder.ANAH.value], anah)
        if request.status == CofundingStatus.REFUSED:
            request.reason = self.rng.choice(REFUSALS)
        elif request.status == CofundingStatus.DISMISSED:
            request.reason = self.rng.choice(DISMISSALS)

    def has_opinion(self, request: RequestPlan) -> bool:
        if request.status in (CofundingStatus.GRANTED, CofundingStatus.REFUSED):
            return True
        if request.tenure.offer.line.org.department_code in self.without_anah:
            return False
        return "opened" in request.steps and self.rng.random() < 0.5


# --- writing ---------------------------------------------------------------------------


def insert_rows(table, rows: list[dict], returning: bool = False) -> list[int]:
    """Bulk insert in batches; the new ids in the rows' order when `returning`."""
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        if not chunk:
            continue
        if returning:
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids += db.session.execute(statement, chunk).scalars().all()
        else:
            db.session.execute(insert(table), chunk)
    return ids


class Writer:
    """Writes a plan with Core bulk inserts, in dependency order (the caller commits)."""

    def __init__(self, plan: Plan, clock: Clock, rng: random.Random):
        self.plan = plan
        self.world = plan.world
        self.clock = clock
        self.rng = rng

    def run(self) -> None:
        self.agents()
        self.organisations()
        self.members()
        self.offers()
        self.candidates()
        self.applications()
        self.recruits()
        self.requests()

    def user(self, email: str, role: Role, name: tuple[str, str], since: datetime) -> dict:
        return {
            "email": email,
            "password_hash": self.world.password_hash,
            "role": role.value,
            "first_name": name[0],
            "last_name": name[1],
            "is_active_account": True,
            "email_confirmed_at": since,
            "created_at": since,
            "last_login_at": None,
            "session_token": secrets.token_urlsafe(24),
        }

    def a_name(self) -> tuple[str, str]:
        woman = self.rng.random() < 0.6
        return self.rng.choice(FIRST_NAMES[woman]), self.rng.choice(LAST_NAMES)

    def agents(self) -> None:
        """Préfecture and ANAH agents where the plain demo has none."""
        since = datetime(2020, 10, 1, 8, tzinfo=UTC)
        missing = [
            (role, code)
            for role in ("prefecture", "anah")
            for code, agent in self.plan.agents[role].items()
            if agent is None
        ]
        rows = [
            self.user(f"{role}-{code.lower()}@{NATIONAL_DOMAIN}", Role(role), self.a_name(), since)
            for role, code in missing
        ]
        ids = insert_rows(User.__table__, rows, returning=True)
        for (role, code), user_id in zip(missing, ids, strict=True):
            self.plan.agents[role][code] = user_id
        insert_rows(
            user_department,
            [
                {"user_id": user_id, "department_code": code}
                for (_role, code), user_id in zip(missing, ids, strict=True)
            ],
        )
        self.clock(f"{len(ids)} agents de préfecture et de l'ANAH")

    def organisations(self) -> None:
        orgs = self.plan.orgs
        petr = [org for org in orgs if org.declared_petr]
        insert_rows(Grouping.__table__, [self.petr_row(org) for org in petr])
        ids = insert_rows(Organisation.__table__, [self.org_row(org) for org in orgs], True)
        for org, org_id in zip(orgs, ids, strict=True):
            org.id = org_id
        insert_rows(
            organisation_town,
            [
                {"organisation_id": org.id, "commune_insee_code": town.insee_code}
                for org in orgs
                for town in org.towns
            ],
        )
        self.clock(f"{len(orgs)} collectivités, dont {len(petr)} PETR déclarés")

    def petr_row(self, org: Org) -> dict:
        return {
            "siren": org.grouping_siren,
            "name": org.name,
            "kind": "petr",
            "legal_form": "",
            "department_code": org.department_code,
            "search_name": fold(org.name),
            "declared": True,
        }

    def org_row(self, org: Org) -> dict:
        kind = OrganisationKind.COMMUNE if org.kind == "commune" else OrganisationKind.GROUPING
        return {
            "kind": kind.value,
            "commune_insee_code": org.commune_insee_code,
            "grouping_siren": org.grouping_siren,
            "name": org.name,
            "department_code": org.department_code,
            "status": OrganisationStatus.VALIDATED.value,
            "refusal_reason": "",
            "created_at": org.created_at,
            "decided_at": org.decided_at,
            "decided_by_id": self.plan.agents["prefecture"].get(org.department_code),
        }

    def members(self) -> None:
        orgs = self.plan.orgs
        rows = [self.user(org.email, Role.EMPLOYER, self.a_name(), org.created_at) for org in orgs]
        ids = insert_rows(User.__table__, rows, returning=True)
        for org, user_id in zip(orgs, ids, strict=True):
            org.member_id = user_id
        insert_rows(
            Membership.__table__,
            [
                {
                    "user_id": org.member_id,
                    "organisation_id": org.id,
                    "created_at": org.created_at,
                    "notification_frequency": "daily",
                }
                for org in orgs
            ],
        )
        self.clock(f"{len(ids)} comptes employeurs")

    def offers(self) -> None:
        offers = self.plan.offers
        ids = insert_rows(Offer.__table__, [self.offer_row(offer) for offer in offers], True)
        for offer, offer_id in zip(offers, ids, strict=True):
            offer.id = offer_id
        insert_rows(
            offer_town,
            [
                {"offer_id": offer.id, "commune_insee_code": town.insee_code}
                for offer in offers
                for town in offer.line.org.towns
            ],
        )
        self.clock(f"{len(ids)} offres")

    def offer_row(self, offer: OfferPlan) -> dict:
        org = offer.line.org
        return {
            **offer.content,
            "organisation_id": org.id,
            "status": offer.status,
            "created_by_id": org.member_id,
            "created_at": offer.created_at,
            "updated_at": offer.ended_at or offer.published_at,
            "published_at": offer.published_at,
            "first_published_at": offer.published_at,
            "closed_at": None,
            "filled_at": offer.ended_at if offer.status == "filled" else None,
            "expired_at": offer.ended_at if offer.status == "expired" else None,
        }

    def candidates(self) -> None:
        people = self.plan.candidates
        rows = []
        for person in people:
            since = person.first_at - timedelta(hours=self.rng.randint(1, 72))
            row = self.user(person.email, Role.CANDIDATE, person.name, since)
            row["last_login_at"] = person.last_at
            rows.append(row)
        ids = insert_rows(User.__table__, rows, returning=True)
        for person, user_id in zip(people, ids, strict=True):
            person.id = user_id
        insert_rows(CandidateProfile.__table__, [self.profile_row(person) for person in people])
        self.clock(f"{len(ids)} comptes candidats")

    def profile_row(self, person: Candidate) -> dict:
        answers = candidate_answers(self.rng, person)
        return {
            "user_id": person.id,
            "phone": "",
            "town_insee_code": None,
            "mobility_regions": [],
            "mobility_departments": [],
            "default_cv_id": None,
            "updated_at": person.first_at,
            **answers,
        }

    def applications(self) -> None:
        rows, apps = [], []
        for offer in self.plan.offers:
            for app in offer.applications:
                rows.append(self.application_row(offer, app))
                apps.append(app)
        ids = insert_rows(Application.__table__, rows, returning=True)
        for app, app_id in zip(apps, ids, strict=True):
            app.id = app_id
        self.clock(f"{len(ids)} candidatures")

    def application_row(self, offer: OfferPlan, app: AppPlan) -> dict:
        rng, anonymous = self.rng, app.anonymised
        rejected = app.status == ApplicationStatus.REJECTED
        interview = app.status == ApplicationStatus.INTERVIEW
        finished = app.finished_at or app.updated_at
        return {
            "offer_id": offer.id,
            "candidate_id": None if anonymous else app.candidate.id,
            "status": app.status.value,
            "cover_letter": ""
            if anonymous
            else rng.choice(LETTERS).format(town=offer.line.workplace.name),
            "cv_id": None,
            "rejection_reason": rng.choice(REJECTIONS) if rejected and not anonymous else "",
            "rejection_reason_shared": rejected and not anonymous and rng.random() < 0.6,
            "interview_details": rng.choice(INTERVIEWS) if interview else "",
            "created_at": app.created_at,
            "updated_at": app.updated_at,
            "decided_at": app.decided_at,
            "anonymised_at": min(finished + self.world.retention, self.world.now)
            if anonymous
            else None,
        }

    def recruits(self) -> None:
        rows = [self.recruit_row(tenure) for tenure in self.plan.tenures]
        insert_rows(Recruit.__table__, rows)
        self.clock(f"{len(rows)} recrutements (profils anonymes)")

    def recruit_row(self, tenure: Tenure) -> dict:
        offer, org = tenure.offer, tenure.offer.line.org
        return {
            "organisation_id": org.id,
            "department_code": org.department_code,
            "post_key": f"offer:{offer.id}",
            "offer_id": offer.id,
            "source": RecruitSource.HIRE,
            "started_on": tenure.started_on,
            "ends_on": tenure.ends_on,
            "hired_on": tenure.hired_at.astimezone(PARIS).date(),
            "days_to_hire": tenure.days_to_hire,
            "experience": tenure.profile["experience"],
            "diploma": tenure.profile["diploma"],
            "field_of_study": tenure.profile["field_of_study"],
            "gender": tenure.profile["gender"],
            "employer_kind": org.kind,
            "created_at": tenure.hired_at,
        }

    def requests(self) -> None:
        requests = self.plan.requests
        for year in sorted({request.year for request in requests}):
            batch = [request for request in requests if request.year == year]
            ids = insert_rows(
                CofundingRequest.__table__, [self.request_row(r) for r in batch], True
            )
            for request, request_id in zip(batch, ids, strict=True):
                request.id = request_id
        insert_rows(FundingPlan.__table__, [row for r in requests for row in self.plan_rows(r)])
        opinions = [self.opinion_row(r) for r in requests if r.opinion is not None]
        insert_rows(AnahOpinion.__table__, opinions)
        events = [event for r in requests for event in self.event_rows(r)]
        insert_rows(AuditEvent.__table__, events)
        self.clock(
            f"{len(requests)} demandes de cofinancement, {len(opinions)} avis de l'ANAH, "
            f"{len(events)} événements d'historique"
        )

    def request_row(self, request: RequestPlan) -> dict:
        tenure = request.tenure
        offer, org, steps = tenure.offer, tenure.offer.line.org, request.steps
        decided = request.status in (
            CofundingStatus.GRANTED,
            CofundingStatus.REFUSED,
            CofundingStatus.DISMISSED,
        )
        previous = request.previous
        return {
            "organisation_id": org.id,
            "status": str(request.status),
            "version": 1,
            "offer_id": offer.id,
            "application_id": tenure.hire.id,
            "post_title": offer.content["title"],
            "post_key": f"offer:{offer.id}",
            "holder_first_name": tenure.holder[0],
            "holder_last_name": tenure.holder[1],
            "holder_start_date": tenure.started_on,
            "contract_type": offer.content["contract_type"],
            "contract_end_date": tenure.ends_on,
            "period_start": request.period[0],
            "period_end": request.period[1],
            "annual_loaded_cost": Decimal(request.cost),
            "bdt_asked": request.bdt_asked,
            "anah_asked": request.anah_asked,
            "housing_operation": offer.line.housing_operation if request.anah_asked else "",
            "renewal_of_id": previous.id
            if previous is not None and previous.status == CofundingStatus.GRANTED
            else None,
            "creation_token": None,
            "instructor_id": self.plan.agents["prefecture"].get(org.department_code)
            if "opened" in steps
            else None,
            "decision_reason": request.reason,
            "rule_id": request.rule_id if request.status == CofundingStatus.GRANTED else None,
            "decision_pdf_id": None,
            "created_at": steps["created"],
            "updated_at": max(steps.values()),
            "submitted_at": steps.get("submitted"),
            "instruction_started_at": steps.get("opened"),
            "decided_at": steps.get("decided") if decided else None,
        }

    def plan_rows(self, request: RequestPlan) -> list[dict]:
        return [
            {
                "request_id": request.id,
                "funder": funder,
                "requested_amount": requested,
                "granted_amount": granted,
            }
            for funder, (requested, granted) in request.parts.items()
        ]

    def opinion_row(self, request: RequestPlan) -> dict:
        steps = request.steps
        given = steps["opened"] + (steps.get("decided", steps["opened"]) - steps["opened"]) / 2
        return {
            "request_id": request.id,
            "author_id": self.plan.agents["anah"].get(
                request.tenure.offer.line.org.department_code
            ),
            "favourable": True,
            "amount": request.opinion,
            "comment": "Avis favorable : le chef de projet anime l'opération d'amélioration de "
            "l'habitat.",
            "created_at": given,
        }

    def event_rows(self, request: RequestPlan) -> list[dict]:
        org = request.tenure.offer.line.org
        prefecture = self.plan.agents["prefecture"].get(org.department_code)
        steps = request.steps
        events = [
            ("cofunding.create", org.member_id, steps["created"], ""),
            ("cofunding.submit", org.member_id, steps["submitted"], ""),
        ]
        if "opened" in steps:
            events.append(("cofunding.open", prefecture, steps["opened"], ""))
        if "changes" in steps:
            events.append(
                (
                    "cofunding.request_changes",
                    prefecture,
                    steps["changes"],
                    self.rng.choice(CHANGES),
                )
            )
        if request.opinion is not None:
            anah = self.plan.agents["anah"].get(org.department_code)
            comment = f"Avis favorable, {euros(request.opinion)}"
            events.append(
                ("cofunding.anah_opinion", anah, self.opinion_row(request)["created_at"], comment)
            )
        if "decided" in steps:
            action = {"granted": "grant", "refused": "refuse", "dismissed": "dismiss"}[
                str(request.status)
            ]
            events.append(
                (f"cofunding.{action}", prefecture, steps["decided"], self.decision(request))
            )
        return [
            {
                "created_at": at,
                "actor_id": actor,
                "action": action,
                "object_type": CofundingRequest.__tablename__,
                "object_id": str(request.id),
                "comment": comment,
            }
            for action, actor, at, comment in events
        ]

    def decision(self, request: RequestPlan) -> str:
        if request.status != CofundingStatus.GRANTED:
            return request.reason
        return " ; ".join(
            f"{Funder(funder).label} {euros(granted)}"
            for funder, (_requested, granted) in request.parts.items()
        )


def candidate_answers(rng: random.Random, person: Candidate) -> dict:
    """The optional profile answers: a recruit's match its snapshot; others answer
    seven times out of ten."""
    if person.hired is not None:
        profile = person.hired.profile
    elif rng.random() < 0.7:
        profile = {
            column: rng.choices(*zip(*shares.items(), strict=True))[0]
            for column, shares in PROFILE_SHARES.items()
        }
        profile["gender"] = "femme" if person.woman else "homme"
    else:
        return dict.fromkeys(("experience_years", "diploma", "field_of_study", "gender"))
    years = {"moins_1_an": (0, 0), "1_5_ans": (1, 4), "5_20_ans": (5, 19), "plus_20_ans": (20, 30)}
    diplomas = {"bac": "bac", "bac+2/3": rng.choice(("bac+2", "bac+3")), "bac+4/5": "bac+5"}
    return {
        "experience_years": rng.randint(*years[profile["experience"]]),
        "diploma": diplomas.get(profile["diploma"], profile["diploma"]),
        "field_of_study": profile["field_of_study"],
        "gender": profile["gender"],
    }


# --- summary -----------------------------------------------------------------------------


def summary(plan: Plan, clock: Clock) -> str:
    kinds = Counter(org.kind for org in plan.orgs)
    offers = Counter(offer.status for offer in plan.offers)
    requests = Counter(str(request.status) for request in plan.requests)
    covered = sum(len(org.towns) for org in plan.orgs)
    money = sum(
        (
            granted
            for r in plan.requests
            if r.status == CofundingStatus.GRANTED
            for _, granted in r.parts.values()
        ),
        Decimal(0),
    )
    labels = {status.value: status.label.lower() for status in CofundingStatus}
    return "\n".join(
        [
            f"Programme national de démonstration (comptes @{NATIONAL_DOMAIN}, mot de passe "
            f"{current_app.config['DEMO_PASSWORD']}) :",
            f"  {covered} communes PVD couvertes par {len(plan.orgs)} collectivités "
            f"({kinds['epci']} EPCI, {kinds['commune']} communes, {kinds['petr']} PETR), "
            f"{plan.vacant_towns} sans collectivité",
            f"  {len(plan.offers)} offres ({offers['filled']} pourvues, {offers['published']} "
            f"publiées, {offers['expired']} expirées), {plan.application_count()} candidatures, "
            f"{len(plan.candidates)} comptes candidats",
            f"  {len(plan.tenures)} recrutements depuis 2020 ; {len(plan.requests)} demandes de "
            "cofinancement ("
            + ", ".join(f"{count} {labels[status]}" for status, count in sorted(requests.items()))
            + f"), {euros(money)} accordés",
            f"  en {clock.elapsed():.1f} s",
        ]
    )
