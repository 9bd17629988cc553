"""Realistic demo offers: French texts from the trade of a chef de projet PVD.

Two entry points:

- `create_demo_offers(count)` adds `count` published offers spread over every
  département that has PVD towns, fast enough for load tests (`flask demo seed --offers N`,
  `make bench`): 10,000 offers take a few seconds.
- `create_demo_offers_in_every_state()` gives the base demo (`flask demo seed`)
  offers in every state for the demo organisations of Quimperlé and Commercy,
  and about 300 published offers across France. Idempotent.

Texts are drawn with a seeded `random.Random`, so the same database state and
seed give the same offers.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select

from recrutement.core.french import commune_organisation_name
from recrutement.core.time import utcnow
from recrutement.extensions import db
from recrutement.offers.models import (
    DEFAULT_TITLE,
    FIXED_TERM_CONTRACTS,
    Category,
    ContractType,
    Experience,
    Offer,
    OfferStatus,
    RemoteWork,
    offer_town,
)
from recrutement.organisations.models import (
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    organisation_town,
)
from recrutement.referential.models import Commune, Department, Region
from recrutement.referential.text import fold

# The demo mail domain (recrutement.demo.DOMAIN), repeated to keep this module
# importable from recrutement.demo without a cycle.
DEMO_MAIL_DOMAIN = "demo.recrutement-pvd.fr"
DEFAULT_SEED = 2026
# The base demo tops the published offers up to this many.
DEMO_OFFERS_ACROSS_FRANCE = 300
# The demo organisations that get offers in every state (Quimperlé, Commercy).
DEMO_STATE_ORGANISATIONS = ("29233", "55122")

PUBLISHED_WITHIN_DAYS = 60
DEADLINE_MIN_DAYS = 31  # a notice stays open at least one month (DESIGN.md)
DEADLINE_MAX_DAYS = 90
BATCH = 2_000

# --- vocabulary of the trade ---------------------------------------------------------------

# (title, weight): mostly the default title, sometimes what employers actually write.
TITLES = (
    (DEFAULT_TITLE, 14),
    ("Chef de projet Petites villes de demain (H/F)", 3),
    ("Chef de projet revitalisation – Petites villes de demain", 2),
    ("Chargé(e) de mission PVD et ORT", 1),
    ("Chef de projet Petites villes de demain et opération de revitalisation de territoire", 1),
    ("Chef de projet revitalisation du centre-bourg (PVD)", 1),
    ("Chargé(e) de mission revitalisation des centres-bourgs – Petites villes de demain", 1),
    ("Chef de projet PVD – habitat et commerce", 1),
    ("Chef de projet Petites villes de demain – urbanisme et aménagement", 1),
)

OPENINGS = (
    "{town_pop}, lauréate du programme Petites villes de demain depuis {year}, recrute son ou sa "
    "chef de projet pour conduire la revitalisation de son centre-bourg.",
    "Ville-centre de son bassin de vie ({department}, région {region}), {town} s'est engagée "
    "dans le programme Petites villes de demain et dans une opération de revitalisation de "
    "territoire (ORT). Elle recherche un ou une chef de projet pour mettre en œuvre son projet "
    "de territoire.",
    "En région {region}, {town_pop} porte un projet de redynamisation ambitieux, soutenu par "
    "l'État et ses partenaires dans le cadre de Petites villes de demain. Pour le piloter, la "
    "collectivité crée un poste de chef de projet.",
    "Signataire de la convention Petites villes de demain en {year}, {town} ({department}) "
    "renforce son équipe : le ou la chef de projet sera la cheville ouvrière de la "
    "revitalisation du centre-ville, aux côtés des élus.",
    "{town_pop} a engagé la transformation de son cœur de ville : habitat, commerces, espaces "
    "publics, services. La commune recrute un ou une chef de projet Petites villes de demain "
    "pour accélérer la mise en œuvre de sa stratégie.",
    "Petite ville dynamique de la région {region}, {town} conduit depuis {year} un programme "
    "de revitalisation avec l'appui de l'ANCT. Le poste de chef de projet, cofinancé jusqu'à "
    "75 %, est à pourvoir.",
)

REPORTING_LINES = (
    "la direction générale des services",
    "la directrice générale des services",
    "le directeur général des services",
    "la direction de l'aménagement et de l'urbanisme",
    "la direction du développement territorial",
    "la maire et l'adjoint chargé de l'urbanisme",
)

ROLE_SENTENCES = (
    "coordonne l'ensemble des actions du programme et en assure la cohérence",
    "pilote la stratégie de revitalisation, de sa définition à sa mise en œuvre opérationnelle",
    "anime le projet de territoire avec les élus, les services et les partenaires",
    "est l'interlocuteur privilégié des partenaires financiers et techniques du programme",
)


@dataclass(frozen=True)
class Theme:
    """A priority of a revitalisation project: how it is named, what the post does for it."""

    key: str
    phrase: str
    missions: tuple[str, ...]


THEMES = (
    Theme(
        "habitat",
        "la reconquête de l'habitat ancien et la lutte contre l'habitat indigne",
        (
            "Piloter l'OPAH-RU (opération programmée d'amélioration de l'habitat – renouvellement "
            "urbain) avec l'opérateur retenu et la délégation locale de l'ANAH",
            "Repérer les situations d'habitat indigne et coordonner les procédures avec les "
            "services de l'État et l'agence régionale de santé",
            "Lutter contre la vacance des logements en centre-bourg et accompagner les "
            "propriétaires dans leurs projets de rénovation",
            "Suivre le traitement des îlots dégradés et les opérations de recyclage foncier "
            "conduites avec l'EPF",
        ),
    ),
    Theme(
        "commerce",
        "la lutte contre la vacance commerciale et le soutien au commerce de proximité",
        (
            "Animer la stratégie commerciale du centre-ville et tenir l'observatoire de la "
            "vacance commerciale",
            "Travailler avec le manager de commerce, les unions commerciales et les chambres "
            "consulaires pour attirer de nouvelles activités",
            "Mobiliser les outils de maîtrise foncière des cellules commerciales (droit de "
            "préemption, foncière de redynamisation de la Banque des territoires)",
        ),
    ),
    Theme(
        "mobility",
        "les mobilités douces et l'apaisement du centre",
        (
            "Élaborer un schéma des mobilités douces : pistes cyclables, cheminements piétons, "
            "stationnement vélo",
            "Conduire le plan de circulation et l'apaisement des traversées de bourg",
        ),
    ),
    Theme(
        "ecology",
        "la transition écologique et la sobriété foncière",
        (
            "Inscrire le projet dans la transition écologique : rénovation énergétique, "
            "renaturation, gestion de l'eau, sobriété foncière",
            "Monter les dossiers de financement au titre du Fonds vert et suivre les "
            "opérations de renaturation des cours d'école et des places",
        ),
    ),
    Theme(
        "wasteland",
        "la reconversion des friches",
        (
            "Conduire les études de reconversion des friches industrielles et commerciales "
            "avec l'EPF et le CEREMA",
        ),
    ),
    Theme(
        "heritage",
        "la mise en valeur du patrimoine",
        (
            "Valoriser le patrimoine bâti et paysager avec l'architecte des bâtiments de France "
            "(site patrimonial remarquable, ravalement de façades)",
        ),
    ),
    Theme(
        "public_spaces",
        "l'aménagement des espaces publics",
        (
            "Piloter les projets d'aménagement des espaces publics (places, halles, berges, "
            "entrées de ville) avec les maîtres d'œuvre",
        ),
    ),
    Theme(
        "services",
        "l'accès aux services et à la santé",
        (
            "Accompagner l'implantation de services au public : maison de santé, France "
            "services, tiers-lieu, médiathèque",
        ),
    ),
    Theme(
        "planning",
        "l'urbanisme et la planification",
        (
            "Articuler le projet avec les documents d'urbanisme (PLUi, SCoT) et le programme "
            "local de l'habitat",
            "Instruire avec le service urbanisme les projets structurants du centre-bourg",
        ),
    ),
)

CORE_MISSIONS = (
    "Définir avec les élus le projet de revitalisation du territoire et sa programmation "
    "pluriannuelle",
    "Élaborer puis mettre en œuvre la convention d'opération de revitalisation de territoire (ORT)",
    "Assurer l'ingénierie de projet et la conduite de projet : calendrier, plan de "
    "financement, tableaux de bord",
    "Préparer et animer les comités de pilotage et les comités techniques du programme",
    "Rechercher les financements (DETR, DSIL, Fonds vert, fonds européens) et monter les "
    "dossiers de subvention",
    "Assurer la maîtrise d'ouvrage des études pré-opérationnelles et rédiger les cahiers des "
    "charges des marchés publics",
    "Organiser la concertation citoyenne et la communication autour du projet",
    "Évaluer les actions engagées et rendre compte aux élus et au comité de projet",
    "Participer au Club Petites villes de demain et aux échanges du réseau des chefs de projet",
    "Mobiliser les services de la commune et de l'intercommunalité autour des actions du programme",
    "S'inspirer des démarches Action cœur de ville et des retours d'expérience d'autres "
    "territoires",
    "Suivre la programmation des opérations et la consommation des crédits",
)

PARTNERSHIP_MISSIONS = (
    "Assurer le lien avec les partenaires : Banque des territoires, ANAH, CEREMA, EPF, "
    "services de l'État, région et département",
    "Entretenir les partenariats avec la Banque des territoires, l'ANAH et l'établissement "
    "public foncier",
    "Coordonner l'appui en ingénierie des partenaires (CEREMA, CAUE, agence d'urbanisme, "
    "Banque des territoires)",
    "Travailler en lien étroit avec la délégation territoriale de l'ANCT et la préfecture",
)

STUDY_FIELDS = (
    "urbanisme et aménagement du territoire",
    "développement local",
    "géographie et aménagement",
    "architecture ou paysage",
    "sciences politiques ou management public",
    "habitat et politique de la ville",
    "économie territoriale",
)

EXPERIENCE_LINES = {
    Experience.BEGINNER: "Première expérience appréciée (stage, alternance) : les jeunes "
    "diplômés sont les bienvenus",
    Experience.CONFIRMED: "Une expérience de 2 à 5 ans en conduite de projet urbain ou en "
    "collectivité",
    Experience.SENIOR: "Une expérience confirmée (plus de 5 ans) en pilotage de projets "
    "d'aménagement ou de revitalisation",
}

KNOWLEDGE = (
    "Connaissance de l'environnement des collectivités territoriales et du fonctionnement des "
    "assemblées délibérantes",
    "Connaissance des dispositifs de l'ANAH, de la Banque des territoires et des politiques de "
    "l'habitat",
    "Maîtrise des règles de la commande publique et des marchés publics",
    "Notions solides en urbanisme réglementaire et opérationnel",
    "Connaissance des enjeux de la transition écologique et des mobilités",
    "Culture des montages financiers et des dossiers de subvention",
)

SKILLS = (
    "Maîtrise de la conduite de projet et de l'animation de réunions",
    "Capacité à fédérer des partenaires nombreux autour d'un projet commun",
    "Aisance rédactionnelle : notes aux élus, délibérations, cahiers des charges",
    "Sens de la pédagogie auprès des élus et des habitants",
    "Capacité d'analyse et de synthèse",
    "Maîtrise des outils bureautiques ; la pratique d'un SIG est un plus",
)

QUALITIES = (
    "Qualités relationnelles et sens de l'écoute",
    "Autonomie, rigueur et sens de l'organisation",
    "Goût du terrain et du travail en équipe",
    "Force de proposition et esprit d'initiative",
    "Discrétion et sens du service public",
    "Disponibilité ponctuelle en soirée (réunions publiques, conseils municipaux)",
)

BENEFITS = (
    "Rémunération statutaire et régime indemnitaire (RIFSEEP)",
    "Adhésion au CNAS",
    "Comité des œuvres sociales (COS)",
    "Participation employeur à la mutuelle et à la prévoyance",
    "Tickets restaurant",
    "Formation continue (CNFPT) et participation au Club Petites villes de demain",
    "Véhicule de service pour les déplacements sur le territoire",
    "Forfait mobilités durables",
    "Horaires variables",
    "Prime de fin d'année",
    "Poste cofinancé par l'État et ses partenaires dans le cadre du programme",
)

REMOTE_BENEFITS = {
    RemoteWork.NONE: None,
    RemoteWork.OCCASIONAL: "Télétravail ponctuel possible après la période d'intégration",
    RemoteWork.REGULAR: "Télétravail jusqu'à 2 jours par semaine",
}

# Grades by category, as titulaires hold them; contractuels are recruited by reference.
GRADES = {
    Category.A: (
        "Attaché territorial",
        "Attaché principal",
        "Ingénieur territorial",
        "Ingénieur principal",
    ),
    Category.B: (
        "Rédacteur principal de 1re classe",
        "Technicien principal de 1re classe",
        "Rédacteur principal de 2e classe",
    ),
}
# Gross annual salary ranges in euros (min from, min to) per category.
SALARY_FLOOR = {Category.A: (30_000, 38_000), Category.B: (25_000, 30_000)}

WOMEN = ("Claire", "Sophie", "Nathalie", "Émilie", "Camille", "Anne", "Marion", "Élodie", "Julie")
MEN = ("Nicolas", "Julien", "Thomas", "Pierre", "Laurent", "Mathieu", "Olivier", "Yann", "Hugo")
SURNAMES = (
    "Martin",
    "Bernard",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "Le Goff",
    "Fournier",
    "Girard",
    "Bonnet",
    "Lambert",
)
# (as a man holds it, as a woman holds it)
CONTACT_FUNCTIONS = (
    ("directeur général des services", "directrice générale des services"),
    ("responsable des ressources humaines", "responsable des ressources humaines"),
    ("secrétaire général de mairie", "secrétaire générale de mairie"),
    ("directeur de l'aménagement", "directrice de l'aménagement"),
)

CONTRACT_WEIGHTS = {
    ContractType.PROJECT_CONTRACT: 4,
    ContractType.FIXED_TERM: 2,
    ContractType.TRANSFER: 2,
    ContractType.SECONDMENT: 1,
    ContractType.PERMANENT: 1,
}
EXPERIENCE_WEIGHTS = {Experience.BEGINNER: 2, Experience.CONFIRMED: 5, Experience.SENIOR: 3}
REMOTE_WEIGHTS = {RemoteWork.NONE: 3, RemoteWork.OCCASIONAL: 4, RemoteWork.REGULAR: 3}
DURATIONS = {
    ContractType.PROJECT_CONTRACT: (12, 24, 36, 36, 36, 48, 60, 72),
    ContractType.FIXED_TERM: (12, 12, 18, 24, 36),
}


class Deck:
    """Draws values in shuffled rounds: every value comes up once per round per weight.

    Random enough to look natural, yet each round holds every value: the first
    ten offers of a call already have all five contract types.
    """

    def __init__(self, rng: random.Random, weights: dict):
        self.rng = rng
        self.cards = [value for value, weight in weights.items() for _ in range(weight)]
        self.pile: list = []

    def draw(self):
        if not self.pile:
            self.pile = list(self.cards)
            self.rng.shuffle(self.pile)
        return self.pile.pop()


@dataclass(frozen=True)
class Place:
    """Where an offer is: its organisation, workplace and the towns it covers."""

    organisation_id: int
    workplace_insee_code: str
    town_name: str
    population: int | None
    department_name: str
    region_name: str
    signed_year: int
    town_codes: tuple[str, ...]


class OfferWriter:
    """Writes the content of offers (every column but organisation and lifecycle dates)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.contracts = Deck(rng, CONTRACT_WEIGHTS)
        self.experiences = Deck(rng, EXPERIENCE_WEIGHTS)
        self.remote = Deck(rng, REMOTE_WEIGHTS)
        titles, weights = zip(*TITLES, strict=True)
        self._titles, self._title_weights = titles, weights

    def content(self, place: Place, published_on: date) -> dict:
        rng = self.rng
        contract = self.contracts.draw()
        experience = self.experiences.draw()
        remote_work = self.remote.draw()
        category = Category.B if rng.random() < 0.12 else Category.A
        post_is_new = rng.random() < 0.75
        has_salary = rng.random() < 0.7
        salary_min = None
        salary_max = None
        if has_salary:
            low, high = SALARY_FLOOR[category]
            salary_min = rng.randrange(low, high + 1, 500)
            salary_max = salary_min + rng.randrange(3_000, 10_001, 500)
        woman = rng.random() < 0.55
        return {
            "title": rng.choices(self._titles, self._title_weights)[0],
            "recruiting_authority": f"{'La' if rng.random() < 0.4 else 'Le'} maire de "
            f"{place.town_name}",
            "post_is_new": post_is_new,
            "vacant_since": None
            if post_is_new
            else published_on - timedelta(days=rng.randint(10, 200)),
            "workplace_insee_code": place.workplace_insee_code,
            "contract_type": contract.value,
            "category": category.value,
            "grades": self._grades(category, contract),
            "working_time_percent": rng.choices((100, 80, 50), (17, 2, 1))[0],
            "remote_work": remote_work.value,
            "salary_min": salary_min,
            "salary_max": salary_max,
            "start_date": None
            if rng.random() < 0.25
            else published_on + timedelta(days=rng.randint(45, 120)),
            "duration_months": rng.choice(DURATIONS[contract])
            if contract in FIXED_TERM_CONTRACTS
            else None,
            "missions": self._missions(place),
            "profile": self._profile(experience),
            "benefits": self._benefits(remote_work),
            "experience": experience.value,
            "contact_name": self._contact_name(woman),
            "contact_email": f"recrutement.{_slug(place.town_name)}@{DEMO_MAIL_DOMAIN}",
            # 01 99 00 xx xx: a range ARCEP keeps for fiction, never assigned.
            "contact_phone": f"01 99 00 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}",
            "attachment_id": None,
        }

    def _grades(self, category: Category, contract: ContractType) -> str:
        grades = self.rng.sample(GRADES[category], k=self.rng.choice((1, 2)))
        if contract in (ContractType.TRANSFER, ContractType.SECONDMENT):
            return ", ".join(grades)
        label = "aux grades" if len(grades) > 1 else "au grade"
        return f"Recrutement contractuel par référence {label} : " + ", ".join(grades)

    def _missions(self, place: Place) -> str:
        rng = self.rng
        population = (
            f"{place.town_name} ({_thousands(place.population)} habitants)"
            if place.population
            else place.town_name
        )
        opening = rng.choice(OPENINGS).format(
            town=place.town_name,
            town_pop=population,
            department=place.department_name,
            region=place.region_name,
            year=place.signed_year,
        )
        themes = rng.sample(THEMES, k=rng.randint(2, 4))
        priorities = [theme.phrase for theme in themes]
        priorities_sentence = (
            f"Le projet s'articule autour de {len(priorities)} priorités : "
            + " ; ".join(priorities)
            + "."
        )
        reporting = (
            f"Rattaché(e) à {rng.choice(REPORTING_LINES)}, le ou la chef de projet "
            f"{rng.choice(ROLE_SENTENCES)}."
        )
        bullets = rng.sample(CORE_MISSIONS, k=rng.randint(3, 5))
        for theme in themes:
            bullets.append(rng.choice(theme.missions))
        bullets.append(rng.choice(PARTNERSHIP_MISSIONS))
        rng.shuffle(bullets)
        lines = "\n".join(f"- {bullet}." for bullet in bullets)
        return (
            f"{opening}\n\n{priorities_sentence}\n\n{reporting}\n\nMissions principales :\n{lines}"
        )

    def _profile(self, experience: Experience) -> str:
        rng = self.rng
        lines = [
            f"Formation supérieure (bac + {rng.choice((3, 5, 5))}) en {rng.choice(STUDY_FIELDS)}",
            EXPERIENCE_LINES[experience],
            *rng.sample(KNOWLEDGE, k=2),
            *rng.sample(SKILLS, k=2),
            *rng.sample(QUALITIES, k=2),
        ]
        if rng.random() < 0.7:
            lines.append("Permis B indispensable (déplacements sur le territoire)")
        return "\n".join(f"- {line}." for line in lines)

    def _benefits(self, remote_work: RemoteWork) -> str:
        rng = self.rng
        lines = rng.sample(BENEFITS, k=rng.randint(3, 5))
        lines.insert(rng.randint(0, len(lines)), f"{rng.randint(6, 25)} jours de RTT")
        if REMOTE_BENEFITS[remote_work]:
            lines.append(REMOTE_BENEFITS[remote_work])
        return "\n".join(f"- {line}." for line in lines)

    def _contact_name(self, woman: bool) -> str:
        rng = self.rng
        first = rng.choice(WOMEN if woman else MEN)
        function = rng.choice(CONTACT_FUNCTIONS)[1 if woman else 0]
        return f"{first} {rng.choice(SURNAMES)}, {function}"


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


