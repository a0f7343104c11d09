"""Cameras over real HTTP (docs/rules/cameras.md): the district's cameras are records, each
has a still (a JPEG of bounded size, the same bytes within a district moment, 304 on its
ETag, 404 for an unknown camera), and 视频巡查 files a case from a camera that carries the
operator's frame grab and names the camera; the refusals are 4xx, never a 500.

The backend's district clock stands still (speed 1e-6) unless a test advances it.
"""

from __future__ import annotations

import uuid

import numpy as np
import pytest
from test_api_cases import ok

from console.domain.cameras import SEES_WITHIN_M, STILL_PERIOD_S, corner_of, nearest
from console.geo.cameras import demo_cameras
from console.server import jpeg


@pytest.fixture(scope="module")
def backend(still_backend):
    return still_backend


@pytest.fixture(scope="module")
def cams(login) -> list[dict]:
    return ok(login("demo-wall").get("/api/v1/cameras"))["cameras"]


def test_cameras_are_records_at_junctions_and_landmarks(login, cams):
    assert 50 <= len(cams) <= 300
    listed = ok(login("demo-wall").get("/api/v1/records", params={"type": "camera"}))["records"]
    assert {c["id"] for c in listed} == {c["id"] for c in cams}
    kinds = {c["kind"] for c in cams}
    assert kinds == {"dome", "bullet"}
    for c in cams:
        assert c["grid_code"].startswith(c["community_code"]) and c["live"] is True
        assert 0 <= c["direction"] < 360
    junction = next(c for c in cams if c["kind"] == "dome")
    assert "路口" in junction["name"] and junction["name"].endswith("角")
    # what the backend holds is the shipped list, not a list of its own
    assert {c["id"] for c in cams} <= {c["id"] for c in demo_cameras()}


def test_still_is_a_cached_jpeg_per_moment(login, cams, backend):
    wall = login("demo-wall")
    cid = cams[0]["id"]
    r = wall.get(f"/api/v1/cameras/{cid}/still")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/jpeg"
    assert r.content.startswith(b"\xff\xd8\xff") and r.content.endswith(b"\xff\xd9")
    assert 4_000 < len(r.content) < 100_000
    again = wall.get(f"/api/v1/cameras/{cid}/still")
    assert again.content == r.content and again.headers["etag"] == r.headers["etag"]
    same = wall.get(f"/api/v1/cameras/{cid}/still", headers={"If-None-Match": r.headers["etag"]})
    assert same.status_code == 304 and not same.content
    other = wall.get(f"/api/v1/cameras/{cams[1]['id']}/still")
    assert other.content != r.content
    backend.ctx.clock.advance(STILL_PERIOD_S)
    later = wall.get(f"/api/v1/cameras/{cid}/still", headers={"If-None-Match": r.headers["etag"]})
    assert later.status_code == 200 and later.headers["etag"] != r.headers["etag"]


def test_still_of_unknown_camera_is_404(login):
    wall = login("demo-wall")
    assert wall.get("/api/v1/cameras/CAM-9999/still").status_code == 404
    assert wall.get("/api/v1/cameras/" + "x" * 500 + "/still").status_code == 404
    assert wall.get("/api/v1/cameras/CAM-9999").status_code == 404


def test_still_needs_a_reader(backend):
    import requests

    assert requests.get(f"{backend.url}/api/v1/cameras", timeout=10).status_code == 401


def _grab(api, data: bytes | None = None) -> str:
    body = data if data is not None else jpeg.encode(np.full((32, 32, 3), 128, np.uint8))
    r = api.post("/api/v1/media", data=body, headers={"Content-Type": "image/jpeg"})
    return ok(r)["id"]


def test_video_patrol_case_carries_the_grab_and_the_camera(login, cams):
    op = login("demo-operator")
    cam = cams[3]
    grab = _grab(op, op.get(f"/api/v1/cameras/{cam['id']}/still").content)
    body = {"category_code": "06010", "grab": grab, "description": "占道堆物"}
    out = ok(op.post(f"/api/v1/cameras/{cam['id']}/cases", key=uuid.uuid4().hex, json=body))
    case = out["case"]
    assert out["camera_id"] == cam["id"] and out["grab"] == grab
    assert case["source"] == "video"
    assert case["photos"] == [f"/api/v1/media/{grab}"]
    assert case["location"] == {"lon": cam["lon"], "lat": cam["lat"]}
    assert case["grid_code"] == cam["grid_code"]
    stored = ok(op.get(f"/api/v1/cases/{case['id']}"))
    assert cam["id"] in stored["events"][0]["note"]
    photo = op.get(case["photos"][0])
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    # a point the operator clicked within sight is the case's location
    near = {"lon": cam["lon"] + 0.001, "lat": cam["lat"]}
    out = ok(
        op.post(
            f"/api/v1/cameras/{cam['id']}/cases",
            key=uuid.uuid4().hex,
            json={**body, "location": near},
        )
    )
    assert out["case"]["location"] == near


