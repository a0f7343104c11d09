"""Coordinate systems, vectorised: WGS-84 (storage, GPS) ↔ GCJ-02 (AMap tiles, the shipped
boundary) ↔ Web Mercator metres (the map's scene coordinates).

Every function takes numpy arrays (any shape, returned in the same shape) or Python floats
(returned as floats), so one code path serves a single click and a batch of 100k fixes.

GCJ-02 is the published obfuscation formula (the constants of the widely copied
``coordtransform``/``eviltransform`` code). Its inverse has no closed form; the usual one-step
approximation ``g − offset(g)`` is off by up to ~2 m in Hangzhou (~5 m elsewhere in China),
the size of the things a supervisor reports, so ``gcj02_to_wgs84`` solves
``wgs84_to_gcj02(w) = g`` by fixed-point iteration instead.
"""

from __future__ import annotations

import numpy as np

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as in the GCJ-02 formula
_EE = 0.00669342162296594323  # its first eccentricity squared
#: Web Mercator sphere radius (EPSG:3857), not the mean Earth radius used for distances.
MERCATOR_R = 6378137.0
_MAX_LAT = 85.05112878  # Web Mercator's square world


def out_of_china(lon, lat) -> np.ndarray:
    """The standard bounding-box test of the GCJ-02 code: outside it no offset applies."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 offset (degrees) at WGS-84 ``lon, lat``, ignoring the China box."""
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = np.radians(lat)
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _out(a: np.ndarray, b: np.ndarray, scalar: bool):
    return (float(a), float(b)) if scalar else (a, b)


def _inputs(a, b) -> tuple[np.ndarray, np.ndarray, bool]:
    scalar = np.ndim(a) == 0 and np.ndim(b) == 0
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    return a, b, scalar


def wgs84_to_gcj02(lon, lat):
    """WGS-84 → GCJ-02 (degrees). Points outside China are returned unchanged."""
    lon, lat, scalar = _inputs(lon, lat)
    dlon, dlat = _offset(lon, lat)
    out = out_of_china(lon, lat)
    return _out(np.where(out, lon, lon + dlon), np.where(out, lat, lat + dlat), scalar)


def gcj02_to_wgs84(lon, lat, tol: float = 1e-10, max_iter: int = 20):
    """GCJ-02 → WGS-84 (degrees): the exact inverse of ``wgs84_to_gcj02``.

    Fixed-point iteration ``w ← g − offset(w)``: the offset changes by ~1e-5 of a degree per
    degree, so each step gains about five digits and 3–4 steps reach ``tol``.
    """
    glon, glat, scalar = _inputs(lon, lat)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(max_iter):
        dlon, dlat = _offset(wlon, wlat)
        nlon, nlat = glon - dlon, glat - dlat
        moved = np.abs(nlon - wlon) + np.abs(nlat - wlat)
        wlon, wlat = nlon, nlat
        if not np.any(moved > tol):  # NaN compares False: NaN input does not spin
            break
    out = out_of_china(glon, glat)
    return _out(np.where(out, glon, wlon), np.where(out, glat, wlat), scalar)


def lonlat_to_mercator(lon, lat):
    """WGS-84 degrees → Web Mercator (EPSG:3857) metres; latitudes clamp to ±85.05°."""
    lon, lat, scalar = _inputs(lon, lat)
    lat = np.clip(lat, -_MAX_LAT, _MAX_LAT)
    x = MERCATOR_R * np.radians(lon)
    y = MERCATOR_R * np.arcsinh(np.tan(np.radians(lat)))  # = R·ln tan(π/4 + φ/2), exact at 0
    return _out(x, y, scalar)


def mercator_to_lonlat(x, y):
    """Web Mercator metres → WGS-84 degrees."""
    x, y, scalar = _inputs(x, y)
    lon = np.degrees(x / MERCATOR_R)
    lat = np.degrees(np.arctan(np.sinh(y / MERCATOR_R)))
    return _out(lon, lat, scalar)
