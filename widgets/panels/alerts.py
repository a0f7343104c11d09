"""The alerts pane: open alerts by severity and age, acknowledge with a comment, jump to the
subject, filter, sound with mute. Acknowledgements travel through the outbox and come back
on the feed, so one made at another console shows here at once."""

from __future__ import annotations

from datetime import datetime
from functools import partial

import numpy as np
import qtawesome as qta
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QInputDialog,
    QLabel,
    QMenu,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.documents import AlertDoc
from console.state import CityState
from widgets.common.i18n import labels
from widgets.common.roles import (
    DECORATION,
    DISPLAY,
    FOREGROUND,
    USER,
)
from widgets.common.row_sync import IncrementalRows, table_view
from widgets.common.style import SEVERITY_COLORS, theme
from widgets.panels.alert_sound import RANK, AlertSound
from widgets.panels.case_table import fmt_minutes

ALERT_COLUMNS = ("severity", "kind", "subject", "age", "state", "detail")
ALERT_ID_ROLE = USER + 1
FILTERS = ("open", "all", "critical")


class AlertModel(IncrementalRows):
    COLUMNS = ALERT_COLUMNS

    def __init__(self, state: CityState, now, parent=None):
        super().__init__(parent)
        self.state, self.now = state, now
        self.filter = "all"
        self._ids: list[str] = []  # key → alert id (keys are stable for the model's life)
        self._key: dict[str, int] = {}
        self._icons = {
            s: qta.icon("mdi6.alert-circle", color=c) for s, c in SEVERITY_COLORS.items()
        }

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("级别"),
            self.tr("类型"),
            self.tr("对象"),
            self.tr("时长"),
            self.tr("状态"),
            self.tr("详情"),
        )

    def alert_id(self, view_row: int) -> str | None:
        key = self.key_at(view_row)
        return None if key is None else self._ids[key]

    def data(self, index, role=DISPLAY):
        role = int(role)
        if not index.isValid():
            return None
        aid = self.alert_id(index.row())
        a = self.state.alerts.get(aid or "")
        if a is None:
            return None
        col = ALERT_COLUMNS[index.column()]
        if role == ALERT_ID_ROLE:
            return aid
        if role == DECORATION and col == "severity":
            return self._icons.get(a.get("severity"), self._icons["info"])
        if role == FOREGROUND and col == "state" and a.get("state") == "raised":
            return QBrush(QColor(SEVERITY_COLORS.get(a.get("severity"), "#ffffff")))
        if role != DISPLAY:
            return None
        lb = labels()
        if col == "severity":
            return lb.name("severity", a.get("severity"))
        if col == "kind":
            return lb.name("alert_kind", a.get("kind"))
        if col == "subject":
            return self.subject_name(a)
        if col == "age":
            raised = a.get("raised_at")
            if not raised:
                return ""
            return fmt_minutes((self.now() - datetime.fromisoformat(raised).timestamp()) / 60)
        if col == "state":
            s = lb.name("alert_state", a.get("state"))
            if a.get("escalated"):
                s += " · " + self.tr("已升级")
            if a.get("acked_by"):
                s += f" ({a['acked_by']})"
            return s
        if col == "detail":
            d = a.get("detail") or {}
            parts = [a.get("ack_comment") or ""]
            if "value" in d:
                parts.append(f"{d.get('name', '')} {d['value']}")
            if "speed_kmh" in d:
                parts.append(f"{d['speed_kmh']:.0f} km/h")
            return " ".join(p for p in parts if p)
        return None

    def subject_name(self, a: dict) -> str:
        sid = a.get("subject_id") or ""
        if a.get("subject_type") == "vehicle" and sid in self.state.vehicles:
            return self.state.vehicles[sid].get("plate") or sid
        if a.get("subject_type") == "sensor" and sid in self.state.sensors:
            return self.state.sensors[sid].get("name") or sid
        return sid

    def refresh(self) -> None:
        alerts = self.state.alerts
        for aid in alerts:
            if aid not in self._key:
                self._key[aid] = len(self._ids)
                self._ids.append(aid)
        shown = [
            a
            for a in alerts.values()
            if self.filter == "all"
            or (self.filter == "open" and a.get("state") == "raised")
            or (self.filter == "critical" and a.get("severity") == "critical")
        ]
        # Unacknowledged first, then the most severe, then the newest.
        shown.sort(key=lambda a: a.get("raised_at") or "", reverse=True)
        shown.sort(
            key=lambda a: (a.get("state") != "raised", -RANK.get(a.get("severity") or "", 0))
        )
        self.sync(np.array([self._key[a["id"]] for a in shown], dtype=np.int64))

    def set_filter(self, name: str) -> None:
        if name in FILTERS and name != self.filter:
            self.filter = name
            self.refresh()

    def tick(self) -> None:
        self.emit_columns(ALERT_COLUMNS.index("age"))


