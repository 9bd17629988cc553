"""The server-side SVG map of France and the charts: well-formed, accessible, right."""

from __future__ import annotations

import importlib.util
import json
import math
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from markupsafe import Markup

from recrutement.pilotage import charts
from recrutement.pilotage import map as department_map_module
from recrutement.pilotage.charts import bar_chart, horizontal_bar_chart, stacked_bar_chart
from recrutement.pilotage.map import (
    CLASS_COLOURS,
    class_breaks,
    classify,
    department_map,
    departments,
)

SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "<script>alert('x')</script> & \"]]> é"

METROPOLITAN = [f"{n:02d}" for n in range(1, 20)] + ["2A", "2B"] + [str(n) for n in range(21, 96)]
ALL_CODES = set(METROPOLITAN) | {"971", "972", "973", "974", "976"}


def percent(value: float) -> str:
    return f"{value:.0f} %"


def parse(markup: Markup) -> ET.Element:
    assert isinstance(markup, Markup)
    return ET.fromstring(str(markup))  # noqa: S314 (our own output, no entities)


def svg_of(root: ET.Element) -> ET.Element:
    return root if root.tag == f"{SVG}svg" else root.find(f"{SVG}svg")


def paths_by_code(root: ET.Element) -> dict[str, list[ET.Element]]:
    found: dict[str, list[ET.Element]] = {}
    for path in root.iter(f"{SVG}path"):
        if "data-code" in path.attrib:
            found.setdefault(path.get("data-code"), []).append(path)
    return found


def title_of(element: ET.Element) -> str:
    return element.find(f"{SVG}title").text


# --- the data file ------------------------------------------------------------------


def test_the_shapes_file_has_the_101_departements_with_names_and_paths():
    path = ROOT / "recrutement/pilotage/data/department_shapes.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data["departments"]) == ALL_CODES
    assert len(data["departments"]) == 101
    assert path.stat().st_size < 150_000
    for code, row in data["departments"].items():
        assert row["name"], code
        assert re.fullmatch(r"[Mm][-\d hvlzHVLZM]+", row["d"]), code
        x0, y0, x1, y1 = row["bbox"]
        assert x0 < x1 and y0 < y1
    assert data["departments"]["29"]["name"] == "Finistère"
    assert data["departments"]["2A"]["name"] == "Corse-du-Sud"
    assert data["departments"]["974"]["name"] == "La Réunion"
    assert data["source"]["licence"] == "MIT"
    assert (ROOT / "recrutement/pilotage/data/ATTRIBUTION.md").exists()


def test_departments_gives_names_and_regions():
    shapes = departments()
    assert len(shapes) == 101
    assert shapes["29"].name == "Finistère" and shapes["29"].region == "53"
    assert shapes["976"].name == "Mayotte"


def test_the_geography_is_plausible():
    """Brest is west of Strasbourg, Lille north of Marseille, Corsica south-east."""
    shapes = departments()

    def centre(code):
        x0, y0, x1, y1 = shapes[code].bbox
        return (x0 + x1) / 2, (y0 + y1) / 2

    assert centre("29")[0] < centre("67")[0]
    assert centre("59")[1] < centre("13")[1]
    assert centre("2A")[0] > centre("13")[0] and centre("2A")[1] > centre("13")[1]
    # The overseas insets sit under metropolitan France.
    lowest_metropolitan = max(shapes[code].bbox[3] for code in METROPOLITAN)
    for code in ("971", "972", "973", "974", "976"):
        assert shapes[code].bbox[1] > lowest_metropolitan


# --- the map --------------------------------------------------------------------------


def test_the_map_is_well_formed_accessible_and_draws_every_departement():
    values = {code: float(index) for index, code in enumerate(sorted(ALL_CODES))}
    root = parse(
        department_map(
            values, title="Postes ouverts", legend_title="Offres publiées", value_format=str
        )
    )
    svg = svg_of(root)
    assert svg.get("role") == "img"
    assert svg.get("viewBox") and svg.get("width") == "100%"
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert title.text == "Postes ouverts"
    assert "Offres publiées" in desc.text
    assert svg.get("aria-labelledby") == title.get("id")
    assert svg.get("aria-describedby") == desc.get("id")
    found = paths_by_code(root)
    assert set(found) == ALL_CODES
    assert "style" not in str(department_map(values, title="t", legend_title="l", value_format=str))


