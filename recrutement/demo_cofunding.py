"""Demo cofunding requests in every state (`flask demo seed`), through the real services.

Quimperlé (Finistère, 29) and Commercy (Meuse, 55) each get a draft, a filed
request, one in instruction (with a private note and messages), one waiting for
a complement, one granted (decision PDF, renewal draft for the next period),
one refused and one dismissed; in Finistère several requests ask ANAH: one was
granted after anah29@'s favourable opinion, two wait for it. Commercy's filed
request starts from the hire that `demo_applications` records, when there is
one.

Every step is a call to `recrutement.cofunding.services` or `.instruction` made as the demo
user concerned (quimperle@, commercy@, prefecture29@, prefecture55@,
anah29@), so the history, the messages, the mails queued in the outbox (sent
by the worker, like those of the demo applications) and the decision PDFs are
the real ones. Then each request's timestamps are moved back to the days its
steps are planned on (so the préfecture's queue shows requests of every age);
a step planned "today" (the grants: their PDF is dated the day it is made, and
what follows them) stays where it is.

Idempotent: a planned request is recognised by its organisation and post
title (the one started from a hire, by any request made from a hire of the
organisation) and skipped when it exists. Periods are set relative to the
current year. Refused in production.
"""

from __future__ import annotations

import io
import logging
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from fpdf import FPDF
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from recrutement.accounts.models import User
from recrutement.cofunding import instruction, services
from recrutement.cofunding.content import RequestContent
from recrutement.cofunding.engine import InvalidPeriod
from recrutement.cofunding.models import (
    AnahOpinion,
    Attachment,
    AttachmentKind,
    CofundingMessage,
    CofundingRequest,
    Funder,
    InstructionNote,
)
from recrutement.cofunding.rules import funding_rule_in_force
from recrutement.core.errors import ServiceError
from recrutement.core.models import AuditEvent
from recrutement.core.time import PARIS, paris_today, utcnow
from recrutement.demo import DemoRefused
from recrutement.extensions import db
from recrutement.files.models import StoredFile
from recrutement.organisations.models import Organisation

logger = logging.getLogger(__name__)

DOMAIN = "demo.recrutement-pvd.fr"
QUIMPERLE = "29233"
COMMERCY = "55122"
# Who acts for each demo organisation: its member, its préfecture, its ANAH delegation.
ACTORS = {
    QUIMPERLE: {"employer": "quimperle", "prefecture": "prefecture29", "anah": "anah29"},
    COMMERCY: {"employer": "commercy", "prefecture": "prefecture55", "anah": None},
}
FILE_NAMES = {
    AttachmentKind.CONTRACT: "contrat.pdf",
    AttachmentKind.DELIBERATION: "deliberation.pdf",
    AttachmentKind.JOB_DESCRIPTION: "fiche-de-poste.pdf",
    AttachmentKind.FINANCING_PLAN: "plan-de-financement.pdf",
    AttachmentKind.OTHER: "piece.pdf",
}


@dataclass(frozen=True)
class Step:
    """One move on a request. `days_ago` is when it is shown to have happened (0: now;
    a request's steps go forward in time). `by` names the actor for messages and notes."""

    action: str
    days_ago: int
    text: str = ""
    by: str = ""
    kind: str = ""
    amounts: tuple[tuple[str, str], ...] = ()
    # Steps on the renewal draft made by a "renew" step.
    then: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Planned:
    """A demo request: its content, the day it was created and the steps that follow."""

    post_title: str
    holder: tuple[str, str]
    holder_start: date
    contract_type: str
    contract_end: date | None
    period: tuple[date, date]
    cost: str
    created_days_ago: int
    steps: tuple[Step, ...]
    bdt_asked: bool = True
    housing_operation: str = ""  # asks ANAH when given
    # Start from the organisation's most recent hire when it has one (this content otherwise).
    from_hire: bool = False

    def content(self) -> RequestContent:
        return RequestContent(
            post_title=self.post_title,
            holder_first_name=self.holder[0],
            holder_last_name=self.holder[1],
            holder_start_date=self.holder_start,
            contract_type=self.contract_type,
            contract_end_date=self.contract_end,
            period_start=self.period[0],
            period_end=self.period[1],
            annual_loaded_cost=Decimal(self.cost),
            bdt_asked=self.bdt_asked,
            anah_asked=bool(self.housing_operation),
            housing_operation=self.housing_operation,
        )


