"""Small planar geometry at district scale (tens of km): a local equirectangular frame is
accurate to well under a metre here, and numpy makes it cheap per vehicle and per point."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_R = 6371008.8


def haversine_m(
    lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike
) -> NDArray[np.float64]:
    x1, y1, x2, y2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((y2 - y1) / 2) ** 2 + np.cos(y1) * np.cos(y2) * np.sin((x2 - x1) / 2) ** 2
    m: NDArray[np.float64] = 2 * EARTH_R * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return m


def local_xy(
    lon: ArrayLike, lat: ArrayLike, lon0: float, lat0: float
) -> tuple[np.ndarray, np.ndarray]:
    """Metres east/north of (lon0, lat0)."""
    k = np.pi / 180 * EARTH_R
    return (np.asarray(lon, dtype=float) - lon0) * k * np.cos(np.radians(lat0)), (
        np.asarray(lat, dtype=float) - lat0
    ) * k


def distance_to_polyline_m(
    lon: ArrayLike, lat: ArrayLike, line_lon: ArrayLike, line_lat: ArrayLike
) -> NDArray[np.float64]:
    """Distance in metres from each point to the nearest segment of the polyline."""
    plon = np.atleast_1d(np.asarray(lon, dtype=float))
    plat = np.atleast_1d(np.asarray(lat, dtype=float))
    llon, llat = np.asarray(line_lon, dtype=float), np.asarray(line_lat, dtype=float)
    if llon.size == 0:
        return np.full(plon.shape, np.inf)
    lon0, lat0 = float(llon.mean()), float(llat.mean())
    px, py = local_xy(plon, plat, lon0, lat0)
    lx, ly = local_xy(llon, llat, lon0, lat0)
    if lx.size == 1:
        d: NDArray[np.float64] = np.hypot(px - lx[0], py - ly[0])
        return d
    ax, ay, bx, by = lx[:-1], ly[:-1], lx[1:], ly[1:]
    dx, dy = bx - ax, by - ay
    seg2 = dx * dx + dy * dy
    seg2 = np.where(seg2 == 0, 1e-12, seg2)
    # points × segments; chunk the points so memory stays bounded for long tracks.
    out = np.empty(px.shape)
    step = max(1, 2_000_000 // max(1, ax.size))
    for i in range(0, px.size, step):
        qx, qy = px[i : i + step, None], py[i : i + step, None]
        t = np.clip(((qx - ax) * dx + (qy - ay) * dy) / seg2, 0, 1)
        out[i : i + step] = np.sqrt(
            np.min((ax + t * dx - qx) ** 2 + (ay + t * dy - qy) ** 2, axis=1)
        )
    return out
