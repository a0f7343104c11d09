"""A new case from a hotline call (12319): category by code or name, location by typing an
address (the backend's geocoder offers candidates; picking one places the case and shows it on
the map wall) or by clicking the map (the address is filled in from the point), description,
urgency; sent through the outbox (durable, once).

Geocoding is an HTTP read, so it runs on the console's workers, never on the GUI thread; a
late answer for an address the operator has since changed is dropped."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from widgets.common.i18n import labels
from widgets.common.workers import Workers
from widgets.dialogs.pickers import CategoryPicker

#: ``geocode(**params)``: GET /api/v1/geocode with ``q``/``limit`` or ``lon``/``lat`` (blocking).
Geocode = Callable[..., dict]
#: Wait this long after the last keystroke before asking (a person types 3–5 characters a
#: second; one request per pause, not per character).
TYPING_PAUSE_MS = 350
CANDIDATES = 8

URGENCIES = ("normal", "urgent", "critical")


class NewCaseDialog(QDialog):
    pick_requested = Signal()  # the window arms the map's pick mode
    located = Signal(float, float)  # a candidate was picked: the window shows it on the map
    submitted = Signal(dict)  # the body for POST /cases

    def __init__(
        self,
        reference: dict,
        parent=None,
        geocode: Geocode | None = None,
        workers: Workers | None = None,
    ):
        super().__init__(parent)
        self.setModal(False)  # the operator clicks the map while it is open
        self.reference = reference
        self.geocode, self.workers = geocode, workers
        self.lon: float | None = None
        self.lat: float | None = None
        self._asked = 0  # number of the latest geocode request; older answers are dropped
        lb = labels()
        self.setWindowTitle(self.tr("新建热线案件 (12319)"))
        self.category = CategoryPicker(reference)
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("道路门牌、路口、地标或社区，如 解放路128号"))
        self.address.textEdited.connect(self._typed)
        self.address.returnPressed.connect(self.locate_address)
        self._pause = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._pause.timeout.connect(self.locate_address)
        self.candidates = QListWidget()
        self.candidates.setFixedHeight(120)
        self.candidates.itemActivated.connect(self.pick_candidate)
        self.candidates.itemClicked.connect(self.pick_candidate)
        find = QPushButton(self.tr("按地址定位"))
        find.clicked.connect(self.locate_address)
        pick = QPushButton(self.tr("在地图上选点"))
        pick.clicked.connect(self.pick_requested.emit)
        self.where = QLabel(self.tr("未定位"))
        self.where.setWordWrap(True)
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
        form.addRow("", self.candidates)
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
        self.resize(560, 480)

    # ---- where ---------------------------------------------------------------------------
    def set_location(self, lon: float, lat: float, label: str = "") -> None:
        """A point for the case. From a map click (no label) the address is looked up and
        filled in; from a picked candidate the label is its address."""
        self.lon, self.lat = lon, lat
        self.where.setText(label or f"{lon:.5f}, {lat:.5f}")
        if not label:
            self._ask({"lon": lon, "lat": lat}, self._show_reverse)

    def _typed(self, _text: str) -> None:
        self._pause.start()  # ask once the operator pauses

    def locate_address(self) -> None:
        """Ask the geocoder for candidates for the typed address."""
        self._pause.stop()
        text = self.address.text().strip()
        if len(text) < 2:
            return
        self.where.setText(self.tr("正在查找…"))
        self._ask({"q": text, "limit": CANDIDATES}, self._show_candidates)

    def _ask(self, params: dict, show: Callable[[dict], None]) -> None:
        if self.geocode is None or self.workers is None:
            self.where.setText(self.tr("未连接后台，无法查询地址，请在地图上选点"))
            return
        self._asked += 1
        n, geocode = self._asked, self.geocode

        def done(answer: dict) -> None:
            if n == self._asked:  # else the operator has asked something newer
                show(answer)

        def failed(e: BaseException) -> None:
            if n == self._asked:
                self.where.setText(self.tr("地址查询失败：%1").replace("%1", str(e)))

        self.workers.submit(
            lambda: geocode(**params), done, owner=self, on_error=failed, what=self.tr("地址查询")
        )

    def _show_candidates(self, answer: dict) -> None:
        self.candidates.clear()
        found = answer.get("candidates") or []
        for c in found:
            item = QListWidgetItem(f"{c['name']}  —  {c['address']}")
            item.setData(Qt.ItemDataRole.UserRole, c)
            self.candidates.addItem(item)
        if found:
            self.where.setText(self.tr("找到 %1 个地点，请选择").replace("%1", str(len(found))))
        else:
            self.where.setText(self.tr("找不到该地址，请换个说法或在地图上选点"))

    def pick_candidate(self, item: QListWidgetItem) -> None:
        c = item.data(Qt.ItemDataRole.UserRole)
        self.address.setText(c["address"])
        self.candidates.setCurrentItem(item)
        self.set_location(c["lon"], c["lat"], c["address"])
        self.located.emit(c["lon"], c["lat"])

    def _show_reverse(self, answer: dict) -> None:
        self.address.setText(answer.get("address") or "")
        self.where.setText(answer.get("address") or "")

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