def attach(days_ago: int, *kinds: str) -> tuple[Step, ...]:
    return tuple(Step("attach", days_ago, kind=kind) for kind in kinds)


DELIBERATION = AttachmentKind.DELIBERATION
CONTRACT = AttachmentKind.CONTRACT
JOB = AttachmentKind.JOB_DESCRIPTION
PLAN = AttachmentKind.FINANCING_PLAN
OPAH_RU = "OPAH-RU du centre ancien de Quimperlé (2023-2028)"


def plan(year: int) -> dict[str, list[Planned]]:
    """The demo requests of each organisation, for periods around `year` (the current one)."""
    y = year
    return {
        QUIMPERLE: [
            Planned(
                "Chef de projet Petites villes de demain",
                ("Maëlle", "Guillou"),
                date(y - 2, 9, 1),
                "project_contract",
                date(y + 1, 8, 31),
                (date(y, 1, 1), date(y, 12, 31)),
                "61800",
                150,
                (
                    *attach(150, DELIBERATION, CONTRACT, PLAN),
                    Step("submit", 148),
                    Step("open", 140),
                    Step(
                        "note",
                        139,
                        "Coût chargé vérifié sur la fiche de paie de mars : cohérent "
                        "(ingénieur territorial, 7e échelon, avec charges patronales).",
                        by="prefecture",
                    ),
                    Step(
                        "anah",
                        120,
                        "Avis favorable : la cheffe de projet anime l'OPAH-RU (permanences "
                        "habitat, suivi des dossiers des propriétaires bailleurs). Montant "
                        "maximal retenu.",
                    ),
                    Step(
                        "message",
                        110,
                        "Bonjour, l'avis de l'ANAH est favorable. La décision vous sera "
                        "notifiée après le comité des financeurs de l'automne.",
                        by="prefecture",
                    ),
                    Step("grant", 0),
                    # The next period, to the end of the contract: a draft to complete.
                    Step("renew", 0),
                ),
                housing_operation=OPAH_RU,
            ),
            Planned(
                "Chef de projet PVD — volet habitat",
                ("Thomas", "Le Bihan"),
                date(y, 4, 1),
                "project_contract",
                date(y + 3, 3, 31),
                (date(y, 4, 1), date(y, 12, 31)),
                "52400",
                23,
                (
                    *attach(23, DELIBERATION, CONTRACT, JOB),
                    Step("submit", 21),
                    Step("open", 19),
                    Step(
                        "note",
                        19,
                        "Attendre l'avis de l'ANAH avant de proposer la décision. Le plan de "
                        "financement prévoit aussi une part de la Région (hors plateforme).",
                        by="prefecture",
                    ),
                    Step(
                        "message",
                        18,
                        "Bonjour, l'instruction de votre demande est ouverte. Nous attendons "
                        "l'avis de la délégation de l'ANAH sur la part habitat avant de vous "
                        "proposer une décision.",
                        by="prefecture",
                    ),
                    Step(
                        "message",
                        16,
                        "Merci. Le bilan de la première année de l'OPAH-RU est à la "
                        "disposition de l'ANAH si elle en a besoin.",
                        by="employer",
                    ),
                    Step(
                        "note",
                        9,
                        "Voir avec l'opérateur de l'OPAH-RU le nombre de dossiers de "
                        "copropriétés suivis par le chef de projet avant de rendre l'avis.",
                        by="anah",
                    ),
                ),
                housing_operation=f"{OPAH_RU} — volet copropriétés dégradées",
            ),
            Planned(
                "Chef de projet PVD adjoint — centre ancien et patrimoine",
                ("Nolwenn", "Caradec"),
                date(y, 9, 1),
                "fixed_term",
                date(y + 2, 8, 31),
                (date(y, 9, 1), date(y, 12, 31)),
                "47500",
                12,
                (*attach(12, DELIBERATION, JOB), Step("submit", 9)),
                housing_operation="Opération de restauration immobilière (ORI) de la Basse-Ville",
            ),
            Planned(
                "Manager de centre-ville",
                ("Léna", "Moysan"),
                date(y, 6, 15),
                "fixed_term",
                date(y + 2, 6, 14),
                (date(y, 6, 15), date(y, 12, 31)),
                "58000",
                60,
                (
                    *attach(60, JOB),
                    Step("submit", 57),
                    Step("open", 45),
                    Step(
                        "changes",
                        44,
                        "Bonjour, pour poursuivre l'instruction il nous manque la délibération "
                        "du conseil municipal créant le poste et le plan de financement signé "
                        "par le maire. Le coût chargé annuel indiqué (58 000 €) paraît par "
                        "ailleurs élevé pour un poste de catégorie B : pouvez-vous joindre le "
                        "détail du calcul ?",
                    ),
                    Step(
                        "note",
                        44,
                        "Relancer la commune dans quinze jours sans réponse.",
                        by="prefecture",
                    ),
                ),
            ),
            Planned(
                "Chargé de communication et de concertation",
                ("Antoine", "Le Roux"),
                date(y - 1, 11, 1),
                "transfer",
                None,
                (date(y, 1, 1), date(y, 12, 31)),
                "44000",
                100,
                (
                    *attach(100, DELIBERATION, JOB),
                    Step("submit", 98),
                    Step("open", 90),
                    Step(
                        "refuse",
                        75,
                        "Le poste décrit relève de la communication municipale et non de la "
                        "conduite du projet de revitalisation : il n'entre pas dans le "
                        "périmètre du cofinancement des chefs de projet Petites villes de "
                        "demain. La mission de concertation peut en revanche figurer dans la "
                        "fiche de poste du chef de projet.",
                    ),
                ),
                bdt_asked=False,
            ),
            Planned(
                "Chef de projet PVD — volet mobilités",
                ("Julien", "Prigent"),
                date(y, 3, 1),
                "fixed_term",
                date(y + 1, 2, 28),
                (date(y, 3, 1), date(y, 12, 31)),
                "50000",
                180,
                (
                    Step("submit", 178),
                    Step(
                        "message",
                        90,
                        "Bonjour, la personne retenue a finalement renoncé au poste : le "
                        "recrutement est relancé avec Quimperlé Communauté. Pouvez-vous "
                        "classer cette demande ?",
                        by="employer",
                    ),
                    Step(
                        "dismiss",
                        88,
                        "À la demande de la commune : le recrutement n'a pas abouti. Une "
                        "nouvelle demande pourra être déposée lorsque le poste sera pourvu.",
                    ),
                ),
            ),
            Planned(
                "Chargée de mission transition écologique",
                ("Louise", "Kervella"),
                date(y + 1, 1, 5),
                "project_contract",
                date(y + 4, 1, 4),
                (date(y + 1, 1, 5), date(y + 1, 12, 31)),
                "49000",
                5,
                attach(5, JOB),
            ),
        ],
        COMMERCY: [
            Planned(
                "Cheffe de projet PVD — revitalisation du centre-bourg",
                ("Pauline", "Didier"),
                date(y - 1, 2, 1),
                "project_contract",
                date(y + 2, 1, 31),
                (date(y, 1, 1), date(y, 12, 31)),
                "54000",
                130,
                (
                    *attach(130, DELIBERATION, CONTRACT, PLAN),
                    Step("submit", 127),
                    Step("open", 120),
                    Step(
                        "note",
                        119,
                        "Enveloppe départementale de la Banque des territoires : 12 000 € au "
                        "plus par poste cette année. Ajuster la part BDT.",
                        by="prefecture",
                    ),
                    Step("adjust", 118, amounts=((Funder.BDT, "12000.00"),)),
                    Step(
                        "message",
                        117,
                        "Bonjour, la part de la Banque des territoires est ramenée à 12 000 € "
                        "pour tenir compte de l'enveloppe départementale ; la décision suivra.",
                        by="prefecture",
                    ),
                    Step("grant", 0),
                    Step("renew", 0),
                ),
            ),
            Planned(
                "Chargé de mission commerce et attractivité du centre-ville",
                ("Romain", "Thiébaut"),
                date(y, 5, 4),
                "fixed_term",
                date(y + 3, 5, 3),
                (date(y, 5, 4), date(y, 12, 31)),
                "46000",
                35,
                (
                    *attach(35, DELIBERATION, CONTRACT),
                    Step("submit", 33),
                    Step("open", 30),
                    Step(
                        "changes",
                        29,
                        "Bonjour, pouvez-vous confirmer que le poste est à temps plein ? Nous "
                        "n'avons pas trouvé la fiche de poste parmi les pièces jointes.",
                    ),
                    *attach(26, JOB),
                    Step(
                        "answer",
                        26,
                        "Bonjour, le poste est bien à temps plein depuis la délibération du "
                        "conseil municipal de mars ; nous joignons la fiche de poste.",
                    ),
                    Step(
                        "note",
                        25,
                        "Réponse complète, fiche de poste conforme. Proposer l'accord au "
                        "prochain comité des financeurs.",
                        by="prefecture",
                    ),
                    Step(
                        "message",
                        24,
                        "Merci pour la fiche de poste. Votre demande sera examinée au comité "
                        "des financeurs du mois prochain.",
                        by="prefecture",
                    ),
                ),
            ),
            Planned(
                # By hand when the demo has no hire in Commercy (see from_hire).
                "Chef de projet PVD — habitat et cadre de vie",
                ("Karim", "Benali"),
                date(y, 10, 1),
                "project_contract",
                date(y + 3, 9, 30),
                (date(y, 10, 1), date(y, 12, 31)),
                "50500",
                6,
                (*attach(6, CONTRACT, DELIBERATION), Step("submit", 4)),
                from_hire=True,
            ),
            Planned(
                "Manager de commerce",
                ("Élodie", "Gérardin"),
                date(y, 7, 1),
                "fixed_term",
                date(y + 1, 6, 30),
                (date(y, 7, 1), date(y, 12, 31)),
                "41000",
                50,
                (
                    *attach(50, DELIBERATION),
                    Step("submit", 48),
                    Step("open", 40),
                    Step(
                        "changes",
                        39,
                        "Bonjour, la délibération jointe crée un poste de « chargé de mission » : "
                        "merci de joindre la délibération ou l'arrêté correspondant au poste de "
                        "manager de commerce, ainsi que le contrat signé.",
                    ),
                ),
            ),
            Planned(
                "Chargé de mission LEADER et développement local",
                ("Vincent", "Collin"),
                date(y - 2, 1, 2),
                "permanent",
                None,
                (date(y, 1, 1), date(y, 12, 31)),
                "48000",
                95,
                (
                    *attach(95, DELIBERATION, PLAN),
                    Step("submit", 92),
                    Step("open", 85),
                    Step(
                        "refuse",
                        70,
                        "Ce poste est déjà financé à 80 % par le programme européen LEADER sur "
                        "la même période : un cofinancement Petites villes de demain porterait "
                        "le total au-delà du plafond de 75 % du coût du poste. Le cumul n'est "
                        "pas possible.",
                    ),
                ),
            ),
            Planned(
                "Chargée de mission habitat",
                ("Aurélie", "François"),
                date(y, 1, 15),
                "fixed_term",
                date(y + 1, 1, 14),
                (date(y, 1, 15), date(y, 12, 31)),
                "45000",
                160,
                (
                    Step("submit", 158),
                    Step("open", 150),
                    Step(
                        "changes",
                        149,
                        "Bonjour, merci de joindre le contrat de travail signé et la "
                        "délibération créant le poste.",
                    ),
                    Step(
                        "dismiss",
                        80,
                        "Sans réponse de la commune à notre demande de complément depuis plus "
                        "de deux mois, la demande est classée sans suite. Vous pourrez en "
                        "déposer une nouvelle avec les pièces demandées.",
                    ),
                ),
            ),
            Planned(
                "Chargé de mission mobilités et transition écologique",
                ("Hugo", "Lambert"),
                date(y + 1, 2, 1),
                "project_contract",
                date(y + 4, 1, 31),
                (date(y + 1, 2, 1), date(y + 1, 12, 31)),
                "47000",
                3,
                attach(3, JOB),
            ),
        ],
    }


