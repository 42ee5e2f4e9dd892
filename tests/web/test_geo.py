"""The server-drawn world map: shapes decoded from the vendored TopoJSON, inside the canvas."""

from __future__ import annotations

import re

from treatywatch.knowledge.participants import load_registry
from treatywatch.web.geo import HEIGHT, WIDTH, world_shapes


def test_every_shape_is_drawn_inside_the_canvas():
    shapes = world_shapes()
    assert len(shapes) == 176  # 177 Natural Earth countries at 1:110m, less Antarctica
    for shape in shapes:
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shape.path)]
        xs, ys = numbers[0::2], numbers[1::2]
        assert min(xs) >= 0 and max(xs) <= WIDTH, shape.name
        assert min(ys) >= 0 and max(ys) <= HEIGHT, shape.name


def test_shapes_sit_where_the_countries_are():
    by_id = {s.iso_numeric: s for s in world_shapes()}
    philippines = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", by_id["608"].path)]
    # 117-127 E, 5-19 N in an equirectangular projection of 960 px for 360 degrees, top at 84 N
    assert 117 <= min(philippines[0::2]) / (WIDTH / 360) - 180 <= 127
    assert 5 <= 84 - max(philippines[1::2]) / (WIDTH / 360) <= 19


def test_map_ids_join_the_participants_table():
    codes = {p.iso_numeric for p in load_registry() if p.iso_numeric}
    ids = {s.iso_numeric for s in world_shapes() if s.iso_numeric}
    missing = ids - codes
    assert len(missing) <= 12, sorted(
        missing
    )  # territories and disputed areas Natural Earth draws separately


def test_no_ring_is_drawn_across_the_map():
    """A ring crossing the antimeridian (Fiji, Russia's Chukotka) must not become a band across the world."""
    for shape in world_shapes():
        for ring in shape.path.split("M")[1:]:
            xs = [float(x) for x in re.findall(r"(-?\d+(?:\.\d+)?),", ring)]
            assert max(xs) - min(xs) < WIDTH * 0.45, shape.name
