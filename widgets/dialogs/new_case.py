"""A new case from a hotline call (12319): category by code or name, location by clicking
the map or typing an address, description, urgency; sent through the outbox (durable, once)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from console.geo.places import find_place
from widgets.common.i18n import labels
from widgets.dialogs.pickers import CategoryPicker

URGENCIES = ("normal", "urgent", "critical")


class NewCaseDialog(QDialog):
    pick_requested = Signal()  # the window arms the map's pick mode
    submitted = Signal(dict)  # the body for POST /cases

    def __init__(self, reference: dict, parent=None):
        super().__init__(parent)
        self.setModal(False)  # the operator clicks the map while it is open
        self.reference = reference
        self.lon: float | None = None
        self.lat: float | None = None
        lb = labels()
        self.setWindowTitle(self.tr("新建热线案件 (12319)"))
        self.category = CategoryPicker(reference)
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("地址（社区或街道名可定位）"))
        self.address.returnPressed.connect(self.locate_address)
        find = QPushButton(self.tr("按地址定位"))
        find.clicked.connect(self.locate_address)
        pick = QPushButton(self.tr("在地图上选点"))
        pick.clicked.connect(self.pick_requested.emit)
        self.where = QLabel(self.tr("未定位"))
        self.description = QPlainTextEdit()
        self.description.setFixedHeight(90)
        self.caller = QLineEdit()
        self.caller.setPlaceholderText(self.tr("来电号码（可选）"))
        self.urgency = QComboBox()
        for u in URGENCIES:
            self.urgency.addItem(lb.name("urgency", u), u)
        self.error = QLabel()
        self.error.setStyleSheet("color: #ff4d4f;")
        loc = QHBoxLayout()
        loc.addWidget(find)
        loc.addWidget(pick)
        loc.addWidget(self.where, 1)
        form = QFormLayout()
        form.addRow(self.tr("类别"), self.category)
        form.addRow(self.tr("地址"), self.address)
        form.addRow(self.tr("位置"), loc)
        form.addRow(self.tr("描述"), self.description)
        form.addRow(self.tr("来电"), self.caller)
        form.addRow(self.tr("紧急程度"), self.urgency)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("上报"))
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.resize(520, 420)

    def set_location(self, lon: float, lat: float, label: str = "") -> None:
        self.lon, self.lat = lon, lat
        self.where.setText(label or f"{lon:.5f}, {lat:.5f}")

    def locate_address(self) -> None:
        hit = find_place(self.reference, self.address.text())
        if hit is None:
            self.where.setText(self.tr("找不到该地址，请在地图上选点"))
            return
        name, lon, lat = hit
        self.set_location(lon, lat, f"{name} ({lon:.5f}, {lat:.5f})")

    def body(self) -> dict | None:
        code = self.category.selected_category()
        if code is None:
            self.error.setText(self.tr("请选择类别"))
            return None
        if self.lon is None:
            self.error.setText(self.tr("请定位案件位置"))
            return None
        caller = self.caller.text().strip()
        return {
            "source": "public",
            "category_code": code,
            "location": {"lon": self.lon, "lat": self.lat},
            "urgency": self.urgency.currentData(),
            "address": self.address.text().strip()[:300],
            "description": self.description.toPlainText().strip()[:2000],
            "note": (self.tr("12319 来电 %1").replace("%1", caller) if caller else "12319"),
        }

    def submit(self) -> None:
        body = self.body()
        if body is not None:
            self.submitted.emit(body)
            self.accept()
