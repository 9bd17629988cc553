"""Charts of the programme dashboard, drawn on the server as inline SVG.

Pure functions from data to `Markup`: no JavaScript, no `style` attribute (the
Content-Security-Policy forbids both), colours as SVG presentation attributes;
`static/css/charts.css` only sizes the charts and makes their text follow the
DSFR theme. Each chart is a `role="img"` SVG named by its `<title>` and described
by its `<desc>` (every value, in words), 100 % wide with a `viewBox` 480 units
wide: its 18-unit text stays at 12 px or more on a 360 px phone. Every label is
escaped. A value `None` is a count suppressed for privacy (1 to 4): drawn as an
empty hatched bar with a dashed outline, labelled "< 5".

Every chart goes with its data table on the page (docs/design.md, Programme dashboard).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence

from markupsafe import Markup

WIDTH = 480
FONT_SIZE = 18
LINE_HEIGHT = 22
CHAR_WIDTH = 0.56  # of a character in Marianne, in ems, estimated (digits are ~0.6)
TEXT_COLOUR = "#3a3a3a"  # DSFR text-default-grey
MUTED_COLOUR = "#666666"  # DSFR text-mention-grey
GRID_COLOUR = "#dddddd"
AXIS_COLOUR = "#929292"
BAR_COLOUR = "#000091"  # DSFR blue-france-sun-113
SUPPRESSED_LABEL = "< 5"
SUPPRESSED_BOUND = 5  # a suppressed count is below this
# Funders' colours: told apart with protanopia, deuteranopia and tritanopia
# (simulated CIELAB distance >= 40 between the first three), each with a
# contrast of 3:1 or more against white (14.9, 3.9, 4.0, 4.7, 7.3).
SERIES_COLOURS = ("#000091", "#d55e00", "#009081", "#a558a0", "#695240")
HATCH = "#929292"


def default_format(value: float) -> str:
    """French number: thousands separated by a narrow no-break space, decimal comma."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")


def _text_width(text: str, font_size: float = FONT_SIZE) -> float:
    return len(text) * font_size * CHAR_WIDTH


def _wrap(text: str, width: float, font_size: float = FONT_SIZE) -> list[str] | None:
    """Words in lines no wider than `width`, or None when one word alone is wider."""
    per_line = int(width / (font_size * CHAR_WIDTH))
    lines: list[str] = []
    for word in text.split():
        if len(word) > per_line:
            return None
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _number(value: float) -> str:
    return f"{round(value, 2):g}"


def _nice_axis(high: float) -> tuple[float, float]:
    """The top of the value axis and its tick step: 1, 2, 2.5 or 5 x 10^k, 3 to 6 ticks."""
    if high <= 0:
        return 1.0, 1.0
    raw = high / 5
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= raw:
            break
    top = math.ceil(high / step - 1e-9) * step
    return top, step


def _prefix(kind: str, *parts: object) -> str:
    digest = hashlib.blake2s(repr(parts).encode("utf-8"), digest_size=5).hexdigest()
    return f"pvd-{kind}-{digest}"


def _open_svg(prefix: str, height: float, title: str, description: str) -> Markup:
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="pvd-chart" width="100%"'
        ' viewBox="0 0 {w} {h}" role="img" aria-labelledby="{p}-title"'
        ' aria-describedby="{p}-desc" focusable="false" font-size="{fs}">'
        '<title id="{p}-title">{title}</title><desc id="{p}-desc">{desc}</desc>'
        '<defs><pattern id="{p}-hatch" patternUnits="userSpaceOnUse" width="6" height="6"'
        ' patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="{hatch}" stroke-width="2"/></pattern>'
        "</defs>"
    ).format(
        w=WIDTH,
        h=_number(height),
        p=prefix,
        fs=FONT_SIZE,
        title=title,
        desc=description,
        hatch=HATCH,
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    muted: bool = False,
    rotate: float | None = None,
) -> Markup:
    transform = (
        Markup(' transform="rotate({a} {x} {y})"').format(
            a=_number(rotate), x=_number(x), y=_number(y)
        )
        if rotate
        else Markup("")
    )
    return Markup(
        '<text x="{x}" y="{y}" text-anchor="{anchor}" fill="{fill}" class="{cls}"{t}>{text}</text>'
    ).format(
        x=_number(x),
        y=_number(y),
        anchor=anchor,
        fill=MUTED_COLOUR if muted else TEXT_COLOUR,
        cls="pvd-chart__muted" if muted else "pvd-chart__text",
        t=transform,
        text=text,
    )


