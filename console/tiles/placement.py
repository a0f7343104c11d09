"""Where a tile goes in the map's scene (Web Mercator metres of WGS-84), whatever its datum.

A WGS-84/CGCS2000 tile is the square of its address. A GCJ-02 tile is that square in *GCJ-02*
Mercator: its four corners are converted GCJ-02 → WGS-84 (``console.geo.crs``, the exact
iterative inverse) → Mercator, and the image is drawn through the projective map of its pixel
square onto those corners (Qt's ``QTransform.quadToQuad``, the same homography as
``homography`` here). The GCJ-02 offset varies smoothly (its shortest sine period is 1/3° of
longitude, ~32 km), so inside a tile a projective map follows it closely: ``residual_m`` measures
how closely, per pixel, against the exact conversion of every pixel.

Neighbouring tiles share their corner points, so they meet without seams or overlaps.
"""

from __future__ import annotations

import math

import numpy as np

from console.geo.crs import (
    gcj02_to_wgs84,
    lonlat_to_mercator,
    mercator_to_lonlat,
    wgs84_to_gcj02,
)

from .tilegrid import TILE_PX, tile_bounds, tiles_covering


def _to_scene(datum: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mercator metres of the tile grid of ``datum`` → scene metres (WGS-84 Mercator)."""
    if datum != "gcj02":
        return x, y
    lon, lat = mercator_to_lonlat(x, y)
    return lonlat_to_mercator(*gcj02_to_wgs84(lon, lat))


def corners(datum: str, z: int, x: int, y: int) -> np.ndarray:
    """The tile's NW, NE, SE, SW corners in scene metres, shape (4, 2)."""
    w, s, e, n = tile_bounds(z, x, y)
    cx, cy = _to_scene(datum, np.array([w, e, e, w]), np.array([n, n, s, s]))
    return np.column_stack([cx, cy])


def tiles_in_view(
    datum: str, west: float, south: float, east: float, north: float, z: int
) -> list[tuple[int, int]]:
    """The tile addresses of ``datum``'s grid that cover a scene-metre view box."""
    if datum == "gcj02":
        xs, ys = np.array([west, east, east, west]), np.array([north, north, south, south])
        lon, lat = mercator_to_lonlat(xs, ys)
        gx, gy = lonlat_to_mercator(*wgs84_to_gcj02(lon, lat))
        west, east, south, north = gx.min(), gx.max(), gy.min(), gy.max()
    return list(tiles_covering(west, south, east, north, z))


def homography(dst: np.ndarray, size: float = TILE_PX) -> np.ndarray:
    """The 3×3 projective map of the pixel square (0,0),(size,0),(size,size),(0,size) onto the
    four points ``dst`` (what QTransform.quadToQuad computes)."""
    src = np.array([[0, 0], [size, 0], [size, size], [0, size]], dtype=float)
    a, b = [], []
    for (u, v), (X, Y) in zip(src, dst, strict=True):
        a.append([u, v, 1, 0, 0, 0, -u * X, -v * X])
        a.append([0, 0, 0, u, v, 1, -u * Y, -v * Y])
        b += [X, Y]
    h = np.linalg.solve(np.array(a), np.array(b))
    return np.append(h, 1.0).reshape(3, 3)


def residual_m(datum: str, z: int, x: int, y: int, step: int = 16) -> float:
    """The largest distance (ground metres) between where the projective placement draws a
    tile's pixel centres (every ``step``-th) and where the exact datum conversion puts them."""
    h = homography(corners(datum, z, x, y))
    u, v = np.meshgrid(np.arange(0.5, TILE_PX, step), np.arange(0.5, TILE_PX, step))
    u, v = u.ravel(), v.ravel()
    p = h @ np.vstack([u, v, np.ones_like(u)])
    px, py = p[0] / p[2], p[1] / p[2]
    w, s, e, n = tile_bounds(z, x, y)
    ex, ey = _to_scene(datum, w + (e - w) * u / TILE_PX, n - (n - s) * v / TILE_PX)
    lat = float(mercator_to_lonlat(0.0, float(np.mean(ey)))[1])
    return float(np.max(np.hypot(px - ex, py - ey)) * math.cos(math.radians(lat)))