def test_video_patrol_case_is_idempotent(login, cams):
    op = login("demo-operator")
    key = uuid.uuid4().hex
    body = {"category_code": "06010", "grab": _grab(op)}
    a = ok(op.post(f"/api/v1/cameras/{cams[4]['id']}/cases", key=key, json=body))
    b = op.post(f"/api/v1/cameras/{cams[4]['id']}/cases", key=key, json=body)
    assert b.status_code == 200 and b.json()["case"]["id"] == a["case"]["id"]
    assert b.headers.get("Idempotent-Replayed") == "true"


@pytest.mark.parametrize(
    ("who", "path_id", "change", "status"),
    [
        ("demo-operator", "CAM-9999", {}, 404),
        ("demo-operator", None, {"grab": "0" * 32}, 422),
        ("demo-operator", None, {"grab": "not-a-media-id"}, 400),
        ("demo-operator", None, {"category_code": "99999"}, 400),
        ("demo-operator", None, {"location": {"lon": 0.5, "lat": 0.5}}, 422),
        ("demo-operator", None, {"description": "x" * 5000}, 400),
        ("demo-operator", None, {"camera": "CAM-0001"}, 400),
        ("demo-supervisor", None, {}, 403),  # 视频发现 is the centre's (SOURCE_ROLES)
        ("demo-wall", None, {}, 403),
    ],
)
def test_video_patrol_refusals(login, cams, who, path_id, change, status):
    op = login("demo-operator")
    body = {"category_code": "06010", "grab": _grab(op), **change}
    r = login(who).post(
        f"/api/v1/cameras/{path_id or cams[5]['id']}/cases", key=uuid.uuid4().hex, json=body
    )
    assert r.status_code == status, r.text


def test_a_grab_that_is_no_photo_is_refused(login, cams, backend):
    """A media row of opaque bytes (stored before photo checks existed) is no evidence."""
    from console.server.db import Media

    mid = uuid.uuid4().hex
    with backend.ctx.db.write() as s:
        s.add(Media(id=mid, content_type="image/jpeg", data=b"not a picture",
                    created_at=backend.ctx.wall_now(), uploaded_by="demo-operator"))  # fmt: skip
    r = login("demo-operator").post(
        f"/api/v1/cameras/{cams[5]['id']}/cases",
        key=uuid.uuid4().hex,
        json={"category_code": "06010", "grab": mid},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "grab_not_photo"


def test_rules():
    assert corner_of(225.0) == "东北"  # looking south-west from the north-east corner
    assert corner_of(45.0) == "西南"
    cams = [{"id": "A", "lon": 120.17, "lat": 30.25}, {"id": "B", "lon": 120.171, "lat": 30.25}]
    got = nearest(cams, 120.1709, 30.25)
    assert got is not None and got["id"] == "B"
    assert nearest(cams, 120.2, 30.25) is None  # ~2.9 km: no camera sees it
    assert SEES_WITHIN_M == 300.0


def test_jpeg_encoder_decodes_to_the_picture():
    """The encoder's output read back by Qt's decoder is the picture within JPEG's error."""
    from PySide6.QtGui import QImage

    yy, xx = np.mgrid[0:64, 0:96]
    img = np.stack([xx * 2, yy * 3, np.full_like(xx, 90)], -1).astype(np.uint8)
    img[16:48, 32:64] = (230, 30, 30)
    q = QImage.fromData(jpeg.encode(img, quality=90))
    assert (q.width(), q.height()) == (96, 64)
    c = q.pixelColor(48, 32)
    assert abs(c.red() - 230) < 12 and c.green() < 45 and c.blue() < 45
    c = q.pixelColor(8, 60)
    assert abs(c.red() - 16) < 10 and abs(c.green() - 180) < 10 and abs(c.blue() - 90) < 10
    with pytest.raises(ValueError):
        jpeg.encode(np.zeros((10, 16, 3), np.uint8))
