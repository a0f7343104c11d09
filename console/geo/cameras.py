"""The demo district's camera points, generated from the gazetteer (deterministic: the same
list on every start and in every process, so the backend, the simulator and the tests agree).

A 球机 stands at each junction of two named roads inside the district (the crossing of their
gazetteer polylines), on one of its corners; a 枪机 at each landmark (a metro entrance, a
hospital gate, a market). Positions are as approximate as the gazetteer's (a few hundred
metres); the names are what the platforms would call them. Owners and corners are taken from
a hash of the place name, so they look mixed, not patterned.
"""

from __future__ import annotations

import functools
import hashlib
import math

from shapely.geometry import LineString, MultiPoint, Point

from console.domain.cameras import corner_of, junction_name

from .district import District
from .gazetteer import Gazetteer

#: Owner shares by place kind: the centre's own cameras watch the streets it manages;
#: 雪亮工程 (public security) cameras stand at transport hubs and markets; 交警 at junctions.
_LANDMARK_OWNERS = ("xueliang", "chengguan", "xueliang")
_JUNCTION_OWNERS = ("chengguan", "traffic", "xueliang", "chengguan")
#: Two junctions closer than this are one (two rough polylines cross twice near one place).
_MERGE_M = 120.0


def _h(text: str) -> int:
    """A stable small hash (Python's ``hash`` of a str changes per process)."""
    return int.from_bytes(hashlib.blake2s(text.encode(), digest_size=4).digest(), "big")


@functools.cache
def demo_cameras() -> tuple[dict, ...]:
    """The demo's camera points: ``{id, name, lon, lat, direction, kind, owner, stream_url}``
    (WGS-84, direction in degrees clockwise from north), junctions first, then landmarks."""
    gaz = Gazetteer.load()
    district = District.load()
    area = district.polygon
    k = math.cos(math.radians(area.centroid.y))
    lines = [LineString(list(zip(r.lon, r.lat, strict=True))) for r in gaz.roads]
    out: list[dict] = []
    seen: list[tuple[float, float]] = []

    def near_seen(lon: float, lat: float) -> bool:
        return any(
            math.hypot((lon - a) * 111_320 * k, (lat - b) * 110_574) < _MERGE_M for a, b in seen
        )

    for i, a in enumerate(gaz.roads):
        for j in range(i + 1, len(gaz.roads)):
            x = lines[i].intersection(lines[j])
            if x.is_empty:
                continue
            pts = list(x.geoms) if isinstance(x, MultiPoint) else [x]
            for p in pts:
                if not isinstance(p, Point) or not area.contains(p) or near_seen(p.x, p.y):
                    continue
                seen.append((p.x, p.y))
                b = gaz.roads[j]
                h = _h(a.name + b.name)
                bearing = float((h % 4) * 90 + 45)  # diagonally into the junction
                out.append(
                    {
                        "name": junction_name(a.name, b.name, bearing),
                        "lon": round(p.x, 6),
                        "lat": round(p.y, 6),
                        "direction": bearing,
                        "kind": "dome",
                        "owner": _JUNCTION_OWNERS[h % len(_JUNCTION_OWNERS)],
                    }
                )
    for m in gaz.landmarks:
        if not area.contains(Point(m.lon, m.lat)) or near_seen(m.lon, m.lat):
            continue
        seen.append((m.lon, m.lat))
        h = _h(m.name)
        bearing = float(h % 360)
        out.append(
            {
                "name": f"{m.name} {corner_of(bearing)}侧",
                "lon": round(m.lon, 6),
                "lat": round(m.lat, 6),
                "direction": bearing,
                "kind": "bullet",
                "owner": _LANDMARK_OWNERS[h % len(_LANDMARK_OWNERS)],
            }
        )
    for n, c in enumerate(out, 1):
        c["id"] = f"CAM-{n:04d}"
        c["stream_url"] = ""
    return tuple(out)
