"""The national demo's collectivités: the available PVD towns grouped into communes,
EPCI and declared PETR in the proportions of the report, their posts and the fate of
each, and the préfecture and ANAH agents of their départements."""

from __future__ import annotations

import random
from collections import defaultdict

from recrutement.core.french import commune_organisation_name, of_place
from recrutement.demo.national.draws import quota
from recrutement.demo.national.model import Agents, Line, Org, known
from recrutement.demo.national.parameters import (
    EMPLOYER_SHARES,
    HOUSING_OPERATIONS,
    LINE_SHARES,
    OPEN_ONLY_TOWNS,
    SECOND_POST_TOWNS,
    VACANT_TOWNS,
    WITHOUT_ANAH_AGENT,
)
from recrutement.demo.national.world import Town, World
from recrutement.organisations.services import valid_siren


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


def _take(groups: list[list[Town]], target: float) -> tuple[list[list[Town]], list[list[Town]]]:
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


def _assign_kinds(rng: random.Random, groups: list[list[Town]], world: World) -> list[Org]:
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
        if kind == "petr" and partner is not None:  # "petr" is an option only with one
            pending.remove(partner)
            orgs.append(_petr_org(rng, group + partner, world))
        elif kind == "epci":
            orgs.append(_epci_org(group, world))
        else:
            orgs += [_commune_org(town) for town in group]
    return orgs


def _petr_partner(group: list[Town], pending: list[list[Town]]) -> list[Town] | None:
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
    name, department = world.groupings[known(siren, "EPCI")]
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
        Line(
            org,
            org.towns[index % len(org.towns)],
            turnover=flags["turnover"][n],
            anah=flags["anah"][n],
            cofunded=flags["cofunded"][n],
        )
        for n, (org, index) in enumerate(recruiting)
    ]
    for line in lines:
        if line.anah:
            operation = rng.choice(HOUSING_OPERATIONS)
            line.housing_operation = operation.format(town=line.workplace.name)
    opening = [Line(org, org.towns[0]) for org in orgs if org.open_only]
    return lines + opening


def plan_agents(rng: random.Random, world: World, lines: list[Line]) -> Agents:
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
