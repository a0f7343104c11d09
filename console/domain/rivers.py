"""智慧河道: the district's river segments (河段), their 河长, and the patrol rules.

One module for the backend (which folds patrol fixes into each segment's state), the
simulator (which walks and boats the patrols along their beats) and the console (the river
layer, the river panel and the coverage KPI, live or replayed). docs/rules/rivers.md says why
each rule is so.

- **Segments and 河长.** ``resources/rivers.geojson``: each 河段 with its river, street, length
  and its 河长 by level (区级, 街道级), as the 河长制 assigns them (中共中央办公厅 国务院办公厅
  《关于全面推行河长制的意见》2016: 河长 at province, city, county and township levels, each
  responsible for named 河段; 《浙江省河长制规定》2017 adds the village level). The names are
  made up (``tools/rivers_build.py``).
- **Patrol coverage** (巡河覆盖率): the share of a segment's length a patrol passed within
  ``MATCH_M`` of, in one China-time day. The segment is cut into ``BIN_M`` bins; a fix marks the
  bin nearest to it. A patrol on foot walks the bank and a boat keeps to the water, both within
  ``MATCH_M`` of the centre line of the widest canal (京杭大运河, 70 m drawn).
- **Required interval.** The professional patrols (专职巡河员, the centre's river patrol units)
  patrol each segment every day (``REQUIRED_INTERVAL_DAYS``); a day counts as patrolled when
  its coverage reached ``PATROLLED_SHARE``. The 河长's own intervals (街道级 once every ten
  days, 村（社区）级 once a week) are shown with the segment as ``CHIEF_INTERVAL_DAYS``.
- **KPI** 河道巡查覆盖率: patrolled segment-days / due segment-days in a period (a day is due
  once it has ended, or as soon as it is patrolled: the rule of ``console.domain.kpi`` that
  a thing is due when finished or when its time is up).
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from console.domain.china_time import CST, days_of
from console.domain.field_units import RIVER_PATROL_BOAT, RIVER_PATROL_FOOT
from console.domain.geometry import haversine_m, local_xy
from resources import resource_path

#: The record type of a segment's patrol state (``console.domain.records``).
RECORD_TYPE = "river_segment"
#: The vehicle types whose fixes count as patrols (``console.domain.field_units``).
PATROL_TYPES = (RIVER_PATROL_FOOT, RIVER_PATROL_BOAT)
#: The indicator's id in ``resources/kpi_indicators.json``.
KPI_ID = "river_patrol_coverage"
#: The department river matters route to (``resources/routing.tsv``, ``server/seed.py``).
RIVER_DEPARTMENT = "river"
#: Coverage bins: 50 m is the step a patrol reports at 4–8 km/h with a fix every 30 s or less,
#: so a walked reach leaves no unmarked bin behind it.
BIN_M = 50.0
#: A fix within this distance of a segment's line is on it: half the widest canal (35 m) plus
#: a phone's or a boat terminal's GPS error (about 10–20 m in the open, more among buildings).
MATCH_M = 60.0
#: A day's patrol counts when it covered this share of the segment: a patrol that turned back
#: early at a closed path or a low bridge still counts, one that only crossed it does not
#: (the centre's choice; platforms commonly require a minimum length per 巡河, e.g. 2 km).
PATROLLED_SHARE = 0.8
#: The professional patrols walk or boat every segment daily (the centre's 养护 standard).
REQUIRED_INTERVAL_DAYS = 1
#: The 河长's own patrol intervals by level, as shown with a segment (docs/rules/rivers.md).
CHIEF_INTERVAL_DAYS = {"street": 10, "community": 7}
CHIEF_LEVEL_ZH = {"district": "区级河长", "street": "街道级河长", "community": "社区级河长"}
#: How many days of coverage a segment's record keeps: a month's KPI and its drill-down.
HISTORY_DAYS = 35
#: The backend folds patrol fixes into a segment's record at most this often (district
#: seconds) while a patrol is on it: the map and the panel need minutes, not seconds.
UPDATE_EVERY_S = 180.0


@dataclass(frozen=True)
class Segment:
    """A 河段: its id, river, zh name, street, length, 河长 and centre line (GCJ-02)."""

    id: str
    river: str
    name_zh: str
    street: str
    length_m: float
    chiefs: tuple[tuple[str, str], ...]  # (level, name)
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]

    def chief(self, level: str) -> str:
        return next((name for lv, name in self.chiefs if lv == level), "")


@functools.cache
def segments() -> tuple[Segment, ...]:
    """The shipped segments (``resources/rivers.geojson``), loaded once."""
    with open(resource_path("rivers.geojson"), encoding="utf-8") as f:
        doc = json.load(f)
    out = []
    for feat in doc["features"]:
        p = feat["properties"]
        c = np.asarray(feat["geometry"]["coordinates"], dtype=float)
        out.append(
            Segment(
                id=str(p["id"]),
                river=str(p["river"]),
                name_zh=str(p["name_zh"]),
                street=str(p["street"]),
                length_m=float(p["length_m"]),
                chiefs=tuple((str(x["level"]), str(x["name"])) for x in p["chiefs"]),
                lon=c[:, 0],
                lat=c[:, 1],
            )
        )
    return tuple(out)


def by_id() -> dict[str, Segment]:
    return {s.id: s for s in segments()}


class Matcher:
    """Fixes to (segment, bin): every segment's bins as points, matched in one numpy pass.

    Bins are the points every ``BIN_M`` along each line; a fix belongs to the nearest bin point
    when it lies within ``MATCH_M`` of it (a bin's half-length, 25 m, is well inside that, so
    a fix between two points of a segment still matches)."""

    def __init__(self, segs: Iterable[Segment]):
        self.segments = list(segs)
        lon0 = float(np.mean([s.lon.mean() for s in self.segments]))
        lat0 = float(np.mean([s.lat.mean() for s in self.segments]))
        self._origin = (lon0, lat0)
        xs, ys, seg_of, bin_of, counts = [], [], [], [], []
        for k, s in enumerate(self.segments):
            blon, blat = bin_points(s)
            x, y = local_xy(blon, blat, lon0, lat0)
            xs.append(x)
            ys.append(y)
            seg_of.append(np.full(x.size, k))
            bin_of.append(np.arange(x.size))
            counts.append(x.size)
        self._x, self._y = np.concatenate(xs), np.concatenate(ys)
        self._seg = np.concatenate(seg_of)
        self._bin = np.concatenate(bin_of)
        #: Bins per segment, in ``segments`` order.
        self.bins = counts

    def match(
        self, lon: Iterable[float], lat: Iterable[float]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Each fix's segment index and bin, -1 for both when it is on no segment."""
        px, py = local_xy(np.asarray(list(lon)), np.asarray(list(lat)), *self._origin)
        seg = np.full(px.size, -1, dtype=np.int64)
        b = np.full(px.size, -1, dtype=np.int64)
        for i in range(0, px.size, 2000):  # fixes × bins stays under ~4 M distances
            d2 = (px[i : i + 2000, None] - self._x) ** 2 + (py[i : i + 2000, None] - self._y) ** 2
            near = np.argmin(d2, axis=1)
            ok = d2[np.arange(near.size), near] <= MATCH_M**2
            seg[i : i + 2000] = np.where(ok, self._seg[near], -1)
            b[i : i + 2000] = np.where(ok, self._bin[near], -1)
        return seg, b


