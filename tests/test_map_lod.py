"""The map wall's level of detail at city scale loses nothing that matters: every red case is
a marker at district view, the clusters' counts and the exact markers add up to the open
cases, simplified trails keep their ends and stay within a pixel of the full path, and the
tick-by-tick path draws what a full rebuild draws. No timings (``bench scale`` has them)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from console.domain.queues import NO_QUEUE
from console.domain.sla import RED
from console.geo.crs import lonlat_to_mercator
from widgets.map.lod import (
    EXACT_PER_BIN,
    LIGHTS_WORST_FIRST,
    TrailPieces,
    cluster_cases,
    simplify_polylines,
    trail_tolerance,
)

sys.path.insert(0, str(Path(__file__).resolve().parent / "benchmarks"))
from scale_city import build_city

SCREEN = (1920, 1080)


def _segment_distance(px, py, x, y) -> np.ndarray:
    """Distance of each point (px, py) to the nearest segment of the polyline (x, y)."""
    ax, ay, bx, by = x[:-1], y[:-1], x[1:], y[1:]
    if not len(ax):  # a single vertex
        return np.hypot(px - x[0], py - y[0])
    dx, dy = bx - ax, by - ay
    qx, qy = px[:, None] - ax, py[:, None] - ay
    l2 = np.where(dx * dx + dy * dy > 0, dx * dx + dy * dy, 1.0)
    t = np.clip((qx * dx + qy * dy) / l2, 0.0, 1.0)
    return np.hypot(qx - t * dx, qy - t * dy).min(axis=1)


# ---- the numpy pieces ------------------------------------------------------------------------
def test_simplified_polylines_keep_their_ends_and_stay_within_the_tolerance():
    rng = np.random.default_rng(7)
    lengths = [1, 2, 3, 50, 400, 17]
    x = np.concatenate([np.cumsum(rng.normal(0, 3, n)) + 1000 * k for k, n in enumerate(lengths)])
    y = np.concatenate([np.cumsum(rng.normal(0, 3, n)) for n in lengths])
    ends = np.cumsum(lengths) - 1
    starts = ends - np.array(lengths) + 1
    for tol in (0.5, 2.0, 10.0):
        keep = simplify_polylines(x, y, starts, ends, tol)
        assert keep[starts].all() and keep[ends].all()
        for s, e in zip(starts, ends, strict=True):
            k = keep[s : e + 1]
            d = _segment_distance(x[s : e + 1], y[s : e + 1], x[s : e + 1][k], y[s : e + 1][k])
            assert d.max() <= tol + 1e-9
        assert keep.sum() < len(x) / 2 if tol == 10.0 else True
    # A straight line is its two ends; a zigzag taller than the tolerance keeps its corners.
    line = np.arange(100.0)
    assert simplify_polylines(line, 2 * line, np.r_[0], np.r_[99], 0.1).sum() == 2
    zig = np.tile([0.0, 5.0], 10)
    kept = simplify_polylines(np.arange(20.0), zig, np.r_[0], np.r_[19], 1.0)
    assert kept.all()


def test_trails_hand_over_only_the_segments_that_meet_the_view():
    pieces = TrailPieces.empty()
    x = np.array([0.0, 10, 20, 30, 0, 5, 14, 16])
    y = np.array([0.0, 5, 0, 5, 50, 55, 2, 3])
    owner = np.array([0, 0, 0, 0, 1, 1, 2, 2])
    pieces.put(np.array([0, 1, 2]), np.arange(8.0), x, y, owner, tol=0.1)
    assert list(pieces.n) == [4, 2, 2]
    px, py, connect = pieces.polyline((12.0, -1.0, 18.0, 10.0))
    # vehicle 0's middle segment and vehicle 2's whole trail; vehicle 1 is elsewhere
    assert list(zip(px, py, connect, strict=True)) == [
        (10, 5, True), (20, 0, False), (14, 2, True), (16, 3, False)
    ]  # fmt: skip
    assert len(pieces.polyline(None)[0]) == 8


def test_trail_tolerance_is_under_a_pixel_and_over_half_of_one():
    for px in (0.013, 0.9, 1.0, 7.5, 19.3, 400.0):
        tol = trail_tolerance(px)
        assert px / 2 < tol <= px
    assert trail_tolerance(float("nan")) == 0.0


def test_a_cluster_ring_shows_every_light_it_holds():
    from widgets.map.markers import MIN_ARC_DEG, ring_spans

    spans = ring_spans(np.array([[1, 0, 599, 0], [0, 0, 0, 7], [150, 150, 150, 150]]))
    assert (spans.sum(axis=1) == 5760).all()
    assert spans[0, 0] >= MIN_ARC_DEG * 16 * 0.9 and spans[0, 1] == 0 and spans[0, 3] == 0
    assert list(spans[1]) == [0, 0, 0, 5760]
    assert list(spans[2]) == [1440] * 4


def test_clusters_count_every_case_once_and_say_their_lights():
    rng = np.random.default_rng(3)
    n = 5000
    x = rng.normal(0, 400, n)
    y = rng.normal(0, 300, n)
    light = rng.choice(np.array(LIGHTS_WORST_FIRST, dtype=np.int8), n, p=[0.1, 0.2, 0.6, 0.1])
    cell = 56.0
    c = cluster_cases(x, y, light, cell)
    assert len(c.count) > 10  # the dense middle clusters...
    assert (~c.clustered).sum() > 10  # ...and the sparse edge stays exact
    assert c.count.sum() + (~c.clustered).sum() == n
    assert set(np.flatnonzero(light == RED)) <= set(c.exact.tolist())
    assert set(np.flatnonzero(~c.clustered)) <= set(c.exact.tolist())
    assert (c.lights.sum(axis=1) == c.count).all() and (c.count > EXACT_PER_BIN).all()
    # Each cluster against its bin, counted directly.
    bins = {}
    for i in np.flatnonzero(c.clustered):
        bins.setdefault((int(np.floor(x[i] / cell)), int(np.floor(y[i] / cell))), []).append(i)
    assert len(bins) == len(c.count)
    for cx, cy, count, lights in zip(c.x, c.y, c.count, c.lights, strict=True):
        members = bins[(int(np.floor(cx / cell)), int(np.floor(cy / cell)))]
        assert len(members) == count
        assert np.isclose(cx, x[members].mean()) and np.isclose(cy, y[members].mean())
        assert list(lights) == [int((light[members] == v).sum()) for v in LIGHTS_WORST_FIRST]


# ---- the wall on a city ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def city():
    return build_city(vehicles=300, cases=8000, trail_minutes=20, seed=5)


def _wall(qtbot, scene):
    from widgets.map.wall import MapWall

    w = MapWall(scene.state(), lambda: scene.now)
    qtbot.addWidget(w)
    w.resize(*SCREEN)
    w.show()
    qtbot.waitExposed(w)
    w.update_all()
    w.fit_district()
    w._redraw()  # the view's level of detail, as the view timer would
    return w


def _open_cases(w):
    """View x/y and light of every open case with a position."""
    a = w.state.case_arrays()
    rows = np.flatnonzero(a["queue"] != NO_QUEUE)
    x, y = lonlat_to_mercator(a["lon"][rows], a["lat"][rows])
    return x, y, w.state.case_lights(w.now())[rows]


def _drawn_cases(w) -> np.ndarray:
    return np.r_[
        np.column_stack((w.cases_component.data["x"], w.cases_component.data["y"])),
        np.column_stack((w.cases_event.data["x"], w.cases_event.data["y"])),
    ]


def _as_set(xy: np.ndarray) -> set[tuple[float, float]]:
    return {(round(a, 3), round(b, 3)) for a, b in xy}


def test_district_view_shows_every_red_case_and_the_counts_add_up(ui, qtbot, city):
    w = _wall(qtbot, city)
    x, y, light = _open_cases(w)
    clusters = w.cluster_counts.data
    assert len(clusters) > 20, "at district view 8,000 cases must cluster"
    drawn = _drawn_cases(w)
    red = light == RED
    assert red.sum() > 100
    assert _as_set(np.column_stack((x[red], y[red]))) <= _as_set(drawn)
    # Clusters' counts plus the markers of cases in no cluster are the open cases, each once;
    # a red case in a cluster is counted there and drawn as a marker too.
    assert clusters["count"].sum() + len(drawn) - clusters["red"].sum() == len(x)
    assert len(_as_set(drawn)) == len(drawn)
    lights = clusters[["red", "yellow", "green", "none"]]
    assert (sum(lights[k] for k in lights.dtype.names) == clusters["count"]).all()
    assert (w.clusters.data["count"] == clusters["count"]).all()  # discs under, counts over
    w.grab().save("/tmp/wt_map_city_district.png")


def test_zoomed_in_every_case_is_its_own_marker(ui, qtbot, city):
    w = _wall(qtbot, city)
    x, y, _light = _open_cases(w)
    k = int(np.argmin(np.hypot(x - np.median(x), y - np.median(y))))
    w.centre_on(float(x[k]), float(y[k]), width_m=800)
    w._redraw()
    (x0, x1), (y0, y1) = w.view.viewRange()
    inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    assert inside.sum() >= 5
    assert len(w.cluster_counts.data) == 0
    assert _as_set(np.column_stack((x[inside], y[inside]))) <= _as_set(_drawn_cases(w))
    w.grab().save("/tmp/wt_map_city_street.png")


def _check_trails(w) -> tuple[int, int]:
    """Each vehicle's drawn trail ends at its latest fix, starts at its first fix in the
    window, and stays within a pixel of every fix between; returns (fixes, drawn points)."""
    from widgets.map.wall import TRAIL_MINUTES, TRAIL_STALE_S

    px = w.view.viewPixelSize()[0]
    last = w.state.vehicle_arrays()
    full_points = drawn_points = 0
    for r, vid in enumerate(w.state.vehicle_ids()):
        tr = w.state.trail(vid)
        dt, dx, dy = w._trails.row(r)
        tr = tr[tr[:, 0] >= dt[0]]
        assert tr[0, 0] >= w.now() - (TRAIL_MINUTES * 60 + TRAIL_STALE_S)
        fx, fy = lonlat_to_mercator(tr[:, 1], tr[:, 2])
        lx, ly = lonlat_to_mercator(last["lon"][r], last["lat"][r])
        assert np.allclose((dx[-1], dy[-1]), (lx, ly), rtol=0, atol=1e-6)  # its latest fix
        assert np.allclose((dx[0], dy[0]), (fx[0], fy[0]), rtol=0, atol=1e-6)
        assert _segment_distance(fx, fy, dx, dy).max() <= px * 1.001
        full_points += len(fx)
        drawn_points += len(dx)
    return full_points, drawn_points


def test_simplified_trails_keep_the_latest_fix_and_stay_within_a_pixel(ui, qtbot, city):
    from widgets.map.wall import TRAIL_MINUTES

    w = _wall(qtbot, city)
    full_points, drawn_points = _check_trails(w)
    assert full_points == sum(
        int((w.state.trail(v)[:, 0] >= w.now() - TRAIL_MINUTES * 60).sum())
        for v in w.state.vehicle_ids()
    )
    assert drawn_points < full_points / 4  # simplified indeed, at district view
    cx, _cy = w.trails.getData()
    assert len(cx) == drawn_points  # every trail is near the district view


def test_ticks_draw_what_a_full_rebuild_draws(ui, qtbot, city):
    w = _wall(qtbot, city)
    for step in range(1, 6):
        w.on_diff(w.state.apply(city.tick(w.state.log_seq, step, vehicle_share=0.1, cases=40)))
        w._redraw()
    fresh = _wall(qtbot, city)
    fresh.state = w.state
    fresh.update_all(rebuild_trails=True)
    fresh._redraw()
    assert _as_set(_drawn_cases(w)) == _as_set(_drawn_cases(fresh))
    for a, b in ((w.cluster_counts.data, fresh.cluster_counts.data),):
        assert sorted(a["count"].tolist()) == sorted(b["count"].tolist())
    np.testing.assert_array_equal(np.sort(w.vehicles.data["x"]), np.sort(fresh.vehicles.data["x"]))
    # Trails that grew were simplified again from their last-but-one vertex, not from their
    # start: other vertices than a full rebuild's, the same promises.
    full_points, drawn_points = _check_trails(w)
    assert drawn_points < full_points / 4
    assert len(w.trails.getData()[0]) == drawn_points


def test_a_cluster_says_what_it_holds_and_a_click_zooms_into_it(ui, qtbot, city):
    from widgets.map.wall import HIT_PX

    w = _wall(qtbot, city)
    c = w.cluster_counts.data
    px = w.view.viewPixelSize()[0]
    markers = np.r_[_drawn_cases(w), np.column_stack((w.vehicles.data["x"], w.vehicles.data["y"]))]
    clear = [
        k
        for k in range(len(c))
        if np.hypot(markers[:, 0] - c["x"][k], markers[:, 1] - c["y"][k]).min() > HIT_PX * px
    ]
    assert clear, "some cluster centre has no marker over it"
    k = clear[0]
    cx, cy = float(c["x"][k]), float(c["y"][k])
    h = w.hit(cx, cy)
    assert h == ("cluster", str(k))
    text = w.describe(*h)
    assert str(int(c["count"][k])) in text and f"超期 {int(c['red'][k])}" in text
    width = w._view_width()
    scene = w.view.mapViewToScene(QPointF(cx, cy))
    qtbot.mouseClick(w.plot.viewport(), Qt.LeftButton, pos=w.plot.mapFromScene(scene))
    assert np.isclose(w._view_width(), width / 4, rtol=0.05)
    # A red case in a cluster is its own marker: pointing at it names it, not its cluster.
    w.fit_district()
    w._redraw()
    a = w.state.case_arrays()
    rows = np.flatnonzero(a["queue"] != NO_QUEUE)
    x, y, light = _open_cases(w)
    near, lod = w.case_lod
    in_cluster_red = near[lod.clustered & (light[near] == RED)]
    assert len(in_cluster_red)
    i = int(in_cluster_red[0])
    assert w.hit(float(x[i]), float(y[i])) == ("case", w.state.case_ids()[rows[i]])


def test_a_seek_to_a_smaller_state_draws_only_its_trails(ui, qtbot, city):
    from console.state import Diff

    w = _wall(qtbot, city)
    small = build_city(vehicles=20, cases=100, trail_minutes=20, seed=9)
    w.state.replace_with(small.state())  # what a replay's seek does, then a reset
    w.on_diff(Diff(reset=True))
    x, y = w.trails.getData()
    assert len(x)
    trails = [w.state.trail(v) for v in w.state.vehicle_ids()]
    pts = np.concatenate(trails)
    fx, fy = lonlat_to_mercator(pts[:, 1], pts[:, 2])
    assert _as_set(np.column_stack((x, y))) <= _as_set(np.column_stack((fx, fy)))
    assert len(w.vehicles.data) == 20
