"""The pure parts of `make bench` (scripts/bench): percentiles, ratios, the table, the
comparison of two JSON reports and the goals' verdicts. No timing is asserted."""

from __future__ import annotations

import json

import pytest

from scripts.bench import goals, lag, pages, rebuild, search
from scripts.bench.lag import unique_word
from scripts.bench.stats import (
    Goal,
    Report,
    Row,
    compare,
    percentile,
    ratio,
    render_comparison,
    render_table,
    summary,
)


def test_percentile_is_the_nearest_rank_of_a_measured_value() -> None:
    samples = [float(value) for value in range(20, 0, -1)]  # 20..1, unsorted
    assert percentile(samples, 0.95) == 19.0
    assert percentile(samples, 0.5) == 10.0
    assert percentile(samples, 1.0) == 20.0
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([1.0, 2.0, 3.0], 0.0) == 1.0
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_summary_gives_median_p95_and_max() -> None:
    assert summary([1.0, 2.0, 3.0, 4.0, 100.0]) == {"p50 ms": 3.0, "p95 ms": 100.0, "max ms": 100.0}


def test_ratio_is_none_when_a_side_is_missing_or_zero() -> None:
    assert ratio(3, 4) == 0.75
    assert ratio(None, 4) is None
    assert ratio(3, None) is None
    assert ratio(3, 0) is None


def test_table_has_a_block_per_section_with_its_own_columns() -> None:
    rows = [
        Row("pages", "/robots.txt", {"req/s": 1234.5, "ratio /robots.txt": 1.0}),
        Row("pages", "/offres", {"req/s": 56.25, "ratio /robots.txt": 0.0456}, note="bruit"),
        Row("recherche", "chef de projet", {"p95 ms": 12.34, "résultats": 10000}, size=10000),
    ]
    lines = render_table(rows).splitlines()
    assert lines[0].split(" | ") == ["offres", "pages      ", "req/s", "ratio /robots.txt", "note"]
    # Figures right-aligned; ratios with three decimals; large values whole.
    assert lines[2].split(" | ")[1:4] == ["/robots.txt", "1 234", "            1.000"]
    assert lines[3].split(" | ")[1:5] == [
        "/offres    ",
        " 56.2",
        "            0.046",
        "bruit",
    ]
    assert lines[4] == ""
    assert lines[5].split(" | ") == ["offres", "recherche     ", "p95 ms", "résultats", "note"]
    assert lines[7].split(" | ")[:4] == ["10 000", "chef de projet", "  12.3", "   10 000"]


def report(rows: list[Row], commit: str = "abc") -> Report:
    return Report(
        started="2026-12-02T12:00:00+00:00",
        mode="rapide",
        commit=commit,
        machine="2 processeurs",
        load_before=(1.0, 2.0, 3.0),
        load_after=(1.5, 2.0, 3.0),
        rows=rows,
        goals=[Goal("un objectif", False, "détail")],
    )


def test_report_survives_a_json_round_trip() -> None:
    original = report([Row("pages", "/", {"req/s": 10.0, "p50 ms": None}, size=None, note="n")])
    assert Report.from_json(json.loads(json.dumps(original.to_json()))) == original


def test_comparison_pairs_rows_by_section_size_and_label() -> None:
    old = report(
        [
            Row("recherche", "chef de projet", {"p95 ms": 40.0}, size=1000),
            Row("recherche", "chef de projet", {"p95 ms": 160.0}, size=10000),
            Row("pages", "/healthz", {"req/s": 20.0}),
        ]
    )
    new = report(
        [
            Row("recherche", "chef de projet", {"p95 ms": 20.0, "CPU ms": 5.0}, size=10000),
            Row("recherche", "chef de projet", {"p95 ms": 10.0}, size=1000),
        ],
        commit="def",
    )
    lines = compare(old, new)
    assert lines == [
        ("recherche | 10000 | chef de projet", "p95 ms", 160.0, 20.0, 0.125),
        ("recherche | 10000 | chef de projet", "CPU ms", None, 5.0, None),
        ("recherche | 1000 | chef de projet", "p95 ms", 40.0, 10.0, 0.25),
        ("pages |  | /healthz", "req/s", 20.0, None, None),
    ]
    text = render_comparison(old, new)
    assert "avant : 2026-12-02T12:00:00+00:00 (abc, rapide), charge 1.00 2.00 3.00" in text
    assert "×0.125" in text


def test_goals_are_met_missed_or_not_measured() -> None:
    rows = [
        Row(pages.SECTION, "/offres", {"ratio /robots.txt": 0.30}),
        Row(pages.SECTION, "/offres/<id>", {"ratio /robots.txt": 0.20}),
        Row(search.SECTION, "a", {"p95 ms": 25.0}, size=10000),
        Row(search.SECTION, "b", {"p95 ms": 31.0}, size=10000),
        Row(search.CACHED_SECTION, "a", {"p95 ms": 2.0}, size=10000),
        Row(rebuild.SECTION, "r", {"CPU s": 1.0, "croissance CPU/offre": 1.0}, size=1000),
        Row(
            rebuild.SECTION,
            "r",
            {"durée s": 14.0, "CPU s": 12.0, "mémoire max Mo": 450.0, "croissance CPU/offre": 1.2},
            size=10000,
        ),
        Row(lag.SECTION, "délai d'indexation (0 alertes instantanées)", {"p95 ms": 900.0}),
        Row(lag.SECTION, "publication (0 alertes instantanées)", {"p95 ms": 50.0}),
        Row(lag.SECTION, "publication (1000 alertes instantanées)", {"p95 ms": 150.0}),
    ]
    verdicts = {goal.text: goal.met for goal in goals.check_goals(rows)}
    assert verdicts["/offres ≥ 0.25× les requêtes/s de /robots.txt"] is True
    assert verdicts["/offres/<id> ≥ 0.35× les requêtes/s de /robots.txt"] is False
    assert verdicts["/healthz ≥ 0.5× les requêtes/s de /robots.txt"] is None
    assert verdicts["recherche sans cache p95 ≤ 30 ms à 10000 offres, chaque requête"] is False
    assert verdicts["recherche sans cache p95 ≤ 80 ms à 50000 offres, chaque requête"] is None
    assert verdicts["recherche servie du cache p95 ≤ 5 ms"] is True
    assert verdicts["reconstruction de 10000 offres ≤ 15 s"] is True
    assert verdicts["reconstruction de 10000 offres en moins de 400 Mo"] is False
    assert (
        verdicts["reconstruction linéaire (CPU par offre ≤ 1.25× celui de la plus petite)"] is True
    )
    assert verdicts["délai d'indexation p95 ≤ 1000 ms, worker lancé"] is True
    assert verdicts["publication p95 ≤ 100 ms quel que soit le nombre d'alertes"] is False


def test_goal_lines_say_the_verdict() -> None:
    assert Goal("x", True).line() == "objectif atteint : x"
    assert Goal("x", False, "31 ms").line() == "OBJECTIF MANQUÉ : x — 31 ms"
    assert Goal("x", None).line() == "non mesuré : x"


def test_unique_words_are_letters_and_distinct() -> None:
    words = [unique_word(index) for index in range(2000)]
    assert len(set(words)) == 2000
    assert all(word.isalpha() and word.isascii() for word in words)