def _slug(name: str) -> str:
    return fold(name).replace(" ", "-")


# --- lifecycle dates ----------------------------------------------------------------------


def published_dates(rng: random.Random, now: datetime) -> tuple[datetime, date]:
    """A publication within the last 60 days and a deadline still open.

    The deadline is 31 to 90 days after publication and at least tomorrow: the
    platform lists only open offers.
    """
    published_at = now - timedelta(seconds=rng.randrange(PUBLISHED_WITHIN_DAYS * 86_400))
    published_on = published_at.date()
    days_ago = (now.date() - published_on).days
    deadline = published_on + timedelta(
        days=rng.randint(max(DEADLINE_MIN_DAYS, days_ago + 1), DEADLINE_MAX_DAYS)
    )
    return published_at, deadline


def lifecycle(status: OfferStatus, rng: random.Random, now: datetime) -> dict:
    """Coherent timestamps and deadline for an offer in `status` as of `now`."""
    dates = dict.fromkeys(
        ("published_at", "first_published_at", "closed_at", "filled_at", "expired_at")
    )
    if status == OfferStatus.DRAFT:
        created_at = now - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 600))
        deadline = now.date() + timedelta(days=rng.randint(45, 80))
        dates.update(created_at=created_at, updated_at=created_at)
        return {**dates, "application_deadline": deadline}
    if status == OfferStatus.PUBLISHED:
        published_at, deadline = published_dates(rng, now)
        last_change = published_at
    elif status == OfferStatus.EXPIRED:
        # Its deadline has passed; the nightly job expired it the next morning.
        published_at = now - timedelta(days=rng.randint(70, 150), hours=rng.randint(0, 12))
        deadline = published_at.date() + timedelta(days=rng.randint(31, 45))
        last_change = dates["expired_at"] = datetime.combine(
            deadline + timedelta(days=1), datetime.min.time(), now.tzinfo
        ) + timedelta(hours=2)
    elif status == OfferStatus.CLOSED:
        # Closed early by the employer, before its deadline.
        published_at = now - timedelta(days=rng.randint(35, 60), hours=rng.randint(0, 12))
        deadline = published_at.date() + timedelta(days=rng.randint(40, 60))
        last_change = dates["closed_at"] = published_at + timedelta(days=rng.randint(10, 30))
    elif status == OfferStatus.FILLED:
        # Published, candidates interviewed after the deadline, the hire recorded.
        published_at = now - timedelta(days=rng.randint(100, 200), hours=rng.randint(0, 12))
        deadline = published_at.date() + timedelta(days=rng.randint(31, 50))
        last_change = dates["filled_at"] = datetime.combine(
            deadline, datetime.min.time(), now.tzinfo
        ) + timedelta(days=rng.randint(10, 40), hours=10)
    else:
        raise ValueError(f"unknown offer status {status!r}")
    created_at = published_at - timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 600))
    dates.update(
        published_at=published_at,
        first_published_at=published_at,
        created_at=created_at,
        updated_at=last_change,
    )
    return {**dates, "application_deadline": deadline}