# --- running the plan -----------------------------------------------------------------


def create_demo_cofunding(today: date | None = None) -> int:
    """Create the planned demo requests that are missing; returns how many requests were
    added (renewals included). Commits."""
    if current_app.config["APP_ENV"] == "production":
        raise DemoRefused("Les données de démonstration sont refusées en production.")
    today = today or paris_today()
    try:
        funding_rule_in_force(date(today.year - 1, 1, 1))
    except InvalidPeriod:
        logger.warning("Demo cofunding requests skipped: no funding rule (run `db upgrade`).")
        return 0
    added = 0
    for insee_code, planned_requests in plan(today.year).items():
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.commune_insee_code == insee_code)
        )
        actors = {role: _user(local_part) for role, local_part in ACTORS[insee_code].items()}
        employer = actors["employer"]
        if organisation is None or employer is None or employer.organisation != organisation:
            continue
        for planned in planned_requests:
            if _exists(organisation, planned):
                continue
            try:
                added += _run(planned, organisation, actors, today)
            except ServiceError as error:
                db.session.rollback()
                logger.warning("Demo cofunding request %r skipped: %s", planned.post_title, error)
    return added


def _user(local_part: str | None) -> User | None:
    if local_part is None:
        return None
    return db.session.scalar(select(User).where(User.email == f"{local_part}@{DOMAIN}"))


