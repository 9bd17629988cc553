"""Run the whole benchmark (see scripts/bench/__init__.py), or compare two reports."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from scripts.bench import backends, data, goals, lag, pages, rebuild, search
from scripts.bench.stats import Report, Row, render_comparison, render_table

PARTS = ("rebuild", "search", "backends", "pages", "dashboard", "lag")
PAGES_SIZE = 10_000


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short run (under 3 minutes)")
    parser.add_argument("--sizes", help="published offers for search and rebuild, e.g. 1000,10000")
    parser.add_argument("--runs", type=int, help="timed searches per query (30; quick 10)")
    parser.add_argument("--rounds", type=int, help="rounds over the pages (3; quick 2)")
    parser.add_argument("--seconds", type=float, help="load per endpoint and round (3; quick 1)")
    parser.add_argument("--publications", type=int, help="offers published per case (20; quick 5)")
    parser.add_argument("--only", help=f"comma-separated parts among {', '.join(PARTS)}")
    parser.add_argument("--fresh", action="store_true", help="rebuild the benchmark databases")
    parser.add_argument("--output", type=Path, help="the JSON report (default instance/bench/)")
    parser.add_argument(
        "--compare", nargs=2, metavar=("OLD", "NEW"), type=Path, help="compare two JSON reports"
    )
    return parser.parse_args(argv)


def git_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=data.ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "?"
    return commit + (
        " + modifications" if git("status", "--porcelain", "--untracked-files=no") else ""
    )


def machine() -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cpus} processeur(s), {platform.machine()}, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    if options.compare:
        old, new = (Report.from_json(json.loads(path.read_text())) for path in options.compare)
        print(render_comparison(old, new))
        return 0

    quick = options.quick
    default_sizes = "1000,10000" if quick else "1000,10000,50000"
    sizes = sorted({int(size) for size in (options.sizes or default_sizes).split(",") if size})
    runs = options.runs or (10 if quick else 30)
    rounds = options.rounds or (2 if quick else 3)
    seconds = options.seconds or (1.0 if quick else 3.0)
    publications = options.publications or (5 if quick else 20)
    parts = set(options.only.split(",")) if options.only else set(PARTS)

    import recrutement

    print(f"Code mesuré : {Path(recrutement.__file__).parent} ({git_commit()})")
    print(f"Machine : {machine()}")
    started = time.perf_counter()
    directories = data.ensure_offer_databases(sorted({*sizes, PAGES_SIZE}), options.fresh)
    national = data.ensure_national_database(options.fresh) if "dashboard" in parts else None

    report = Report(
        started=datetime.now().astimezone().isoformat(timespec="seconds"),
        mode="rapide" if quick else "complet",
        commit=git_commit(),
        machine=machine(),
        load_before=os.getloadavg(),
    )
    print(f"Charge avant : {' '.join(f'{v:.2f}' for v in report.load_before)}")
    measured = {size: directories[size] for size in sizes}
    report.notes.append(
        "Tailles de la recherche et de la reconstruction : "
        + ", ".join(f"{size} offres" for size in sizes)
        + f" ; {runs} recherches chronométrées par requête."
    )
    rows: list[Row] = []

    def attempt(part: str, measure: Callable[[], list[Row]]) -> None:
        """Run one part; a failure is reported and the other parts still run."""
        try:
            rows.extend(measure())
        except Exception as error:  # noqa: BLE001 — a measurement, not a guard
            message = f"ÉCHEC de la partie {part} : {type(error).__name__}: {error}"
            print(message, file=sys.stderr)
            report.notes.append(message[:500])

    if "rebuild" in parts:
        attempt("rebuild", lambda: rebuild.measure_rebuilds(measured))
    for size, directory in directories.items():  # an index for every database used
        if not data.has_index(directory):
            rebuild.rebuild(directory, size)
    if "search" in parts:
        for size, directory in measured.items():
            attempt("search", partial(search.measure_search, directory, size, runs))
    if "backends" in parts:
        # Whoosh and PostgreSQL side by side, up to the pages' size (the copy of 50,000
        # offers into PostgreSQL would take longer than the rest of the run).
        for size, directory in measured.items():
            if size <= PAGES_SIZE:
                attempt("backends", partial(backends.measure_backends, directory, size, runs))
    if "pages" in parts:
        attempt("pages", lambda: pages.measure_pages(directories[PAGES_SIZE], rounds, seconds))
        report.notes.append(
            f"Pages : générateur {pages.generator()}, {pages.CONNECTIONS} connexions, "
            f"{rounds} tours de {seconds:.0f} s par adresse ; cache des résultats de "
            "recherche à sa valeur par défaut."
        )
    if national is not None:
        attempt(
            "dashboard",
            lambda: pages.measure_dashboard(national, rounds, seconds, uncached=not quick),
        )
    if "lag" in parts:
        copy = data.scratch_copy(directories[PAGES_SIZE], "publication")
        attempt("lag", lambda: lag.measure_lag(copy, publications))
    report.load_after = os.getloadavg()
    report.rows = rows
    report.goals = goals.check_goals(rows)
    report.notes.append(f"Durée totale : {time.perf_counter() - started:.0f} s.")

    print()
    print(render_table(rows))
    print(
        f"Charge (1, 5, 15 min) avant : {' '.join(f'{v:.2f}' for v in report.load_before)} ; "
        f"après : {' '.join(f'{v:.2f}' for v in report.load_after)}"
    )
    for note in report.notes:
        print(note)
    print()
    for goal in report.goals:
        print(goal.line())

    output = options.output or data.BENCH_DIR / f"bench-{datetime.now():%Y%m%d-%H%M%S}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    print(f"\nRapport JSON : {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