def _lines(x: float, y: float, lines: Sequence[str], *, anchor: str = "middle") -> Markup:
    """A label of several lines, the first baseline at `y`."""
    tspans = Markup("").join(
        Markup('<tspan x="{x}" dy="{dy}">{t}</tspan>').format(
            x=_number(x), dy=0 if k == 0 else LINE_HEIGHT, t=line
        )
        for k, line in enumerate(lines)
    )
    return Markup(
        '<text x="{x}" y="{y}" text-anchor="{a}" fill="{f}" class="pvd-chart__text">{s}</text>'
    ).format(x=_number(x), y=_number(y), a=anchor, f=TEXT_COLOUR, s=tspans)


class _ColumnLayout:
    """The frame shared by vertical bar charts: value axis, slots, category labels."""

    def __init__(
        self,
        categories: Sequence[str],
        high: float,
        axis_format: Callable[[float], str],
        top_labels: Sequence[str],
        top: float = 0.0,
    ):
        self.axis_top, step = _nice_axis(high)
        ticks = []
        value = 0.0
        while value <= self.axis_top + step / 1000:
            ticks.append(value)
            value += step
        self.ticks = [(t, axis_format(t)) for t in ticks]
        self.left = max(_text_width(label) for _, label in self.ticks) + 10
        self.right = WIDTH - 4
        count = max(len(categories), 1)
        self.slot = (self.right - self.left) / count
        self.bar_width = min(self.slot * 0.7, 64)

        # Labels above the bars (values or totals): level if they fit a slot.
        self.top_level = all(_text_width(t) <= self.slot - 2 for t in top_labels)
        top_room = (
            LINE_HEIGHT
            if self.top_level
            else max((_text_width(t) for t in top_labels), default=0) + 8
        )
        self.plot_top = top + top_room + 6

        # Category labels under the axis: wrapped, else turned 45 degrees.
        wrapped = [_wrap(c, self.slot - 4) for c in categories]
        self.category_lines: list[list[str]] | None = (
            [w for w in wrapped if w is not None] if all(w is not None for w in wrapped) else None
        )
        if self.category_lines is not None:
            line_count = max((len(lines) for lines in self.category_lines), default=1)
            bottom_room: float = line_count * LINE_HEIGHT + 8
        else:
            longest = max(_text_width(c) for c in categories)
            bottom_room = longest * math.sqrt(0.5) + FONT_SIZE + 12
        self.plot_height = 220.0
        self.baseline = self.plot_top + self.plot_height
        self.height = self.baseline + bottom_room
        self.categories = list(categories)

    def x_center(self, index: int) -> float:
        return self.left + self.slot * (index + 0.5)

    def y(self, value: float) -> float:
        return self.baseline - self.height_of(value)

    def height_of(self, value: float) -> float:
        return self.plot_height * value / self.axis_top

    def axis(self) -> Markup:
        parts = []
        for value, label in self.ticks:
            y = self.y(value)
            parts.append(
                Markup(
                    '<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{c}" class="{cls}"/>'
                ).format(
                    x1=_number(self.left),
                    x2=_number(self.right),
                    y=_number(y),
                    c=AXIS_COLOUR if value == 0 else GRID_COLOUR,
                    cls="pvd-chart__axis" if value == 0 else "pvd-chart__grid",
                )
            )
            parts.append(
                _text(self.left - 6, y + FONT_SIZE * 0.35, label, anchor="end", muted=True)
            )
        for index, category in enumerate(self.categories):
            x = self.x_center(index)
            if self.category_lines is not None:
                parts.append(_lines(x, self.baseline + LINE_HEIGHT, self.category_lines[index]))
            else:
                y = self.baseline + FONT_SIZE + 2
                parts.append(_text(x + 4, y, category, anchor="end", rotate=-45))
        return Markup('<g aria-hidden="true">{p}</g>').format(p=Markup("").join(parts))

    def top_label(self, index: int, y: float, text: str) -> Markup:
        x = self.x_center(index)
        if self.top_level:
            return _text(x, y - 6, text, anchor="middle")
        return _text(x + FONT_SIZE * 0.35, y - 6, text, anchor="start", rotate=-90)


def _series_description(
    kind: str,
    series: Sequence[tuple[str, int | float | None]],
    value_format: Callable[[float], str],
) -> str:
    values = "; ".join(
        f"{label} : {SUPPRESSED_LABEL if value is None else value_format(value)}"
        for label, value in series
    )
    return f"{kind}. {values}." if values else f"{kind}. Aucune donnée."