def _exists(organisation: Organisation, planned: Planned) -> bool:
    query = select(CofundingRequest.id).where(
        CofundingRequest.organisation_id == organisation.id,
        CofundingRequest.offer_id.is_(None),
        CofundingRequest.post_title == planned.post_title,
    )
    if planned.from_hire:
        from_a_hire = select(CofundingRequest.id).where(
            CofundingRequest.organisation_id == organisation.id,
            CofundingRequest.application_id.is_not(None),
        )
        query = query.union(from_a_hire)
    return db.session.execute(query.limit(1)).first() is not None


def _run(planned: Planned, organisation: Organisation, actors: dict, today: date) -> int:
    employer = actors["employer"]
    timeline, request = Timeline(today), None
    hires = services.hires_of(organisation) if planned.from_hire else []
    hire = hires[0] if hires else None
    if hire is not None:
        # Just recorded: the request follows it today.
        content = services.prefill_from_hire(hire)
        content.annual_loaded_cost = Decimal(planned.cost)
        timeline.mark(0)
        try:
            request = services.create_request(employer, content, hire=hire)
        except ServiceError as error:
            db.session.rollback()
            logger.warning("Demo cofunding request from hire %s made by hand: %s", hire.id, error)
            timeline, hire = Timeline(today), None
    if request is None:
        timeline.mark(planned.created_days_ago)
        request = services.create_request(employer, planned.content())
    made = [request.id]
    _steps(request, planned.steps, actors, timeline, made, hire is not None)
    timeline.apply(made)
    return len(made)


