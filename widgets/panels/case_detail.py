"""Case detail: every field, a mini-map, photos, the event history as a timeline, and the
actions (the window's shared case actions, enabled for what the user may do now)."""

from __future__ import annotations

from datetime import date, datetime

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain.china_time import CST
from console.domain.documents import CaseDoc, CaseEvent
from console.domain.field_tasks import TASK_STATES, responsible_supervisor
from console.domain.sla import minutes_left
from console.domain.workflow import Source
from console.domain.workflow_rules import WorkflowRules
from console.geo.crs import lonlat_to_mercator
from console.geo.outlines import polyline, rings_of
from console.labels import local_time
from console.state import CityState
from widgets.common.i18n import labels
from widgets.common.style import LIGHT_COLORS, theme
from widgets.panels.case_table import fmt_minutes
from widgets.panels.coop_view import CoopView


class MiniMap(pg.PlotWidget):
    def __init__(self, parent=None):
        t = theme()
        super().__init__(parent, background=t["map_bg"])
        self.setMenuEnabled(False)
        self.hideButtons()
        self.getPlotItem().hideAxis("left")
        self.getPlotItem().hideAxis("bottom")
        self.getViewBox().setAspectLocked(True)
        self.getViewBox().setMouseEnabled(False, False)
        self.outline = pg.PlotCurveItem(pen=pg.mkPen(t["district_line"], width=1.5))
        self.marker = pg.ScatterPlotItem(size=14, symbol="o", pen=pg.mkPen("#ffffff", width=2))
        self.addItem(self.outline)
        self.addItem(self.marker)
        self._ref_id = None
        self.setFixedHeight(170)

    def show_point(self, reference: dict, lon: float, lat: float, color: str) -> None:
        if id(reference) != self._ref_id:
            self._ref_id = id(reference)
            x, y, c = polyline(rings_of((reference.get("district") or {}).get("boundary") or {}))
            self.outline.setData(x, y, connect=c)
        x, y = lonlat_to_mercator(lon, lat)
        self.marker.setData(x=[float(x)], y=[float(y)], brush=pg.mkBrush(color))
        self.getViewBox().setRange(
            xRange=(float(x) - 700, float(x) + 700), yRange=(float(y) - 450, float(y) + 450)
        )


