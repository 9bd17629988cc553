"""Rebuild recrutement/pilotage/data/department_shapes.json and its ATTRIBUTION.md.

Source: the npm package @gouvfr/dsfr-chart (the State design system's charts, MIT
licence), whose map component embeds one SVG path per département, already
projected: metropolitan France in a 1010 x 1010 frame, each of the five overseas
départements in its own small frame about 50 units high. Names and régions come
from the project's own referential (Etalab découpage administratif, COG names),
not from the package, whose names are not all the official ones.

What the script does:
- reads the paths straight from the tarball (`npm pack` into a temporary folder);
- turns each path into absolute polygons (the few curves are flattened);
- lays out the map: metropolitan France as it is, the five overseas départements
  in a row of insets under it, and a zoom of Paris and its petite couronne (75, 92,
  93, 94) in the empty Bay of Biscay;
- simplifies each ring (Douglas-Peucker, half a unit: a third of a pixel when the
  whole map is shown 600 px wide), rounds to whole units and writes compact
  relative path data, with each département's bounding box for zooms.

The output is deterministic: running the script twice gives the same file.

Usage (from the repository root, needs npm):
    .venv/bin/python scripts/build_department_shapes.py
    .venv/bin/python scripts/build_department_shapes.py --package path/to/dsfr-chart.tgz
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PACKAGE = "@gouvfr/dsfr-chart"
VERSION = "2.0.4"
MAP_MODULE = "package/dist/MapChart/MapChart.js"
OUTPUT_DIR = ROOT / "recrutement/pilotage/data"
DATA_FILE = "department_shapes.json"
REFERENTIAL = ROOT / "recrutement/referential/data/referential.json.gz"
FORMAT_VERSION = 1

METROPOLITAN = [f"{n:02d}" for n in range(1, 20)] + ["2A", "2B"] + [f"{n}" for n in range(21, 96)]
OVERSEAS = ["971", "972", "973", "974", "976"]
PARIS_AREA = ["75", "92", "93", "94"]
# The Douglas-Peucker tolerance, in map units (the metropolitan frame is ~1000 wide).
TOLERANCE = 0.5
# Segments a cubic Bézier of the source is flattened into.
CURVE_STEPS = 6

MARGIN = 8
INSET_HEIGHT = 150  # room for one overseas shape, in map units
INSET_LABEL_HEIGHT = 50  # room under it for its name (drawn by map.py)
INSET_GAP = 12
INSET_FRAME_GAP = 6  # between two overseas frames
# The Paris zoom, in the Bay of Biscay: metropolitan France leaves x < 175 free
# below y = 404 (Brittany's tip); its name takes up to three lines under it.
PARIS_FRAME_WIDTH = 172
PARIS_FRAME_TOP = 430
PARIS_SHAPE_HEIGHT = 150
PARIS_LABEL_HEIGHT = 130

Point = tuple[float, float]
Ring = list[Point]


def npm_pack(workdir: Path) -> Path:
    """Download the npm package tarball into `workdir` with `npm pack`; return its path."""
    spec = f"{PACKAGE}@{VERSION}"
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


def read_source_paths(tarball: Path) -> tuple[dict[str, str], dict[str, tuple[float, float]]]:
    """The `d` string of each département's path, and each overseas frame's size.

    The map module is a compiled Vue component: each département is a
    `w("path", { class: "FR-29", ..., d: "..." })` call; each overseas one sits in
    its own `<svg viewBox="0 0 W H">`, declared just before its render function.
    """
    with tarfile.open(tarball, "r:gz") as archive:
        package = json.load(archive.extractfile("package/package.json"))
        if package["version"] != VERSION:
            raise SystemExit(f"{tarball}: version {package['version']}, not {VERSION}")
        if package.get("license") != "MIT":
            raise SystemExit(f"{tarball}: licence {package.get('license')}, expected MIT")
        source = archive.extractfile(MAP_MODULE).read().decode("utf-8")

    paths: dict[str, str] = {}
    for match in re.finditer(
        r'class: "FR-([0-9AB]{2,3})",\s*(?:style: [^\n]*\n\s*)?d: "([^"]+)"', source
    ):
        code, d = match.groups()
        if code in paths and paths[code] != d:
            raise SystemExit(f"two different paths for département {code}")
        paths[code] = d

    frames: dict[str, tuple[float, float]] = {}
    for code in OVERSEAS:
        position = source.index(f'class: "FR-{code}"')
        boxes = re.findall(r'viewBox: "0 0 ([\d.]+) ([\d.]+)"', source[:position])
        if not boxes:
            raise SystemExit(f"no viewBox before the path of {code}")
        width, height = boxes[-1]
        frames[code] = (float(width), float(height))

    missing = sorted(set(METROPOLITAN + OVERSEAS) - set(paths))
    if missing:
        raise SystemExit(f"no path for départements {missing}")
    return {code: paths[code] for code in METROPOLITAN + OVERSEAS}, frames


# --- SVG path data -> polygons ---------------------------------------------------

_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtZzAa]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "Z": 0}


def _cubic(p0: Point, p1: Point, p2: Point, p3: Point) -> list[Point]:
    points = []
    for step in range(1, CURVE_STEPS + 1):
        t = step / CURVE_STEPS
        u = 1 - t
        points.append(
            (
                u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
            )
        )
    return points


def parse_path(d: str) -> list[Ring]:
    """Absolute polygons of an SVG path (M, L, H, V, C, S, Z, relative or not)."""
    tokens = _TOKEN.findall(d)
    rings: list[Ring] = []
    ring: Ring = []
    x = y = 0.0
    start = (0.0, 0.0)
    last_control: Point | None = None
    command = ""
    i = 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                if ring:
                    rings.append(ring)
                ring = []
                x, y = start
                last_control = None
                continue
        elif command in ("", "Z", "z"):
            raise ValueError(f"number without a command in {d[:40]}…")
        upper = command.upper()
        if upper not in _ARITY:
            raise ValueError(f"unsupported path command {command}")
        args = [float(t) for t in tokens[i : i + _ARITY[upper]]]
        i += _ARITY[upper]
        relative = command.islower()
        ox, oy = (x, y) if relative else (0.0, 0.0)
        control: Point | None = None
        if upper == "M":
            if ring:
                rings.append(ring)
            x, y = ox + args[0], oy + args[1]
            ring = [(x, y)]
            start = (x, y)
            # Later pairs after a moveto are linetos.
            command = "l" if relative else "L"
        elif upper == "L":
            x, y = ox + args[0], oy + args[1]
            ring.append((x, y))
        elif upper == "H":
            x = (x if relative else 0.0) + args[0]
            ring.append((x, y))
        elif upper == "V":
            y = (y if relative else 0.0) + args[0]
            ring.append((x, y))
        elif upper == "C":
            p1 = (ox + args[0], oy + args[1])
            control = (ox + args[2], oy + args[3])
            end = (ox + args[4], oy + args[5])
            ring.extend(_cubic((x, y), p1, control, end))
            x, y = end
        elif upper == "S":
            p1 = (2 * x - last_control[0], 2 * y - last_control[1]) if last_control else (x, y)
            control = (ox + args[0], oy + args[1])
            end = (ox + args[2], oy + args[3])
            ring.extend(_cubic((x, y), p1, control, end))
            x, y = end
        else:
            raise ValueError(f"unsupported path command {command}")
        last_control = control
    if ring:
        rings.append(ring)
    return rings


# --- simplification and encoding ------------------------------------------------


def _distance_to_segment(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == dy == 0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """Keep the points that stray more than `tolerance` from the simplified line."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, worst_index = 0.0, -1
        for index in range(first + 1, last):
            distance = _distance_to_segment(points[index], points[first], points[last])
            if distance > worst:
                worst, worst_index = distance, index
        if worst > tolerance:
            keep[worst_index] = True
            stack.append((first, worst_index))
            stack.append((worst_index, last))
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def simplify_ring(ring: Ring, tolerance: float) -> list[tuple[int, int]]:
    """Simplify a closed ring and round it to whole units (None if it vanishes)."""
    closed = ring + [ring[0]] if ring[0] != ring[-1] else ring
    # Split the ring at its farthest point from the start so both halves simplify well.
    far = max(range(len(closed)), key=lambda k: math.dist(closed[0], closed[k]))
    halves = douglas_peucker(closed[: far + 1], tolerance)[:-1] + douglas_peucker(
        closed[far:], tolerance
    )
    rounded: list[tuple[int, int]] = []
    for px, py in halves:
        point = (round(px), round(py))
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    if len(rounded) > 1 and rounded[0] == rounded[-1]:
        rounded.pop()
    return rounded


