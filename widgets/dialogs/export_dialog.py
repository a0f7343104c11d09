"""The export dialog of 文件 → 导出: what to export (a vehicle, a period, where appropriate),
the format and the file. Opened window-modal and answered by a signal (never ``exec``), so the
wall keeps moving behind it; the file is chosen by Qt's own file dialog in tests and on
platforms without a native one (offscreen), by the desktop's elsewhere."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import qtawesome as qta
from PySide6.QtCore import QDateTime, QTimeZone, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)

from console.domain.sla import RED
from widgets.common.style import LIGHT_COLORS, theme

# Platforms whose file dialog would not be a window a test (or a headless run) can drive.
NON_NATIVE_PLATFORMS = ("offscreen", "minimal")


# The period is typed in Beijing time (UTC+8 all year, ``console.domain.china_time``), whatever
# the machine's own zone.
BEIJING = QTimeZone(8 * 3600)


def _qdatetime(t: datetime, up: bool = False) -> QDateTime:
    """To the whole second (the edit's), rounded ``up`` for a period's end: "until now"
    must take in what happened in the second now is in."""
    seconds = t.timestamp()
    return QDateTime.fromSecsSinceEpoch(math.ceil(seconds) if up else int(seconds), BEIJING)


def _datetime(q: QDateTime) -> datetime:
    return datetime.fromtimestamp(q.toSecsSinceEpoch(), UTC)


class ExportDialog(QDialog):
    """``chosen(path, vehicle_id or "", start or None, end or None)`` when accepted."""

    chosen = Signal(str, str, object, object)

    def __init__(
        self,
        title: str,
        formats: Sequence[tuple[str, str]],
        path: Path,
        parent: QWidget | None = None,
        vehicles: Sequence[tuple[str, str]] | None = None,
        vehicle: str | None = None,
        period: tuple[datetime, datetime] | None = None,
    ):
        """``formats``: (suffix, label) pairs, the first the default; ``vehicles``: (id,
        label) pairs to pick one from or type another (None: no vehicle row); ``period``: the
        preselected period (None: no period rows)."""
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.formats = list(formats)
        form = QFormLayout(self)
        self.vehicle = QComboBox()
        self.vehicle.setEditable(True)
        for vid, label in vehicles or ():
            self.vehicle.addItem(label, vid)
        if vehicles is not None:
            self.vehicle.setCurrentIndex(self.vehicle.findData(vehicle) if vehicle else -1)
            form.addRow(self.tr("车辆"), self.vehicle)
        self.start, self.end = QDateTimeEdit(), QDateTimeEdit()
        for edit in (self.start, self.end):
            edit.setTimeZone(BEIJING)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm:ss")
            edit.setCalendarPopup(True)
        if period is not None:
            self.start.setDateTime(_qdatetime(period[0]))
            self.end.setDateTime(_qdatetime(period[1], up=True))
            form.addRow(self.tr("开始（北京时间）"), self.start)
            form.addRow(self.tr("结束（北京时间）"), self.end)
        self.format = QComboBox()
        for suffix, label in self.formats:
            self.format.addItem(label, suffix)
        self.format.currentIndexChanged.connect(self._format_changed)
        form.addRow(self.tr("格式"), self.format)
        self.path = QLineEdit(str(path.with_suffix(self.formats[0][0])))
        browse = QToolButton()
        browse.setIcon(qta.icon("mdi6.folder-open", color=theme()["text"]))
        browse.setToolTip(self.tr("选择文件"))
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow(self.tr("文件"), row)
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {LIGHT_COLORS[RED]};")
        form.addRow(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("导出"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.has_vehicle, self.has_period = vehicles is not None, period is not None

    def _format_changed(self, _index: int) -> None:
        suffix = self.format.currentData()
        text = self.path.text().strip()
        if text:
            self.path.setText(str(Path(text).with_suffix(suffix)))

    def browse(self) -> QFileDialog:
        """Qt's save dialog (non-native where no desktop draws one), opened, not exec'd."""
        dlg = QFileDialog(self, self.tr("导出到"), self.path.text())
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setNameFilters([f"{label} (*{suffix})" for suffix, label in self.formats])
        dlg.selectNameFilter(self.format.currentText() + f" (*{self.format.currentData()})")
        dlg.setDefaultSuffix(self.format.currentData().lstrip("."))
        if QGuiApplication.platformName() in NON_NATIVE_PLATFORMS:
            dlg.setOption(QFileDialog.Option.DontUseNativeDialog)
        dlg.fileSelected.connect(self._file_selected)
        dlg.open()
        return dlg

    def _file_selected(self, path: str) -> None:
        self.path.setText(path)
        suffix = Path(path).suffix.lower()
        i = self.format.findData(suffix)
        if i >= 0:
            self.format.setCurrentIndex(i)

    def accept(self) -> None:
        """Refuse what cannot be exported, in the dialog, before anything runs."""
        path = self.path.text().strip()
        vid = (self.vehicle.currentData() or self.vehicle.currentText().strip()) or ""
        start = _datetime(self.start.dateTime()) if self.has_period else None
        end = _datetime(self.end.dateTime()) if self.has_period else None
        suffixes = [s for s, _label in self.formats]
        if not path:
            self.error.setText(self.tr("请选择文件"))
        elif Path(path).suffix.lower() not in suffixes:
            self.error.setText(self.tr("文件须以 %1 结尾").replace("%1", " / ".join(suffixes)))
        elif self.has_vehicle and not vid:
            self.error.setText(self.tr("请选择车辆"))
        elif start is not None and end is not None and end <= start:
            self.error.setText(self.tr("结束须晚于开始"))
        else:
            self.chosen.emit(path, vid, start, end)
            super().accept()