# --- bulk offers over every département ----------------------------------------------------


def create_demo_offers(
    count: int,
    seed: int = DEFAULT_SEED,
    status: OfferStatus = OfferStatus.PUBLISHED,
    now: datetime | None = None,
) -> int:
    """Add `count` realistic offers in `status`, spread over every département; commit.

    Départements take turns (round-robin); in each, the workplace is one of its
    PVD communes in turn, employed by a validated
    "Commune de X" organisation created as needed or reused. Communes whose
    organisation is pending, refused, a grouping's, or has members (a real or
    demo employer) are left alone: fake offers never land in someone's account.

    Offers and their towns are written with SQLAlchemy Core bulk inserts, which
    bypass the ORM session events: no index task is written, so the caller must
    rebuild the search index afterwards (`flask search rebuild`).

    Each call adds `count` more; the texts depend on `seed` and on how many
    offers exist already, so repeated calls do not repeat the same offers.
    Returns the number of offers created.
    """
    if count <= 0:
        return 0
    status = OfferStatus(status)
    now = now or utcnow()
    existing = db.session.scalar(select(func.count()).select_from(Offer)) or 0
    rng = random.Random(f"{seed}:{existing}")
    department_count = db.session.scalar(select(func.count()).select_from(Department)) or 1
    # No more organisations than the offers need: a few hundred offers go to the
    # largest PVD town of each département, ten thousand to all of them.
    places = _places_by_department(now, per_department=-(-count // department_count))
    if not places:
        raise ValueError(
            "Aucune commune Petites villes de demain dans le référentiel : lancez "
            "d'abord « flask demo seed » ou importez la liste des communes PVD."
        )
    writer = OfferWriter(rng)
    departments = sorted(places)
    turns: dict[str, int] = defaultdict(int)
    offers, towns = [], []
    created = 0
    for index in range(count):
        department = departments[(existing + index) % len(departments)]
        candidates = places[department]
        place = candidates[turns[department] % len(candidates)]
        turns[department] += 1
        dates = lifecycle(status, rng, now)
        published_on = (dates["published_at"] or dates["created_at"]).date()
        offers.append(
            {
                "organisation_id": place.organisation_id,
                "status": status.value,
                "created_by_id": None,
                **writer.content(place, published_on),
                **dates,
            }
        )
        towns.append(place.town_codes)
        if len(offers) >= BATCH:
            created += _insert_offers(offers, towns)
            offers, towns = [], []
    created += _insert_offers(offers, towns)
    db.session.commit()
    return created


def _insert_offers(offers: list[dict], towns: list[tuple[str, ...]]) -> int:
    if not offers:
        return 0
    table = Offer.__table__
    ids = db.session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), offers
    ).scalars()
    links = [
        {"offer_id": offer_id, "commune_insee_code": code}
        for offer_id, codes in zip(ids, towns, strict=True)
        for code in codes
    ]
    db.session.execute(insert(offer_town), links)
    return len(offers)


