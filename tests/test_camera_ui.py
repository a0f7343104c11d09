"""The console's cameras (pytest-qt, offscreen): the map's camera layer is one item fed from
the state's camera records, shown only when zoomed in and clickable; the viewer shows the
backend's still of a camera and grabs it as a JPEG; an HTTP MJPEG stream from a loopback
server is read frame by frame (by ``console.sync.mjpeg`` and in the viewer); the 立案
dialog builds the body the backend takes."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest
from loopback_server import LoopbackServer
from starlette.applications import Starlette
from starlette.responses import StreamingResponse
from starlette.routing import Route
from test_api_cases import ok

from console.geo.crs import lonlat_to_mercator
from console.server import jpeg
from console.state import CityState
from console.sync import mjpeg
from tests.conftest import wait_until


@pytest.fixture(scope="module")
def backend(still_backend):
    return still_backend


@pytest.fixture(scope="module")
def state(login) -> CityState:
    api = login("demo-console")
    s = CityState()
    s.bootstrap(ok(api.get("/api/v1/snapshot")), ok(api.get("/api/v1/reference")))
    return s


def _frame(k: int) -> bytes:
    img = np.zeros((64, 96, 3), np.uint8)
    img[:, :, 0] = (k * 40) % 256
    img[20:40, 10 + k : 30 + k] = 255
    return jpeg.encode(img)


def _mjpeg_app(frames: int, with_length: bool):
    async def stream(_request):
        async def parts():
            for k in range(frames):
                data = _frame(k)
                head = b"--frame\r\nContent-Type: image/jpeg\r\n"
                if with_length:
                    head += b"Content-Length: %d\r\n" % len(data)
                # a status part some cameras interleave: skipped
                yield b"--frame\r\nContent-Type: text/plain\r\n\r\nok\r\n"
                yield head + b"\r\n" + data + b"\r\n"
                await asyncio.sleep(0.02)
            yield b"--frame--\r\n"

        return StreamingResponse(parts(), media_type="multipart/x-mixed-replace; boundary=frame")

    return Starlette(routes=[Route("/mjpeg", stream)])


@pytest.mark.parametrize("with_length", [True, False])
def test_mjpeg_frames_from_a_loopback_server(with_length):
    from PySide6.QtGui import QImage

    srv = LoopbackServer(_mjpeg_app(6, with_length), "mjpeg")
    srv.start()
    try:
        got = list(mjpeg.frames(f"{srv.base}/mjpeg", threading.Event()))
    finally:
        srv.stop()
    assert got == [_frame(k) for k in range(6)]
    img = QImage.fromData(got[3])
    assert (img.width(), img.height()) == (96, 64)


def test_mjpeg_refuses_what_is_no_stream():
    with pytest.raises(mjpeg.MjpegError):
        mjpeg.boundary_of("image/jpeg")
    with pytest.raises(mjpeg.MjpegError):
        mjpeg.boundary_of("multipart/x-mixed-replace")
    assert mjpeg.boundary_of('multipart/x-mixed-replace; boundary="--myb"') == b"myb"
    split = mjpeg.Splitter(b"b")
    with pytest.raises(mjpeg.MjpegError):
        split.feed(b"--b\r\nContent-Length: 999999999\r\n\r\n")


def test_camera_layer_is_one_item_shown_when_zoomed_in(ui, qtbot, state):
    from widgets.map.camera_layer import CameraLayer
    from widgets.map.markers import Markers
    from widgets.map.wall import MapWall

    wall = MapWall(state, lambda: 0.0)
    qtbot.addWidget(wall)
    wall.resize(1000, 700)
    wall.show()
    before = len(wall.plot.getPlotItem().items)
    layer = CameraLayer(wall)
    items = wall.plot.getPlotItem().items
    assert len(items) == before + 1 and isinstance(items[-1], Markers)
    cams = state.records_of("camera")
    assert len(layer.item.data) == len(cams) > 50
    wall.update_all()
    wall.fit_district()
    assert not layer.item.isVisible()  # the district: ~20 km across
    cam = cams["CAM-0010"]
    x, y = lonlat_to_mercator(cam["lon"], cam["lat"])
    wall.centre_on(float(x), float(y), width_m=2000)
    assert layer.item.isVisible()
    assert layer.hit(float(x), float(y)) == "CAM-0010"
    with qtbot.waitSignal(layer.camera_clicked, timeout=1000) as sig:
        layer._clicked(_Click(wall, float(x), float(y)))
    assert sig.args == ["CAM-0010"]
    layer.set_enabled(False)
    assert not layer.item.isVisible() and layer.hit(float(x), float(y)) is None


class _Click:
    """A left click at a view point, as the scene's sigMouseClicked gives it."""

    def __init__(self, wall, x: float, y: float):
        from PySide6.QtCore import QPointF

        self._pos = wall.view.mapViewToScene(QPointF(x, y))

    def button(self):
        from PySide6.QtCore import Qt

        return Qt.MouseButton.LeftButton

    def scenePos(self):
        return self._pos


