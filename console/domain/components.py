"""部件 (management components): their 16-digit codes and how a case finds its component.

**Code layout** (16 digits): ``AAAAAA CCCCC SSSSS`` = 6-digit district adcode + the 5-digit
category code of GB/T 47678.5 (2-digit major + 3-digit minor) + a 5-digit serial within the
district and category. DOMAIN.md gives the legacy form, 6 adcode + 2 major + 2 minor + 6 serial
(GB/T 30428.2's 4-digit categories); the current scheme's minor codes have 3 digits, so the code
keeps its 16 digits and the serial gives up one (99,999 per category and district: the densest
category here, street lights, has about 24,000). Example: ``3301020100500017`` is the 17th
电力井盖 (01005) of Shangcheng (330102).

**Attaching a component to a case.** A case of a component category reported without a
``component_code`` gets the nearest component of that category within ``ATTACH_RADIUS_M``.
Reason: a phone's GNSS fix in a street canyon is good to about 10–30 m, and manholes of one
kind on one road are 40–120 m apart, so within 30 m the nearest one of the reported kind is
almost always the one the reporter stands at; farther than that the guess would route a case
to the wrong owner, so none is attached and the matter's routing line applies.
"""

from __future__ import annotations

import re

import numpy as np

from .geometry import EARTH_R, haversine_m

CODE_RE = re.compile(r"^\d{16}$")
#: Nearest-component attach radius (metres); see the module docstring for the reason.
ATTACH_RADIUS_M = 30.0
MAX_SERIAL = 99_999


def component_code(adcode: str, category_code: str, serial: int) -> str:
    """The 16-digit code of the ``serial``-th component of ``category_code`` in ``adcode``."""
    if not (len(adcode) == 6 and adcode.isdigit()):
        raise ValueError(f"adcode must be 6 digits: {adcode!r}")
    if not (len(category_code) == 5 and category_code.isdigit()):
        raise ValueError(f"category code must be 5 digits: {category_code!r}")
    if not 1 <= serial <= MAX_SERIAL:
        raise ValueError(f"serial must be in 1..{MAX_SERIAL}: {serial}")
    return f"{adcode}{category_code}{serial:05d}"


def parse_component_code(code: str) -> tuple[str, str, int]:
    """(adcode, category code, serial) of a 16-digit code; ValueError if malformed."""
    if not isinstance(code, str) or not CODE_RE.match(code):
        raise ValueError(f"a component code is 16 digits: {code!r}")
    serial = int(code[11:])
    if serial < 1:
        raise ValueError(f"component serial must be at least 1: {code!r}")
    return code[:6], code[6:11], serial


def degree_box(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """A lon/lat box that contains every point within ``radius_m`` of (lon, lat), for an
    index prefilter before the exact distance."""
    m_per_deg = np.pi / 180 * EARTH_R
    r = radius_m * 1.01  # a hair wider than the exact distance, never narrower
    dlat = r / m_per_deg
    dlon = r / (m_per_deg * max(float(np.cos(np.radians(lat))), 1e-6))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def nearest_within(
    lon: float, lat: float, cand_lon: np.ndarray, cand_lat: np.ndarray, radius_m: float
) -> tuple[int, float] | None:
    """Index and distance (m) of the candidate nearest to (lon, lat) if it is within
    ``radius_m``; None otherwise. Ties go to the first candidate."""
    if len(cand_lon) == 0:
        return None
    d = haversine_m(lon, lat, np.asarray(cand_lon, float), np.asarray(cand_lat, float))
    i = int(np.argmin(d))
    return (i, float(d[i])) if d[i] <= radius_m else None
