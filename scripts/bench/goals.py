"""The goals of issue 13, checked against the rows of one run (pure: no timing here)."""

from __future__ import annotations

from collections.abc import Sequence

from scripts.bench import lag, pages, rebuild, search
from scripts.bench.stats import Goal, Row

PAGE_RATIOS = (
    ("/offres", 0.25),
    ("/offres?q=chef+de+projet", 0.25),
    ("/api/v1/offres?q=urbanisme", 0.25),
    ("/offres/<id>", 0.35),
    ("/healthz", 0.5),
)
SEARCH_P95_MS = {10_000: 30.0, 50_000: 80.0}
CACHED_P95_MS = 5.0
REBUILD_SIZE = 10_000
REBUILD_SECONDS = 15.0
# Up to this growth of CPU time per offer from the smallest size counts as linear.
LINEAR_GROWTH = 1.25
REBUILD_MEMORY_MB = 400.0
LAG_P95_MS = 1_000.0
PUBLISH_P95_MS = 100.0


def _value(row: Row, name: str) -> float:
    value = row.values.get(name)
    return float("nan") if value is None else float(value)


def check_goals(rows: Sequence[Row]) -> list[Goal]:
    """Every goal's verdict, in the issue's order."""
    by_section: dict[str, list[Row]] = {}
    for row in rows:
        by_section.setdefault(row.section, []).append(row)
    return [
        *_page_goals(by_section.get(pages.SECTION, [])),
        *_search_goals(
            by_section.get(search.SECTION, []), by_section.get(search.CACHED_SECTION, [])
        ),
        *_rebuild_goals(by_section.get(rebuild.SECTION, [])),
        *_lag_goals(by_section.get(lag.SECTION, [])),
    ]


def _page_goals(rows: list[Row]) -> list[Goal]:
    by_label = {row.label: row for row in rows}
    goals = []
    for label, minimum in PAGE_RATIOS:
        text = f"{label} ≥ {minimum}× les requêtes/s de /robots.txt"
        page = by_label.get(label)
        if page is None:
            goals.append(Goal(text, None))
        else:
            measured = _value(page, "ratio /robots.txt")
            goals.append(Goal(text, measured >= minimum, f"{measured:.3f}×"))
    return goals


def _slowest(rows: list[Row]) -> Row:
    return max(rows, key=lambda row: _value(row, "p95 ms"))


def _search_goals(uncached: list[Row], cached: list[Row]) -> list[Goal]:
    goals = []
    for size, limit in SEARCH_P95_MS.items():
        text = f"recherche sans cache p95 ≤ {limit:.0f} ms à {size} offres, chaque requête"
        measured = [row for row in uncached if row.size == size]
        if not measured:
            goals.append(Goal(text, None, "taille non mesurée"))
            continue
        slow = [row for row in measured if not _value(row, "p95 ms") <= limit]
        worst = _slowest(measured)
        detail = f"la plus lente : « {worst.label} » {_value(worst, 'p95 ms'):.1f} ms"
        if slow:
            detail += f" ; {len(slow)} requête(s) au-dessus"
        goals.append(Goal(text, not slow, detail))
    text = f"recherche servie du cache p95 ≤ {CACHED_P95_MS:.0f} ms"
    if cached:
        worst = _slowest(cached)
        p95 = _value(worst, "p95 ms")
        goals.append(
            Goal(text, p95 <= CACHED_P95_MS, f"{p95:.1f} ms au pire ({worst.size} offres)")
        )
    else:
        goals.append(Goal(text, None))
    return goals


def _rebuild_goals(rows: list[Row]) -> list[Goal]:
    by_size = {row.size: row for row in rows if row.size is not None}
    goals = []
    measured = by_size.get(REBUILD_SIZE)
    duration = f"reconstruction de {REBUILD_SIZE} offres ≤ {REBUILD_SECONDS:.0f} s"
    memory = f"reconstruction de {REBUILD_SIZE} offres en moins de {REBUILD_MEMORY_MB:.0f} Mo"
    if measured is None:
        goals += [Goal(duration, None), Goal(memory, None)]
    else:
        seconds, megabytes = _value(measured, "durée s"), _value(measured, "mémoire max Mo")
        cpu = _value(measured, "CPU s")
        goals.append(
            Goal(duration, seconds <= REBUILD_SECONDS, f"{seconds:.1f} s (CPU {cpu:.1f} s)")
        )
        goals.append(Goal(memory, megabytes < REBUILD_MEMORY_MB, f"{megabytes:.0f} Mo"))
    text = f"reconstruction linéaire (CPU par offre ≤ {LINEAR_GROWTH}× celui de la plus petite)"
    growths = {
        size: _value(row, "croissance CPU/offre")
        for size, row in sorted(by_size.items())
        if size != min(by_size)
    }
    if growths:
        goals.append(
            Goal(
                text,
                all(growth <= LINEAR_GROWTH for growth in growths.values()),
                ", ".join(f"{size} : {growth:.2f}×" for size, growth in growths.items()),
            )
        )
    else:
        goals.append(Goal(text, None))
    return goals


def _lag_goals(rows: list[Row]) -> list[Goal]:
    goals = []
    lags = [row for row in rows if row.label.startswith("délai")]
    text = f"délai d'indexation p95 ≤ {LAG_P95_MS:.0f} ms, worker lancé"
    if lags:
        p95 = _value(_slowest(lags), "p95 ms")
        goals.append(Goal(text, p95 <= LAG_P95_MS, f"{p95:.0f} ms au pire"))
    else:
        goals.append(Goal(text, None))
    publications = [row for row in rows if row.label.startswith("publication")]
    text = f"publication p95 ≤ {PUBLISH_P95_MS:.0f} ms quel que soit le nombre d'alertes"
    if publications:
        goals.append(
            Goal(
                text,
                all(_value(row, "p95 ms") <= PUBLISH_P95_MS for row in publications),
                " ; ".join(f"{row.label} : {_value(row, 'p95 ms'):.0f} ms" for row in publications),
            )
        )
    else:
        goals.append(Goal(text, None))
    return goals