def test_each_departement_has_a_tooltip_name_code_and_value():
    root = parse(
        department_map(
            {"29": 42.0, "55": None},
            title="Part",
            legend_title="Part des villes PVD",
            value_format=percent,
        )
    )
    found = paths_by_code(root)
    assert title_of(found["29"][0]) == "Finistère (29) : 42 %"
    assert title_of(found["55"][0]) == "Meuse (55) : pas de donnée"
    assert title_of(found["2B"][0]) == "Haute-Corse (2B) : pas de donnée"


def test_values_map_to_classes_the_highest_value_to_the_darkest():
    values = {"29": 100.0, "56": 0.0, "22": 50.0, "35": 79.0, "75": 21.0}
    root = parse(department_map(values, title="t", legend_title="l", value_format=percent))
    found = paths_by_code(root)

    def colour(code):
        return {p.get("fill") for p in found[code]}

    assert colour("29") == {CLASS_COLOURS[-1]}
    assert found["29"][0].get("data-class") == "5"
    assert colour("56") == {CLASS_COLOURS[0]}
    assert colour("22") == {CLASS_COLOURS[2]}
    assert colour("35") == {CLASS_COLOURS[3]}
    assert colour("75") == {CLASS_COLOURS[1]}  # both copies (the map and the Paris zoom)
    assert len(found["75"]) == 2


def test_no_data_is_hatched_and_in_the_legend():
    root = parse(
        department_map({"29": 3.0, "56": None}, title="t", legend_title="l", value_format=percent)
    )
    found = paths_by_code(root)
    svg = svg_of(root)
    pattern = svg.find(f"{SVG}defs/{SVG}pattern")
    for code in ("56", "13", "971"):  # None, and absent from the values
        path = found[code][0]
        assert path.get("fill") == f"url(#{pattern.get('id')})"
        assert path.get("data-class") == "none"
    legend = [li for li in root.iter("li")]
    assert "Pas de donnée" in "".join(legend[-1].itertext())
    assert legend[-1].get("data-count") == "100"


def test_explicit_breaks_and_the_legend_labels():
    breaks = [0, 20, 40, 60, 80, 100]
    markup = department_map(
        {"29": 19.0, "56": 20.0, "22": 100.0, "35": 150.0},
        title="t",
        legend_title="Part",
        value_format=percent,
        breaks=breaks,
    )
    root = parse(markup)
    found = paths_by_code(root)
    assert found["29"][0].get("data-class") == "1"
    assert found["56"][0].get("data-class") == "2"
    assert found["22"][0].get("data-class") == "5"
    assert found["35"][0].get("data-class") == "5"  # above the last bound
    labels = ["".join(li.itertext()) for li in root.iter("li")]
    assert labels[:5] == ["0 % à 20 %", "20 % à 40 %", "40 % à 60 %", "60 % à 80 %", "80 % à 100 %"]
    with pytest.raises(ValueError):
        department_map({}, title="t", legend_title="l", value_format=str, breaks=[0, 1])


def test_class_breaks_and_classify():
    assert class_breaks([None, 10, 60]) == [10, 20, 30, 40, 50, 60]
    assert class_breaks([None]) == []
    breaks = class_breaks([0, 100])
    assert [classify(v, breaks) for v in (0, 19.9, 20, 99, 100, 150, -3)] == [1, 1, 2, 5, 5, 5, 1]


def test_one_value_everywhere_is_the_darkest_class():
    root = parse(
        department_map({"29": 7.0, "56": 7.0}, title="t", legend_title="l", value_format=str)
    )
    found = paths_by_code(root)
    assert found["29"][0].get("fill") == CLASS_COLOURS[-1]
    assert ["".join(li.itertext()) for li in root.iter("li")][0] == "7.0"


