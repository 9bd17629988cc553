"""A whole programme of demo data (`flask demo seed --national`): the dashboard's and
the load tests' national volume, shaped by data/national.toml.

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
- the recruits' profiles follow the report's survey (profile shares);
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

- parameters.py: the programme's shape and texts, from data/national.toml;
- world.py: what the database holds already (towns, agents, rules);
- model.py: the plan's dataclasses; draws.py: the random draws;
- organisations.py, posts.py, applications.py, requests.py: the planners;
- writer.py and request_rows.py: the bulk inserts; report.py: progress and summary.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from sqlalchemy import select

from recrutement.accounts.models import User
from recrutement.demo.common import refuse_in_production
from recrutement.demo.national.parameters import NATIONAL_DOMAIN
from recrutement.demo.national.posts import Planner
from recrutement.demo.national.report import Clock, summary
from recrutement.demo.national.world import read_world
from recrutement.demo.national.writer import Writer
from recrutement.extensions import db

__all__ = ["DEFAULT_SEED", "NATIONAL_DOMAIN", "already_seeded", "seed_national"]

DEFAULT_SEED = 2026


def seed_national(
    scale: float = 1.0, seed: int = DEFAULT_SEED, progress: Callable[[str], None] | None = None
) -> str:
    """Add the national programme unless it is there; return a French summary.

    `scale` keeps that share of the départements (drawn with the seed; 1 keeps them
    all), with the same proportions: tests use a small one. Needs the referential,
    the PVD towns and a funding rule (`flask db upgrade`, then `flask demo seed`).
    Commits once; the search index must be rebuilt afterwards.
    """
    refuse_in_production()
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