def _steps(
    request: CofundingRequest,
    steps: tuple[Step, ...],
    actors: dict,
    timeline: Timeline,
    made: list[int],
    now: bool = False,
) -> None:
    employer, prefecture = actors["employer"], actors["prefecture"]
    for step in steps:
        timeline.mark(0 if now else step.days_ago)
        action = step.action
        if action == "attach":
            services.add_attachment(employer, request, step.kind, _upload(request, step.kind))
        elif action == "submit":
            services.submit(employer, request)
        elif action == "open":
            instruction.open_instruction(prefecture, request)
        elif action == "changes":
            instruction.request_changes(prefecture, request, step.text)
        elif action == "answer":
            services.answer_changes(employer, request, step.text)
        elif action == "note":
            instruction.add_note(actors[step.by], request, step.text)
        elif action == "message":
            services.post_message(actors[step.by], request, step.text)
        elif action == "anah":
            amount = request.part(Funder.ANAH).requested_amount
            instruction.give_anah_opinion(actors["anah"], request, True, amount, step.text)
        elif action == "adjust":
            amounts = {funder: Decimal(value) for funder, value in step.amounts}
            instruction.adjust_parts(prefecture, request, amounts)
        elif action == "grant":
            instruction.grant(prefecture, request)
        elif action == "refuse":
            instruction.refuse(prefecture, request, step.text)
        elif action == "dismiss":
            instruction.dismiss(prefecture, request, step.text)
        elif action == "renew":
            renewal = services.renew(employer, request)
            made.append(renewal.id)
            _steps(renewal, step.then, actors, timeline, made, now)
        else:
            raise ValueError(f"unknown demo step {action!r}")