class AlertPane(QWidget):
    jump_to = Signal(dict)  # the alert: the window finds its subject
    count_changed = Signal(int)  # unacknowledged alerts

    def __init__(self, state: CityState, now, session, parent=None, sound: bool = True):
        super().__init__(parent)
        self.state, self.session = state, session
        self.model = AlertModel(state, now, self)
        self.sound = AlertSound(self, enabled=sound)
        self.table = table_view(self.model, 26, (64, 150, 130, 50, 90))
        self.table.doubleClicked.connect(lambda _i: self.jump())
        self.filter = QComboBox()
        self.filter.currentIndexChanged.connect(
            lambda i: self.model.set_filter(FILTERS[i]) if i >= 0 else None
        )
        self.ack_action = QAction(qta.icon("mdi6.check-bold", color="#2ecc71"), "", self)
        self.ack_action.setShortcut("Ctrl+K")
        self.ack_action.triggered.connect(lambda: self.acknowledge())
        self.jump_action = QAction(qta.icon("mdi6.crosshairs-gps", color="#5b8ff9"), "", self)
        self.jump_action.triggered.connect(self.jump)
        self.ack_action.setEnabled(session is not None)
        self.mute_button = QToolButton()
        self.mute_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.mute_button.setIcon(qta.icon("mdi6.volume-high", color=theme()["text"]))
        self.mute_menu = QMenu(self)
        self.mute_button.setMenu(self.mute_menu)
        self.mute_label = QLabel()
        # The open count lives here, not in the dock title: retitling a dock re-lays out the
        # whole window (a 50-90 ms repaint at 1920x1080).
        self.count_label = QLabel()
        self.count_label.setMinimumWidth(90)
        self.sound.mute_changed.connect(lambda _t: self._show_mute())
        bar = QToolBar()
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addAction(self.ack_action)
        bar.addAction(self.jump_action)
        bar.addWidget(self.mute_button)
        bar.addWidget(self.mute_label)
        bar.addWidget(self.filter)
        bar.addWidget(self.count_label)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(bar)
        lay.addWidget(self.table)
        self.retranslate()

    def retranslate(self) -> None:
        self.ack_action.setText(self.tr("确认"))
        self.jump_action.setText(self.tr("定位"))
        self.mute_button.setText(self.tr("静音"))
        self.mute_menu.clear()
        for minutes, text in (
            (5, self.tr("静音 5 分钟")),
            (15, self.tr("静音 15 分钟")),
            (60, self.tr("静音 1 小时")),
            (0, self.tr("取消静音")),
        ):
            self.mute_menu.addAction(text, partial(self.sound.mute, minutes))
        i = max(self.filter.currentIndex(), FILTERS.index(self.model.filter))
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.addItems([self.tr("未确认"), self.tr("全部"), self.tr("严重")])
        self.filter.setCurrentIndex(i)
        self.filter.blockSignals(False)
        self._show_mute()

    def _show_mute(self) -> None:
        until = self.sound.muted_until
        self.mute_label.setText(
            self.tr("静音至 %1").replace("%1", datetime.fromtimestamp(until).strftime("%H:%M"))
            if until
            else ""
        )
        icon = "mdi6.volume-off" if until else "mdi6.volume-high"
        self.mute_button.setIcon(qta.icon(icon, color=theme()["text"]))

    def on_diff(self, diff) -> None:
        if not (diff.reset or diff.alerts):
            return
        self.model.refresh()
        open_sev = [
            a.get("severity") or ""
            for a in self.state.alerts.values()
            if a.get("state") == "raised"
        ]
        raised = [
            self.state.alerts[a].get("severity") or ""
            for a in diff.alerts_raised
            if a in self.state.alerts and self.state.alerts[a].get("state") == "raised"
        ]
        self.sound.update(open_sev, [] if diff.reset else raised)
        self.count_changed.emit(len(open_sev))
        self.count_label.setText(self.tr("未确认 %1").replace("%1", str(len(open_sev))))
        self.count_label.setStyleSheet("color: #ff4d4f; font-weight: bold;" if open_sev else "")

    def current_alert(self) -> AlertDoc | None:
        aid = self.model.alert_id(self.table.currentIndex().row())
        return self.state.alerts.get(aid or "")

    def acknowledge(self, comment: str | None = None) -> str | None:
        a = self.current_alert()
        if a is None or self.session is None or a.get("state") != "raised":
            return None
        if comment is None:
            comment, ok = QInputDialog.getText(
                self, self.tr("确认告警"), self.tr("确认说明（可选）：")
            )
            if not ok:
                return None
        return self.session.ack_alert(a["id"], comment.strip())

    def jump(self) -> None:
        a = self.current_alert()
        if a is not None:
            self.jump_to.emit(a)
