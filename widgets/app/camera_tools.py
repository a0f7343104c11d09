"""The window's cameras: the map's camera layer (and its switch under 视图 → 图层), the
camera viewer in a dock (shown when a camera is clicked), and 视频巡查 立案: the viewer's grab
in the dialog, the map's pick for a point, and the case sent on a worker
(``Session.video_patrol_case``). In a replay the layer and the viewer's names show what the
log holds; there is no backend to fetch a still from or file a case with."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction

from widgets.dialogs.camera_case import CameraCaseDialog
from widgets.map.camera_layer import CameraLayer
from widgets.panels.camera_view import CameraView


class CameraTools(QObject):
    def __init__(self, window, ctx):
        super().__init__(window)
        self.window, self.ctx = window, ctx
        session = ctx.session
        self.layer = CameraLayer(window.map)
        fetch = (
            (lambda cid: session.fetch_bytes(f"/api/v1/cameras/{cid}/still"))
            if session is not None
            else None
        )
        self.view = CameraView(ctx.state, fetch, ctx.workers)
        self.dock = window._dock("cameras", self.view, Qt.DockWidgetArea.RightDockWidgetArea)
        # a tab beside the case detail: a column of its own made the window taller than a
        # 1080p screen (the detail, the alerts and the picture's minimum heights together)
        window.tabifyDockWidget(window.docks["detail"], self.dock)
        self.dock.hide()
        window.menu_panels.addAction(self.dock.toggleViewAction())
        self.layer_action = QAction(window, checkable=True)
        self.layer_action.setChecked(True)
        self.layer_action.toggled.connect(self.layer.set_enabled)
        window.menu_layers.addAction(self.layer_action)
        self.layer.camera_clicked.connect(self.show_camera)
        self.view.file_requested.connect(self.file_case)
        self.dialog: CameraCaseDialog | None = None
        self.retranslate()

    def retranslate(self) -> None:
        self.dock.setWindowTitle(self.tr("视频监控"))
        self.layer_action.setText(self.tr("摄像头"))
        self.view.retranslate()

    def on_diff(self, diff) -> None:
        self.layer.on_diff(diff)

    def show_camera(self, camera_id: str) -> None:
        if self.view.show_camera(camera_id):
            self.dock.show()
            self.dock.raise_()

    def file_case(self, camera: dict, grab: bytes) -> CameraCaseDialog | None:
        """Open the 立案 dialog on the grab (the centre's desks only: 受理员, 值班长)."""
        session = self.ctx.session
        if session is None:
            return None
        if not (session.can("operator") or session.can("shift_lead")):
            self.window.status.show_notice(self.tr("视频立案需受理员或值班长角色"), "warn")
            return None
        dlg = CameraCaseDialog(self.ctx.state.reference, camera, grab, self.window)
        dlg.pick_requested.connect(self.window.map.pick_location)
        self.window.map.location_picked.connect(dlg.set_location)
        dlg.submitted.connect(self.send)
        dlg.finished.connect(lambda _r: self.window.map.set_pick_marker(None, None))
        dlg.show()
        self.dialog = dlg
        return dlg

    def send(self, camera_id: str, grab: bytes, body: dict) -> None:
        session = self.ctx.session
        if session is None:
            return

        def done(out: dict) -> None:
            cid = out["case"]["id"]
            self.window.status.show_notice(
                self.tr("视频巡查案件已上报：%1（%2）").replace("%1", cid).replace("%2", camera_id)
            )
            self.window.select_case(cid, centre=True)

        def failed(e: BaseException) -> None:
            self.window.status.show_notice(
                self.tr("视频立案失败：%1").replace("%1", str(e)[:200]), "error"
            )

        self.ctx.workers.submit(
            lambda: session.video_patrol_case(camera_id, grab, body),
            done,
            owner=self,
            on_error=failed,
            what=self.tr("视频立案"),
        )
