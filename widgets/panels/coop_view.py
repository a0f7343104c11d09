"""部门协作 in the case detail: the 主办 and each 协办 with its task, state and deadline, and
the ownership dispute (pending, or the 值班长's decision and its reason). Fed the case document
the detail shows (``console.domain.coop`` keeps these fields; docs/rules/coop.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from console.domain.coop import OPEN_ASSIST_STATES, PENDING
from console.domain.documents import CaseDoc
from console.labels import local_time
from widgets.common.i18n import labels
from widgets.common.style import LIGHT_COLORS


class CoopView(QWidget):
    """A row per department on the case (主办 first), and the dispute under them; hidden for a
    case with neither 协办 nor dispute, so the common case's detail stays as it was."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = QTreeWidget()
        self.table.setColumnCount(5)
        self.table.setRootIsDecorated(False)
        self.table.setMinimumHeight(70)
        self.dispute = QLabel()
        self.dispute.setWordWrap(True)
        self.dispute.setTextFormat(Qt.TextFormat.RichText)
        self.dispute.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel()
        lay.addWidget(self.title)
        lay.addWidget(self.table)
        lay.addWidget(self.dispute)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("部门协作"))
        self.table.setHeaderLabels(
            [self.tr("角色"), self.tr("部门"), self.tr("任务"), self.tr("状态"), self.tr("时限")]
        )

    def show_case(
        self,
        doc: CaseDoc | None,
        departments: dict[str, str],
        now: float,
        users: dict[str, str] | None = None,
    ) -> None:
        """Fill from ``doc`` (None or a case without 协办/dispute: hidden); ``departments``
        and ``users`` name ids."""
        assists = list(doc.get("assists") or []) if doc is not None else []
        dispute = doc.get("dispute") if doc is not None else None
        self.setVisible(bool(assists or dispute))
        self.table.clear()
        if doc is None or not (assists or dispute):
            return
        lb = labels()
        lead = doc.get("department_id")
        if lead:
            row = [
                self.tr("主办"),
                departments.get(lead, lead),
                self.tr("处置并反馈结果"),
                lb.name("state", doc.get("state")),
                local_time(doc.get("deadline"), "%m-%d %H:%M") if doc.get("deadline") else "—",
            ]
            self.table.addTopLevelItem(QTreeWidgetItem(row))
        for a in assists:
            late = a.get("on_time") is False or (
                a.get("state") in OPEN_ASSIST_STATES
                and datetime.fromisoformat(a["deadline"]).timestamp() < now
            )
            item = QTreeWidgetItem(
                [
                    self.tr("协办"),
                    departments.get(a["department_id"], a["department_id"]),
                    a.get("task") or "",
                    lb.name("assist_state", a.get("state")),
                    local_time(a.get("deadline"), "%m-%d %H:%M")
                    + (" ✘" if late else " ✔" if a.get("on_time") else ""),
                ]
            )
            if late:
                item.setForeground(4, pg.mkColor(LIGHT_COLORS[2]))
            self.table.addTopLevelItem(item)
        for c in range(5):
            self.table.resizeColumnToContents(c)
        rows = self.table.topLevelItemCount()
        header = self.table.header().sizeHint().height()
        row_h = max(self.table.sizeHintForRow(0), 20)
        self.table.setFixedHeight(header + row_h * rows + 2 * self.table.frameWidth() + 4)
        text = self._dispute_text(dispute, departments, users or {}) if dispute else ""
        self.dispute.setText(text)
        self.dispute.setVisible(bool(dispute))

    def _dispute_text(
        self, d: Mapping[str, Any], departments: dict[str, str], users: dict[str, str]
    ) -> str:
        lb = labels()
        parties = "、".join(departments.get(p, p) for p in d.get("parties") or [])
        head = (
            self.tr("争议（%1）：%2 退回")
            .replace("%1", lb.name("dispute_reason", d.get("reason")))
            .replace("%2", parties or "—")
        )
        if d.get("state") == PENDING:
            wait = self.tr("待值班长裁定")
            return f'{head} · <span style="color:{LIGHT_COLORS[1]}">{wait}</span>'
        lead = d.get("lead_department") or ""
        helpers = "、".join(departments.get(x, x) for x in d.get("assist_departments") or [])
        text = (
            self.tr("%1 裁定（%2）：主办 %3")
            .replace("%1", local_time(d.get("decided_at"), "%m-%d %H:%M"))
            .replace("%2", users.get(d.get("decided_by") or "", d.get("decided_by") or ""))
            .replace("%3", departments.get(lead, lead))
        )
        if helpers:
            text += self.tr("，协办 %1").replace("%1", helpers)
        reason = d.get("decision") or ""
        why = self.tr("理由：%1").replace("%1", reason)  # outside the f-string, for lupdate
        return f"{head}<br><b>{text}</b>" + (f"<br>{why}" if reason else "")
