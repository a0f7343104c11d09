"""The status bar: connection, last seq and lag, outbox pending, district clock with
working/non-working time, the user, and a standing warning when the work calendar lacks a
year's holiday notice. Updated from the bridge's health signal and a 1 Hz tick."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import qtawesome as qta
from PySide6.QtWidgets import QLabel, QStatusBar

from console.domain.china_time import CST

STATUS_COLORS = {
    "connected": "#2ecc71",
    "connecting": "#f5c518",
    "degraded": "#f5a623",
    "offline": "#ff4d4f",
    "stopped": "#8a94a6",
    "replay": "#5b8ff9",
}


class ConsoleStatusBar(QStatusBar):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.icon = QLabel()
        self.conn = QLabel()
        self.seq = QLabel()
        self.outbox = QLabel()
        self.clock = QLabel()
        self.work = QLabel()
        self.user = QLabel()
        self.notice = QLabel()
        self.calendar = QLabel()  # a standing warning, not a passing notice: see set_calendar
        self.calendar.hide()
        self.addWidget(self.notice, 1)
        for w in (
            self.calendar,
            self.icon,
            self.conn,
            self.seq,
            self.outbox,
            self.work,
            self.clock,
            self.user,
        ):
            self.addPermanentWidget(w)
        self.health = None

    def set_health(self, h) -> None:
        self.health = h
        color = STATUS_COLORS.get(h.status, "#8a94a6")
        self.icon.setPixmap(qta.icon("mdi6.circle", color=color).pixmap(14, 14))
        names = {
            "connected": self.tr("已连接"),
            "connecting": self.tr("连接中"),
            "degraded": self.tr("服务异常"),
            "offline": self.tr("离线"),
            "stopped": self.tr("已停止"),
            "replay": self.tr("回放"),
        }
        text = names.get(h.status, h.status)
        if h.status in ("offline", "degraded"):
            text += f" {max(0, int(time.time() - h.since))} s"
        self.conn.setText(text)
        self.conn.setToolTip(h.last_error or "")
        lag_word, quarantine_word = self.tr("延迟"), self.tr("隔离")
        lag = "" if h.lag_s is None else f" · {lag_word} {h.lag_s:.1f} s"
        quarantined = f" · {quarantine_word} {h.quarantined}" if h.quarantined else ""
        self.seq.setText(f"seq {h.last_seq}{lag}{quarantined}")

    def set_outbox(self, pending: int) -> None:
        self.outbox.setText(self.tr("待发送 %1").replace("%1", str(pending)))
        self.outbox.setStyleSheet("color: #f5a623;" if pending else "")

    def set_clock(self, epoch: float, working: bool) -> None:
        t = datetime.fromtimestamp(epoch, UTC).astimezone(CST)
        self.clock.setText(t.strftime("%Y-%m-%d %H:%M:%S"))
        self.work.setText(self.tr("工作时间") if working else self.tr("非工作时间"))
        self.work.setStyleSheet("color: #2ecc71;" if working else "color: #8a94a6;")

    def set_calendar(self, uncovered_years: list[int]) -> None:
        """Warn, for as long as it holds, that the work calendar has no holiday notice for a
        year within the next 30 days (working days there are counted Monday–Friday)."""
        if not uncovered_years:
            self.calendar.hide()
            return
        years = "、".join(map(str, uncovered_years))
        self.calendar.setText(self.tr("⚠ 缺少%1年节假日安排").replace("%1", years))
        self.calendar.setToolTip(
            self.tr("工作日历未包含%1年国务院节假日安排，该年工作日暂按周一至周五计算").replace(
                "%1", years
            )
        )
        self.calendar.setStyleSheet("color: #f5a623; font-weight: bold;")
        self.calendar.show()

    def set_user(self, text: str) -> None:
        self.user.setText(text)

    def show_notice(self, text: str, level: str = "info") -> None:
        color = {"error": "#ff4d4f", "warning": "#f5a623"}.get(level, "")
        self.notice.setStyleSheet(f"color: {color};" if color else "")
        self.notice.setText(text)
