"""Build ``resources/rivers.geojson``: the district's rivers and canals as patrol segments.

Run once when the water of the demo basemap or the boundary changes:
``python tools/rivers_build.py`` (the output is committed; see resources/PROVENANCE.md).

Both sources are GCJ-02; the segments are converted to WGS-84, the frame of every position
the backend stores (fixes, cases, sensors), so a patrol's fix is matched without conversion.

Where each line comes from:
- 中河, 东河, 贴沙河, 京杭大运河, 上塘河: the canal lines of ``resources/basemap_water.geojson``
  (approximate, written for this project), densified to 25 m and cut to their reach inside the
  district (a point 50 m outside the boundary still counts, so a canal laid along the
  boundary is not chopped into crumbs).
- 钱塘江 shore: the district boundary's own line along the river (vertices 351–377 of
  ``resources/shangcheng_district.geojson``, as the basemap's river bank), the 江堤 walked.

Each reach is cut into segments (河段) of about ``SEGMENT_M``: the 河长制 assigns a 河长 per
河段, and a 2 km reach is what one 巡河 covers on foot in about half an hour. The 河长 names are
MADE UP (plausible names, not real people): a district-level 河长 per river, a street-level
河长 per segment (the street the segment's midpoint lies in).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from console.domain.geometry import haversine_m  # noqa: E402
from console.geo.crs import gcj02_to_wgs84  # noqa: E402
from console.geo.district import District  # noqa: E402
from console.geo.grid import UnitGrid  # noqa: E402

SEGMENT_M = 2000.0
STEP_M = 25.0
#: id prefix, zh name, width (m) per river (the basemap's drawn width; the shore: none).
RIVERS = {
    "中河": "ZH",
    "东河": "DH",
    "贴沙河": "TS",
    "京杭大运河": "YH",
    "上塘河": "ST",
}
SHORE = ("钱塘江", "QT", 351, 377)
#: Made-up district-level 河长 (区级), one per river: plausible names, not real people.
DISTRICT_CHIEFS = {
    "中河": "周建国",
    "东河": "吴海平",
    "贴沙河": "郑立新",
    "京杭大运河": "王志刚",
    "上塘河": "冯卫东",
    "钱塘江": "陈永明",
}
#: Made-up surnames and given names for the street-level 河长 (街道级), drawn in order.
SURNAMES = "李张刘杨黄赵孙朱胡郭何高林罗梁宋谢韩唐许"
GIVEN = [
    "丽华",
    "建华",
    "海燕",
    "国庆",
    "晓东",
    "春梅",
    "志强",
    "红霞",
    "文斌",
    "秀英",
    "明辉",
    "雪芳",
]


def densify(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    out_lon, out_lat = [lon[0]], [lat[0]]
    for i in range(len(lon) - 1):
        d = float(haversine_m(lon[i], lat[i], lon[i + 1], lat[i + 1]))
        n = max(1, int(np.ceil(d / STEP_M)))
        t = np.arange(1, n + 1) / n
        out_lon.extend(lon[i] + t * (lon[i + 1] - lon[i]))
        out_lat.extend(lat[i] + t * (lat[i + 1] - lat[i]))
    return np.array(out_lon), np.array(out_lat)


def reaches(lon, lat, inside) -> list[tuple[np.ndarray, np.ndarray]]:
    """Runs of consecutive inside points, at least 300 m long."""
    out = []
    idx = np.flatnonzero(inside)
    if idx.size == 0:
        return out
    breaks = np.flatnonzero(np.diff(idx) > 1)
    for run in np.split(idx, breaks + 1):
        lo, la = lon[run], lat[run]
        if float(haversine_m(lo[:-1], la[:-1], lo[1:], la[1:]).sum()) >= 300:
            out.append((lo, la))
    return out


def split(lon, lat) -> list[tuple[np.ndarray, np.ndarray]]:
    s = np.concatenate([[0.0], np.cumsum(haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:]))])
    n = max(1, int(round(s[-1] / SEGMENT_M)))
    cuts = np.searchsorted(s, np.linspace(0, s[-1], n + 1)[1:-1])
    bounds = [0, *cuts.tolist(), len(lon) - 1]
    return [(lon[a : b + 1], lat[a : b + 1]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def main() -> None:
    district = District.load()
    grid = UnitGrid.load()
    water = json.loads((ROOT / "resources/basemap_water.geojson").read_text("utf-8"))
    boundary = json.loads((ROOT / "resources/shangcheng_district.geojson").read_text("utf-8"))
    lines: list[tuple[str, str, np.ndarray, np.ndarray]] = []
    for f in water["features"]:
        name = f["properties"]["name_zh"]
        if name in RIVERS:
            c = np.array(f["geometry"]["coordinates"], dtype=float)
            lon, lat = densify(*gcj02_to_wgs84(c[:, 0], c[:, 1]))
            near = district.contains(lon, lat) | (
                shapely.distance(district.polygon.boundary, shapely.points(lon, lat)) * 111_000 < 50
            )
            for lo, la in reaches(lon, lat, near):
                lines.append((name, RIVERS[name], lo, la))
    name, prefix, a, b = SHORE
    ring = np.array(_outer_ring(boundary), dtype=float)[a : b + 1]
    lo, la = densify(*gcj02_to_wgs84(ring[:, 0], ring[:, 1]))
    lines.append((name, prefix, lo, la))
    features = []
    k = 0
    counters: dict[str, int] = {}
    names: dict[str, int] = {}
    for name, prefix, lon, lat in lines:
        for slon, slat in split(lon, lat):
            counters[prefix] = counters.get(prefix, 0) + 1
            mid = len(slon) // 2
            street = _street_at(grid, district, float(slon[mid]), float(slat[mid]))
            chief = SURNAMES[k % len(SURNAMES)] + GIVEN[(k * 7) % len(GIVEN)]
            k += 1
            length = float(haversine_m(slon[:-1], slat[:-1], slon[1:], slat[1:]).sum())
            simple_lon, simple_lat = slon[::4].tolist(), slat[::4].tolist()
            if simple_lon[-1] != slon[-1]:
                simple_lon.append(float(slon[-1]))
                simple_lat.append(float(slat[-1]))
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "id": f"{prefix}{counters[prefix]:02d}",
                        "river": name,
                        "name_zh": _unique(f"{name}{street}段", names),
                        "street": street,
                        "length_m": round(length),
                        "chiefs": [
                            {"level": "district", "name": DISTRICT_CHIEFS[name]},
                            {"level": "street", "name": chief},
                        ],
                    },
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [
                            [round(x, 6), round(y, 6)]
                            for x, y in zip(simple_lon, simple_lat, strict=True)
                        ],
                    },
                }
            )
    doc = {
        "type": "FeatureCollection",
        "crs": "WGS-84",
        "about": (
            "Shangcheng District's rivers and canals as patrol segments (河段), each with its "
            "河长 by level (district 区级, street 街道级) under the 河长制. Lines: the canals of "
            "resources/basemap_water.geojson cut to the district, and the district boundary "
            "along the 钱塘江 as its shore, converted from GCJ-02 to WGS-84: APPROXIMATE (errors of a few hundred metres). The "
            "河长 names are MADE UP, not real people. Built by tools/rivers_build.py; see "
            "resources/PROVENANCE.md and docs/rules/rivers.md."
        ),
        "features": features,
    }
    out = ROOT / "resources/rivers.geojson"
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"{len(features)} segments, {sum(f['properties']['length_m'] for f in features)} m")


def _street_at(grid: UnitGrid, district: District, lon: float, lat: float) -> str:
    """The street a point lies in; a point on the boundary (the 钱塘江 shore) takes the
    street up to 3 km inland, towards the district's centre."""
    c_lon, c_lat = district.centre
    d = float(haversine_m(lon, lat, c_lon, c_lat))
    for step in range(0, 3001, 50):
        t = step / d
        code = grid.cell_code(lon + t * (c_lon - lon), lat + t * (c_lat - lat))
        if code:
            return grid.street_of(code).name
    return ""


def _unique(name: str, seen: dict[str, int]) -> str:
    """``name``, numbered 二, 三 … when a river has several segments in one street."""
    seen[name] = seen.get(name, 0) + 1
    n = seen[name]
    return name if n == 1 else f"{name}{'一二三四五六七八九'[n - 1]}"


def _outer_ring(boundary: dict) -> list:
    geom = boundary["features"][0]["geometry"]
    return geom["coordinates"][0] if geom["type"] == "Polygon" else geom["coordinates"][0][0]


if __name__ == "__main__":
    main()
