"""Coordinate systems, vectorised: WGS-84 (storage, GPS) ↔ GCJ-02 (AMap tiles, the shipped
boundary) ↔ Web Mercator metres (the map's scene coordinates).

GCJ-02 is the published obfuscation formula; its inverse is solved by fixed-point iteration
to well under a centimetre, not the common one-step approximation (errors of ~1 m).
"""

from __future__ import annotations

import numpy as np

_A = 6378245.0
_EE = 0.00669342162296594323
EARTH_R = 6378137.0


def _arr(v) -> np.ndarray:
    return np.asarray(v, dtype=float)


def _out_of_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _ret(lon, lat, scalar: bool):
    return (float(lon), float(lat)) if scalar else (lon, lat)


def wgs84_to_gcj02(lon, lat):
    scalar = np.ndim(lon) == 0
    lon, lat = _arr(lon), _arr(lat)
    dlon, dlat = _delta(lon, lat)
    out = _out_of_china(lon, lat)
    return _ret(np.where(out, lon, lon + dlon), np.where(out, lat, lat + dlat), scalar)


def gcj02_to_wgs84(lon, lat, tol: float = 1e-10, max_iter: int = 30):
    """Inverse of ``wgs84_to_gcj02`` by fixed-point iteration (converges in ~5 steps)."""
    scalar = np.ndim(lon) == 0
    lon, lat = _arr(lon), _arr(lat)
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(max_iter):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = glon - lon, glat - lat
        wlon, wlat = wlon - elon, wlat - elat
        if np.all(np.abs(elon) < tol) and np.all(np.abs(elat) < tol):
            break
    out = _out_of_china(lon, lat)
    return _ret(np.where(out, lon, wlon), np.where(out, lat, wlat), scalar)


def lonlat_to_mercator(lon, lat):
    scalar = np.ndim(lon) == 0
    lon, lat = _arr(lon), np.clip(_arr(lat), -85.05112878, 85.05112878)
    x = EARTH_R * np.radians(lon)
    y = EARTH_R * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))
    return _ret(x, y, scalar)


def mercator_to_lonlat(x, y):
    scalar = np.ndim(x) == 0
    x, y = _arr(x), _arr(y)
    lon = np.degrees(x / EARTH_R)
    lat = np.degrees(2 * np.arctan(np.exp(y / EARTH_R)) - np.pi / 2)
    return _ret(lon, lat, scalar)
