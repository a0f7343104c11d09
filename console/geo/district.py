"""The district: the real boundary of Shangcheng District (上城区, adcode 330102).

The shipped file is GCJ-02 (AMap); storage is WGS-84, so the polygon is converted once here.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from console.domain.geometry import local_xy
from console.domain.resources import resource_path

from .crs import gcj02_to_wgs84


def _convert(geom):
    if isinstance(geom, MultiPolygon):
        return MultiPolygon([_convert(p) for p in geom.geoms])
    rings = [geom.exterior, *geom.interiors]
    conv = []
    for r in rings:
        x, y = np.asarray(r.coords).T
        lon, lat = gcj02_to_wgs84(x, y)
        conv.append(np.column_stack([lon, lat]))
    return Polygon(conv[0], conv[1:])


@dataclass(frozen=True)
class District:
    name: str
    adcode: str
    polygon: MultiPolygon  # WGS-84

    @classmethod
    @functools.cache
    def load(cls) -> District:
        gj = json.loads(resource_path("shangcheng_district.geojson").read_text(encoding="utf-8"))
        feat = gj["features"][0] if gj.get("type") == "FeatureCollection" else gj
        geom = _convert(shape(feat["geometry"]))
        if isinstance(geom, Polygon):
            geom = MultiPolygon([geom])
        geom = shapely.make_valid(geom)
        shapely.prepare(geom)
        props = feat.get("properties") or {}
        return cls(
            name=props.get("name", "上城区"),
            adcode=str(props.get("adcode", "330102")),
            polygon=geom,
        )

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return tuple(self.polygon.bounds)

    @property
    def centre(self) -> tuple[float, float]:
        c = self.polygon.centroid
        return c.x, c.y

    def contains(self, lon, lat) -> np.ndarray:
        return shapely.contains_xy(
            self.polygon, np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        )

    @property
    def area_km2(self) -> float:
        lon0, lat0 = self.centre
        total = 0.0
        for p in self.polygon.geoms:
            x, y = local_xy(*np.asarray(p.exterior.coords).T, lon0, lat0)
            area = Polygon(np.column_stack([x, y])).area
            for hole in p.interiors:
                hx, hy = local_xy(*np.asarray(hole.coords).T, lon0, lat0)
                area -= Polygon(np.column_stack([hx, hy])).area
            total += area
        return total / 1e6
