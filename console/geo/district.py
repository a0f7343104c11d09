"""The district: the real boundary of Shangcheng District (上城区, adcode 330102), and the local
metric frame the unit grid and the road network are laid out in.

The shipped boundary is GCJ-02 (AMap); storage is WGS-84, so the polygon is converted once here
and everything downstream (grid, roads, simulator, rules) works in WGS-84.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from console.domain.geometry import EARTH_R
from resources import resource_path

from .crs import gcj02_to_wgs84

BOUNDARY_FILE = resource_path("shangcheng_district.geojson")


@dataclass(frozen=True)
class LocalFrame:
    """Equirectangular projection about ``(lon0, lat0)``: metres east (x) and north (y).

    Why this and not Web Mercator: it is affine in lon/lat, so a square lattice in the frame is
    a regular lattice in degrees (a point's cell is two subtractions and a floor, no trig), and
    its scale is true at the centre: across Shangcheng (±0.1° of latitude) lengths are off by
    < 0.2 %, i.e. < 20 cm on a 100 m cell. It uses the mean Earth radius, like ``haversine_m``.
    """

    lon0: float
    lat0: float

    @property
    def m_per_deg_lon(self) -> float:
        return float(np.pi / 180.0 * EARTH_R * np.cos(np.radians(self.lat0)))

    @property
    def m_per_deg_lat(self) -> float:
        return float(np.pi / 180.0 * EARTH_R)

    def to_xy(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        return (
            (np.asarray(lon, dtype=float) - self.lon0) * self.m_per_deg_lon,
            (np.asarray(lat, dtype=float) - self.lat0) * self.m_per_deg_lat,
        )

    def to_lonlat(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        return (
            self.lon0 + np.asarray(x, dtype=float) / self.m_per_deg_lon,
            self.lat0 + np.asarray(y, dtype=float) / self.m_per_deg_lat,
        )

    def project(self, geom):
        """A shapely geometry from lon/lat to frame metres."""
        return shapely.transform(geom, lambda c: np.column_stack(self.to_xy(c[:, 0], c[:, 1])))

    def unproject(self, geom):
        """A shapely geometry from frame metres to lon/lat."""
        return shapely.transform(geom, lambda c: np.column_stack(self.to_lonlat(c[:, 0], c[:, 1])))


@dataclass(frozen=True, eq=False)
class District:
    """The district polygon (WGS-84) with its projected copy and point-in-district test."""

    name: str
    adcode: str
    polygon: MultiPolygon  # WGS-84 lon/lat
    frame: LocalFrame
    polygon_xy: MultiPolygon  # the same polygon in ``frame`` metres

    @classmethod
    def from_geojson(cls, path: Path) -> District:
        gj = json.loads(path.read_text(encoding="utf-8"))
        feat = gj["features"][0] if gj.get("type") == "FeatureCollection" else gj
        geom = shape(feat["geometry"])
        if isinstance(geom, Polygon):
            geom = MultiPolygon([geom])
        # GCJ-02 → WGS-84, vertex by vertex: the offset varies by centimetres across the
        # district, so the shape (and its validity) is preserved.
        polygon = shapely.transform(geom, lambda c: np.column_stack(gcj02_to_wgs84(*c.T)))
        if not polygon.is_valid:
            raise ValueError(f"{path.name}: invalid boundary ({shapely.is_valid_reason(polygon)})")
        minx, miny, maxx, maxy = polygon.bounds
        # Frame origin: the bounds centre rounded to 0.001°, so the frame is a stable constant.
        frame = LocalFrame(round((minx + maxx) / 2, 3), round((miny + maxy) / 2, 3))
        polygon_xy = frame.project(polygon)
        shapely.prepare(polygon)
        shapely.prepare(polygon_xy)
        props = feat.get("properties") or {}
        return cls(
            name=props.get("name_zh") or props.get("name") or "上城区",
            adcode=str(props.get("adcode", "330102")),
            polygon=polygon,
            frame=frame,
            polygon_xy=polygon_xy,
        )

    @classmethod
    @functools.cache
    def load(cls) -> District:
        """The shipped district, parsed and converted once per process."""
        return cls.from_geojson(BOUNDARY_FILE)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(min_lon, min_lat, max_lon, max_lat)``, WGS-84."""
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in self.polygon.bounds)
        return min_lon, min_lat, max_lon, max_lat

    @property
    def centre(self) -> tuple[float, float]:
        """The origin of ``frame``: the bounds centre, rounded to 0.001°."""
        return self.frame.lon0, self.frame.lat0

    @property
    def area_km2(self) -> float:
        return self.polygon_xy.area / 1e6

    def contains(self, lon, lat) -> np.ndarray:
        """Whether each point lies inside the district (boundary excluded): a bool array of the
        inputs' shape (a numpy bool for two floats)."""
        return shapely.contains_xy(
            self.polygon, np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        )