def _number_pair(dx: int, dy: int) -> str:
    return f"{dx}{dy}" if dy < 0 else f"{dx} {dy}"


def encode(rings: list[list[tuple[int, int]]]) -> str:
    """Compact path data: an absolute moveto, then relative lines, h and v."""
    parts: list[str] = []
    for ring in rings:
        x, y = ring[0]
        parts.append(f"M{x} {y}")
        previous = ""
        for px, py in ring[1:]:
            dx, dy = px - x, py - y
            if dy == 0:
                command, text = "h", f"{dx}"
            elif dx == 0:
                command, text = "v", f"{dy}"
            else:
                command, text = "l", _number_pair(dx, dy)
            if command == previous:
                parts.append(text if text.startswith("-") else f" {text}")
            else:
                parts.append(command + text)
            previous = command
            x, y = px, py
        parts.append("z")
    return "".join(parts)


# --- layout -------------------------------------------------------------------------


def _bbox(rings: list[Ring]) -> tuple[float, float, float, float]:
    xs = [p[0] for ring in rings for p in ring]
    ys = [p[1] for ring in rings for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def _transform(rings: list[Ring], scale: float, dx: float, dy: float) -> list[Ring]:
    return [[(x * scale + dx, y * scale + dy) for x, y in ring] for ring in rings]


def _finish(rings: list[Ring]) -> tuple[str, list[int]]:
    simplified = [r for r in (simplify_ring(ring, TOLERANCE) for ring in rings) if len(r) >= 3]
    xs = [p[0] for ring in simplified for p in ring]
    ys = [p[1] for ring in simplified for p in ring]
    return encode(simplified), [min(xs), min(ys), max(xs), max(ys)]


def read_names() -> dict[str, tuple[str, str]]:
    """Official names and région codes of the départements, from the referential."""
    with gzip.open(REFERENTIAL, "rt", encoding="utf-8") as handle:
        referential = json.load(handle)
    return {code: (name, region) for code, name, region in referential["departments"]}


def build(tarball: Path) -> dict:
    source_paths, frames = read_source_paths(tarball)
    names = read_names()
    polygons = {code: parse_path(d) for code, d in source_paths.items()}

    # Metropolitan France, moved so its bounding box starts at the margin.
    metro_boxes = [_bbox(polygons[code]) for code in METROPOLITAN]
    min_x = min(b[0] for b in metro_boxes)
    min_y = min(b[1] for b in metro_boxes)
    max_x = max(b[2] for b in metro_boxes)
    max_y = max(b[3] for b in metro_boxes)
    placed: dict[str, list[Ring]] = {
        code: _transform(polygons[code], 1.0, MARGIN - min_x, MARGIN - min_y)
        for code in METROPOLITAN
    }
    width = round(max_x - min_x) + 2 * MARGIN
    metro_bottom = round(max_y - min_y) + MARGIN

    # The overseas départements: a row of equal cells under metropolitan France,
    # each shape scaled to the same height, as in the source.
    insets = []
    cell = (width - 2 * MARGIN) / len(OVERSEAS)
    top = metro_bottom + INSET_GAP
    for index, code in enumerate(OVERSEAS):
        frame_width, frame_height = frames[code]
        scale = min(INSET_HEIGHT / frame_height, (cell - 2 * INSET_GAP) / frame_width)
        left = MARGIN + index * cell
        dx = left + (cell - frame_width * scale) / 2
        dy = top + (INSET_HEIGHT - frame_height * scale) / 2
        placed[code] = _transform(polygons[code], scale, dx, dy)
        insets.append(
            {
                "codes": [code],
                "label": names[code][0],
                "frame": [
                    round(left + INSET_FRAME_GAP / 2),
                    top - INSET_GAP // 2,
                    round(cell - INSET_FRAME_GAP),
                    INSET_HEIGHT + INSET_LABEL_HEIGHT + INSET_GAP,
                ],
                "label_top": top + INSET_HEIGHT,
            }
        )
    height = top + INSET_HEIGHT + INSET_LABEL_HEIGHT + INSET_GAP + MARGIN

    # Paris and its petite couronne, enlarged in the empty Bay of Biscay (left).
    paris_rings = [ring for code in PARIS_AREA for ring in placed[code]]
    px0, py0, px1, py1 = _bbox(paris_rings)
    inner = PARIS_FRAME_WIDTH - 2 * INSET_GAP
    paris_scale = min(inner / (px1 - px0), PARIS_SHAPE_HEIGHT / (py1 - py0))
    frame_left, frame_top = MARGIN, PARIS_FRAME_TOP
    paris_paths = {}
    for code in PARIS_AREA:
        rings = _transform(
            placed[code],
            paris_scale,
            frame_left + INSET_GAP + (inner - (px1 - px0) * paris_scale) / 2 - px0 * paris_scale,
            frame_top + INSET_GAP - py0 * paris_scale,
        )
        paris_paths[code] = _finish(rings)[0]
    shape_bottom = frame_top + INSET_GAP + round((py1 - py0) * paris_scale)
    insets.append(
        {
            "codes": PARIS_AREA,
            "label": "Paris et petite couronne",
            "frame": [
                frame_left,
                frame_top,
                PARIS_FRAME_WIDTH,
                shape_bottom - frame_top + PARIS_LABEL_HEIGHT,
            ],
            "label_top": shape_bottom,
            "paths": paris_paths,
        }
    )

    departments = {}
    for code in METROPOLITAN + OVERSEAS:
        d, bbox = _finish(placed[code])
        name, region = names[code]
        departments[code] = {"name": name, "region": region, "d": d, "bbox": bbox}

    return {
        "format": FORMAT_VERSION,
        "source": {"package": PACKAGE, "version": VERSION, "licence": "MIT"},
        "view_box": [0, 0, width, height],
        "departments": departments,
        "insets": insets,
    }


ATTRIBUTION = """# Département shapes: source and licence

`department_shapes.json` is derived by `scripts/build_department_shapes.py`
(rebuild it with `.venv/bin/python scripts/build_department_shapes.py`; it needs npm).

## Shapes: DSFR Chart

- npm package `{package}` version {version}
  (https://github.com/GouvernementFR/dsfr-chart), the charts of the State design
  system (Système de design de l'État), by the Service d'information du Gouvernement
  and DINUM; file `dist/MapChart/MapChart.js`, which embeds one projected SVG path per
  département (metropolitan France in one frame, each overseas département in its own).
- Licence: **MIT** (« Copyright (c) 2021 DINUM »; the Marianne font excepted, not used here).
  The MIT notice:

  > Permission is hereby granted, free of charge, to any person obtaining a copy of this
  > software and associated documentation files (the "Software"), to deal in the Software
  > without restriction, including without limitation the rights to use, copy, modify,
  > merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
  > permit persons to whom the Software is furnished to do so, subject to the following
  > conditions: The above copyright notice and this permission notice shall be included
  > in all copies or substantial portions of the Software. THE SOFTWARE IS PROVIDED "AS
  > IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO
  > THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
  > NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY
  > CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
  > OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
  > DEALINGS IN THE SOFTWARE.

## What was changed

- The paths were turned into polygons (the few curves flattened), simplified
  (Douglas-Peucker, tolerance {tolerance} unit in a frame about 1000 units wide) and
  rounded to whole units.
- The five overseas départements were placed in a row of insets under metropolitan
  France (each at the height the source gives it, not to scale), and Paris with its
  petite couronne (75, 92, 93, 94) is repeated enlarged in the Bay of Biscay.

## Names and régions

Names and région codes come from the project's referential
(`recrutement/referential/data/`, Etalab découpage administratif, Licence Ouverte 2.0;
see its ATTRIBUTION.md).
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--package", type=Path, help="a local tarball of the npm package")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        tarball = args.package or npm_pack(Path(workdir))
        data = build(tarball)
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    output = OUTPUT_DIR / DATA_FILE
    output.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n",
        encoding="utf-8",
    )
    (OUTPUT_DIR / "ATTRIBUTION.md").write_text(
        ATTRIBUTION.format(package=PACKAGE, version=VERSION, tolerance=TOLERANCE),
        encoding="utf-8",
    )
    print(
        f"{output.relative_to(ROOT)}: {output.stat().st_size} bytes, {len(data['departments'])} départements"
    )


if __name__ == "__main__":
    main()
