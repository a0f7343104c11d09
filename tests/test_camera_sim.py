"""视频巡查 in the simulator, against a real backend over HTTP at 60x: the centre's desk files
the plan's video reports from the nearest camera, each case with the camera's picture of the
moment as its photo and the camera named in its intake note."""

from __future__ import annotations

from conftest import start_backend
from sqlalchemy import select

from console.clock import VirtualClock
from console.domain.cameras import SEES_WITHIN_M, distance_m
from console.server import records
from console.server.db import CaseRow, Media
from console.sim.district import SimConfig, run_headless


def test_video_reports_come_from_cameras_with_a_grab(tmp_path):
    backend = start_backend(f"sqlite:///{tmp_path / 'sim.db'}", speed=60.0)
    try:
        clock: VirtualClock = backend.settings.clock
        out = run_headless(
            backend.url, clock, hours=0.5, config=SimConfig(seed=5, cases_per_hour=240)
        )
        with backend.ctx.db.read() as s:
            docs = [r.doc for r in s.scalars(select(CaseRow)) if r.doc["source"] == "video"]
            cams = {c["id"]: c for c in records.live_docs(s, "camera")}
            grabs = {
                d["id"]: s.get(Media, d["photos"][0].rsplit("/", 1)[-1])
                for d in docs
                if d["photos"]
            }
    finally:
        backend.stop()
    assert out["by_source"].get("video", 0) >= 3, out
    assert not [k for k in out["http_errors"] if k.startswith(("4", "5")) or k == "connection"], out
    from_camera = [d for d in docs if d["events"][0]["note"].startswith("视频巡查 CAM-")]
    assert len(from_camera) >= 3 and len(from_camera) >= 0.8 * len(docs), (len(docs), out)
    for d in from_camera:
        cam = cams[d["events"][0]["note"].split()[1]]
        loc = d["location"]
        assert distance_m(cam["lon"], cam["lat"], loc["lon"], loc["lat"]) <= SEES_WITHIN_M
        m = grabs[d["id"]]
        assert m is not None and m.data.startswith(b"\xff\xd8") and m.content_type == "image/jpeg"


def test_a_report_near_a_boundary_camera_stays_inside_the_district():
    """CAM-0001 and CAM-0091 stand near the boundary: a spot drawn within their sight can lie
    across it, where the backend (rightly) refuses a case. The simulator keeps to the inside."""
    from console.geo.cameras import demo_cameras
    from console.geo.grid import UnitGrid
    from console.sim.cameras import CameraSim
    from console.sim.plan import PlannedReport

    grid = UnitGrid.load()
    cams = {c["id"]: c for c in demo_cameras()}
    placed = []
    for cid in ("CAM-0001", "CAM-0091"):
        sim = CameraSim([cams[cid]], seed=5, inside=lambda lon, lat: grid.lookup(lon, lat) >= 0)
        for i in range(200):
            rep = PlannedReport(
                1.78e9 + 61.0 * i, "video", "video", "06012", cams[cid]["lon"],
                cams[cid]["lat"], "", False,
            )  # fmt: skip
            moved, cam = sim.relocate(rep)
            assert cam is not None and cam["id"] == cid
            assert distance_m(cam["lon"], cam["lat"], moved.lon, moved.lat) <= SEES_WITHIN_M
            placed.append((moved.lon, moved.lat))
    lon, lat = (list(v) for v in zip(*placed, strict=True))
    assert (grid.lookup(lon, lat) >= 0).all()