@functools.cache
def matcher() -> Matcher:
    """The matcher over the shipped segments, built once."""
    return Matcher(segments())


@functools.cache
def segment_matcher(seg_id: str) -> Matcher:
    """A matcher over one segment's bins: a day's fixes near it are matched against its ~40
    bins, not the district's ~900 (a day of 5-s fixes near a segment is thousands)."""
    return Matcher([by_id()[seg_id]])


def bin_points(s: Segment) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Points every ``BIN_M`` along the segment (both ends included): one per bin."""
    d = np.concatenate(
        [[0.0], np.cumsum(haversine_m(s.lon[:-1], s.lat[:-1], s.lon[1:], s.lat[1:]))]
    )
    n = max(2, int(round(d[-1] / BIN_M)) + 1)
    at = np.linspace(0.0, d[-1], n)
    return np.interp(at, d, s.lon), np.interp(at, d, s.lat)


def china_day(t: float) -> str:
    """The China-time date of epoch ``t`` as ``YYYY-MM-DD`` (a coverage day)."""
    return datetime.fromtimestamp(t, CST).date().isoformat()


def mark(mask: int, visited: Iterable[int]) -> int:
    """``mask`` (bit i: bin i was passed) with the bins of ``visited`` set."""
    for b in visited:
        mask |= 1 << int(b)
    return mask


def coverage_of(mask: int, bins: int) -> float:
    """The share of a segment's ``bins`` set in ``mask``."""
    return mask.bit_count() / bins if bins else 0.0