def _places_by_department(now: datetime, per_department: int) -> dict[str, list[Place]]:
    """For each département with PVD towns, up to `per_department` of them for offers,
    largest first. A place without PVD towns (Clipperton, the Terres australes...)
    gets no offer: a chef de projet PVD works for a PVD town."""
    region_names = dict(
        db.session.execute(
            select(Department.code, Region.name).join(Region, Department.region_code == Region.code)
        ).all()
    )
    department_names = dict(db.session.execute(select(Department.code, Department.name)).all())
    # Communes already employing: usable only through a validated commune organisation
    # that no employer has joined.
    organisations = {
        row.commune_insee_code: row
        for row in db.session.execute(
            select(
                Organisation.id,
                Organisation.commune_insee_code,
                Organisation.kind,
                Organisation.status,
                select(Membership.id)
                .where(Membership.organisation_id == Organisation.id)
                .exists()
                .label("has_members"),
            ).where(Organisation.commune_insee_code.is_not(None))
        )
    }

    def usable(code: str) -> bool:
        organisation = organisations.get(code)
        return organisation is None or (
            organisation.kind == OrganisationKind.COMMUNE
            and organisation.status == OrganisationStatus.VALIDATED
            and not organisation.has_members
        )

    columns = (
        Commune.insee_code,
        Commune.name,
        Commune.department_code,
        Commune.population,
        Commune.pvd_convention_signed_on,
    )
    chosen: dict[str, list] = defaultdict(list)
    for row in db.session.execute(
        select(*columns)
        .where(Commune.is_pvd)
        .order_by(Commune.department_code, Commune.population.desc(), Commune.insee_code)
    ):
        if usable(row.insee_code) and len(chosen[row.department_code]) < per_department:
            chosen[row.department_code].append(row)

    organisation_ids = _ensure_organisations(
        [row for rows in chosen.values() for row in rows], organisations, now
    )
    covered = defaultdict(list)
    for organisation_id, code in db.session.execute(
        select(organisation_town.c.organisation_id, organisation_town.c.commune_insee_code).where(
            organisation_town.c.organisation_id.in_(organisation_ids.values())
        )
    ):
        covered[organisation_id].append(code)

    places: dict[str, list[Place]] = {}
    for department, rows in chosen.items():
        places[department] = []
        for row in rows:
            organisation_id = organisation_ids[row.insee_code]
            signed = row.pvd_convention_signed_on
            places[department].append(
                Place(
                    organisation_id=organisation_id,
                    workplace_insee_code=row.insee_code,
                    town_name=row.name,
                    population=row.population,
                    department_name=department_names[department],
                    region_name=region_names[department],
                    signed_year=signed.year if signed else 2021,
                    town_codes=tuple(sorted(covered[organisation_id] or [row.insee_code])),
                )
            )
    return places


