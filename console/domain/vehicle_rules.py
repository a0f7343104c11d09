"""Work-quality rules for sanitation vehicles, computed by the platform from plain fixes.

Terminals report only position, speed, heading and a few flag bits (bit 0: working, i.e.
brushes or water on); the rules here turn that into episodes: work overspeed sustained for
minutes (the real sample: sprinkler 20 km/h for 5 min), long stops during a shift, offline
(no fix for 25 min), and deviation from the assigned route. Each episode raises one signal
and clears once when the condition ends; the backend maps them to alerts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .geometry import distance_to_polyline_m, haversine_m

WORKING = 1
#: The types whose route is work to be done (brushes, water on): 作业覆盖率 measures them.
#: 垃圾清运 collects at points, 巡查 patrols and 渣土 hauls: they drive a route without working
#: it, so a coverage of "route passed while working" would always read 0 % for them.
ROUTE_WORK_TYPES = frozenset({"sprinkler", "sweeper", "washer"})


@dataclass(frozen=True)
class RuleConfig:
    #: Speed limits while working (km/h): sprinkler 15 and sweeper 8 from the Wuhan reports.
    work_speed_kmh: dict[str, float] = field(
        default_factory=lambda: {"sprinkler": 15.0, "sweeper": 8.0, "washer": 10.0}
    )
    #: Limits that apply whether working or not (muck trucks in town).
    road_speed_kmh: dict[str, float] = field(default_factory=lambda: {"muck": 60.0})
    overspeed_sustain_s: float = 300.0
    long_stop_s: float = 20 * 60.0
    stopped_below_kmh: float = 1.0
    offline_s: float = 25 * 60.0
    deviation_m: float = 150.0
    deviation_sustain_s: float = 120.0


@dataclass(frozen=True)
class Signal:
    vehicle_id: str
    kind: str  # overspeed | long_stop | offline | deviation
    action: str  # raise | clear
    at: float
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class _VehicleState:
    vtype: str
    route_lon: np.ndarray | None = None
    route_lat: np.ndarray | None = None
    shift: tuple[float, float] | None = None
    last_t: float | None = None
    since: dict[str, float] = field(default_factory=dict)  # rule -> episode start time
    raised: set[str] = field(default_factory=set)


class FleetRules:
    """Stateful per vehicle; feed it fix batches in time order and call ``tick`` regularly."""

    def __init__(self, config: RuleConfig | None = None):
        self.config = config or RuleConfig()
        self.vehicles: dict[str, _VehicleState] = {}

    def set_vehicle(
        self,
        vehicle_id: str,
        vtype: str,
        route_lon: ArrayLike | None = None,
        route_lat: ArrayLike | None = None,
        shift: tuple[float, float] | None = None,
    ) -> None:
        st = self.vehicles.get(vehicle_id) or _VehicleState(vtype)
        st.vtype = vtype
        st.route_lon = None if route_lon is None else np.asarray(route_lon, dtype=float)
        st.route_lat = None if route_lat is None else np.asarray(route_lat, dtype=float)
        st.shift = shift
        self.vehicles[vehicle_id] = st

    def _in_shift(self, st: _VehicleState, t: float) -> bool:
        return st.shift is None or st.shift[0] <= t <= st.shift[1]

    def _episode(
        self,
        out: list[Signal],
        vid: str,
        st: _VehicleState,
        rule: str,
        active: bool,
        t: float,
        sustain: float,
        detail: dict[str, Any],
    ) -> None:
        if active:
            start = st.since.setdefault(rule, t)
            if rule not in st.raised and t - start >= sustain:
                st.raised.add(rule)
                out.append(Signal(vid, rule, "raise", t, {**detail, "since": start}))
        else:
            st.since.pop(rule, None)
            if rule in st.raised:
                st.raised.discard(rule)
                out.append(Signal(vid, rule, "clear", t, detail))

    def ingest(
        self,
        vehicle_id: ArrayLike,
        t: ArrayLike,
        lon: ArrayLike,
        lat: ArrayLike,
        speed_kmh: ArrayLike,
        heading: ArrayLike,
        flags: ArrayLike,
    ) -> list[Signal]:
        vehicle_id = np.asarray(vehicle_id)
        t, lon, lat, speed = (np.asarray(a, dtype=float) for a in (t, lon, lat, speed_kmh))
        flags = np.asarray(flags, dtype=np.int64)
        out: list[Signal] = []
        cfg = self.config
        for vid in np.unique(vehicle_id):
            st = self.vehicles.get(str(vid))
            if st is None:
                continue
            idx = np.flatnonzero(vehicle_id == vid)
            idx = idx[np.argsort(t[idx], kind="stable")]
            working = (flags[idx] & WORKING) != 0
            limit = np.full(len(idx), cfg.road_speed_kmh.get(st.vtype, np.inf))
            wl = cfg.work_speed_kmh.get(st.vtype)
            if wl is not None:
                limit = np.where(working, np.minimum(limit, wl), limit)
            over = speed[idx] > limit
            stopped = speed[idx] < cfg.stopped_below_kmh
            if st.route_lon is not None and st.route_lat is not None and len(st.route_lon):
                dist = distance_to_polyline_m(lon[idx], lat[idx], st.route_lon, st.route_lat)
            else:
                dist = np.zeros(len(idx))
            for j, i in enumerate(idx):
                ti = float(t[i])
                if "offline" in st.raised:
                    st.raised.discard("offline")
                    out.append(Signal(str(vid), "offline", "clear", ti, {}))
                st.last_t = ti if st.last_t is None else max(st.last_t, ti)
                self._episode(
                    out,
                    str(vid),
                    st,
                    "overspeed",
                    bool(over[j]),
                    ti,
                    cfg.overspeed_sustain_s,
                    {"speed_kmh": float(speed[i]), "limit_kmh": float(limit[j])},
                )
                self._episode(
                    out,
                    str(vid),
                    st,
                    "long_stop",
                    bool(stopped[j]) and self._in_shift(st, ti),
                    ti,
                    cfg.long_stop_s,
                    {"lon": float(lon[i]), "lat": float(lat[i])},
                )
                self._episode(
                    out,
                    str(vid),
                    st,
                    "deviation",
                    bool(dist[j] > cfg.deviation_m),
                    ti,
                    cfg.deviation_sustain_s,
                    {"distance_m": round(float(dist[j]), 1)},
                )
        return out

    def tick(self, now: float) -> list[Signal]:
        """Time-based rules: a vehicle whose last fix is too old goes offline."""
        out = []
        for vid, st in self.vehicles.items():
            if (
                st.last_t is not None
                and "offline" not in st.raised
                and now - st.last_t >= self.config.offline_s
            ):
                st.raised.add("offline")
                out.append(Signal(vid, "offline", "raise", now, {"last_fix": st.last_t}))
        return out


def coverage(
    route_lon: ArrayLike,
    route_lat: ArrayLike,
    track_lon: ArrayLike,
    track_lat: ArrayLike,
    working_mask: ArrayLike,
    tolerance_m: float = 30.0,
    sample_m: float = 10.0,
) -> tuple[float, np.ndarray]:
    """作业覆盖率: share of the route's length passed while working, and per-segment done flags
    (a segment is done when most of its sample points were covered)."""
    rlon, rlat = np.asarray(route_lon, dtype=float), np.asarray(route_lat, dtype=float)
    w = np.asarray(working_mask, dtype=bool)
    tlon, tlat = np.asarray(track_lon, dtype=float)[w], np.asarray(track_lat, dtype=float)[w]
    nseg = len(rlon) - 1
    if nseg < 1:
        return 0.0, np.zeros(0, dtype=bool)
    seg_len = haversine_m(rlon[:-1], rlat[:-1], rlon[1:], rlat[1:])
    done = np.zeros(nseg, dtype=bool)
    covered_len = 0.0
    for k in range(nseg):
        n = max(2, int(seg_len[k] // sample_m) + 1)
        f = np.linspace(0, 1, n)
        plon, plat = rlon[k] + f * (rlon[k + 1] - rlon[k]), rlat[k] + f * (rlat[k + 1] - rlat[k])
        if len(tlon) == 0:
            continue
        d = (
            distance_to_polyline_m(plon, plat, tlon, tlat)
            if len(tlon) > 1
            else haversine_m(plon, plat, tlon[0], tlat[0])
        )
        share = float(np.mean(d <= tolerance_m))
        covered_len += share * seg_len[k]
        done[k] = share >= 0.8
    total = float(seg_len.sum())
    return (covered_len / total if total > 0 else 0.0), done
