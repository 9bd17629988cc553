"""The map of France by département, drawn on the server as inline SVG.

`department_map` colours each département by a sequential scale of five classes
(DSFR blues, light to dark), hatches the départements without data, and puts a
legend under the map in HTML (legible at any width, unlike text inside a scaled
SVG). No JavaScript and no `style` attribute (the Content-Security-Policy forbids
them): colours are SVG presentation attributes; `static/css/charts.css` only adds
the legend's layout and the hover and focus outline of links.

The shapes are vendored in `data/department_shapes.json`, built by
`scripts/build_department_shapes.py` from the DSFR Chart package (MIT; see
`data/ATTRIBUTION.md`): metropolitan France, the five overseas départements in a
row of insets under it, and an enlarged copy of Paris and its petite couronne.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

SHAPES_FILE = Path(__file__).parent / "data" / "department_shapes.json"

# Light to dark: DSFR blue-france 925, 850-hover, main-525, a step between, sun-113.
# Lightness (CIE L*) 91, 69, 52, 35, 16: evenly spaced, so the order reads without hue.
CLASS_COLOURS = ("#e3e3fd", "#a1a1f8", "#6a6af4", "#3a3ad0", "#000091")
CLASS_COUNT = len(CLASS_COLOURS)
NO_DATA_BACKGROUND = "#f6f6f6"
NO_DATA_HATCH = "#929292"
BORDER_COLOUR = "#ffffff"
HIGHLIGHT_COLOUR = "#161616"
INSET_FRAME_COLOUR = "#dddddd"
LABEL_COLOUR = "#3a3a3a"
NO_DATA_LABEL = "pas de donnée"

# Inset labels: font size in map units (the whole map is ~1030 units wide, so 32
# units are ~11 px on a 360 px phone), and the width of a character in Marianne,
# estimated ("Guadeloupe" must fit its frame on one line).
LABEL_FONT_SIZE = 32
LABEL_LINE_HEIGHT = 38
CHAR_WIDTH = 0.56


@dataclass(frozen=True)
class Department:
    """One département of the vendored shapes: its official name and région code."""

    code: str
    name: str
    region: str
    d: str
    bbox: tuple[int, int, int, int]


@dataclass(frozen=True)
class _Inset:
    codes: tuple[str, ...]
    label: str
    frame: tuple[int, int, int, int]
    label_top: int
    paths: Mapping[str, str]  # enlarged copies (Paris); empty for an overseas inset


@dataclass(frozen=True)
class _Shapes:
    view_box: tuple[int, int, int, int]
    departments: Mapping[str, Department]
    insets: tuple[_Inset, ...]


@functools.cache
def _shapes() -> _Shapes:
    data = json.loads(SHAPES_FILE.read_text(encoding="utf-8"))
    departments = {
        code: Department(code, row["name"], row["region"], row["d"], tuple(row["bbox"]))
        for code, row in data["departments"].items()
    }
    insets = tuple(
        _Inset(
            tuple(row["codes"]),
            row["label"],
            tuple(row["frame"]),
            row["label_top"],
            row.get("paths", {}),
        )
        for row in data["insets"]
    )
    return _Shapes(tuple(data["view_box"]), departments, insets)


def departments() -> dict[str, Department]:
    """Every département the map draws (101), by code: name, région code, shape."""
    return dict(_shapes().departments)


def class_breaks(values: Iterable[float | None], classes: int = CLASS_COUNT) -> list[float]:
    """Equal intervals from the smallest to the largest value: `classes + 1` bounds.

    The largest value always falls in the last (darkest) class. With one distinct
    value, every bound is that value (see `classify`).
    """
    present = [v for v in values if v is not None and math.isfinite(v)]
    if not present:
        return []
    low, high = min(present), max(present)
    step = (high - low) / classes
    return [low + step * k for k in range(classes)] + [high]


def classify(value: float, breaks: Sequence[float]) -> int:
    """The class (1 = lightest … len(breaks) - 1 = darkest) of a value.

    Classes are half-open, [b_k, b_k+1), except the last, which holds its upper
    bound; values outside the bounds go to the first or last class. When every
    bound is the same value, that value is in the darkest class.
    """
    classes = len(breaks) - 1
    if classes < 1:
        raise ValueError("at least two bounds are needed")
    for k in range(classes, 0, -1):
        if value >= breaks[k - 1] and (k == classes or value < breaks[k]):
            return k
    return 1 if value < breaks[0] else classes


def _class_labels(breaks: Sequence[float], value_format: Callable[[float], str]) -> list[str]:
    if breaks[0] == breaks[-1]:
        return [value_format(breaks[0])]
    return [
        f"{value_format(breaks[k])} à {value_format(breaks[k + 1])}" for k in range(len(breaks) - 1)
    ]


def _id_prefix(*parts: object) -> str:
    digest = hashlib.blake2s(repr(parts).encode("utf-8"), digest_size=5).hexdigest()
    return f"pvd-map-{digest}"


def _wrap(text: str, width: float, font_size: float) -> list[str]:
    """Greedy word wrap for SVG text, on an estimated character width."""
    per_line = max(1, int(width / (font_size * CHAR_WIDTH)))
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _number(value: float) -> str:
    return f"{value:.6g}"


def department_map(
    values: Mapping[str, float | None],
    *,
    title: str,
    legend_title: str,
    value_format: Callable[[float], str],
    link: Callable[[str], str] | None = None,
    highlight: set[str] | None = None,
    only: set[str] | None = None,
    breaks: Sequence[float] | None = None,
    description: str | None = None,
    id_prefix: str | None = None,
) -> Markup:
    """A choropleth map of the départements, as a `<div class="pvd-map">`.

    - `values`: by département code ("01" … "95", "2A", "2B", "971" … "976"); a
      missing code or `None` is drawn hatched grey, "pas de donnée".
    - `title`: the SVG's accessible name; `legend_title`: what the colours measure.
    - `value_format`: how a value reads, in tooltips and the legend ("42 %").
    - `link(code)`: the address a département leads to (drill-down); each becomes a
      keyboard-reachable `<a>` named "Nom (code) : valeur". The SVG is then a
      `role="group"` (an `img` may not contain links), else `role="img"`.
    - `highlight`: départements outlined in dark (the préfecture's own).
    - `only`: draw these départements alone, zoomed (a région); insets are left out.
    - `breaks`: six class bounds (e.g. 0, 20, 40, 60, 80, 100 for a share); by
      default, equal intervals from the smallest to the largest value shown.
    - `description`: the SVG's `<desc>`; by default a sentence about the scale.
    - `id_prefix`: for the ids inside (title, desc, hatch); by default derived from
      the title, so two different maps on one page do not clash.

    Each département's `<title>` child reads "Nom (code) : valeur" (a tooltip).
    Each path carries `data-code` and `data-class` (1 … 5, or "none").
    """
    shapes = _shapes()
    known = shapes.departments
    if only is not None:
        only = {code for code in only if code in known}
        if not only:
            raise ValueError("none of the départements to show is known")
        if only == set(known):
            only = None
    shown = [code for code in known if only is None or code in only]
    highlight = highlight or set()

    def value_of(code: str) -> float | None:
        value = values.get(code)
        if value is None or not math.isfinite(value):
            return None
        return float(value)

    if breaks is None:
        bounds = class_breaks(value_of(code) for code in shown)
    else:
        bounds = [float(b) for b in breaks]
        if len(bounds) != CLASS_COUNT + 1 or bounds != sorted(bounds):
            raise ValueError(f"breaks: {CLASS_COUNT + 1} bounds in increasing order")
    single_value = bool(bounds) and bounds[0] == bounds[-1]

    def class_of(code: str) -> int | None:
        value = value_of(code)
        if value is None:
            return None
        return CLASS_COUNT if single_value else classify(value, bounds)

    def label_of(code: str) -> str:
        department = known[code]
        value = value_of(code)
        shown_value = NO_DATA_LABEL if value is None else value_format(value)
        return f"{department.name} ({code}) : {shown_value}"

    prefix = id_prefix or _id_prefix(title, legend_title, sorted(only or ()))
    hatch_id = f"{prefix}-no-data"
    classes = {code: class_of(code) for code in shown}
    missing = sum(1 for code in shown if classes[code] is None)

    # The frame: the whole layout, or the zoomed départements with a margin.
    vx: float
    vy: float
    vw: float
    vh: float
    if only is None:
        vx, vy, vw, vh = shapes.view_box
    else:
        boxes = [known[code].bbox for code in shown]
        x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
        pad = max(x1 - x0, y1 - y0) * 0.04 + 2
        vx, vy, vw, vh = x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad
    hatch = max(vw / 110, 1.0)  # the hatch's period, ~5 px whatever the zoom

    def fill_of(code: str) -> str:
        k = classes[code]
        return f"url(#{hatch_id})" if k is None else CLASS_COLOURS[k - 1]

    # Paris and its petite couronne are tiny on the whole map: when the enlarged
    # copy is drawn, the copy carries the links and the small ones are decoration.
    insets = shapes.insets if only is None else ()
    enlarged = {code for inset in insets for code in inset.paths}

    def department_path(code: str, d: str, *, decoration: bool = False) -> Markup:
        # Plain f-strings over escaped pieces: Markup.format would escape the long
        # path data character by character, the bulk of a page's time.
        label = escape(label_of(code))
        k = classes[code]
        path = (
            f'<path d="{escape(d)}" fill="{escape(fill_of(code))}" data-code="{escape(code)}"'
            f' data-class="{"none" if k is None else k}" vector-effect="non-scaling-stroke">'
            f"<title>{label}</title></path>"
        )
        if link is None:
            return Markup(path)  # noqa: S704 — every piece above is escaped
        extra = ' tabindex="-1" aria-hidden="true"' if decoration else ""
        return Markup(f'<a href="{escape(link(code))}" aria-label="{label}"{extra}>{path}</a>')  # noqa: S704

    parts: list[str] = []
    role = "group" if link is not None else "img"
    parts.append(
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="pvd-map__svg" width="100%"'
            ' viewBox="{vb}" role="{role}" aria-labelledby="{p}-title"'
            ' aria-describedby="{p}-desc" focusable="false">'
        ).format(vb=" ".join(_number(v) for v in (vx, vy, vw, vh)), role=role, p=prefix)
    )
    parts.append(Markup('<title id="{p}-title">{t}</title>').format(p=prefix, t=title))
    if description is None:
        description = _describe(legend_title, bounds, value_format, single_value, missing)
    parts.append(Markup('<desc id="{p}-desc">{d}</desc>').format(p=prefix, d=description))
    parts.append(_hatch_pattern(hatch_id, hatch))

    parts.append(
        Markup(
            '<g class="pvd-map__departments" stroke="{c}" stroke-width="1" stroke-linejoin="round">'
        ).format(c=BORDER_COLOUR)
    )
    for code in shown:
        parts.append(department_path(code, known[code].d, decoration=code in enlarged))
    parts.append(Markup("</g>"))

    for inset in insets:
        parts.append(_inset(inset, department_path))

    outlined = [code for code in shown if code in highlight]
    if outlined:
        parts.append(
            Markup(
                '<g class="pvd-map__highlight" fill="none" stroke="{c}" stroke-width="2.5"'
                ' stroke-linejoin="round" pointer-events="none" aria-hidden="true">'
            ).format(c=HIGHLIGHT_COLOUR)
        )
        for code in outlined:
            copies = [inset.paths[code] for inset in insets if code in inset.paths]
            for d in [known[code].d, *copies]:
                parts.append(
                    Markup(
                        '<path d="{d}" data-highlight="{code}" vector-effect="non-scaling-stroke"/>'
                    ).format(d=d, code=code)
                )
        parts.append(Markup("</g>"))
    parts.append(Markup("</svg>"))

    legend = _legend(
        prefix, legend_title, bounds, value_format, single_value, missing, hatch_id, classes
    )
    return Markup('<div class="pvd-map">{svg}{legend}</div>').format(
        svg=Markup("").join(parts), legend=legend
    )


def _hatch_pattern(pattern_id: str, period: float) -> Markup:
    return Markup(
        '<defs><pattern id="{id}" patternUnits="userSpaceOnUse" width="{p}" height="{p}"'
        ' patternTransform="rotate(45)"><rect width="{p}" height="{p}" fill="{bg}"/>'
        '<line x1="0" y1="0" x2="0" y2="{p}" stroke="{fg}" stroke-width="{w}"/>'
        "</pattern></defs>"
    ).format(
        id=pattern_id,
        p=_number(period),
        w=_number(period * 0.35),
        bg=NO_DATA_BACKGROUND,
        fg=NO_DATA_HATCH,
    )


def _inset(inset: _Inset, department_path: Callable[..., Markup]) -> Markup:
    x, y, w, h = inset.frame
    parts = [
        Markup(
            '<g class="pvd-map__inset"><rect x="{x}" y="{y}" width="{w}" height="{h}"'
            ' rx="6" fill="none" stroke="{c}" stroke-width="1.5"'
            ' vector-effect="non-scaling-stroke"/>'
        ).format(x=x, y=y, w=w, h=h, c=INSET_FRAME_COLOUR)
    ]
    if inset.paths:
        parts.append(
            Markup('<g stroke="{c}" stroke-width="1" stroke-linejoin="round">').format(
                c=BORDER_COLOUR
            )
        )
        for code, d in inset.paths.items():
            parts.append(department_path(code, d))
        parts.append(Markup("</g>"))
    lines = _wrap(inset.label, w - 8, LABEL_FONT_SIZE)
    parts.append(
        Markup(
            '<text x="{x}" y="{y}" font-size="{s}" fill="{c}" text-anchor="middle"'
            ' aria-hidden="true">'
        ).format(
            x=_number(x + w / 2),
            y=_number(inset.label_top + LABEL_FONT_SIZE),
            s=LABEL_FONT_SIZE,
            c=LABEL_COLOUR,
        )
    )
    for index, line in enumerate(lines):
        parts.append(
            Markup('<tspan x="{x}" dy="{dy}">{t}</tspan>').format(
                x=_number(x + w / 2), dy=0 if index == 0 else LABEL_LINE_HEIGHT, t=line
            )
        )
    parts.append(Markup("</text></g>"))
    return Markup("").join(parts)


def _describe(
    legend_title: str,
    bounds: Sequence[float],
    value_format: Callable[[float], str],
    single_value: bool,
    missing: int,
) -> str:
    sentences = [f"Carte des départements : {legend_title}."]
    if not bounds:
        sentences.append("Aucune donnée.")
    elif single_value:
        sentences.append(
            f"Tous les départements renseignés ont la valeur {value_format(bounds[0])}."
        )
    else:
        sentences.append(
            f"Cinq classes de couleur, du plus clair au plus foncé, de "
            f"{value_format(bounds[0])} à {value_format(bounds[-1])}."
        )
    if missing and bounds:
        sentences.append(
            f"{missing} département{'s' if missing > 1 else ''} sans donnée (hachurés)."
        )
    sentences.append("Les valeurs de chaque département sont dans le tableau de données.")
    return " ".join(sentences)


def _swatch(fill: str) -> Markup:
    return Markup(
        '<svg class="pvd-map__swatch" width="24" height="16" viewBox="0 0 24 16"'
        ' aria-hidden="true" focusable="false"><rect x="0.5" y="0.5" width="23" height="15"'
        ' fill="{f}" stroke="#929292"/></svg>'
    ).format(f=fill)


def _legend(
    prefix: str,
    legend_title: str,
    bounds: Sequence[float],
    value_format: Callable[[float], str],
    single_value: bool,
    missing: int,
    hatch_id: str,
    classes: Mapping[str, int | None],
) -> Markup:
    items: list[str] = []
    if bounds:
        labels = _class_labels(bounds, value_format)
        colours = [CLASS_COLOURS[-1]] if single_value else list(CLASS_COLOURS)
        counts = [0] * CLASS_COUNT
        for k in classes.values():
            if k is not None:
                counts[k - 1] += 1
        if single_value:
            counts = [sum(counts)]
        for colour, label, count in zip(colours, labels, counts, strict=True):
            items.append(
                Markup('<li data-count="{n}">{swatch}<span>{label}</span></li>').format(
                    n=count, swatch=_swatch(colour), label=label
                )
            )
    if missing or not bounds:
        legend_hatch = f"{hatch_id}-legend"
        items.append(
            Markup(
                '<li data-count="{n}"><svg class="pvd-map__swatch" width="24" height="16"'
                ' viewBox="0 0 24 16" aria-hidden="true" focusable="false">{pattern}'
                '<rect x="0.5" y="0.5" width="23" height="15" fill="url(#{id})"'
                ' stroke="#929292"/></svg><span>Pas de donnée</span></li>'
            ).format(n=missing, pattern=_hatch_pattern(legend_hatch, 5), id=legend_hatch)
        )
    return Markup(
        '<div class="pvd-map__legend"><p class="pvd-map__legend-title" id="{p}-legend">'
        '{title}</p><ul class="pvd-map__legend-list" aria-labelledby="{p}-legend">'
        "{items}</ul></div>"
    ).format(p=prefix, title=legend_title, items=Markup("").join(items))
