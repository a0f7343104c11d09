"""智慧河道's data and rules without a backend (docs/rules/rivers.md): the segments lie in and
along the district, fixes match the segment they are on, coverage and the KPI count what the
rules say, and the river sensor kinds breach on the right side of their thresholds."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
import shapely

from console.domain import rivers
from console.domain.china_time import CST
from console.domain.geometry import haversine_m
from console.domain.sensor_kinds import breach_description, breached
from console.geo.district import District


def test_segments_lie_in_or_along_the_district():
    district = District.load()
    segs = rivers.segments()
    assert {s.river for s in segs} >= {"中河", "东河", "贴沙河", "京杭大运河", "钱塘江"}
    assert len({s.id for s in segs}) == len(segs)
    for s in segs:
        inside = district.contains(s.lon, s.lat)
        off = shapely.distance(district.polygon, shapely.points(s.lon, s.lat)) * 111_000
        # Canals inside; the 钱塘江 shore is the boundary itself; 50 m of slack either way.
        assert np.all(inside | (off < 50)), (s.id, float(off.max()))
        length = float(haversine_m(s.lon[:-1], s.lat[:-1], s.lon[1:], s.lat[1:]).sum())
        assert abs(length - s.length_m) < 0.02 * s.length_m, (s.id, length, s.length_m)
        assert 1000 < s.length_m < 3000
        assert s.chief("district") and s.chief("street") and s.street


def test_a_fix_matches_the_segment_it_is_on_and_nothing_far_away():
    m = rivers.matcher()
    s = rivers.by_id()["ZH01"]
    k = m.segments.index(s)
    blon, blat = rivers.bin_points(s)
    seg, b = m.match(blon[5:8], blat[5:8])
    assert seg.tolist() == [k, k, k] and b.tolist() == [5, 6, 7]
    # 200 m east of the canal: on no segment.
    seg, b = m.match([float(blon[5]) + 0.002], [float(blat[5])])
    assert seg.tolist() == [-1] and b.tolist() == [-1]


def _doc(days: dict[str, float]) -> dict:
    s = rivers.by_id()["DH01"]
    return rivers.segment_doc(s, "2026-11-30", 0.0, None, None, days, "2026-11-01")


def test_patrol_state_follows_the_days():
    now = datetime(2026, 11, 30, 10, tzinfo=CST).timestamp()
    assert rivers.patrol_state(_doc({"2026-11-30": 0.85}), now) == "done"
    assert rivers.patrol_state(_doc({"2026-11-30": 0.3}), now) == "partial"
    assert rivers.patrol_state(_doc({"2026-11-29": 0.9}), now) == "due"
    assert rivers.patrol_state(_doc({"2026-11-28": 0.9, "2026-11-29": 0.5}), now) == "overdue"


def test_coverage_kpi_counts_ended_days_and_days_already_patrolled():
    docs = [
        {**_doc({"2026-11-28": 0.9, "2026-11-29": 0.2, "2026-11-30": 0.95}), "id": "A"},
        {**_doc({"2026-11-28": 0.1}), "id": "B"},
    ]
    start = datetime(2026, 11, 28, tzinfo=CST)
    end = datetime(2026, 12, 1, tzinfo=CST)
    now = datetime(2026, 11, 30, 12, tzinfo=CST)
    value, rows = rivers.coverage_kpi(docs, start, end, now)
    # Due: both segments on the 28th and 29th (ended), A on the 30th (already patrolled).
    assert [(r.segment_id, r.day, r.patrolled) for r in rows] == [
        ("A", "2026-11-28", True),
        ("A", "2026-11-29", False),
        ("A", "2026-11-30", True),
        ("B", "2026-11-28", False),
        ("B", "2026-11-29", False),
    ]
    assert value == pytest.approx(2 / 5)
    assert rivers.coverage_kpi([], start, end, now) == (None, [])
    # A segment tracked only since the 29th owes nothing for the 28th.
    value, rows = rivers.coverage_kpi([{**docs[1], "since": "2026-11-29"}], start, end, now)
    assert [(r.day, r.patrolled) for r in rows] == [("2026-11-29", False)] and value == 0


@pytest.mark.parametrize(
    "kind,normal,breach",
    [
        ("river_level", 49.9, 50.0),
        ("dissolved_oxygen", 2.0, 1.99),  # class V is ≥ 2 mg/L: 2.0 is no breach
        ("ammonia_nitrogen", 2.0, 2.01),  # class V is ≤ 2.0 mg/L: 2.0 is no breach
    ],
)
def test_river_sensor_kinds_breach_on_the_right_side(kind, normal, breach):
    assert not breached(kind, normal)
    assert breached(kind, breach)


def test_a_low_oxygen_case_says_under():
    text = breach_description("dissolved_oxygen", "RS01", "溶解氧监测01", 1.2)
    assert "低于阈值 2mg/L" in text


def test_simulated_patrols_stay_on_their_rivers_and_cover_them():
    """Three district hours of the demo's patrols (fixes every 30 s): a boat never leaves its
    canal (every fix on its beat's centre line, where the water is drawn), a patroller on foot
    stays within GPS error of it, and every segment is covered past the patrolled share."""
    from console.domain.geometry import distance_to_polyline_m
    from console.server.rivers import PATROLS, beat
    from console.sim.rivers import RiverPatrolSim

    units, lines = [], {}
    for vid, vtype, _name, segs in PATROLS:
        lon, lat = beat(segs)
        lines[vid] = (lon, lat)
        units.append(
            {"id": vid, "type": vtype, "route": {"lon": lon.tolist(), "lat": lat.tolist()}}
        )
    sim = RiverPatrolSim(units, seed=1, start_epoch=0.0)
    m = rivers.matcher()
    masks: dict[int, int] = {}
    for _ in range(360):
        f = sim.step(30.0)
        seg, b = m.match(f["lon"], f["lat"])
        assert (seg >= 0).all()
        for vid, lon, lat in zip(f["vehicle_id"], f["lon"], f["lat"], strict=True):
            off = float(distance_to_polyline_m(lon, lat, *lines[vid])[0])
            assert off < (1.0 if vid.startswith("RB") else 25.0), (vid, off)
        for k, bin_ in zip(seg.tolist(), b.tolist(), strict=True):
            masks[k] = rivers.mark(masks.get(k, 0), [bin_])
    cover = {m.segments[k].id: rivers.coverage_of(mask, m.bins[k]) for k, mask in masks.items()}
    assert set(cover) == {s.id for s in rivers.segments()}
    assert min(cover.values()) >= rivers.PATROLLED_SHARE, cover