def segment_doc(
    s: Segment,
    day: str,
    coverage: float,
    last_t: float | None,
    last_unit: str | None,
    days: Mapping[str, float],
    since: str,
    mask: int = 0,
) -> dict[str, Any]:
    """The record of a segment's patrol state (type ``river_segment``): what the console shows
    and what the KPI reads. ``days`` holds each recent day's coverage (``HISTORY_DAYS``);
    ``since`` is the first day the centre tracked the segment (no day before it is due);
    ``mask`` the bins passed on ``day`` (hex: the next fold adds to it)."""
    keep = sorted(days)[-HISTORY_DAYS:]
    return {
        "type": RECORD_TYPE,
        "id": s.id,
        "river": s.river,
        "name_zh": s.name_zh,
        "street": s.street,
        "length_m": round(s.length_m),
        "chiefs": [{"level": lv, "name": name} for lv, name in s.chiefs],
        "day": day,
        "coverage": round(coverage, 3),
        "last_patrol_t": last_t,
        "last_patrol_unit": last_unit,
        "days": {d: round(float(days[d]), 3) for d in keep},
        "since": since,
        "bins": format(mask, "x"),
    }


def patrolled_on(doc: Mapping[str, Any], day: str) -> bool:
    """Whether the segment of record ``doc`` was patrolled on ``day`` (``PATROLLED_SHARE``)."""
    return float((doc.get("days") or {}).get(day, 0.0)) >= PATROLLED_SHARE


def patrol_state(doc: Mapping[str, Any], now: float) -> str:
    """The segment's state at ``now`` for the map: ``done`` (today's patrol covered it),
    ``partial`` (a patrol is under way today), ``due`` (not yet today, patrolled yesterday),
    ``overdue`` (not patrolled within its required interval)."""
    today = china_day(now)
    if patrolled_on(doc, today):
        return "done"
    if float((doc.get("days") or {}).get(today, 0.0)) > 0:
        return "partial"
    for k in range(1, REQUIRED_INTERVAL_DAYS + 1):
        if patrolled_on(doc, china_day(now - 86400.0 * k)):
            return "due"
    return "overdue"


@dataclass(frozen=True)
class CoverageRow:
    """One segment-day of the KPI's drill-down."""

    segment_id: str
    name_zh: str
    day: str
    coverage: float
    patrolled: bool


def coverage_kpi(
    docs: Iterable[Mapping[str, Any]], start: datetime, end: datetime, now: datetime
) -> tuple[float | None, list[CoverageRow]]:
    """河道巡查覆盖率 over [start, end): patrolled segment-days / due segment-days, and the
    due segment-days behind it (the drill-down). A day is due when it ended before ``end`` and
    ``now``, or when it was patrolled (finished early); never before the segment's record
    began (``since``: the centre did not track it then). None when nothing was due."""
    docs = sorted(docs, key=lambda x: str(x.get("id")))
    # No day after today is due (not ended, not patrolled), nor one before every segment's
    # record began: a window of centuries costs the days that can count, not 80,000 of them.
    d, last = days_of(start, end)
    last = min(last, now.astimezone(CST).date())
    sinces = [str(doc.get("since") or "") for doc in docs]
    if docs and all(sinces):
        # a malformed date in a record (a hostile log): every day is looked at
        with contextlib.suppress(ValueError):
            d = max(d, date.fromisoformat(min(sinces)))
    days = []
    while d <= last:
        days.append(d)
        d += timedelta(days=1)
    limit = min(end, now)
    rows = []
    for doc in docs:
        for day in days:
            key = day.isoformat()
            if key < str(doc.get("since") or ""):
                continue
            done = patrolled_on(doc, key)
            ended = _day_end(day) <= limit
            if done or ended:
                cov = float((doc.get("days") or {}).get(key, 0.0))
                rows.append(
                    CoverageRow(str(doc["id"]), str(doc.get("name_zh", "")), key, cov, done)
                )
    value = sum(r.patrolled for r in rows) / len(rows) if rows else None
    return value, rows


def kpi_body(
    docs: Iterable[Mapping[str, Any]], start: datetime, end: datetime, now: datetime
) -> dict[str, Any]:
    """``coverage_kpi`` as ``GET /api/v1/rivers/kpi`` answers it (and a replay computes it)."""
    value, rows = coverage_kpi(docs, start, end, now)
    return {
        "indicator": KPI_ID,
        "value": value,
        "numerator": sum(r.patrolled for r in rows),
        "denominator": len(rows),
        "rows": [
            {
                "segment_id": r.segment_id,
                "name_zh": r.name_zh,
                "day": r.day,
                "coverage": r.coverage,
                "patrolled": r.patrolled,
            }
            for r in rows
        ],
    }


def _day_end(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CST) + timedelta(days=1)


def sensors_on(s: Segment, sensors: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The sensors (wire docs with ``lon``/``lat``) within ``MATCH_M`` of the segment."""
    out = []
    blon, blat = bin_points(s)
    for x in sensors:
        d = haversine_m(blon, blat, float(x["lon"]), float(x["lat"]))
        if float(d.min()) <= MATCH_M:
            out.append(x)
    return out