def _ensure_organisations(rows, existing: dict, now: datetime) -> dict[str, int]:
    """The organisation id of each commune of `rows`, creating validated ones as needed."""
    ids = {
        row.insee_code: existing[row.insee_code].id for row in rows if row.insee_code in existing
    }
    missing = [row for row in rows if row.insee_code not in existing]
    if missing:
        table = Organisation.__table__
        new_ids = db.session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [
                {
                    "kind": OrganisationKind.COMMUNE.value,
                    "commune_insee_code": row.insee_code,
                    "grouping_siren": None,
                    "name": commune_organisation_name(row.name),
                    "department_code": row.department_code,
                    "status": OrganisationStatus.VALIDATED.value,
                    "refusal_reason": "",
                    "created_at": now,
                    "decided_at": now,
                    "decided_by_id": None,
                }
                for row in missing
            ],
        ).scalars()
        for row, organisation_id in zip(missing, new_ids, strict=True):
            ids[row.insee_code] = organisation_id
        db.session.execute(
            insert(organisation_town),
            [
                {"organisation_id": ids[row.insee_code], "commune_insee_code": row.insee_code}
                for row in missing
            ],
        )
    return ids


# --- the base demo ------------------------------------------------------------------------

# Offers per state for each demo organisation: enough to see every screen populated.
STATES_FOR_DEMO = (
    (OfferStatus.PUBLISHED, 2),
    (OfferStatus.DRAFT, 1),
    (OfferStatus.FILLED, 1),
    (OfferStatus.CLOSED, 1),
    (OfferStatus.EXPIRED, 1),
)


