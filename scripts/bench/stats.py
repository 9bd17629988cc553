"""The pure part of `make bench`: percentiles, ratios, the rows of the one table, its
rendering, and the side-by-side comparison of two JSON reports. Nothing here times,
starts or imports the application, so tests/test_bench.py can check it exactly."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

Number = float | int | None


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (`share` in 0..1): a value that was measured, never an
    interpolation, so p95 of 20 samples is the 19th smallest."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(samples_ms: Sequence[float]) -> dict[str, Number]:
    """p50, p95 and max of samples in milliseconds."""
    return {
        "p50 ms": statistics.median(samples_ms),
        "p95 ms": percentile(samples_ms, 0.95),
        "max ms": max(samples_ms),
    }


def ratio(numerator: Number, denominator: Number) -> float | None:
    """numerator / denominator, or None when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


@dataclass
class Row:
    """One line of the table: a section ("recherche", "pages"...), the number of
    published offers it ran on (None when that does not apply), what was measured,
    its figures by column name, and a free note."""

    section: str
    label: str
    values: dict[str, Number]
    size: int | None = None
    note: str = ""

    @property
    def key(self) -> str:
        """What identifies the row across runs, for --compare."""
        return f"{self.section} | {self.size or ''} | {self.label}"


@dataclass
class Goal:
    """One goal of the issue: met (True), missed (False) or not measured (None)."""

    text: str
    met: bool | None
    detail: str = ""

    def line(self) -> str:
        status = {True: "objectif atteint", False: "OBJECTIF MANQUÉ", None: "non mesuré"}
        return f"{status[self.met]} : {self.text}" + (f" — {self.detail}" if self.detail else "")


@dataclass
class Report:
    """Everything one run measured, as written to JSON."""

    started: str
    mode: str
    commit: str
    machine: str
    load_before: tuple[float, ...]
    load_after: tuple[float, ...] = ()
    notes: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        return cls(
            **{
                **data,
                "load_before": tuple(data["load_before"]),
                "load_after": tuple(data["load_after"]),
                "rows": [Row(**row) for row in data["rows"]],
                "goals": [Goal(**goal) for goal in data["goals"]],
            }
        )


def format_value(name: str, value: Number) -> str:
    """Ratios with three decimals, small figures with one, large ones whole."""
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    if name.startswith(("ratio", "croissance", "×")):
        return f"{value:.3f}"
    if abs(value) >= 100:
        return f"{value:,.0f}".replace(",", " ")
    return f"{value:.1f}"


def _aligned(lines: list[list[str]], left: tuple[int, ...] = (1,)) -> list[str]:
    """Columns padded to their widest cell: text columns (`left`) to the left, figures
    to the right."""
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return [
        " | ".join(
            cell.ljust(width) if column in left else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip(" |")
        for line in lines
    ]


def render_table(rows: Iterable[Row]) -> str:
    """The one table: a block per section, each with the columns its rows have."""
    sections: dict[str, list[Row]] = {}
    for row in rows:
        sections.setdefault(row.section, []).append(row)
    out: list[str] = []
    for section, section_rows in sections.items():
        columns = list(dict.fromkeys(name for row in section_rows for name in row.values))
        lines = [["offres", section, *columns, "note"]]
        for row in section_rows:
            lines.append(
                [
                    format_value("", row.size) if row.size is not None else "",
                    row.label,
                    *(format_value(name, row.values.get(name)) for name in columns),
                    row.note,
                ]
            )
        header, *body = _aligned(lines, left=(1, len(columns) + 2))
        out += [header, "-" * len(header), *body, ""]
    return "\n".join(out).rstrip() + "\n"


def compare(old: Report, new: Report) -> list[tuple[str, str, Number, Number, float | None]]:
    """(row key, column, old value, new value, new / old) for every figure of either
    run, in the new run's order, then what only the old run had."""
    old_rows = {row.key: row for row in old.rows}
    new_rows = {row.key: row for row in new.rows}
    keys = list(dict.fromkeys([*new_rows, *old_rows]))
    lines = []
    for key in keys:
        before, after = old_rows.get(key), new_rows.get(key)
        before_values = before.values if before else {}
        after_values = after.values if after else {}
        for name in dict.fromkeys([*after_values, *before_values]):
            old_value, new_value = before_values.get(name), after_values.get(name)
            lines.append((key, name, old_value, new_value, ratio(new_value, old_value)))
    return lines


def render_comparison(old: Report, new: Report) -> str:
    """Both runs side by side, with the ratio new / old of every figure."""
    lines = [["mesure", "colonne", "avant", "après", "après / avant"]]
    for key, name, old_value, new_value, change in compare(old, new):
        lines.append(
            [
                key,
                name,
                format_value(name, old_value),
                format_value(name, new_value),
                "–" if change is None else f"×{change:.3f}",
            ]
        )
    header, *body = _aligned(lines, left=(0, 1))
    head = [
        f"avant : {old.started} ({old.commit}, {old.mode}), charge "
        f"{_load(old.load_before)} → {_load(old.load_after)}",
        f"après : {new.started} ({new.commit}, {new.mode}), charge "
        f"{_load(new.load_before)} → {_load(new.load_after)}",
        "",
    ]
    return "\n".join([*head, header, "-" * len(header), *body]) + "\n"


def _load(load: Sequence[float]) -> str:
    return " ".join(f"{value:.2f}" for value in load) if load else "–"