class Timeline:
    """Moves the timestamps written by a request's steps back to the days they are
    planned on: each step's writes keep their order and their seconds apart, shifted to
    a working hour of that day; steps planned today are not moved."""

    def __init__(self, today: date):
        self.today = today
        self.walls: list[datetime] = []
        self.targets: list[datetime | None] = []

    def mark(self, days_ago: int) -> None:
        """Call before each step."""
        target = None
        if days_ago > 0:
            day = self.today - timedelta(days=days_ago)
            same_day = sum(
                1 for t in self.targets if t is not None and t.astimezone(PARIS).date() == day
            )
            opening = datetime.combine(day, time(9, 12), PARIS)
            target = (opening + timedelta(minutes=47 * same_day)).astimezone(UTC)
            earlier = [t for t in self.targets if t is not None]
            if (earlier and target <= earlier[-1]) or len(earlier) < len(self.targets):
                raise ValueError("demo steps must go forward in time")
        self.walls.append(utcnow())
        self.targets.append(target)

    def shift(self, value: datetime | None) -> datetime | None:
        if value is None or not self.walls:
            return value
        index = max(bisect_right(self.walls, value) - 1, 0)
        target = self.targets[index]
        return value if target is None else target + (value - self.walls[index])

    def apply(self, request_ids: list[int]) -> None:
        if all(target is None for target in self.targets):
            return
        keys = [str(request_id) for request_id in request_ids]
        rows = [
            (
                db.session.scalars(
                    select(CofundingRequest).where(CofundingRequest.id.in_(request_ids))
                ),
                (
                    "created_at",
                    "updated_at",
                    "submitted_at",
                    "instruction_started_at",
                    "decided_at",
                ),
            ),
            (
                db.session.scalars(
                    select(AuditEvent).where(
                        AuditEvent.object_type == CofundingRequest.__tablename__,
                        AuditEvent.object_id.in_(keys),
                    )
                ),
                ("created_at",),
            ),
        ]
        for model in (CofundingMessage, InstructionNote, AnahOpinion, Attachment):
            found = db.session.scalars(select(model).where(model.request_id.in_(request_ids)))
            rows.append((found, ("created_at",)))
        files = select(Attachment.file_id).where(Attachment.request_id.in_(request_ids))
        rows.append(
            (
                db.session.scalars(select(StoredFile).where(StoredFile.id.in_(files))),
                ("created_at",),
            )
        )
        for objects, names in rows:
            for obj in list(objects):
                for name in names:
                    setattr(obj, name, self.shift(getattr(obj, name)))
        db.session.commit()


# --- supporting documents -------------------------------------------------------------


def _upload(request: CofundingRequest, kind: str) -> FileStorage:
    return FileStorage(io.BytesIO(demo_pdf(request, kind)), filename=FILE_NAMES[kind])


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", " ").replace(".", ",") + " €"


def demo_pdf(request: CofundingRequest, kind: str) -> bytes:
    """A one-page PDF standing for a supporting document, marked as a demo example."""
    organisation = request.organisation.name
    title = {
        AttachmentKind.DELIBERATION: "Délibération du conseil municipal",
        AttachmentKind.CONTRACT: "Contrat de travail",
        AttachmentKind.JOB_DESCRIPTION: "Fiche de poste",
        AttachmentKind.FINANCING_PLAN: "Plan de financement du poste",
        AttachmentKind.OTHER: "Pièce justificative",
    }[kind]
    paragraphs = {
        AttachmentKind.DELIBERATION: [
            f"Le conseil municipal, après en avoir délibéré, décide de créer le poste de "
            f"« {request.post_title} » dans le cadre du programme Petites villes de demain, "
            "et autorise le maire à solliciter les cofinancements de l'État (ANCT), de la "
            "Banque des territoires" + (" et de l'ANAH." if request.anah_asked else "."),
        ],
        AttachmentKind.CONTRACT: [
            f"Entre la {organisation}, représentée par son maire, et "
            f"{request.holder_name}, recrutée ou recruté en qualité de « {request.post_title} » "
            f"à compter du {request.holder_start_date:%d/%m/%Y}"
            + (
                f" jusqu'au {request.contract_end_date:%d/%m/%Y}."
                if request.contract_end_date
                else "."
            ),
        ],
        AttachmentKind.JOB_DESCRIPTION: [
            f"Intitulé : {request.post_title}.",
            "Missions : piloter le projet de revitalisation du centre-bourg, coordonner les "
            "partenaires (État, Région, intercommunalité, opérateurs), animer la concertation "
            "avec les habitants et les commerçants, suivre les opérations et leurs "
            "financements. Poste à temps plein.",
        ],
        AttachmentKind.FINANCING_PLAN: [
            f"Coût chargé annuel du poste : {_amount(request.annual_loaded_cost)}.",
            f"Période : du {request.period_start:%d/%m/%Y} au {request.period_end:%d/%m/%Y}.",
            *(
                f"{line.funder_enum.label} : {_amount(line.requested_amount)}"
                for line in request.plan
            ),
            "Le reste à charge est financé par la collectivité sur son budget.",
        ],
        AttachmentKind.OTHER: [f"Poste : {request.post_title}."],
    }[kind]
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"  # French accents, « », — and € in Helvetica
    pdf.set_title(f"{title} — exemple de démonstration")
    pdf.set_creator("Recrutement PVD (démonstration)")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, organisation.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, f"{title} — exemple de démonstration", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 11)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.ln(10)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(
        0,
        5,
        "Document fictif produit pour la démonstration de la plateforme Recrutement PVD : "
        "il ne s'agit pas d'un acte réel.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