def test_hostile_labels_are_escaped_and_the_svg_still_parses():
    markup = department_map(
        {"29": 1.0, "56": 2.0},
        title=HOSTILE,
        legend_title=HOSTILE,
        value_format=lambda v: HOSTILE,
        link=lambda code: f'/x?a=1&b="{code}"<>',
        description=HOSTILE,
    )
    assert "<script>" not in str(markup)
    root = parse(markup)
    svg = svg_of(root)
    assert svg.find(f"{SVG}title").text == HOSTILE
    assert svg.find(f"{SVG}desc").text == HOSTILE
    found = paths_by_code(root)
    assert title_of(found["29"][0]) == f"Finistère (29) : {HOSTILE}"
    links = [a for a in root.iter(f"{SVG}a")]
    assert links[0].get("href").startswith('/x?a=1&b="')


def test_drill_down_links_are_present_and_keyboard_reachable():
    markup = department_map(
        {"29": 10.0},
        title="t",
        legend_title="l",
        value_format=percent,
        link=lambda code: f"/pilotage/tableau-de-bord?departement={code}",
    )
    root = parse(markup)
    svg = svg_of(root)
    assert svg.get("role") == "group"  # an img may not hold links
    links = {}
    for a in root.iter(f"{SVG}a"):
        code = a.find(f"{SVG}path").get("data-code")
        links.setdefault(code, []).append(a)
    assert set(links) == ALL_CODES
    finistere = links["29"][0]
    assert finistere.get("href") == "/pilotage/tableau-de-bord?departement=29"
    assert finistere.get("aria-label") == "Finistère (29) : 10 %"
    assert finistere.get("tabindex") is None
    # Paris: the tiny one on the map is left out of the tab order, the zoom's is in it.
    paris = links["75"]
    assert sorted(a.get("tabindex") or "" for a in paris) == ["", "-1"]
    # Without `link`, no link at all.
    plain = parse(department_map({"29": 1.0}, title="t", legend_title="l", value_format=str))
    assert list(plain.iter(f"{SVG}a")) == []


def test_highlight_outlines_departements():
    root = parse(
        department_map(
            {"29": 1.0}, title="t", legend_title="l", value_format=str, highlight={"29", "75"}
        )
    )
    outlined = [p.get("data-highlight") for p in root.iter(f"{SVG}path") if p.get("data-highlight")]
    assert sorted(outlined) == ["29", "75", "75"]  # Paris in place and in its zoom


def test_only_zooms_on_a_region():
    shapes = departments()
    brittany = {code for code, d in shapes.items() if d.region == "53"}
    assert brittany == {"22", "29", "35", "56"}
    full = svg_of(parse(department_map({}, title="t", legend_title="l", value_format=str)))
    root = parse(
        department_map(
            {"29": 1.0, "13": 50.0},
            title="Bretagne",
            legend_title="l",
            value_format=str,
            only=brittany,
        )
    )
    svg = svg_of(root)
    assert set(paths_by_code(root)) == brittany
    x, y, width, height = (float(v) for v in svg.get("viewBox").split())
    full_width = float(full.get("viewBox").split()[2])
    assert width < full_width / 2
    for code in brittany:
        x0, y0, x1, y1 = shapes[code].bbox
        assert x <= x0 and x1 <= x + width and y <= y0 and y1 <= y + height
    # The classes are computed on the départements shown: Bouches-du-Rhône does not count.
    assert paths_by_code(root)["29"][0].get("fill") == CLASS_COLOURS[-1]
    assert svg.find(f"{SVG}g[@class='pvd-map__inset']") is None
    with pytest.raises(ValueError):
        department_map({}, title="t", legend_title="l", value_format=str, only={"99"})


def test_two_maps_on_one_page_have_distinct_ids():
    first = parse(department_map({}, title="Carte A", legend_title="l", value_format=str))
    second = parse(department_map({}, title="Carte B", legend_title="l", value_format=str))
    ids = lambda root: {e.get("id") for e in root.iter() if e.get("id")}  # noqa: E731
    assert ids(first) and not ids(first) & ids(second)


