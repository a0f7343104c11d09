"""养护工单: the day's planned maintenance orders, the 养护 KPIs per department, and the 部件 the
map's click picked (code, category, owner, state, its open cases and orders).

Everything is read from the state's records (``work_order``, ``asset_state``) and cases, so the
panel shows the same in a replay as live. The KPIs are ``console.domain.maintenance``'s, over
the orders the console holds (open ones and those finished within the day: the backend's
``/api/v1/maintenance/kpis`` has any window). A KPI row's click lists its department's due
orders (the drill-down); the centre's steps (派单, 验收, 取消) go to the backend from a worker,
and what changed comes back by the feed like every change.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import qtawesome as qta
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain import maintenance as m
from console.domain.china_time import CST
from console.domain.workflow import TERMINAL_STATES
from console.state import CityState
from widgets.common.i18n import labels
from widgets.common.style import theme

ORDER_ID_ROLE = Qt.ItemDataRole.UserRole + 1
# The centre's actions on an order (the buttons, in this order).
CENTRE_ACTIONS = ("dispatch", "accept", "reject", "cancel")
LATE_COLOR = "#ff4d4f"


class WorkOrderPanel(QWidget):
    """Orders, KPIs and the picked component; ``order_selected`` gives an order's first
    component (the map rings and shows it)."""

    order_selected = Signal(str)  # a component code

    def __init__(self, state: CityState, now, session=None, workers=None, parent=None):
        super().__init__(parent)
        self.state, self.now = state, now
        self.session, self.workers = session, workers
        self.component: str | None = None
        self.department: str | None = None  # the KPI drill-down's filter
        self._order_ids: list[str] = []

        self.detail = QLabel()
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setWordWrap(True)
        self.detail.setObjectName("componentDetail")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.filter_label = QLabel()
        self.orders = self._table(7)
        self.orders.itemSelectionChanged.connect(self._order_picked)
        self.kpis = self._table(4)
        self.kpis.itemSelectionChanged.connect(self._kpi_picked)
        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        icons = {
            "dispatch": "fa5s.paper-plane",
            "accept": "fa5s.check",
            "reject": "fa5s.undo",
            "cancel": "fa5s.ban",
        }
        for action in CENTRE_ACTIONS:
            b = QPushButton(qta.icon(icons[action], color=theme()["text"]), "")
            b.clicked.connect(lambda _=False, a=action: self.act(a))
            b.setEnabled(False)
            self.buttons[action] = b
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.filter_label)

        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addLayout(bar)
        tl.addWidget(self.orders)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.detail)
        split.addWidget(top)
        split.addWidget(self.kpis)
        split.setSizes([150, 400, 180])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(split)
        self.retranslate()

    @staticmethod
    def _table(columns: int) -> QTableWidget:
        t = QTableWidget(0, columns)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.verticalHeader().hide()
        t.horizontalHeader().setStretchLastSection(True)
        return t

    # ---- words ------------------------------------------------------------------------------
    def _state_names(self) -> dict[str, str]:
        return {
            m.PLANNED: self.tr("计划"),
            m.DISPATCHED: self.tr("派单"),
            m.WORKING: self.tr("施工"),
            m.ACCEPTING: self.tr("验收"),
            m.DONE: self.tr("完成"),
            m.CANCELLED: self.tr("取消"),
        }

    def _asset_state_names(self) -> dict[str, str]:
        return {
            m.NORMAL: self.tr("正常"),
            m.DAMAGED: self.tr("损坏"),
            m.MISSING: self.tr("缺失"),
            m.DISABLED: self.tr("停用"),
            m.REPAIRING: self.tr("维修中"),
        }

    def _plan_names(self) -> dict[str, str]:
        return {
            "light_night_patrol": self.tr("路灯夜巡"),
            "light_box_check": self.tr("路灯配电箱检查"),
            "sewer_well_check": self.tr("排水检查井巡查"),
            "inlet_clearing": self.tr("雨水口清掏"),
            "manhole_cover_check": self.tr("窨井盖巡查"),
            "hydrant_check": self.tr("消火栓检查"),
            "bin_cleaning": self.tr("废物箱清洗"),
        }

    def retranslate(self) -> None:
        self.orders.setHorizontalHeaderLabels(
            [
                self.tr("工单号"),
                self.tr("养护计划"),
                self.tr("责任部门"),
                self.tr("状态"),
                self.tr("部件数"),
                self.tr("期限"),
                self.tr("按期"),
            ]
        )
        self.kpis.setHorizontalHeaderLabels(
            [self.tr("部门"), self.tr("应完成"), self.tr("养护计划完成率"), self.tr("按期完成率")]
        )
        names = {
            "dispatch": self.tr("派单"),
            "accept": self.tr("验收通过"),
            "reject": self.tr("验收不通过"),
            "cancel": self.tr("取消"),
        }
        for action, b in self.buttons.items():
            b.setText(names[action])
        self.refresh()

    # ---- updates ----------------------------------------------------------------------------
    def on_diff(self, diff) -> None:
        touched = diff.reset or any(t in (m.WORK_ORDER, m.ASSET_STATE) for t, _ in diff.records)
        if touched:
            self.refresh()
        elif self.component is not None and diff.cases:  # its open cases may have changed
            self._fill_detail()

    def _records(self, type_: str) -> dict[str, dict[str, Any]]:
        """The live records of ``type_`` with this module's fields (``RecordDoc`` names only
        the ones every record has)."""
        return cast(dict[str, dict[str, Any]], self.state.records_of(type_))

    def _dept_names(self) -> dict[str, str]:
        return {d["id"]: d["name"] for d in self.state.reference.get("departments") or []}

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.now(), UTC)

    def refresh(self) -> None:
        self._fill_orders()
        self._fill_kpis()
        self._fill_detail()
        self._update_buttons()

    def _due_ids(self) -> set[str] | None:
        """The drill-down's orders (due today for the chosen department), or None: all."""
        if self.department is None:
            return None
        start, end = self._today()
        orders = self._records(m.WORK_ORDER).values()
        return set(m.kpi_orders(orders, start, end, self.department, m.ON_TIME, "denominator"))

    def _today(self) -> tuple[datetime, datetime]:
        day = self._now().astimezone(CST).replace(hour=0, minute=0, second=0, microsecond=0)
        return day, day + timedelta(days=1)

    def _fill_orders(self) -> None:
        docs = sorted(self._records(m.WORK_ORDER).values(), key=lambda d: d["id"], reverse=True)
        keep = self._due_ids()
        if keep is not None:
            docs = [d for d in docs if d["id"] in keep]
        selected = self.selected_order()
        depts, states, plans = self._dept_names(), self._state_names(), self._plan_names()
        now = self._now()
        t = self.orders
        t.blockSignals(True)
        t.setRowCount(len(docs))
        self._order_ids = [str(d["id"]) for d in docs]
        late_brush = QBrush(QColor(LATE_COLOR))
        for r, d in enumerate(docs):
            due = d.get("due_at")
            due_text = (
                datetime.fromisoformat(due).astimezone(CST).strftime("%m-%d %H:%M") if due else ""
            )
            on_time = d.get("on_time")
            cells = [
                d["id"],
                plans.get(d["plan"], d["plan"]),
                depts.get(d["department_id"], d["department_id"]),
                states.get(d["state"], d["state"]),
                str(len(d["components"])),
                due_text,
                "" if on_time is None else (self.tr("是") if on_time else self.tr("否")),
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ORDER_ID_ROLE, d["id"])
                if (c == 5 and m.is_overdue(d, now)) or (c == 6 and on_time is False):
                    item.setForeground(late_brush)
                t.setItem(r, c, item)
            if d["id"] == selected:
                t.selectRow(r)
        t.blockSignals(False)
        t.resizeColumnsToContents()
        who = self._dept_names().get(self.department or "", self.department or "")
        self.filter_label.setText(self.tr("应完成：{0}").format(who) if self.department else "")

    def _fill_kpis(self) -> None:
        start, end = self._today()
        rows = m.maintenance_kpis(
            self._records(m.WORK_ORDER).values(), start, end, self._dept_names()
        )
        t = self.kpis
        t.blockSignals(True)
        t.setRowCount(len(rows))
        for r, row in enumerate(rows):
            ind = row["indicators"]

            cells = [
                row["name"] or row["key"],
                str(ind[m.COMPLETION]["denominator"]),
                _pct(ind[m.COMPLETION]),
                _pct(ind[m.ON_TIME]),
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ORDER_ID_ROLE, row["key"])
                t.setItem(r, c, item)
            if row["key"] == self.department:
                t.selectRow(r)
        t.blockSignals(False)
        t.resizeColumnsToContents()

    def show_component(self, code: str | None) -> None:
        """The component the map's click picked (None: none)."""
        self.component = code
        self._fill_detail()

    def _component_cases(self, code: str) -> list[Mapping[str, Any]]:
        return [
            c
            for c in self.state.cases.values()
            if c.get("component_code") == code
            and c.get("state") not in {s.value for s in TERMINAL_STATES}
        ]

    def _fill_detail(self) -> None:
        code = self.component
        if code is None:
            self.detail.setText(self.tr("在地图上放大到街道，点击部件查看详情。"))
            return
        lb = labels()
        cat_code = code[6:11]
        cat = next(
            (c for c in self.state.reference.get("categories", []) if c["code"] == cat_code), None
        )
        rec = self._records(m.ASSET_STATE).get(code)
        state = str(rec.get("state", m.NORMAL)) if rec else m.NORMAL
        owner = self._owner(code)
        dept = self._dept_names().get(owner or "", owner or "—")
        orders = [d for d in self._records(m.WORK_ORDER).values() if code in d["components"]]
        cases = self._component_cases(code)
        states, plans = self._state_names(), self._plan_names()
        color = LATE_COLOR if state in (m.DAMAGED, m.MISSING) else theme()["text"]
        owner_w, state_w = self.tr("权属单位"), self.tr("状态")
        orders_w, cases_w, none_w = self.tr("养护工单"), self.tr("未结案件"), self.tr("无")
        order_text = ", ".join(
            f"{d['id']} {plans.get(d['plan'], d['plan'])} {states.get(d['state'], d['state'])}"
            for d in orders
        )
        case_text = ", ".join(f"{c['id']} {lb.name('state', c.get('state'))}" for c in cases)
        state_text = self._asset_state_names().get(state, state)
        lines = [
            f"<b>{code}</b> · {lb.category(cat, cat_code)}",
            f"{owner_w}：{dept}",
            f"{state_w}：<span style='color:{color}'>{state_text}</span>",
            f"{orders_w}：{order_text or none_w}",
            f"{cases_w}：{case_text or none_w}",
        ]
        self.detail.setText("<br>".join(lines))

    def _owner(self, code: str) -> str | None:
        """The component's owner: its record's, else the console's own inventory's."""
        rec = self._records(m.ASSET_STATE).get(code)
        if rec and rec.get("owner_department_id"):
            return str(rec["owner_department_id"])
        from console.geo.inventory import ComponentIndex

        index = ComponentIndex.load()
        try:
            i = index.find(code)
        except ValueError:
            return None
        return None if i is None else str(index.inv.owner[i])

    # ---- selection and actions --------------------------------------------------------------
    def selected_order(self) -> str | None:
        rows = self.orders.selectionModel().selectedRows() if self.orders.selectionModel() else []
        if not rows:
            return None
        item = self.orders.item(rows[0].row(), 0)
        return None if item is None else str(item.data(ORDER_ID_ROLE))

    def select_order(self, order_id: str) -> None:
        if order_id in self._order_ids:
            self.orders.selectRow(self._order_ids.index(order_id))

    def _order_picked(self) -> None:
        self._update_buttons()
        oid = self.selected_order()
        doc = self._records(m.WORK_ORDER).get(oid or "")
        if doc and doc["components"]:
            self.order_selected.emit(str(doc["components"][0]))

    def _kpi_picked(self) -> None:
        rows = self.kpis.selectionModel().selectedRows()
        item = self.kpis.item(rows[0].row(), 0) if rows else None
        key = None if item is None else item.data(ORDER_ID_ROLE)
        self.department = None if key == self.department else key
        self._fill_orders()
        self._update_buttons()

    def _update_buttons(self) -> None:
        doc = self._records(m.WORK_ORDER).get(self.selected_order() or "")
        roles = set(self.session.actor.roles) if self.session is not None else set()
        for action, b in self.buttons.items():
            tr = m.TRANSITIONS[action]
            ok = doc is not None and doc["state"] in tr.sources and bool(roles & tr.roles)
            b.setEnabled(ok)

    def act(self, action: str) -> None:
        """The centre's step on the selected order, from a worker; the feed brings the result."""
        doc = self._records(m.WORK_ORDER).get(self.selected_order() or "")
        if doc is None or self.session is None or self.workers is None:
            return
        body = {"action": action, "expected_version": doc["version"]}
        path = f"/api/v1/maintenance/orders/{doc['id']}/actions"
        key = uuid.uuid4().hex
        self.workers.submit(
            lambda: self.session.post(path, body, key),
            owner=self,
            what=self.tr("养护工单"),
        )


def _pct(cell: Mapping[str, Any]) -> str:
    """A rate with its counts: "83% (5/6)", or a dash when nothing was due."""
    v = cell["value"]
    return "—" if v is None else f"{100 * v:.0f}% ({cell['numerator']}/{cell['denominator']})"