class CaseDetail(QScrollArea):
    def __init__(
        self, state: CityState, actions: list[QAction], now, session, workers, parent=None
    ):
        super().__init__(parent)
        self.state, self.now, self.session, self.workers = state, now, session, workers
        self.case_id: str | None = None
        self._archived: CaseDoc | None = None
        self._photos_for: tuple | None = None
        self.setWidgetResizable(True)
        body = QWidget()
        self.setWidget(body)
        lay = QVBoxLayout(body)
        self.title = QLabel()
        f = self.title.font()
        f.setPointSize(f.pointSize() + 4)
        f.setBold(True)
        self.title.setFont(f)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.light = QLabel()
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.addActions(actions)
        self.form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for key in (
            "category",
            "state",
            "source",
            "urgency",
            "address",
            "description",
            "grid",
            "department",
            "component",
            "created",
            "reporter",
            "counters",
            "supervisor",
            "callback",
        ):
            lab = QLabel()
            lab.setWordWrap(True)
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = lab
            self.form.addRow(QLabel(), lab)
        self.fields["state"].setTextFormat(Qt.TextFormat.RichText)  # 缓办 overdue in red
        self.minimap = MiniMap()
        self.photos = QHBoxLayout()
        self.photos_label = QLabel()
        self.history = QTreeWidget()
        self.history.setColumnCount(5)
        self.history.setRootIsDecorated(False)
        self.history.setMinimumHeight(200)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.light)
        lay.addLayout(head)
        lay.addWidget(self.toolbar)
        lay.addLayout(self.form)
        self.coop = CoopView()  # 主办/协办 and the dispute (部门协作)
        lay.addWidget(self.coop)
        lay.addWidget(self.minimap)
        lay.addWidget(self.photos_label)
        lay.addLayout(self.photos)
        self.history_label = QLabel()
        lay.addWidget(self.history_label)
        lay.addWidget(self.history, 1)
        self.retranslate()
        self.show_case(None)

    def retranslate(self) -> None:
        names = {
            "category": self.tr("类别"),
            "state": self.tr("状态"),
            "source": self.tr("来源"),
            "urgency": self.tr("紧急程度"),
            "address": self.tr("地址"),
            "description": self.tr("描述"),
            "grid": self.tr("网格/街道/社区"),
            "department": self.tr("处置部门"),
            "component": self.tr("部件编码/权属"),
            "created": self.tr("上报时间"),
            "reporter": self.tr("上报人"),
            "counters": self.tr("返工/延期/回退"),
            "supervisor": self.tr("监督员"),
            "callback": self.tr("回访"),
        }
        for i, key in enumerate(self.fields):
            item = self.form.itemAt(i, QFormLayout.ItemRole.LabelRole)
            label = item.widget() if item is not None else None
            if isinstance(label, QLabel):
                label.setText(names[key])
        self.history.setHeaderLabels(
            [self.tr("时间"), self.tr("环节"), self.tr("人员"), self.tr("说明"), self.tr("按时")]
        )
        self.photos_label.setText(self.tr("照片"))
        self.history_label.setText(self.tr("办理过程"))
        self.coop.retranslate()

    def refresh(self) -> None:
        self.show_case(self.case_id)

    def show_case(self, case_id: str | None) -> None:
        self.case_id = case_id
        doc = self.state.cases.get(case_id or "")
        if doc is None and self._archived is not None and self._archived.get("id") == case_id:
            doc = self._archived  # fetched from the backend: no longer in the live picture
        self._show(doc)

    def show_archived(self, doc: CaseDoc) -> None:
        """A case the backend sent on request (a finished case this console no longer holds,
        ``console.domain.retention``: a 考核 drill-down into last month); shown as it was."""
        self._archived = doc
        self.show_case(doc.get("id"))

    def _show(self, doc: CaseDoc | None) -> None:
        lb = labels()
        if doc is None:
            self.title.setText(self.tr("未选择案件"))
            self.light.setText("")
            for lab in self.fields.values():
                lab.setText("")
            self.history.clear()
            self.coop.show_case(None, {}, self.now())
            return
        row = self.state.case_row(doc["id"])
        light = int(self.state.case_lights(self.now())[row]) if row is not None else -1
        red_at = self.state.case_arrays()["red_at"][row] if row is not None else float("nan")
        self.title.setText(doc["id"])
        text = {0: self.tr("正常"), 1: self.tr("临期"), 2: self.tr("超期")}.get(light, "")
        self.light.setText(
            f'<span style="color:{LIGHT_COLORS[light]}; font-size:20px">●</span> {text}'
            + (f"  {self._deadline(doc, red_at)}" if text else "")
        )
        cat = next(
            (
                c
                for c in self.state.reference.get("categories") or []
                if c["code"] == doc.get("category_code")
            ),
            None,
        )
        depts = {d["id"]: d["name"] for d in self.state.reference.get("departments") or []}
        streets = {s["code"]: s["name"] for s in self.state.reference.get("streets") or []}
        ext = doc.get("extension_pending_hours")
        f = self.fields
        f["category"].setText(f"{doc.get('category_code', '')} {lb.category(cat, '')}")
        f["state"].setText(
            lb.name("state", doc.get("state"))
            + (" · " + self.tr("延期待批 %1 小时").replace("%1", f"{ext:g}") if ext else "")
            + self._park_text(doc)
        )
        f["source"].setText(lb.name("source", doc.get("source")))
        f["urgency"].setText(lb.name("urgency", doc.get("urgency")))
        f["address"].setText(doc.get("address") or "—")
        f["description"].setText(doc.get("description") or "—")
        f["grid"].setText(
            f"{doc.get('grid_code') or '—'} / {streets.get(doc.get('street_code'), '—')}"
            f" / {doc.get('community_code') or '—'}"
        )
        f["department"].setText(
            depts.get(doc.get("department_id"), doc.get("department_id") or "—")
        )
        comp, owner = doc.get("component_code"), doc.get("component_owner")
        f["component"].setText(f"{comp} · {depts.get(owner or '', owner or '—')}" if comp else "—")
        f["created"].setText(local_time(doc.get("created_at"), "%Y-%m-%d %H:%M:%S"))
        f["reporter"].setText(doc.get("reporter") or "—")
        f["counters"].setText(
            f"{doc.get('rework_count', 0)} / {doc.get('extension_count', 0)}"
            f"/{WorkflowRules.default().max_extensions}"
            f" ({doc.get('extension_hours', 0):g} h) / {doc.get('return_count', 0)}"
        )
        f["supervisor"].setText(self._supervisor_text(doc))
        f["callback"].setText(self._callback_text(doc))
        users = {u["id"]: u["name"] for u in self.state.reference.get("users") or []}
        self.coop.show_case(doc, depts, self.now(), users)
        loc = doc.get("location") or {}
        if loc.get("lon") is not None:
            self.minimap.show_point(
                self.state.reference, loc["lon"], loc["lat"], LIGHT_COLORS[light]
            )
        self._fill_history(doc)
        self._load_photos(doc)

    def _supervisor_text(self, doc: CaseDoc) -> str:
        """Who holds the open 核实/核查 task, or who is responsible for the case's grid."""
        users = {u["id"]: u["name"] for u in self.state.reference.get("users") or []}
        if doc.get("state") in TASK_STATES:
            who = doc.get("assignee")
            if who is None:
                return self.tr("任务未指定监督员（任一监督员可办理）")
            return self.tr("%1 办理中").replace("%1", users.get(who, who))
        roster = {
            a["area"]: a["supervisor"] for a in self.state.reference.get("supervisor_areas") or []
        }
        who = responsible_supervisor(roster, doc.get("grid_code"))
        return self.tr("%1（网格责任监督员）").replace("%1", users.get(who, who)) if who else "—"

    def _callback_text(self, doc: CaseDoc) -> str:
        """The 回访 of a public report: its answer, or that it is still due."""
        if doc.get("source") != Source.PUBLIC.value:
            return "—"
        attempts = doc.get("callback_attempts") or 0
        answer = doc.get("satisfaction")
        if answer is None:
            return self.tr("待回访") if doc.get("state") == "closed" else self.tr("结案后回访")
        text = labels().name("satisfaction", answer)
        return text + " · " + self.tr("第 %1 次").replace("%1", str(attempts))

    def _park_text(self, doc: CaseDoc) -> str:
        """缓办: the due date while parked (in red once past it), or the date a department asks."""
        asked = doc.get("park_request_due_date")
        if asked:
            return " · " + self.tr("申请缓办至 %1，待批").replace("%1", asked)
        due = doc.get("park_due_date")
        if not due:
            return ""
        text = " · " + self.tr("缓办至 %1").replace("%1", due)
        today = datetime.fromtimestamp(self.now(), CST).date()
        if today > date.fromisoformat(due):
            late = self.tr("已逾期")  # outside the f-string, where lupdate finds it
            return f'{text} <span style="color:{LIGHT_COLORS[2]}">{late}</span>'
        return text

    def _deadline(self, doc: CaseDoc, red_at: float) -> str:
        left = minutes_left(self.state.clock_of(doc), self.now(), red_at)
        if left is None:
            return ""
        if left < 0:
            return self.tr("超时 %1").replace("%1", fmt_minutes(-left))
        return self.tr("剩余 %1").replace("%1", fmt_minutes(left))

    def _fill_history(self, doc: CaseDoc) -> None:
        lb = labels()
        users = {u["id"]: u["name"] for u in self.state.reference.get("users") or []}
        self.history.clear()
        for ev in doc.get("events") or []:
            on_time = ev.get("on_time")
            item = QTreeWidgetItem(
                [
                    local_time(ev.get("at")),
                    lb.name("action", ev.get("action")),
                    f"{users.get(ev.get('user'), ev.get('user') or '')} ({lb.name('role', ev.get('role'))})",
                    "；".join(x for x in (self._event_note(ev, users), self._event_facts(ev)) if x),
                    "" if on_time is None else ("✔" if on_time else "✘"),
                ]
            )
            if on_time is False:
                item.setForeground(4, pg.mkColor(LIGHT_COLORS[2]))
            self.history.addTopLevelItem(item)
        for c in range(5):
            self.history.resizeColumnToContents(c)

    def _event_note(self, ev: CaseEvent, users: dict[str, str]) -> str:
        """An event's note, led by what the people rules recorded: the 回访 answer, the
        supervisor a task went to, the one a task was taken from."""
        data, note = ev.get("data") or {}, ev.get("note") or ""
        lead = ""
        if ev.get("action") == "callback" and data.get("satisfaction"):
            lead = labels().name("satisfaction", data["satisfaction"])
        elif ev.get("action") in ("send_verify", "send_check") and data.get("assignee"):
            who = data["assignee"]
            lead = self.tr("派给 %1").replace("%1", users.get(who, who))
        elif ev.get("action") == "take_over":
            who = data.get("from") or ""
            lead = self.tr("接管自 %1").replace("%1", users.get(who, who) or "—")
        return " · ".join(x for x in (lead, note) if x)

    def _event_facts(self, ev: CaseEvent) -> str:
        """What an event changed besides the state: corrections (old → new), hours asked or
        granted, a 缓办 due date and the time left when parked or resumed."""
        lb = labels()
        data = ev.get("data") or {}
        parts = []
        names = {
            "category_code": self.tr("类别"),
            "urgency": self.tr("紧急程度"),
            "location": self.tr("位置"),
            "address": self.tr("地址"),
        }
        for key, (old, new) in (data.get("corrections") or {}).items():
            if key not in names:
                continue  # grid/community/street follow the location
            if key == "urgency":
                old, new = lb.name("urgency", old), lb.name("urgency", new)
            elif key == "location":
                old, new = (f"{p[0]:.5f},{p[1]:.5f}" for p in (old, new))
            parts.append(f"{names[key]} {old or '—'} → {new or '—'}")
        if data.get("hours"):
            parts.append(self.tr("%1 小时").replace("%1", f"{data['hours']:g}"))
        if data.get("due_date"):
            parts.append(self.tr("缓办至 %1").replace("%1", data["due_date"]))
        left = data.get("remaining_minutes")
        if left is None:
            left = (data.get("clock") or {}).get("remaining_minutes")
        if left is not None:
            parts.append(self.tr("剩余 %1").replace("%1", fmt_minutes(left)))
        parts += self._coop_facts(data)
        if parts and data.get("corrections"):
            parts[0] = self.tr("更正：") + parts[0]
        return "；".join(parts)

    def _coop_facts(self, data: dict) -> list[str]:
        """部门协作 on an event: the 协办 named (department: task), a return sent to
        arbitration, the departments a decision found against."""
        depts = {d["id"]: d["name"] for d in self.state.reference.get("departments") or []}
        parts = [
            self.tr("协办 %1：%2")
            .replace("%1", depts.get(a["department_id"], a["department_id"]))
            .replace("%2", a.get("task") or "")
            for a in data.get("assists") or []
        ]
        if data.get("dispute"):
            parts.append(
                self.tr("转值班长裁定（%1）").replace(
                    "%1", labels().name("dispute_reason", data["dispute"])
                )
            )
        if data.get("lost"):
            lost = "、".join(depts.get(x, x) for x in data["lost"])
            parts.append(self.tr("争议未获支持：%1").replace("%1", lost))
        return parts

    def _load_photos(self, doc: CaseDoc) -> None:
        key = (doc["id"], tuple(doc.get("photos") or ()))
        if key == self._photos_for:
            return
        self._photos_for = key
        while self.photos.count():
            item = self.photos.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        photos = list(doc.get("photos") or ())
        if not photos:
            self.photos.addWidget(QLabel(self.tr("无照片")))
            return
        for ref in photos[:6]:
            lab = QLabel("…")
            lab.setFixedSize(120, 90)
            lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.photos.addWidget(lab)
            if self.session is None or ref.startswith(("http://", "https://")):
                lab.setText(ref[-20:])
                continue
            path = ref if ref.startswith("/") else f"/api/v1/media/{ref}"

            def done(data, lab=lab):
                pm = QPixmap()
                if data and pm.loadFromData(data):
                    lab.setPixmap(pm.scaled(120, 90, Qt.KeepAspectRatio, Qt.SmoothTransformation))
                else:
                    lab.setText(self.tr("无法加载"))

            def failed(_error, lab=lab):  # said in the photo's place (and logged by Workers)
                lab.setText(self.tr("无法加载"))

            self.workers.submit(
                lambda p=path: self.session.fetch_bytes(p), done, owner=lab, on_error=failed
            )
        self.photos.addStretch(1)
