"""Search latency on synthetic offers, without a database.

    .venv/bin/python -m tests.search.benchmark [--offers 10000] [--runs 200]

Builds a temporary index of varied French offers spread over France, then
times `search_offers`'s core (text, filters, facet counts, distance, excerpts,
suggestion) for a few typical queries and prints the first run (postings not
yet cached), p50 and p95 in milliseconds. The full-stack benchmark, with the
database and the page's offers loaded from SQL, is `make bench`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from recrutement.search.documents import COORDINATE_SCALE, date_number
from recrutement.search.index import INDEX_NAME, SCHEMA, IndexView
from recrutement.search.query import Place, SearchParams, _search

TOPICS = [
    "la revitalisation du centre-ville et de ses commerces de proximité",
    "l'aménagement des espaces publics et des entrées de ville",
    "la rénovation de l'habitat ancien et la lutte contre la vacance des logements",
    "les mobilités douces, le covoiturage et les liaisons cyclables",
    "la valorisation du patrimoine bâti et des paysages",
    "la transition écologique et la sobriété énergétique des bâtiments publics",
    "l'accès aux soins et l'installation de maisons de santé pluriprofessionnelles",
    "le développement du numérique et des tiers-lieux",
    "l'urbanisme opérationnel et la maîtrise foncière",
    "l'attractivité touristique et culturelle du territoire",
    "la reconquête des friches industrielles",
    "l'accompagnement des porteurs de projets et des associations de commerçants",
    "l'opération programmée d'amélioration de l'habitat (OPAH-RU)",
    "la végétalisation des cours d'école et la désimperméabilisation des sols",
    "la concertation avec les habitants et les conseils de quartier",
]
VERBS = [
    "Vous pilotez",
    "Vous coordonnez",
    "Vous animez",
    "Vous mettez en œuvre",
    "Vous suivez",
    "Vous assurez le montage financier de",
    "Vous conduisez les études préalables sur",
]
PROFILES = [
    "Formation supérieure en urbanisme, aménagement du territoire ou développement local.",
    "Expérience de la conduite de projets complexes avec des partenaires multiples.",
    "Connaissance des collectivités territoriales et des financements publics.",
    "Aisance relationnelle, sens de l'écoute et capacité d'animation de réunions.",
    "Maîtrise des outils de cartographie (SIG) appréciée.",
    "Permis B indispensable, déplacements fréquents sur le territoire.",
    "Une première expérience d'infirmière coordinatrice ou de chargée de mission santé serait un atout.",
]
BENEFITS = [
    "Télétravail possible deux jours par semaine.",
    "Titres-restaurant, participation à la mutuelle et à la prévoyance.",
    "Comité national d'action sociale (CNAS).",
    "Véhicule de service, ordinateur portable et téléphone.",
    "Formation continue dans le réseau Petites villes de demain.",
]
CONTRACTS = ["project_contract", "fixed_term", "transfer", "secondment", "permanent"]
EXPERIENCES = ["beginner", "confirmed", "senior"]
REMOTE = ["none", "occasional", "regular"]


def synthetic_documents(count: int, seed: int = 2026):
    rng = random.Random(seed)
    regions = [f"{code}" for code in (11, 24, 27, 28, 32, 44, 52, 53, 75, 76, 84, 93, 94)]
    departments = {f"{number:02d}": rng.choice(regions) for number in range(1, 96) if number != 20}
    communes = []
    for index in range(1600):
        department = rng.choice(list(departments))
        communes.append(
            (
                f"{department}{index:03d}",
                department,
                departments[department],
                rng.uniform(42.5, 50.9),
                rng.uniform(-4.5, 7.8),
                f"Commune {index}",
            )
        )
    today = date.today()
    for number in range(1, count + 1):
        insee, department, region, latitude, longitude, name = rng.choice(communes)
        topics = rng.sample(TOPICS, 3)
        missions = " ".join(f"{rng.choice(VERBS)} {topic}." for topic in topics)
        body = "\n\n".join(
            [
                missions,
                " ".join(rng.sample(PROFILES, 3)),
                " ".join(rng.sample(BENEFITS, 2)),
                f"Communauté de communes {number % 400}",
                f"Lieu de travail : {name}",
            ]
        )
        title = rng.choice(
            [
                "Chef de projet Petites villes de demain",
                "Chef de projet PVD et revitalisation",
                "Chef de projet Petites villes de demain (H/F)",
            ]
        )
        published = today - timedelta(days=rng.randint(0, 60))
        yield {
            "id": str(number),
            "title": title,
            "body": body,
            "spelling": f"{title}\n{body}",
            "spelling_forms": f"{title}\n{body}",
            "region": region,
            "department": department,
            "contract_type": rng.choice(CONTRACTS),
            "experience": rng.choice(EXPERIENCES),
            "remote_work": rng.choice(REMOTE),
            "published_at": int(time.mktime(published.timetuple())) + number,
            "application_deadline": date_number(published + timedelta(days=rng.randint(20, 90))),
            "latitude": round(latitude * COORDINATE_SCALE),
            "longitude": round(longitude * COORDINATE_SCALE),
            "workplace": insee,
            "organisation": f"Communauté de communes {number % 400}",
        }


def build_index(directory: Path, count: int) -> None:
    index = FileStorage(str(directory)).create_index(SCHEMA, indexname=INDEX_NAME)
    writer = index.writer(limitmb=256)
    for document in synthetic_documents(count):
        writer.add_document(**document)
    writer.commit()


QUERIES = {
    "no text, no filter (every open offer)": SearchParams(),
    "« chef de projet » (matches all)": SearchParams(text="chef de projet"),
    "2 words « habitat mobilites »": SearchParams(text="habitat mobilites"),
    "facets only (contrat + région)": SearchParams(contract_type="permanent", region="53"),
    "distance 30 km, no text": SearchParams(
        place=Place("29233", "Quimperlé", 47.872, -3.55), radius_km=30
    ),
    "distance 100 km + « urbanisme »": SearchParams(
        text="urbanisme", place=Place("29233", "Quimperlé", 47.872, -3.55), radius_km=100
    ),
    "misspelt « amenagment » (suggestion)": SearchParams(text="amenagment"),
    "« chef de projet », page 5, deadline sort": SearchParams(
        text="chef de projet", sort="date_limite", page=5
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        started = time.perf_counter()
        build_index(Path(temporary), options.offers)
        print(f"indexed {options.offers} offers in {time.perf_counter() - started:.1f} s")
        index = FileStorage(temporary).open_index(INDEX_NAME)
        with index.searcher() as searcher:
            view = IndexView(searcher)
            started = time.perf_counter()
            _search(view, SearchParams(), date.today())
            print(
                f"first search (reads the columns): {1000 * (time.perf_counter() - started):.0f} ms"
            )
            for label, params in QUERIES.items():
                started = time.perf_counter()
                _search(view, params, date.today())
                first = 1000 * (time.perf_counter() - started)
                timings = []
                for _ in range(options.runs):
                    started = time.perf_counter()
                    results = _search(view, params, date.today())
                    timings.append(1000 * (time.perf_counter() - started))
                timings.sort()
                p95 = timings[int(0.95 * (len(timings) - 1))]
                print(
                    f"{label:45} total={results.total:6}  first={first:6.1f} ms"
                    f"  p50={statistics.median(timings):6.1f} ms  p95={p95:6.1f} ms"
                )


if __name__ == "__main__":
    main()
