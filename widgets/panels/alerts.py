"""The alerts pane: open alerts by severity and age, acknowledge with a comment, jump to the
subject, filter, sound with mute, the daily digest. Acknowledgements travel through the outbox
and come back on the feed, so one made at another console shows here at once.

A flood the backend folded into a group (docs/rules/alerts.md) is one row with its count; a
double-click expands it to its members (indented under it) and folds it again. Members are
never dropped: they are in ``CityState.alerts`` like any alert, only shown under their group.
A case alert shows its level (黄灯 / 红灯 / 督办) and the path it climbed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import partial
from typing import Any

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

from console.domain.alert_rules import LEVEL_RANK
from console.domain.china_time import CST
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
from widgets.panels.alert_digest import AlertDigestDialog
from widgets.panels.alert_sound import RANK, AlertSound
from widgets.panels.case_table import fmt_minutes

ALERT_COLUMNS = ("severity", "level", "kind", "subject", "age", "state", "escalation", "detail")
GROUP = "group"  # subject_type of a backend flood group
LEVEL_COLORS = {"yellow": "#f5c518", "red": "#ff4d4f", "supervise": "#c86bff"}
ALERT_ID_ROLE = USER + 1
FILTERS = ("open", "all", "critical")


class AlertModel(IncrementalRows):
    COLUMNS = ALERT_COLUMNS

    def __init__(self, state: CityState, now, parent=None):
        super().__init__(parent)
        self.state, self.now = state, now
        self.filter = "all"
        self.expanded: set[str] = set()  # group ids shown with their members
        self._ids: list[str] = []  # key → alert id (keys are stable for the model's life)
        self._key: dict[str, int] = {}
        self._icons = {
            s: qta.icon("mdi6.alert-circle", color=c) for s, c in SEVERITY_COLORS.items()
        }

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("严重度"),
            self.tr("等级"),
            self.tr("类型"),
            self.tr("对象"),
            self.tr("时长"),
            self.tr("状态"),
            self.tr("升级"),
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
        if role == FOREGROUND and col == "level" and a.get("level") in LEVEL_COLORS:
            return QBrush(QColor(LEVEL_COLORS[a.get("level") or ""]))
        if role != DISPLAY:
            return None
        return self._text(a, col)

    def _text(self, a: AlertDoc, col: str) -> str:
        lb = labels()
        group = a.get("subject_type") == GROUP
        if col == "severity":
            return lb.name("severity", a.get("severity"))
        if col == "level":
            return lb.name("alert_level", a.get("level")) if a.get("level") else ""
        if col == "kind":
            name = lb.name("alert_kind", a.get("kind"))
            if group:
                return ("▾ " if a["id"] in self.expanded else "▸ ") + name
            return "    └ " + name if self.is_member(a) else name
        if col == "subject":
            if group:
                d = a.get("detail") or {}
                return (
                    self.tr("%1 项（未确认 %2）")
                    .replace("%1", str(d.get("count", 0)))
                    .replace("%2", str(d.get("unacknowledged", 0)))
                )
            return self.subject_name(a)
        if col == "age":
            raised = a.get("raised_at")
            if not raised:
                return ""
            return fmt_minutes((self.now() - datetime.fromisoformat(raised).timestamp()) / 60)
        if col == "state":
            s = lb.name("alert_state", a.get("state"))
            if a.get("acked_by"):
                s += f" ({a['acked_by']})"
            return s
        if col == "escalation":
            return self.escalation_text(a)
        if col == "detail":
            d = a.get("detail") or {}
            parts = [a.get("ack_comment") or ""]
            if "value" in d:
                parts.append(f"{d.get('name', '')} {d['value']}")
            if "speed_kmh" in d:
                parts.append(f"{d['speed_kmh']:.0f} km/h")
            if group and d.get("open", 0) != d.get("count", 0):
                parts.append(self.tr("已解除 %1").replace("%1", str(d["count"] - d["open"])))
            return " ".join(p for p in parts if p)
        return ""

    def escalation_text(self, a: AlertDoc) -> str:
        """The levels the alert climbed (黄灯→红灯→督办) and, if nobody acknowledged it in
        time, when it went to the shift lead."""
        lb = labels()
        path = [
            str(h["level"])
            for h in a.get("history") or ()
            if h.get("step") in ("raised", "level") and h.get("level")
        ]
        parts = ["→".join(lb.name("alert_level", lv) for lv in path)] if len(path) > 1 else []
        if a.get("escalated"):
            at = a.get("escalated_at")
            when = datetime.fromisoformat(at).astimezone(CST).strftime("%H:%M") if at else ""
            parts.append(self.tr("值班长 %1").replace("%1", when).strip())
        return " · ".join(parts)

    def is_member(self, a: AlertDoc) -> bool:
        """Folded into a group this console holds (a member whose group it lacks stands alone)."""
        gid = a.get("group_id")
        return bool(gid) and gid in self.state.alerts

    def toggle(self, group_id: str) -> None:
        """Expand a group to its members, or fold it again."""
        self.expanded ^= {group_id}
        self.refresh()

    def subject_name(self, a: Mapping[str, Any]) -> str:
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
        members: dict[str, list[AlertDoc]] = {}
        top = []
        for a in alerts.values():
            if self.is_member(a):
                members.setdefault(a.get("group_id") or "", []).append(a)
            elif (
                self.filter == "all"
                or (self.filter == "open" and a.get("state") == "raised")
                or (self.filter == "critical" and a.get("severity") == "critical")
            ):
                top.append(a)
        self.expanded &= members.keys()
        rows: list[int] = []
        for a in by_urgency(top):
            rows.append(self._key[a["id"]])
            if a["id"] in self.expanded:
                rows += [self._key[m["id"]] for m in by_urgency(members[a["id"]])]
        self.sync(np.array(rows, dtype=np.int64))

    def open_rows(self) -> list[AlertDoc]:
        """The unacknowledged alerts the pane shows as rows of their own (a group counts
        once, its members not at all): what the count and the sound follow."""
        return [
            a
            for a in self.state.alerts.values()
            if a.get("state") == "raised" and not self.is_member(a)
        ]

    def set_filter(self, name: str) -> None:
        if name in FILTERS and name != self.filter:
            self.filter = name
            self.refresh()

    def tick(self) -> None:
        self.emit_columns(ALERT_COLUMNS.index("age"))


def by_urgency(docs: list[AlertDoc]) -> list[AlertDoc]:
    """Unacknowledged first, then the most severe, then the highest level, then the newest."""
    out = sorted(docs, key=lambda a: a.get("raised_at") or "", reverse=True)
    out.sort(
        key=lambda a: (
            a.get("state") != "raised",
            -RANK.get(a.get("severity") or "", 0),
            -LEVEL_RANK.get(a.get("level") or "", 0),
        )
    )
    return out


class AlertPane(QWidget):
    jump_to = Signal(dict)  # the alert: the window finds its subject
    count_changed = Signal(int)  # unacknowledged alerts

    def __init__(
        self,
        state: CityState,
        now,
        session,
        parent=None,
        sound: bool = True,
        workers=None,
        digest: Callable[[date], dict] | None = None,
    ):
        """``digest(day)``: the alert digest of a China-time day, run in a worker (the
        backend's live, the shift log's in a replay); without it there is no 日报."""
        super().__init__(parent)
        self.state, self.session, self.workers = state, session, workers
        self.digest = digest
        self.model = AlertModel(state, now, self)
        self.sound = AlertSound(self, enabled=sound)
        self.table = table_view(self.model, 26, (70, 48, 130, 130, 50, 90, 150))
        self.table.doubleClicked.connect(lambda _i: self.open_row())
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
        self.digest_action = QAction(qta.icon("mdi6.chart-box-outline", color="#5b8ff9"), "", self)
        self.digest_action.triggered.connect(self.show_digest)
        self.digest_action.setEnabled(digest is not None and workers is not None)
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
        bar.addAction(self.digest_action)
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
        self.digest_action.setText(self.tr("日报"))
        self.digest_action.setToolTip(self.tr("告警日报：当天告警的数量、确认用时和升级"))
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
        rows = self.model.open_rows()
        # New rows of their own (a flood's members arrive folded: their group sounds once) and
        # alerts that got louder (a late case at red or 督办, a group's worst member).
        alerts = self.state.alerts
        louder = [
            alerts[a]
            for a in diff.alerts_raised | diff.alerts_escalated
            if a in alerts and alerts[a].get("state") == "raised"
        ]
        louder = [
            a for a in louder if a["id"] in diff.alerts_escalated or not self.model.is_member(a)
        ]
        self.sound.update(
            [a.get("severity") or "" for a in rows],
            [] if diff.reset else [a.get("severity") or "" for a in louder],
        )
        self.count_changed.emit(len(rows))
        self.count_label.setText(self.tr("未确认 %1").replace("%1", str(len(rows))))
        self.count_label.setStyleSheet("color: #ff4d4f; font-weight: bold;" if rows else "")

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
        if a is not None and a.get("subject_type") != GROUP:
            self.jump_to.emit(a)

    def open_row(self) -> None:
        """Double-click: a group expands or folds; any other alert shows its subject."""
        a = self.current_alert()
        if a is not None and a.get("subject_type") == GROUP:
            self.model.toggle(a["id"])
        else:
            self.jump()

    def show_digest(self, day: date | None = None) -> AlertDigestDialog | None:
        """The daily digest of one China-time day (today in district time by default)."""
        if self.digest is None or self.workers is None:
            return None
        dlg = AlertDigestDialog(self.digest, self.workers, self, name_of=self.model.subject_name)
        dlg.load(day or datetime.fromtimestamp(self.model.now(), CST).date())
        dlg.show()
        return dlg