def test_viewer_shows_the_still_and_grabs_it(ui, qtbot, state, login):
    from PySide6.QtGui import QImage

    from widgets.common.workers import Workers
    from widgets.panels.camera_view import CameraView

    api = login("demo-wall")
    workers = Workers()
    fetched: list[str] = []

    def fetch(cid: str) -> bytes:
        fetched.append(cid)
        r = api.get(f"/api/v1/cameras/{cid}/still")
        assert r.status_code == 200
        return r.content

    view = CameraView(state, fetch, workers)
    qtbot.addWidget(view)
    try:
        view.resize(560, 420)
        view.show()
        assert view.show_camera("CAM-0007")
        assert not view.show_camera("CAM-9999")
        wait_until(lambda: (qtbot.wait(20), view.frames)[1] >= 1, timeout=10)
        assert fetched == ["CAM-0007"]
        assert (view.image.width(), view.image.height()) == (512, 288)
        assert "CAM-0007" in view.title.text()
        grab = view.grab_jpeg()
        assert grab.startswith(b"\xff\xd8") and QImage.fromData(grab).width() == 512
        with qtbot.waitSignal(view.file_requested, timeout=1000) as sig:
            view.file_btn.click()
        assert sig.args[0]["id"] == "CAM-0007" and sig.args[1] == grab
        # 视频巡查: the next camera of the playlist
        view.next_camera()
        assert view.camera["id"] == view.playlist[(view.playlist.index("CAM-0007") + 1)]
    finally:
        view.close()
        workers.shutdown()


def test_viewer_plays_an_mjpeg_stream(ui, qtbot, state):
    from widgets.panels.camera_view import CameraView

    srv = LoopbackServer(_mjpeg_app(40, True), "mjpeg")
    srv.start()
    cams = state.records_of("camera")
    doc = {**cams["CAM-0001"], "stream_url": f"{srv.base}/mjpeg"}
    state.records["camera"]["CAM-0001"] = doc
    view = CameraView(state, None, None)
    qtbot.addWidget(view)
    try:
        view.show_camera("CAM-0001")
        qtbot.waitUntil(lambda: view.frames >= 5, timeout=10_000)
        assert (view.image.width(), view.image.height()) == (96, 64)
    finally:
        view.close()
        srv.stop()
        state.records["camera"]["CAM-0001"] = cams["CAM-0001"]


def test_case_dialog_body(ui, qtbot, state):
    from widgets.dialogs.camera_case import CameraCaseDialog

    cam = dict(state.records_of("camera")["CAM-0003"])
    dlg = CameraCaseDialog(state.reference, cam, _frame(1))
    qtbot.addWidget(dlg)
    assert dlg.body() is None and dlg.error.text()  # no category yet
    dlg.category.select("06010")
    dlg.description.setPlainText("占道经营")
    assert dlg.body() == {"category_code": "06010", "urgency": "normal", "description": "占道经营"}
    dlg.set_location(cam["lon"] + 0.001, cam["lat"])
    with qtbot.waitSignal(dlg.submitted, timeout=1000) as sig:
        dlg.submit()
    assert sig.args[0] == "CAM-0003" and sig.args[2]["location"]["lon"] == cam["lon"] + 0.001


def test_wall_cameras_scene_shows_stills_of_watched_cameras(ui, qtbot, state, login):
    from widgets.app.wall_app import wall_context
    from widgets.common.workers import Workers
    from widgets.wall.scenes import CAMERA_TILES, CamerasScene

    api = login("demo-wall")
    # an open case next to one camera: that camera is watched first
    cam = state.records_of("camera")["CAM-0020"]
    case = login("demo-operator").report(lon=cam["lon"] + 0.0005, lat=cam["lat"])
    state.bootstrap(ok(api.get("/api/v1/snapshot")))
    assert case["id"] in state.cases
    workers = Workers()
    ctx = wall_context(state, lambda: 0.0, workers, lambda path, **p: ok(api.get(path)), 720)
    ctx.fetch_bytes = lambda path: api.get(path).content
    scene = CamerasScene(ctx)
    qtbot.addWidget(scene)
    try:
        scene.resize(1280, 720)
        scene.show()
        scene.refresh()
        assert scene.shown[0] == "CAM-0020" and len(scene.shown) == CAMERA_TILES
        qtbot.waitUntil(
            lambda: all(not p.pixmap().isNull() for p, _c in scene.tiles), timeout=20_000
        )
        assert scene.tiles[0][1].text().startswith("CAM-0020")
    finally:
        scene.close()
        workers.shutdown()


def test_viewer_in_a_replay_says_there_is_no_video(ui, qtbot, state):
    from widgets.panels.camera_view import CameraView

    view = CameraView(state, None, None)  # a replay: no backend to fetch a still from
    qtbot.addWidget(view)
    assert view.show_camera("CAM-0002") and view.picture.text() == "回放：无视频"
    assert view.grab_jpeg() == b"" and not view._refresh.isActive()