# --- the charts --------------------------------------------------------------------------


def rects(root: ET.Element, attribute: str) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if attribute in r.attrib]


def assert_accessible_chart(root: ET.Element, title: str) -> None:
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith("0 0 480 ")
    assert root.find(f"{SVG}title").text == title
    assert root.get("aria-labelledby") == root.find(f"{SVG}title").get("id")
    assert root.get("aria-describedby") == root.find(f"{SVG}desc").get("id")
    # Text of 18 units in a 480-unit frame: 12 px or more when the chart is 320 px wide.
    assert int(root.get("font-size")) * 320 / 480 >= 12


def test_bar_chart_heights_are_proportional_and_suppressed_counts_marked():
    series = [("2021 S1", 10), ("2021 S2", 40), ("2022 S1", None), ("2022 S2", 25)]
    markup = bar_chart(series, title="Recrutements par semestre")
    root = parse(markup)
    assert_accessible_chart(root, "Recrutements par semestre")
    bars = rects(root, "data-value")
    heights = {r.get("data-label"): float(r.get("height")) for r in bars}
    assert heights["2021 S2"] == pytest.approx(4 * heights["2021 S1"], rel=0.01)
    assert heights["2022 S2"] == pytest.approx(2.5 * heights["2021 S1"], rel=0.01)
    bottoms = {float(r.get("y")) + float(r.get("height")) for r in bars}
    assert len({round(b, 1) for b in bottoms}) == 1  # one baseline
    suppressed = rects(root, "data-suppressed")
    assert len(suppressed) == 1
    assert suppressed[0].get("fill").startswith("url(#")
    assert suppressed[0].get("stroke-dasharray")
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "< 5" in texts and "40" in texts
    desc = root.find(f"{SVG}desc").text
    assert "2022 S1 : < 5" in desc and "2021 S2 : 40" in desc
    assert "style=" not in str(markup)


def test_bar_chart_with_many_bars_turns_its_labels():
    series = [(f"{2021 + k // 2} S{k % 2 + 1}", 100 * k) for k in range(12)]
    root = parse(bar_chart(series, title="t"))
    turned = [t for t in root.iter(f"{SVG}text") if "rotate(-45" in (t.get("transform") or "")]
    assert len(turned) == 12


def test_horizontal_bar_chart_widths_proportional_labels_and_suppression():
    series = [
        ("Urbanisme, aménagement", 30),
        ("Géographie, sociologie, science politique, histoire", 15),
        ("Architecture", None),
        (HOSTILE, 6),
    ]
    markup = horizontal_bar_chart(series, title="Domaine d'études")
    assert "<script>" not in str(markup)
    root = parse(markup)
    assert_accessible_chart(root, "Domaine d'études")
    widths = {r.get("data-label"): float(r.get("width")) for r in rects(root, "data-value")}
    assert widths["Urbanisme, aménagement"] == pytest.approx(2 * widths[series[1][0]], rel=0.01)
    assert widths[HOSTILE] == pytest.approx(widths["Urbanisme, aménagement"] / 5, rel=0.01)
    assert [r.get("data-label") for r in rects(root, "data-suppressed")] == ["Architecture"]
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert texts.count("< 5") == 1 and "30" in texts
    assert HOSTILE in texts


