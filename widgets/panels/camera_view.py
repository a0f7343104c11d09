"""The camera viewer (视频巡查): one camera's picture, refreshed, with its name, kind and
owner; 立案 files a case from what it shows (the window opens the dialog with the frame grab);
巡查 cycles through the cameras of a street every ``PATROL_DWELL_S`` seconds.

What plays depends on the camera's stream: an HTTP MJPEG stream is read by
``console.sync.mjpeg`` on a thread of its own and each frame decoded by Qt's image reader;
an RTSP or HLS stream plays through QtMultimedia when this Qt has it (PySide6-Addons; the
Essentials wheel has none); a camera without a stream, and every demo camera, shows the
backend's still (``GET /api/v1/cameras/{id}/still``), fetched every ``REFRESH_S`` seconds
on the console's workers. Whatever shows, its current frame is the grab.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import qtawesome as qta
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from console.domain.cameras import (
    CAMERA_KINDS,
    CAMERA_OWNERS,
    PATROL_DWELL_S,
    REFRESH_S,
    patrol_order,
)
from console.sync import mjpeg
from widgets.common.style import theme

RECORD_TYPE = "camera"
#: ``fetch_still(camera_id)`` → JPEG bytes (blocking: run on the workers).
FetchStill = Callable[[str], bytes]


def multimedia_available() -> bool:
    """Whether QtMultimedia can be imported (PySide6-Addons installed)."""
    try:
        from PySide6 import QtMultimedia  # noqa: F401
    except ImportError:
        return False
    return True


def stream_kind(url: str) -> str:
    """How a stream URL is played: "" (none: stills), "mjpeg" (HTTP, read here) or "media"
    (RTSP, HLS playlists: QtMultimedia)."""
    u = url.strip().lower()
    if not u:
        return ""
    if u.startswith(("rtsp://", "rtsps://")) or ".m3u8" in u:
        return "media"
    return "mjpeg"


class MjpegReader(QObject):
    """An HTTP MJPEG stream read on a daemon thread; each frame arrives on the GUI thread as
    ``frame(bytes)`` (a queued signal), a failure as ``failed(str)``."""

    frame = Signal(bytes)
    failed = Signal(str)

    def __init__(self, url: str, parent: QObject | None = None):
        super().__init__(parent)
        self.url = url
        self.stop_event = threading.Event()
        self.worker = threading.Thread(target=self._run, name="mjpeg", daemon=True)

    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        self.stop_event.set()

    def _run(self) -> None:
        try:
            for jpg in mjpeg.frames(self.url, self.stop_event):
                if self.stop_event.is_set():
                    return
                self.frame.emit(jpg)
        except Exception as e:  # network, framing: said in the viewer, not raised in a thread
            if not self.stop_event.is_set():
                self.failed.emit(str(e)[:200])


class CameraView(QWidget):
    #: The operator asked to file a case from this camera: (camera doc, grab as JPEG bytes).
    file_requested = Signal(dict, bytes)

    def __init__(
        self,
        state,
        fetch_still: FetchStill | None = None,
        workers=None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.state, self.fetch_still, self.workers = state, fetch_still, workers
        self.camera: dict[str, Any] | None = None
        self.image = QImage()  # the frame shown (what a grab takes)
        self.frames = 0  # frames shown since the camera was opened
        self._asking = False
        self._reader: MjpegReader | None = None
        self._player: Any = None
        self._video_widget: QWidget | None = None
        t = theme()
        self.title = QLabel()
        self.title.setObjectName("title")
        self.title.setWordWrap(True)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(320, 180)
        self.picture.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.picture.setStyleSheet("background: #000;")
        self.status = QLabel()
        self.status.setObjectName("dim")
        self.file_btn = QPushButton(qta.icon("mdi6.file-document-edit", color=t["text"]), "")
        self.file_btn.clicked.connect(self.request_case)
        self.patrol_btn = QPushButton(qta.icon("mdi6.cctv", color=t["text"]), "")
        self.patrol_btn.setCheckable(True)
        self.patrol_btn.toggled.connect(self.set_patrol)
        self.next_btn = QPushButton(qta.icon("mdi6.skip-next", color=t["text"]), "")
        self.next_btn.clicked.connect(self.next_camera)
        self.scope = QComboBox()  # the patrol's street (or every camera)
        self.scope.currentIndexChanged.connect(lambda _i: self._fill_playlist())
        buttons = QHBoxLayout()
        buttons.addWidget(self.file_btn)
        buttons.addWidget(self.patrol_btn)
        buttons.addWidget(self.scope, 1)
        buttons.addWidget(self.next_btn)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.picture, 1)
        lay.addWidget(self.status)
        lay.addLayout(buttons)
        self.playlist: list[str] = []
        self._refresh = QTimer(self, interval=int(REFRESH_S * 1000))
        self._refresh.timeout.connect(self._ask_still)
        self._patrol = QTimer(self, interval=int(PATROL_DWELL_S * 1000))
        self._patrol.timeout.connect(self.next_camera)
        self.retranslate()
        self._show_camera_info()

    # ---- texts ---------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.file_btn.setText(self.tr("视频立案"))
        self.file_btn.setToolTip(self.tr("以当前画面为证据，从该摄像头上报案件"))
        self.patrol_btn.setText(self.tr("视频巡查"))
        self.patrol_btn.setToolTip(
            self.tr("按街道轮巡摄像头，每 %1 秒切换").replace("%1", f"{PATROL_DWELL_S:g}")
        )
        self.next_btn.setToolTip(self.tr("下一个摄像头"))
        self._fill_scopes()
        self._show_camera_info()

    def _fill_scopes(self) -> None:
        current = self.scope.currentData()
        self.scope.blockSignals(True)
        self.scope.clear()
        self.scope.addItem(self.tr("全部街道"), "")
        for st in self.state.reference.get("streets") or []:
            self.scope.addItem(st["name"], st["code"])
        i = self.scope.findData(current)
        self.scope.setCurrentIndex(max(i, 0))
        self.scope.blockSignals(False)

    def _show_camera_info(self) -> None:
        c = self.camera
        if c is None:
            self.title.setText(self.tr("摄像头：在地图上放大后点击摄像头图标"))
            self.status.setText("")
            self.file_btn.setEnabled(False)
            return
        kinds = {"dome": self.tr("球机"), "bullet": self.tr("枪机")}
        owners = {
            "chengguan": self.tr("区城管局"),
            "xueliang": self.tr("公安雪亮工程"),
            "traffic": self.tr("交警"),
        }
        kind = kinds.get(c.get("kind", ""), CAMERA_KINDS.get(c.get("kind", ""), ""))
        owner = owners.get(c.get("owner", ""), CAMERA_OWNERS.get(c.get("owner", ""), ""))
        self.title.setText(f"{c['id']}  {c['name']}\n{kind} · {owner}")
        self.file_btn.setEnabled(True)

    # ---- which camera --------------------------------------------------------------------
    def cameras(self) -> dict[str, Mapping[str, Any]]:
        return dict(self.state.records_of(RECORD_TYPE))

    def show_camera(self, camera_id: str) -> bool:
        """Open a camera of the state's records; False if there is no such camera."""
        doc = self.cameras().get(camera_id)
        if doc is None:
            return False
        self._stop_stream()
        self.camera = dict(doc)
        self.image = QImage()
        self.frames = 0
        self.picture.setPixmap(QPixmap())
        self.picture.setText(self.tr("正在连接…"))
        self._show_camera_info()
        kind = stream_kind(self.camera.get("stream_url", ""))
        if kind == "mjpeg":
            self._reader = MjpegReader(self.camera["stream_url"], self)
            self._reader.frame.connect(self.show_jpeg)
            self._reader.failed.connect(self._stream_failed)
            self._reader.start()
            self.status.setText(self.tr("实时视频 (MJPEG)"))
        elif kind == "media" and multimedia_available():
            self._play_media(self.camera["stream_url"])
        elif self.fetch_still is None:  # a replay: the log holds the camera, not its pictures
            self.picture.setText(self.tr("回放：无视频"))
            self.status.setText("")
        else:
            self.status.setText(self.tr("快照，每 %1 秒刷新").replace("%1", f"{REFRESH_S:g}"))
            self._refresh.start()
            self._ask_still()
        return True

    def _play_media(self, url: str) -> None:
        """RTSP/HLS through QtMultimedia: a video sink whose frames become ``self.image``
        (shown in the same screen, grabbed the same way)."""
        from PySide6.QtCore import QUrl
        from PySide6.QtMultimedia import QMediaPlayer, QVideoSink

        self._player = QMediaPlayer(self)
        sink = QVideoSink(self)
        sink.videoFrameChanged.connect(lambda f: self.show_image(f.toImage()))
        self._player.setVideoSink(sink)
        self._player.errorOccurred.connect(lambda _e, s: self._stream_failed(s))
        self._player.setSource(QUrl(url))
        self._player.play()
        self.status.setText(self.tr("实时视频"))

    def _stop_stream(self) -> None:
        self._refresh.stop()
        if self._reader is not None:
            self._reader.stop()
            self._reader.frame.disconnect()
            self._reader = None
        if self._player is not None:
            self._player.stop()
            self._player.deleteLater()
            self._player = None

    def _stream_failed(self, why: str) -> None:
        """A stream that fails falls back to the still (the backend's picture of the place)."""
        self.status.setText(self.tr("视频流中断：%1，改为快照").replace("%1", why))
        if self._reader is not None:
            self._reader.stop()
            self._reader = None
        self._refresh.start()
        self._ask_still()

    def _ask_still(self) -> None:
        if self.camera is None or self.fetch_still is None or self.workers is None:
            return
        if self._asking:  # the last one is still on its way: no pile-up on a slow link
            return
        self._asking = True
        cid, fetch = self.camera["id"], self.fetch_still

        def done(data: bytes) -> None:
            self._asking = False
            if self.camera is not None and self.camera["id"] == cid:
                self.show_jpeg(data)

        def failed(e: BaseException) -> None:
            self._asking = False
            self.status.setText(self.tr("快照获取失败：%1").replace("%1", str(e)[:120]))

        self.workers.submit(lambda: fetch(cid), done, owner=self, on_error=failed)

    # ---- pictures ------------------------------------------------------------------------
    def show_jpeg(self, data: bytes) -> None:
        img = QImage.fromData(data)
        if not img.isNull():
            self.show_image(img)

    def show_image(self, img: QImage) -> None:
        """Show a frame with the camera's name over it (the still's own OSD has no Chinese)."""
        if img.isNull():
            return
        self.image = img
        self.frames += 1
        pm = QPixmap.fromImage(img)
        if self.camera is not None:
            p = QPainter(pm)
            f = QFont(p.font())
            f.setPixelSize(max(14, pm.height() // 16))
            p.setFont(f)
            y = pm.height() - max(14, pm.height() // 16) - 8
            p.setPen(QColor("#000000"))
            p.drawText(11, y + 1 + f.pixelSize(), self.camera["name"])
            p.setPen(QColor("#ffffff"))
            p.drawText(10, y + f.pixelSize(), self.camera["name"])
            p.end()
        self.picture.setPixmap(
            pm.scaled(
                self.picture.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def grab_jpeg(self) -> bytes:
        """The frame shown, as JPEG (the case's evidence); b"" when nothing shows yet."""
        if self.image.isNull():
            return b""
        ba = QByteArray()
        buf = QBuffer(ba)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        self.image.save(buf, "JPEG", 85)  # type: ignore[call-overload]  # (the stubs say bytes; PySide takes str)
        buf.close()
        return bytes(ba.data())

    def request_case(self) -> None:
        if self.camera is None:
            return
        grab = self.grab_jpeg()
        if not grab:
            self.status.setText(self.tr("画面尚未加载，无法截图"))
            return
        self.file_requested.emit(dict(self.camera), grab)

    # ---- 视频巡查 ------------------------------------------------------------------------
    def _fill_playlist(self) -> None:
        self.playlist = patrol_order(
            [
                {"id": k, "grid_code": str(v.get("grid_code") or "")}
                for k, v in self.cameras().items()
            ],
            str(self.scope.currentData() or ""),
        )

    def set_patrol(self, on: bool) -> None:
        """Cycle through the scope's cameras (from the one shown) every ``PATROL_DWELL_S``."""
        if on:
            self._fill_playlist()
            if self.camera is None or self.camera["id"] not in self.playlist:
                self.next_camera()
            self._patrol.start()
        else:
            self._patrol.stop()

    def next_camera(self) -> None:
        if not self.playlist:
            self._fill_playlist()
        if not self.playlist:
            return
        cur = self.camera["id"] if self.camera is not None else None
        i = self.playlist.index(cur) + 1 if cur in self.playlist else 0
        self.show_camera(self.playlist[i % len(self.playlist)])

    def closeEvent(self, ev) -> None:
        self._stop_stream()
        self._patrol.stop()
        super().closeEvent(ev)