def bar_chart(
    series: Sequence[tuple[str, int | float | None]],
    *,
    title: str,
    value_format: Callable[[float], str] = default_format,
    axis_format: Callable[[float], str] | None = None,
    description: str | None = None,
    colour: str = BAR_COLOUR,
    id_prefix: str | None = None,
) -> Markup:
    """Vertical bars, one per (label, value): posts filled per semester, for example.

    A value `None` (a suppressed count) is drawn as an empty hatched bar reaching
    5 with a dashed outline, labelled "< 5". Bars carry `data-value` (or
    `data-suppressed`) and a `<title>` tooltip "label : value".
    """
    axis_format = axis_format or value_format
    prefix = id_prefix or _prefix("bar", title, list(series))
    values = [v for _, v in series if v is not None]
    high = max([*values, 0])
    if any(v is None for _, v in series):
        high = max(high, SUPPRESSED_BOUND)
    top_labels = [SUPPRESSED_LABEL if v is None else value_format(v) for _, v in series]
    layout = _ColumnLayout([label for label, _ in series], high, axis_format, top_labels)
    if description is None:
        description = _series_description("Diagramme en barres", series, value_format)

    parts = [_open_svg(prefix, layout.height, title, description), layout.axis()]
    for index, (label, value) in enumerate(series):
        x = layout.x_center(index) - layout.bar_width / 2
        shown = top_labels[index]
        tooltip = f"{label} : {shown}"
        if value is None:
            height = max(layout.height_of(SUPPRESSED_BOUND), 10)
            bar = Markup(
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="url(#{p}-hatch)"'
                ' stroke="{c}" stroke-width="1.5" stroke-dasharray="4 3"'
                ' data-suppressed="true" data-label="{label}"><title>{t}</title></rect>'
            ).format(
                x=_number(x),
                y=_number(layout.baseline - height),
                w=_number(layout.bar_width),
                h=_number(height),
                p=prefix,
                c=MUTED_COLOUR,
                label=label,
                t=tooltip,
            )
            top = layout.baseline - height
        else:
            height = layout.height_of(value)
            bar = Markup(
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}"'
                ' data-value="{v}" data-label="{label}"><title>{t}</title></rect>'
            ).format(
                x=_number(x),
                y=_number(layout.baseline - height),
                w=_number(layout.bar_width),
                h=_number(height),
                c=colour,
                v=_number(value),
                label=label,
                t=tooltip,
            )
            top = layout.baseline - height
        parts.append(bar)
        parts.append(layout.top_label(index, top, shown))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def horizontal_bar_chart(
    series: Sequence[tuple[str, int | float | None]],
    *,
    title: str,
    value_format: Callable[[float], str] = default_format,
    description: str | None = None,
    colour: str = BAR_COLOUR,
    id_prefix: str | None = None,
) -> Markup:
    """Horizontal bars for a categorical breakdown (recruits' diploma, field of study…).

    Each category's label sits above its bar (long labels wrap, and stay legible
    on a phone), the value at the bar's end. `None` (suppressed) is a hatched
    stub with a dashed outline, labelled "< 5". Bars carry `data-value` (or
    `data-suppressed`).
    """
    prefix = id_prefix or _prefix("hbar", title, list(series))
    labels = [SUPPRESSED_LABEL if v is None else value_format(v) for _, v in series]
    values = [v for _, v in series if v is not None]
    high = max([*values, 0])
    if any(v is None for _, v in series):
        high = max(high, SUPPRESSED_BOUND)
    high = high or 1
    left = 2.0
    value_room = max((_text_width(t) for t in labels), default=0) + 8
    bar_room = WIDTH - left - value_room - 2
    bar_height = 22.0
    if description is None:
        description = _series_description("Diagramme en barres horizontales", series, value_format)

    rows = []
    y = 4.0
    for (label, value), shown in zip(series, labels, strict=True):
        lines = _wrap(label, WIDTH - left - 2) or [label]
        rows.append(_lines(left, y + FONT_SIZE, lines, anchor="start"))
        y += len(lines) * LINE_HEIGHT + 4
        tooltip = f"{label} : {shown}"
        if value is None:
            width = max(bar_room * SUPPRESSED_BOUND / high, 10)
            rows.append(
                Markup(
                    '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="url(#{p}-hatch)"'
                    ' stroke="{c}" stroke-width="1.5" stroke-dasharray="4 3"'
                    ' data-suppressed="true" data-label="{label}"><title>{t}</title></rect>'
                ).format(
                    x=_number(left),
                    y=_number(y),
                    w=_number(width),
                    h=_number(bar_height),
                    p=prefix,
                    c=MUTED_COLOUR,
                    label=label,
                    t=tooltip,
                )
            )
        else:
            width = bar_room * value / high
            rows.append(
                Markup(
                    '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}"'
                    ' data-value="{v}" data-label="{label}"><title>{t}</title></rect>'
                ).format(
                    x=_number(left),
                    y=_number(y),
                    w=_number(width),
                    h=_number(bar_height),
                    c=colour,
                    v=_number(value),
                    label=label,
                    t=tooltip,
                )
            )
        rows.append(_text(left + width + 6, y + bar_height / 2 + FONT_SIZE * 0.35, shown))
        y += bar_height + 16
    parts = [
        _open_svg(prefix, y, title, description),
        Markup(
            '<line x1="{x}" y1="0" x2="{x}" y2="{h}" stroke="{c}" class="pvd-chart__axis"'
            ' aria-hidden="true"/>'
        ).format(x=_number(left), h=_number(y - 12), c=AXIS_COLOUR),
        *rows,
        Markup("</svg>"),
    ]
    return Markup("").join(parts)


