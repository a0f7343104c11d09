"""视频巡查 立案: a case from what a camera shows. The frame grab is shown (it goes with the
case as its photo), the place is the camera's or a point the operator clicks on the map
(within the camera's sight; the backend refuses one further away), the category, urgency and
a description are the operator's."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from widgets.common.i18n import labels
from widgets.dialogs.pickers import CategoryPicker

URGENCIES = ("normal", "urgent", "critical")


class CameraCaseDialog(QDialog):
    pick_requested = Signal()  # the window arms the map's pick mode
    submitted = Signal(str, bytes, dict)  # camera id, grab (JPEG), body of POST .../cases

    def __init__(self, reference: dict, camera: dict, grab: bytes, parent=None):
        super().__init__(parent)
        self.setModal(False)  # the operator clicks the map while it is open
        self.camera, self.frame = camera, grab
        self.lon: float | None = None
        self.lat: float | None = None
        lb = labels()
        self.setWindowTitle(self.tr("视频巡查立案：%1").replace("%1", camera["name"]))
        heading = QLabel(self.tr("视频巡查立案（来源：视频发现）"))
        heading.setObjectName("title")
        self.picture = QLabel()
        pm = QPixmap()
        pm.loadFromData(grab)
        self.picture.setPixmap(
            pm.scaled(
                480,
                270,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.category = CategoryPicker(reference)
        self.where = QLabel(self.tr("摄像头位置：%1").replace("%1", camera["name"]))
        self.where.setWordWrap(True)
        pick = QPushButton(self.tr("在地图上选点"))
        pick.clicked.connect(self.pick_requested.emit)
        self.description = QPlainTextEdit()
        self.description.setFixedHeight(70)
        self.urgency = QComboBox()
        for u in URGENCIES:
            self.urgency.addItem(lb.name("urgency", u), u)
        self.error = QLabel()
        self.error.setStyleSheet("color: #ff4d4f;")
        loc = QHBoxLayout()
        loc.addWidget(self.where, 1)
        loc.addWidget(pick)
        form = QFormLayout()
        form.addRow(self.tr("截图"), self.picture)
        form.addRow(self.tr("摄像头"), QLabel(f"{camera['id']}  {camera['name']}"))
        form.addRow(self.tr("类别"), self.category)
        form.addRow(self.tr("位置"), loc)
        form.addRow(self.tr("描述"), self.description)
        form.addRow(self.tr("紧急程度"), self.urgency)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("上报"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)

    def set_location(self, lon: float, lat: float) -> None:
        """A point the operator clicked (the backend checks it is within the camera's sight)."""
        self.lon, self.lat = lon, lat
        self.where.setText(
            self.tr("选定位置：%1, %2").replace("%1", f"{lon:.5f}").replace("%2", f"{lat:.5f}")
        )

    def body(self) -> dict | None:
        code = self.category.selected_category()
        if code is None:
            self.error.setText(self.tr("请选择类别"))
            return None
        out = {
            "category_code": code,
            "urgency": self.urgency.currentData(),
            "description": self.description.toPlainText().strip()[:2000],
        }
        if self.lon is not None:
            out["location"] = {"lon": self.lon, "lat": self.lat}
        return out

    def submit(self) -> None:
        body = self.body()
        if body is not None:
            self.submitted.emit(self.camera["id"], self.frame, body)
            self.accept()
