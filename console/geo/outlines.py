"""Outlines for drawing: polygons and the unit grid as one polyline each, in Web Mercator.

A map layer draws thousands of rings as a single pyqtgraph curve with a ``connect`` array
(True where point k joins point k+1), which is two orders of magnitude faster than one item per
ring. These helpers turn GeoJSON-style coordinates and the backend's compact grid into that
form, with numpy, and know nothing of Qt.
"""

from __future__ import annotations

import functools
import json

import numpy as np

from resources import resource_path

from .crs import gcj02_to_wgs84, lonlat_to_mercator

NEIGHBOURS_FILE = resource_path("hangzhou_districts.geojson")


def rings_of(geometry: dict) -> list[np.ndarray]:
    """Every ring (outer and holes) of a GeoJSON Polygon/MultiPolygon, as (n, 2) lon/lat."""
    coords = geometry.get("coordinates") or []
    polys = [coords] if geometry.get("type") == "Polygon" else coords
    return [np.asarray(ring, dtype=float)[:, :2] for poly in polys for ring in poly if len(ring)]


def polyline(rings: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rings in lon/lat → (x, y, connect) in Web Mercator metres, rings kept apart."""
    if not rings:
        return np.empty(0), np.empty(0), np.empty(0, dtype=bool)
    pts = np.concatenate(rings)
    x, y = lonlat_to_mercator(pts[:, 0], pts[:, 1])
    connect = np.ones(len(pts), dtype=bool)
    connect[np.cumsum([len(r) for r in rings]) - 1] = False
    return np.asarray(x), np.asarray(y), connect


@functools.cache
def neighbour_districts(exclude_adcode: str = "330102") -> tuple[tuple[str, tuple], ...]:
    """The other Hangzhou districts shipped with the boundary: (name, rings in WGS-84)."""
    gj = json.loads(NEIGHBOURS_FILE.read_text(encoding="utf-8"))
    out = []
    for feat in gj.get("features", []):
        props = feat.get("properties") or {}
        if str(props.get("adcode")) == exclude_adcode:
            continue
        rings = []
        for ring in rings_of(feat.get("geometry") or {}):
            lon, lat = gcj02_to_wgs84(ring[:, 0], ring[:, 1])  # shipped as GCJ-02
            rings.append(np.column_stack((lon, lat)))
        out.append((props.get("name_zh") or props.get("name") or "", tuple(rings)))
    return tuple(out)


def grid_polyline(grid: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The backend's compact unit grid (``/reference`` → ``grid``) as one polyline: each full
    cell as its lattice square, each border cell as its exact outline."""
    try:
        ox, oy = (float(v) for v in grid["origin"])
        sx, sy = (float(v) for v in grid["step"])
        col = np.asarray(grid["col"], dtype=float)
        row = np.asarray(grid["row"], dtype=float)
        border = grid.get("border") or {}
        border_cells = np.asarray(border.get("cells") or [], dtype=np.int64)
    except (KeyError, TypeError, ValueError):
        return np.empty(0), np.empty(0), np.empty(0, dtype=bool)
    full = np.ones(len(col), dtype=bool)
    full[border_cells[(border_cells >= 0) & (border_cells < len(col))]] = False
    x0, y0 = ox + col[full] * sx, oy + row[full] * sy
    corners_x = np.stack((x0, x0 + sx, x0 + sx, x0, x0), axis=1)
    corners_y = np.stack((y0, y0, y0 + sy, y0 + sy, y0), axis=1)
    squares = list(np.stack((corners_x, corners_y), axis=2))
    outlines = [
        ring
        for coords in border.get("polygons") or []
        for ring in rings_of({"type": "MultiPolygon", "coordinates": coords})
    ]
    return polyline(squares + outlines)
