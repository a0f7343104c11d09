"""Sanitation work-quality rules driven by hand-made fixes."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from console.domain.alert_rules import (
    CaseAlert,
    FloodRule,
    case_alert,
    next_level,
    sensor_alert,
    severity,
    supervise_recheck,
)
from console.domain.vehicle_rules import FleetRules, coverage

LON0, LAT0 = 120.20, 30.28
ROUTE_LON = np.array([LON0, LON0 + 0.1])  # ~9.6 km east-west
ROUTE_LAT = np.array([LAT0, LAT0])


def drive(rules, vid, t0, seconds, speed, flags=1, lat_offset_m=0.0, step=5.0):
    """Fixes every ``step`` s along the route; returns all signals."""
    t = np.arange(t0, t0 + seconds, step)
    lon = LON0 + (t - t0) * speed / 3.6 / 96_000
    lat = np.full(len(t), LAT0 + lat_offset_m / 111_195)
    return rules.ingest(
        np.array([vid] * len(t)),
        t,
        lon,
        lat,
        np.full(len(t), speed),
        np.zeros(len(t)),
        np.full(len(t), flags),
    )


def kinds(signals):
    return [(s.kind, s.action) for s in signals]


def rules_for(vtype="sprinkler"):
    r = FleetRules()
    r.set_vehicle("V1", vtype, ROUTE_LON, ROUTE_LAT)
    return r


def test_sustained_work_overspeed_raises_once_then_clears():
    r = rules_for()
    sig = drive(r, "V1", 0, 360, 20.0)  # 20 km/h while working for 6 min
    assert kinds(sig) == [("overspeed", "raise")]
    assert sig[0].at == 300.0 and sig[0].detail["limit_kmh"] == 15.0
    assert kinds(drive(r, "V1", 360, 60, 10.0)) == [("overspeed", "clear")]


def test_fast_but_not_working_or_short_bursts_are_fine():
    r = rules_for()
    assert drive(r, "V1", 0, 600, 20.0, flags=0) == []
    assert drive(r, "V1", 600, 200, 20.0) == []  # 3.3 min: below the 5 min sustain
    assert rules_for("sweeper").ingest(["V1"], [0.0], [LON0], [LAT0], [9.0], [0.0], [1]) == []


def test_long_stop_in_shift():
    r = rules_for()
    sig = drive(r, "V1", 0, 25 * 60, 0.0)
    assert kinds(sig) == [("long_stop", "raise")]
    assert kinds(drive(r, "V1", 25 * 60, 30, 10.0)) == [("long_stop", "clear")]
    r2 = FleetRules()
    r2.set_vehicle("V1", "garbage", shift=(10_000.0, 20_000.0))
    assert drive(r2, "V1", 0, 25 * 60, 0.0) == []  # outside the shift


def test_offline_at_tick_and_back_online():
    r = rules_for()
    drive(r, "V1", 0, 10, 10.0)
    assert r.tick(5 + 24 * 60) == []
    assert kinds(r.tick(5 + 26 * 60)) == [("offline", "raise")]
    assert r.tick(5 + 27 * 60) == []  # raised once
    assert kinds(drive(r, "V1", 2000, 5, 10.0)) == [("offline", "clear")]


def test_route_deviation():
    r = rules_for()
    assert drive(r, "V1", 0, 60, 10.0, lat_offset_m=50) == []
    sig = drive(r, "V1", 60, 180, 10.0, lat_offset_m=300)
    assert kinds(sig) == [("deviation", "raise")] and sig[0].detail["distance_m"] > 250
    assert kinds(drive(r, "V1", 240, 10, 10.0)) == [("deviation", "clear")]


def test_unknown_vehicles_are_ignored_and_batches_vectorise():
    r = rules_for()
    assert r.ingest(["nope"], [0.0], [LON0], [LAT0], [99.0], [0.0], [1]) == []
    for i in range(40):
        r.set_vehicle(f"W{i}", "sweeper", ROUTE_LON, ROUTE_LAT)
    n = 40 * 100
    ids = np.array([f"W{i % 40}" for i in range(n)])
    t = np.repeat(np.arange(100) * 5.0, 40)
    sig = r.ingest(
        ids,
        t,
        np.full(n, LON0),
        np.full(n, LAT0),
        np.full(n, 12.0),
        np.zeros(n),
        np.ones(n, dtype=int),
    )
    assert sorted(s.vehicle_id for s in sig) == sorted(
        f"W{i}" for i in range(40)
    )  # every sweeper over 8 km/h


def test_coverage():
    track_lon = np.linspace(LON0, LON0 + 0.05, 2000)  # the western half of the route
    frac, done = coverage(
        ROUTE_LON, ROUTE_LAT, track_lon, np.full(2000, LAT0), np.ones(2000, dtype=bool)
    )
    assert 0.45 < frac < 0.55 and done.tolist() == [False]
    frac, _ = coverage(
        ROUTE_LON, ROUTE_LAT, track_lon, np.full(2000, LAT0), np.zeros(2000, dtype=bool)
    )
    assert frac == 0.0


def test_case_and_sensor_alert_rules():
    disp = {"state": "dispatched", "stage": "dispose"}
    assert case_alert({**disp, "light": "yellow"}) == CaseAlert(
        "case_disposal", "yellow", "dispose"
    )
    assert case_alert({**disp, "light": "red"}) == CaseAlert("case_disposal", "red", "dispose")
    assert case_alert({**disp, "light": "green"}) is None
    assert case_alert({"state": "parked", "stage": None, "light": "red"}) is None
    # A field task or a centre desk raises nothing at yellow, and at red only a quieter kind.
    assert case_alert({"state": "checking", "stage": "check", "light": "yellow"}) is None
    assert case_alert({"state": "checking", "stage": "check", "light": "red"}).kind == "case_field"
    desk = case_alert({"state": "reported", "stage": "accept", "light": "red"})
    assert desk is not None and severity(desk.kind, desk.level) == "info"
    assert [severity("case_disposal", lv) for lv in ("yellow", "red", "supervise")] == [
        "warning",
        "critical",
        "critical",
    ]
    assert severity("case_red") == "critical"  # old logs' kinds keep their severity
    # 督办 stays while the case is red, and the light takes it down otherwise.
    assert next_level("supervise", "red") == "supervise"
    assert next_level("supervise", "yellow") == "yellow"
    # The look for 督办 is never later than the instant it could be due.
    assert supervise_recheck(1.0, 120) == timedelta(minutes=60)
    assert supervise_recheck(1.49999, 120) == timedelta(minutes=1)
    assert supervise_recheck(1.5, 120) is None
    assert not FloodRule().folds(4) and FloodRule().folds(5)
    assert (
        sensor_alert("manhole_tilt", 30) == "sensor_threshold"
        and sensor_alert("manhole_tilt", 2) is None
    )
    assert (
        sensor_alert("water_level", 25) == "sensor_threshold"
        and sensor_alert("humidity", 1e9) is None
    )
