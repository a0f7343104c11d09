"""投屏 (show on wall): the console's actions that throw the current case, the selected
vehicle or the selected alert onto the video wall's focus scene, through the backend (so
every wall following the feed shows it). Only the desk roles may throw (the backend checks
too); a replay has no backend and no throw."""

from __future__ import annotations

import qtawesome as qta
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction

from widgets.common.style import theme

DESK_ROLES = frozenset({"operator", "shift_lead", "dispatcher"})  # server routes/deps.CENTRE_ROLES


class WallThrow(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        session = window.session
        allowed = session is not None and any(session.can(r) for r in DESK_ROLES)
        icon = qta.icon("mdi6.monitor-share", color=theme()["text"])
        self.case = QAction(icon, "", self)
        self.vehicle = QAction(icon, "", self)
        self.alert = QAction(icon, "", self)
        self.case.triggered.connect(lambda: self.throw("case", window.current_case))
        self.vehicle.triggered.connect(
            lambda: self.throw("vehicle", window.vehicles.current_vehicle())
        )
        self.alert.triggered.connect(
            lambda: self.throw("alert", (window.alerts.current_alert() or {}).get("id"))
        )
        for a in (self.case, self.vehicle, self.alert):
            a.setEnabled(allowed)
        for table, action in (
            (window.vehicles.table, self.vehicle),
            (window.alerts.table, self.alert),
        ):
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
            table.addAction(action)
        self.retranslate()

    def retranslate(self) -> None:
        self.case.setText(self.tr("投到大屏"))
        self.vehicle.setText(self.tr("车辆投到大屏"))
        self.alert.setText(self.tr("告警投到大屏"))

    def throw(self, subject_type: str, subject_id: str | None) -> None:
        w = self.window
        if not subject_id or w.session is None:
            w.status.show_notice(self.tr("先选中要投到大屏的对象"), "warning")
            return
        w.ctx.workers.submit(
            lambda: w.session.throw_to_wall(subject_type, subject_id),
            lambda _doc: w.status.show_notice(self.tr("已投到大屏：%1").replace("%1", subject_id)),
            owner=w,
            what=self.tr("投到大屏"),
        )
