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
    goals = []
    by_section: dict[str, list[Row]] = {}
    for row in rows:
        by_section.setdefault(row.section, []).append(row)

    page_rows = {row.label: row for row in by_section.get(pages.SECTION, [])}
    for label, minimum in PAGE_RATIOS:
        text = f"{label} ≥ {minimum}× les requêtes/s de /robots.txt"
        row = page_rows.get(label)
        if row is None:
            goals.append(Goal(text, None))
            continue
        measured = _value(row, "ratio /robots.txt")
        goals.append(Goal(text, measured >= minimum, f"{measured:.3f}×"))

    search_rows = by_section.get(search.SECTION, [])
    for size, limit in SEARCH_P95_MS.items():
        text = f"recherche sans cache p95 ≤ {limit:.0f} ms à {size} offres, chaque requête"
        measured = [row for row in search_rows if row.size == size]
        if not measured:
            goals.append(Goal(text, None, "taille non mesurée"))
            continue
        slow = [row for row in measured if not _value(row, "p95 ms") <= limit]
        worst = max(measured, key=lambda row: _value(row, "p95 ms"))
        goals.append(
            Goal(
                text,
                not slow,
                f"la plus lente : « {worst.label} » {_value(worst, 'p95 ms'):.1f} ms"
                + (f" ; {len(slow)} requête(s) au-dessus" if slow else ""),
            )
        )

    cached = by_section.get(search.CACHED_SECTION, [])
    text = f"recherche servie du cache p95 ≤ {CACHED_P95_MS:.0f} ms"
    if cached:
        worst = max(cached, key=lambda row: _value(row, "p95 ms"))
        goals.append(
            Goal(
                text,
                _value(worst, "p95 ms") <= CACHED_P95_MS,
                f"{_value(worst, 'p95 ms'):.1f} ms au pire ({worst.size} offres)",
            )
        )
    else:
        goals.append(Goal(text, None))

    rebuilds = {row.size: row for row in by_section.get(rebuild.SECTION, [])}
    ten_thousand = rebuilds.get(REBUILD_SIZE)
    if ten_thousand is None:
        goals.append(Goal(f"reconstruction de {REBUILD_SIZE} offres", None))
    else:
        seconds = _value(ten_thousand, "durée s")
        memory = _value(ten_thousand, "mémoire max Mo")
        goals.append(
            Goal(
                f"reconstruction de {REBUILD_SIZE} offres ≤ {REBUILD_SECONDS:.0f} s",
                seconds <= REBUILD_SECONDS,
                f"{seconds:.1f} s (CPU {_value(ten_thousand, 'CPU s'):.1f} s)",
            )
        )
        goals.append(
            Goal(
                f"reconstruction de {REBUILD_SIZE} offres en moins de {REBUILD_MEMORY_MB:.0f} Mo",
                memory < REBUILD_MEMORY_MB,
                f"{memory:.0f} Mo",
            )
        )
    larger = [row for size, row in sorted(rebuilds.items()) if size != min(rebuilds, default=0)]
    text = f"reconstruction linéaire (CPU par offre ≤ {LINEAR_GROWTH}× celui de la plus petite)"
    if larger:
        growths = {row.size: _value(row, "croissance CPU/offre") for row in larger}
        goals.append(
            Goal(
                text,
                all(growth <= LINEAR_GROWTH for growth in growths.values()),
                ", ".join(f"{size} : {growth:.2f}×" for size, growth in growths.items()),
            )
        )
    else:
        goals.append(Goal(text, None))

    lag_rows = {row.label: row for row in by_section.get(lag.SECTION, [])}
    lag_measured = [row for label, row in lag_rows.items() if label.startswith("délai")]
    text = f"délai d'indexation p95 ≤ {LAG_P95_MS:.0f} ms, worker lancé"
    if lag_measured:
        worst = max(lag_measured, key=lambda row: _value(row, "p95 ms"))
        goals.append(
            Goal(
                text,
                _value(worst, "p95 ms") <= LAG_P95_MS,
                f"{_value(worst, 'p95 ms'):.0f} ms au pire",
            )
        )
    else:
        goals.append(Goal(text, None))
    publish_measured = [row for label, row in lag_rows.items() if label.startswith("publication")]
    text = f"publication p95 ≤ {PUBLISH_P95_MS:.0f} ms quel que soit le nombre d'alertes"
    if publish_measured:
        goals.append(
            Goal(
                text,
                all(_value(row, "p95 ms") <= PUBLISH_P95_MS for row in publish_measured),
                " ; ".join(
                    f"{row.label} : {_value(row, 'p95 ms'):.0f} ms" for row in publish_measured
                ),
            )
        )
    else:
        goals.append(Goal(text, None))
    return goals
