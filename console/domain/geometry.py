"""Small planar geometry at district scale (tens of km): a local equirectangular frame is
accurate to well under a metre here, and numpy makes it cheap per vehicle and per point."""

from __future__ import annotations

import numpy as np

EARTH_R = 6371008.8


def haversine_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_R * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def local_xy(lon, lat, lon0: float, lat0: float) -> tuple[np.ndarray, np.ndarray]:
    """Metres east/north of (lon0, lat0)."""
    k = np.pi / 180 * EARTH_R
    return (np.asarray(lon, dtype=float) - lon0) * k * np.cos(np.radians(lat0)), (
        np.asarray(lat, dtype=float) - lat0
    ) * k


def distance_to_polyline_m(lon, lat, line_lon, line_lat) -> np.ndarray:
    """Distance in metres from each point to the nearest segment of the polyline."""
    lon, lat = (
        np.atleast_1d(np.asarray(lon, dtype=float)),
        np.atleast_1d(np.asarray(lat, dtype=float)),
    )
    line_lon, line_lat = np.asarray(line_lon, dtype=float), np.asarray(line_lat, dtype=float)
    if line_lon.size == 0:
        return np.full(lon.shape, np.inf)
    lon0, lat0 = float(line_lon.mean()), float(line_lat.mean())
    px, py = local_xy(lon, lat, lon0, lat0)
    lx, ly = local_xy(line_lon, line_lat, lon0, lat0)
    if lx.size == 1:
        return np.hypot(px - lx[0], py - ly[0])
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