def test_stacked_bar_chart_segments_legend_and_totals():
    categories = ["2022", "2023"]
    stacks = {
        "ANCT/État": [100.0, 300.0],
        "Banque des territoires": [50.0, 0.0],
        "ANAH": [25.0, 60.0],
    }
    markup = stacked_bar_chart(
        categories, stacks, title="Montants accordés", value_format=lambda v: f"{v:.0f} €"
    )
    root = parse(markup)
    assert_accessible_chart(root, "Montants accordés")
    segments = rects(root, "data-series")
    assert len(segments) == 5  # a zero draws nothing
    by_key = {(r.get("data-series"), r.get("data-category")): r for r in segments}
    state_2023 = float(by_key[("ANCT/État", "2023")].get("height"))
    state_2022 = float(by_key[("ANCT/État", "2022")].get("height"))
    assert state_2023 == pytest.approx(3 * state_2022, rel=0.01)
    # Stacked bottom up: the second series sits on the first.
    first = by_key[("ANCT/État", "2022")]
    second = by_key[("Banque des territoires", "2022")]
    assert float(second.get("y")) + float(second.get("height")) == pytest.approx(
        float(first.get("y")), abs=0.02
    )
    legend = [r.get("data-legend") for r in rects(root, "data-legend")]
    assert legend == list(stacks)
    colours = {r.get("data-series"): r.get("fill") for r in segments}
    assert len(set(colours.values())) == 3
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "175 €" in texts and "360 €" in texts  # totals
    assert "Banque des territoires" in texts
    assert "2023 : ANCT/État 300 €" in root.find(f"{SVG}desc").text
    with pytest.raises(ValueError):
        stacked_bar_chart(["2022"], {"ANAH": [1.0, 2.0]}, title="t")


def contrast_with_white(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


def test_series_colours_contrast_at_least_3_to_1_with_white():
    for colour in charts.SERIES_COLOURS + (charts.BAR_COLOUR,):
        assert contrast_with_white(colour) >= 3, colour


def test_the_map_scale_darkens_steadily():
    contrasts = [contrast_with_white(c) for c in department_map_module.CLASS_COLOURS]
    assert contrasts == sorted(contrasts) and len(set(contrasts)) == 5


def test_charts_escape_every_label():
    markup = bar_chart([(HOSTILE, 3)], title=HOSTILE, value_format=lambda v: HOSTILE)
    assert "<script>" not in str(markup)
    root = parse(markup)
    assert root.find(f"{SVG}title").text == HOSTILE
    stacked = stacked_bar_chart([HOSTILE], {HOSTILE: [1.0]}, title=HOSTILE)
    assert "<script>" not in str(stacked)
    parse(stacked)


def test_empty_and_zero_series_still_render():
    parse(bar_chart([], title="t"))
    parse(bar_chart([("a", 0), ("b", 0)], title="t"))
    parse(horizontal_bar_chart([], title="t"))
    parse(horizontal_bar_chart([("a", None)], title="t"))
    parse(stacked_bar_chart(["2022"], {"ANAH": [0.0]}, title="t"))


def test_default_format_is_french():
    assert charts.default_format(1234567) == "1\u202f234\u202f567"
    assert charts.default_format(2.5) == "2,5"
    assert charts.default_format(3.0) == "3"


# --- the build script ---------------------------------------------------------------


@pytest.fixture(scope="module")
def build():
    script = ROOT / "scripts" / "build_department_shapes.py"
    spec = importlib.util.spec_from_file_location("build_department_shapes", script)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def test_build_script_parses_paths_and_encodes_them_back(build):
    rings = build.parse_path("M10 10h5v5l-5 0zm20 0 3 0 0 3z")
    assert rings == [
        [(10, 10), (15, 10), (15, 15), (10, 15)],
        [(30, 10), (33, 10), (33, 13)],
    ]
    curve = build.parse_path("M0 0c0 10 10 10 10 0s10-10 10 0z")[0]
    assert curve[-1] == pytest.approx((20, 0))
    assert max(y for _, y in curve) == pytest.approx(7.5)
    encoded = build.encode([[(10, 10), (15, 10), (15, 15), (10, 16)]])
    assert encoded == "M10 10h5v5l-5 1z"
    assert build.parse_path(encoded) == [[(10, 10), (15, 10), (15, 15), (10, 16)]]


def test_build_script_simplifies_within_tolerance(build):
    wobbly = [(x, 0.2 * math.sin(x)) for x in range(50)] + [(49, 20), (0, 20)]
    simplified = build.simplify_ring(wobbly, 0.5)
    assert simplified == [(0, 0), (49, 0), (49, 20), (0, 20)]