def create_demo_offers_in_every_state(
    seed: int = DEFAULT_SEED, now: datetime | None = None
) -> dict[str, int]:
    """Offers in every state for the demo organisations, and published offers across France.

    For Quimperlé (29233) and Commercy (55122), whose organisations
    `recrutement.demo.seed()` creates: two published offers and one draft,
    filled, closed and expired offer each, with coherent timestamps, created
    through the ORM by the organisation's member (so index tasks are written as
    for any offer). An organisation that already has offers is skipped. Then,
    when fewer than 300 offers of other organisations are published,
    `create_demo_offers` tops them up to 300, which needs a search index rebuild afterwards.

    Idempotent; commits. Returns the offers created per state, and
    `across_france` for the bulk ones.
    """
    now = now or utcnow()
    created = {status.value: 0 for status in OfferStatus} | {"across_france": 0}
    for insee_code in DEMO_STATE_ORGANISATIONS:
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.commune_insee_code == insee_code)
        )
        if organisation is None:
            continue
        if db.session.scalar(select(Offer.id).where(Offer.organisation_id == organisation.id)):
            continue
        rng = random.Random(f"{seed}:states:{insee_code}")
        writer = OfferWriter(rng)
        place = _place_of(organisation)
        member_id = db.session.scalar(
            select(Membership.user_id)
            .where(Membership.organisation_id == organisation.id)
            .order_by(Membership.id)
        )
        for status, how_many in STATES_FOR_DEMO:
            for _ in range(how_many):
                dates = lifecycle(status, rng, now)
                published_on = (dates["published_at"] or dates["created_at"]).date()
                values = writer.content(place, published_on)
                offer = Offer(
                    organisation=organisation,
                    status=status.value,
                    created_by_id=member_id,
                    towns=list(organisation.towns),
                    **values,
                    **dates,
                )
                db.session.add(offer)
                created[status.value] += 1
        db.session.flush()
    db.session.commit()

    # Offers across France only: the demo organisations' own offers move (the demo
    # hire fills one), and counting them made every second seed add an offer.
    demo_organisations = select(Organisation.id).where(
        Organisation.commune_insee_code.in_(DEMO_STATE_ORGANISATIONS)
    )
    published = db.session.scalar(
        select(func.count())
        .select_from(Offer)
        .where(
            Offer.status == OfferStatus.PUBLISHED,
            Offer.organisation_id.not_in(demo_organisations),
        )
    )
    if published < DEMO_OFFERS_ACROSS_FRANCE:
        created["across_france"] = create_demo_offers(
            DEMO_OFFERS_ACROSS_FRANCE - published, seed=seed, now=now
        )
    return created


def describe_demo_offers(created: dict[str, int]) -> str:
    """One French line for the seed summary."""
    by_state = ", ".join(
        f"{created[status.value]} {status.label.lower()}(s)"
        for status in OfferStatus
        if created.get(status.value)
    )
    parts = []
    if by_state:
        parts.append(f"offres des collectivités de démonstration : {by_state}")
    if created.get("across_france"):
        parts.append(f"{created['across_france']} offres publiées ailleurs en France")
    return "Offres : " + ("; ".join(parts) if parts else "rien à ajouter") + "."


def _place_of(organisation: Organisation) -> Place:
    commune = organisation.commune
    towns = organisation.towns or [commune]
    signed = commune.pvd_convention_signed_on
    return Place(
        organisation_id=organisation.id,
        workplace_insee_code=commune.insee_code,
        town_name=commune.name,
        population=commune.population,
        department_name=commune.department.name,
        region_name=commune.region.name,
        signed_year=signed.year if signed else 2021,
        town_codes=tuple(town.insee_code for town in towns),
    )
