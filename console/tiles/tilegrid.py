"""The XYZ tile grid of Web Mercator (the "slippy map" scheme of OSM, AMap, Tianditu's ``_w``
layers and most WMTS GoogleMapsCompatible matrices): zoom z has 2^z × 2^z tiles of 256 px,
x grows east, y grows *south* from the top-left corner (85.0511°N, 180°W).

MBTiles stores rows in the TMS scheme (y grows north); ``tms_row`` converts. Source:
https://wiki.openstreetmap.org/wiki/Slippy_map_tilenames and the MBTiles 1.3 spec
(https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from console.geo.crs import MERCATOR_R

TILE_PX = 256
#: Half the side of the Web Mercator square world, metres (π·R).
HALF_WORLD = math.pi * MERCATOR_R


def tile_size_m(z: int) -> float:
    """The side of one tile at zoom ``z`` in Web Mercator metres."""
    return 2.0 * HALF_WORLD / (1 << z)


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """A tile's (west, south, east, north) in Web Mercator metres."""
    s = tile_size_m(z)
    west = -HALF_WORLD + x * s
    north = HALF_WORLD - y * s
    return west, north - s, west + s, north


def tile_at(mx: float, my: float, z: int) -> tuple[int, int]:
    """The (x, y) of the tile holding Web Mercator point (mx, my) at zoom z, clamped to the
    world."""
    n = 1 << z
    s = tile_size_m(z)
    x = int(math.floor((mx + HALF_WORLD) / s))
    y = int(math.floor((HALF_WORLD - my) / s))
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tiles_covering(
    west: float, south: float, east: float, north: float, z: int
) -> Iterator[tuple[int, int]]:
    """Every (x, y) at zoom z that touches the Web Mercator box, row by row from the north."""
    x0, y0 = tile_at(west, north, z)
    x1, y1 = tile_at(east, south, z)
    for y in range(y0, y1 + 1):
        for x in range(x0, x1 + 1):
            yield x, y


def tms_row(z: int, y: int) -> int:
    """XYZ row ↔ TMS row (the same formula both ways)."""
    return (1 << z) - 1 - y


def zoom_for(metres_per_px: float, max_zoom: int = 22) -> int:
    """The smallest zoom whose tiles are at least as sharp as ``metres_per_px`` on screen
    (at 256 px per tile), clamped to 0..max_zoom."""
    if metres_per_px <= 0 or not math.isfinite(metres_per_px):
        return max_zoom
    z = math.ceil(math.log2(2.0 * HALF_WORLD / (TILE_PX * metres_per_px)))
    return min(max(z, 0), max_zoom)
