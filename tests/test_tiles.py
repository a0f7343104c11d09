"""The tile grid and MBTiles files: the addresses every basemap source and the demo build share."""

from __future__ import annotations

import math
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.geo.crs import lonlat_to_mercator, mercator_to_lonlat
from console.tiles.mbtiles import MBTiles, MBTilesError, MBTilesWriter
from console.tiles.tilegrid import (
    HALF_WORLD,
    tile_at,
    tile_bounds,
    tiles_covering,
    tms_row,
    zoom_for,
)


def _osm_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The OSM wiki's own formula (lon/lat → tile), independent of the module's metres."""
    n = 2**z
    lat_r = math.radians(lat)
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2.0 * n)
    return x, y


def test_world_tile_is_the_mercator_square():
    assert tile_bounds(0, 0, 0) == pytest.approx((-HALF_WORLD, -HALF_WORLD, HALF_WORLD, HALF_WORLD))


@given(st.floats(119.0, 121.0), st.floats(29.5, 31.0), st.integers(0, 20))
def test_tile_at_agrees_with_the_osm_formula(lon, lat, z):
    mx, my = lonlat_to_mercator(lon, lat)
    assert tile_at(mx, my, z) == _osm_tile(lon, lat, z)
    w, s, e, n = tile_bounds(z, *tile_at(mx, my, z))
    assert w <= mx <= e and s <= my <= n


def test_hangzhou_at_zoom_12():
    # West Lake's east shore (120.165, 30.255): tile 3415/1686 at z12 (OSM formula by hand).
    assert tile_at(*lonlat_to_mercator(120.165, 30.255), 12) == (3415, 1686)
    w, s, e, n = tile_bounds(12, 3415, 1686)
    lon_w, lat_n = mercator_to_lonlat(w, n)
    assert lon_w == pytest.approx(-180 + 3415 * 360 / 4096)
    assert lat_n == pytest.approx(
        math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * 1686 / 4096))))
    )


def test_tiles_covering_a_box():
    w, s, e, n = tile_bounds(14, 100, 200)
    assert list(tiles_covering(w + 1, s + 1, e - 1, n - 1, 14)) == [(100, 200)]
    assert len(list(tiles_covering(w - 1, s - 1, e + 1, n + 1, 14))) == 9


def test_tms_flip_and_zoom_for():
    assert tms_row(3, 0) == 7 and tms_row(3, tms_row(3, 5)) == 5
    assert zoom_for(2 * HALF_WORLD / 256) == 0
    assert zoom_for(0.6) == 18  # 0.597 m/px is z18's native resolution
    assert zoom_for(float("nan")) == 22 and zoom_for(1e12) == 0


def test_mbtiles_round_trip_in_tms_rows(tmp_path):
    path = tmp_path / "t.mbtiles"
    with MBTilesWriter(path, {"name": "t", "format": "png", "minzoom": 2, "maxzoom": 3}) as w:
        w.put(3, 1, 2, b"a")
        w.put(3, 1, 2, b"b")  # replaced, not doubled
        w.put_many([(2, 0, 0, b"c")])
    # Stored as TMS, as other readers (QGIS, mbutil) expect.
    db = sqlite3.connect(path)
    assert db.execute("SELECT tile_row, tile_data FROM tiles WHERE zoom_level=3").fetchall() == [
        (5, b"b")
    ]
    db.close()
    m = MBTiles(path)
    assert m.get(3, 1, 2) == b"b" and m.get(2, 0, 0) == b"c" and m.get(3, 0, 0) is None
    assert m.metadata["format"] == "png" and m.zoom_range() == (2, 3)
    m.close()


def test_not_an_mbtiles_file_is_refused(tmp_path):
    junk = tmp_path / "junk.mbtiles"
    junk.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(MBTilesError):
        MBTiles(junk)
    with pytest.raises(MBTilesError):
        MBTiles(tmp_path / "missing.mbtiles")
    empty = tmp_path / "empty.mbtiles"
    sqlite3.connect(empty).execute("CREATE TABLE x (a)").connection.close()
    with pytest.raises(MBTilesError):
        MBTiles(empty)