def stacked_bar_chart(
    categories: Sequence[str],
    stacks: Mapping[str, Sequence[float]],
    *,
    title: str,
    value_format: Callable[[float], str] = default_format,
    axis_format: Callable[[float], str] | None = None,
    description: str | None = None,
    colours: Sequence[str] = SERIES_COLOURS,
    id_prefix: str | None = None,
) -> Markup:
    """Stacked vertical bars: money granted per funder (the stacks) and year (categories).

    `stacks` maps each series' name to one value per category, drawn bottom up in
    the mapping's order, with a legend above the chart and each bar's total on top.
    Segments carry `data-series`, `data-category`, `data-value` and a tooltip.
    """
    names = list(stacks)
    if len(names) > len(colours):
        raise ValueError(f"at most {len(colours)} series")
    for name in names:
        if len(stacks[name]) != len(categories):
            raise ValueError(
                f"series {name!r}: {len(stacks[name])} values for {len(categories)} categories"
            )
        if any(v < 0 for v in stacks[name]):
            raise ValueError(f"series {name!r}: negative value")
    axis_format = axis_format or value_format
    prefix = id_prefix or _prefix(
        "stack", title, list(categories), {k: list(v) for k, v in stacks.items()}
    )
    totals = [sum(stacks[name][k] for name in names) for k in range(len(categories))]

    # The legend: swatch and name, flowing in rows.
    legend = []
    x, y = 2.0, 4.0
    for name, colour in zip(names, colours, strict=False):
        width = 16 + 6 + _text_width(name) + 18
        if x > 2 and x + width > WIDTH:
            x, y = 2.0, y + LINE_HEIGHT + 6
        legend.append(
            Markup(
                '<rect x="{x}" y="{y}" width="16" height="16" fill="{c}" data-legend="{n}"/>'
            ).format(x=_number(x), y=_number(y + 3), c=colour, n=name)
        )
        legend.append(_text(x + 22, y + FONT_SIZE, name))
        x += width
    legend_bottom = y + LINE_HEIGHT + 8

    layout = _ColumnLayout(
        categories, max([*totals, 0]), axis_format, [value_format(t) for t in totals], legend_bottom
    )
    if description is None:
        sentences = []
        for k, category in enumerate(categories):
            detail = ", ".join(f"{name} {value_format(stacks[name][k])}" for name in names)
            sentences.append(f"{category} : {detail} ; total {value_format(totals[k])}")
        description = "Diagramme en barres empilées. " + (
            ". ".join(sentences) + "." if sentences else "Aucune donnée."
        )

    parts = [
        _open_svg(prefix, layout.height, title, description),
        Markup('<g aria-hidden="true">{l}</g>').format(l=Markup("").join(legend)),
        layout.axis(),
    ]
    for k, category in enumerate(categories):
        x = layout.x_center(k) - layout.bar_width / 2
        bottom = layout.baseline
        for name, colour in zip(names, colours, strict=False):
            value = stacks[name][k]
            if value <= 0:
                continue
            height = layout.height_of(value)
            parts.append(
                Markup(
                    '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}" stroke="#ffffff"'
                    ' stroke-width="1" data-series="{n}" data-category="{cat}" data-value="{v}">'
                    "<title>{t}</title></rect>"
                ).format(
                    x=_number(x),
                    y=_number(bottom - height),
                    w=_number(layout.bar_width),
                    h=_number(height),
                    c=colour,
                    n=name,
                    cat=category,
                    v=_number(value),
                    t=f"{name}, {category} : {value_format(value)}",
                )
            )
            bottom -= height
        parts.append(layout.top_label(k, bottom, value_format(totals[k])))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


__all__ = [
    "bar_chart",
    "default_format",
    "horizontal_bar_chart",
    "stacked_bar_chart",
]
