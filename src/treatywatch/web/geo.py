"""World map shapes for server-side SVG maps, decoded from the vendored Natural Earth TopoJSON.

Drawing the map on the server keeps it visible without JavaScript and costs the browser nothing:
the shapes are decoded and projected once per process (equirectangular, as d3.geoEquirectangular).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

TOPOJSON = Path(__file__).parent / "static" / "vendor" / "world-atlas" / "countries-110m.json"
WIDTH = 960
NORTH, SOUTH = 84.0, -58.0  # Antarctica is left out: no state's participation is drawn there
SCALE = WIDTH / 360.0
HEIGHT = round((NORTH - SOUTH) * SCALE)
ANTARCTICA = "010"


@dataclass(frozen=True, slots=True)
class Shape:
    """One Natural Earth country: ISO 3166-1 numeric id ("" when Natural Earth gives none) and SVG path."""

    iso_numeric: str
    name: str
    path: str


def _project(lon: float, lat: float) -> tuple[float, float]:
    return round((lon + 180.0) * SCALE, 1), round((NORTH - lat) * SCALE, 1)


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Undo TopoJSON quantisation and delta encoding: each arc becomes a list of (lon, lat)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)  # consecutive arcs share their joining point
    return points


def _ring_path(points: list[tuple[float, float]]) -> str:
    """Rings that cross the antimeridian (Russia, Fiji) are unwrapped rather than drawn across the
    whole map: each longitude jump of more than 180 degrees is undone and the overflow is pressed
    onto the map's edge, so every shape stays inside the canvas."""
    projected: list[tuple[float, float]] = []
    shift, previous = 0.0, None
    for lon, lat in points:
        if previous is not None and abs(lon - previous) > 180:
            shift += 360 if previous > lon else -360
        previous = lon
        xy = _project(max(min(lon + shift, 180.0), -180.0), max(min(lat, NORTH), SOUTH))
        if not projected or projected[-1] != xy:
            projected.append(xy)
    if len(projected) < 3:
        return ""
    return "M" + "L".join(f"{x:g},{y:g}" for x, y in projected) + "Z"


@functools.lru_cache(maxsize=1)
def world_shapes() -> tuple[Shape, ...]:
    """Every country shape, projected to a WIDTH x HEIGHT canvas (read once per process)."""
    topology = json.loads(TOPOJSON.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    shapes = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        iso = str(geometry.get("id") or "")
        if iso == ANTARCTICA:
            continue
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        path = "".join(_ring_path(_ring(ring, arcs)) for polygon in polygons for ring in polygon)
        if path:
            shapes.append(Shape(iso, geometry.get("properties", {}).get("name", ""), path))
    return tuple(shapes)
