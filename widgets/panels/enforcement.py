"""行政执法: the queue of enforcement cases (state, the running legal clock and the days it
has left) and the detail of the chosen one (parties, clocks, 文书, evidence, history), with
the steps the user may take, each through a dialog that posts to the backend.

The queue reads ``state.records["enforcement"]``: the masked form every console follows
(console.domain.enforcement.console_view). An officer or 法制审核 sees the parties in full:
the detail asks the backend for the case (``GET /api/v1/enforcement/{id}``) in a worker.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import qtawesome as qta
from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from console.domain import enforcement as enf
from console.domain.china_time import CST
from console.domain.sla import RED, YELLOW
from console.labels import local_time
from widgets.common.i18n import penalty_text
from widgets.common.style import LIGHT_COLORS, theme

#: Steps whose dialog asks for a penalty and its legal basis.
PENALTY_STEPS = frozenset({"notify", "decide", "decide_on_spot"})
FULL_ROLES = frozenset({"officer", "legal"})
#: The step whose time each clock is kept against (``at`` of the case).
DEADLINE_STEP = {
    "filing": "filed",
    "decision": "decided",
    "delivery": "delivered",
    "payment": "executed",
}
#: Days left under which the clock shows yellow (red once passed).
WARN_DAYS = 3


def days_left(rec: dict[str, Any], now: float) -> float | None:
    """Days until the running clock's due time (negative: missed), None when none runs."""
    running = rec.get("running")
    if not running:
        return None
    due = datetime.fromisoformat(running["due"]).timestamp()
    return (due - now) / 86400.0


def step_name(action: str) -> str:
    """A step's name in the console's language (the domain's ``zh`` is the wire's)."""
    names = {
        "file": QCoreApplication.translate("EnforcementSteps", "立案申请"),
        "approve_filing": QCoreApplication.translate("EnforcementSteps", "立案审批"),
        "reject_filing": QCoreApplication.translate("EnforcementSteps", "不予立案"),
        "add_evidence": QCoreApplication.translate("EnforcementSteps", "调查取证"),
        "notify": QCoreApplication.translate("EnforcementSteps", "处罚告知"),
        "record_statement": QCoreApplication.translate("EnforcementSteps", "陈述申辩"),
        "request_hearing": QCoreApplication.translate("EnforcementSteps", "听证申请"),
        "hold_hearing": QCoreApplication.translate("EnforcementSteps", "举行听证"),
        "decide": QCoreApplication.translate("EnforcementSteps", "处罚决定"),
        "decide_no_penalty": QCoreApplication.translate("EnforcementSteps", "不予处罚"),
        "decide_on_spot": QCoreApplication.translate("EnforcementSteps", "当场处罚"),
        "deliver": QCoreApplication.translate("EnforcementSteps", "送达决定书"),
        "execute": QCoreApplication.translate("EnforcementSteps", "执行"),
        "close": QCoreApplication.translate("EnforcementSteps", "结案"),
    }
    return names.get(action, action)


class StepDialog(QDialog):
    """The inputs of one step: a note always, a penalty and basis for 告知/决定, a waiver for
    陈述申辩, the amount paid for 执行."""

    def __init__(self, action: str, rec: dict[str, Any], parent: QWidget | None = None):
        super().__init__(parent)
        self.action = action
        step = enf.TRANSITIONS[enf.EAction(action)]
        self.setWindowTitle(self.tr("执法步骤") + " · " + step_name(action))
        form = QFormLayout(self)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(
            self.tr("说明（必填）") if step.note_required else self.tr("说明")
        )
        self.note.setFixedHeight(70)
        form.addRow(self.tr("说明"), self.note)
        self.fine = QSpinBox(maximum=1_000_000_000, singleStep=100, suffix=" 元")
        self.warning = QCheckBox(self.tr("警告"))
        self.basis = QLineEdit()
        if action in PENALTY_STEPS:
            proposed = (rec.get("proposed") or {}).get("penalty") or {}
            self.fine.setValue(int(proposed.get("fine", 0)))
            self.warning.setChecked(bool(proposed.get("warning")))
            self.basis.setText(str((rec.get("proposed") or {}).get("basis", "")))
            form.addRow(self.tr("罚款"), self.fine)
            form.addRow("", self.warning)
            form.addRow(self.tr("依据"), self.basis)
        self.waive = QCheckBox(self.tr("当事人放弃陈述申辩和听证"))
        if action == "record_statement":
            form.addRow("", self.waive)
        self.paid = QSpinBox(maximum=1_000_000_000, singleStep=100, suffix=" 元")
        if action == "execute":
            self.paid.setValue(
                int(((rec.get("decision") or {}).get("penalty") or {}).get("fine", 0))
            )
            form.addRow(self.tr("已缴纳"), self.paid)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def body(self, version: int) -> dict[str, Any]:
        """The request body of the step as entered."""
        params: dict[str, Any] = {}
        if self.action in PENALTY_STEPS:
            params["penalty"] = {"fine": self.fine.value(), "warning": self.warning.isChecked()}
            params["basis"] = self.basis.text()
        if self.action == "record_statement" and self.waive.isChecked():
            params["waive"] = True
        if self.action == "execute":
            params["paid"] = self.paid.value()
        note = self.note.toPlainText()
        return {"action": self.action, "note": note, "expected_version": version, "params": params}


class EnforcementPanel(QWidget):
    """The queue above, the detail below, the user's steps as buttons under the detail."""

    notice = Signal(str, str)  # text, level

    def __init__(self, state, now: Callable[[], float], session, workers, parent=None):
        super().__init__(parent)
        self.state, self.now, self.session, self.workers = state, now, session, workers
        self.current: str | None = None
        self.full: dict[str, dict[str, Any]] = {}  # case id → the full case (officer/legal)
        self.table = QTableWidget(0, 7)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selected)
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        below = QWidget()
        lay_below = QVBoxLayout(below)
        lay_below.setContentsMargins(0, 0, 0, 0)
        lay_below.addWidget(self.detail, 1)
        lay_below.addLayout(self.buttons)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(below)
        split.setSizes([240, 420])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(split)
        # The days left move with time alone: re-text the queue twice a minute.
        self._timer = QTimer(self, interval=30_000)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.retranslate()

    # ---- queue ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("案件号"),
                self.tr("程序"),
                self.tr("状态"),
                self.tr("当事人"),
                self.tr("事项"),
                self.tr("期限"),
                self.tr("剩余"),
            ]
        )
        self.refresh()

    def records(self) -> list[dict[str, Any]]:
        """The live enforcement records, newest first."""
        recs = list(self.state.records_of("enforcement").values())
        return sorted(
            recs, key=lambda r: (str(r.get("at", {}).get("created", "")), r["id"]), reverse=True
        )

    def on_diff(self, diff) -> None:
        if diff.reset or any(t == "enforcement" for t, _ in diff.records):
            self.full = {
                k: v for k, v in self.full.items() if (("enforcement", k) not in diff.records)
            }
            self.refresh()

    def refresh(self) -> None:
        recs = self.records()
        now = self.now()
        t = theme()
        self.table.blockSignals(True)
        self.table.setRowCount(len(recs))
        for row, r in enumerate(recs):
            left = days_left(r, now)
            running = r.get("running") or {}
            cells = [
                r["id"],
                self._procedure(r["procedure"]),
                self._state(r["state"]),
                "、".join(p.get("name", "") for p in r.get("parties", [])),
                r.get("category_name", ""),
                self._deadline(running.get("what")) if running else "—",
                "" if left is None else self.tr("%1 天").replace("%1", f"{left:.1f}"),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, r["id"])
                if col == 6 and left is not None:
                    color = (
                        LIGHT_COLORS[RED]
                        if left < 0
                        else LIGHT_COLORS[YELLOW]
                        if left < WARN_DAYS
                        else t["text"]
                    )
                    item.setForeground(QBrush(QColor(color)))
                self.table.setItem(row, col, item)
            if r["id"] == self.current:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        self.table.resizeColumnsToContents()
        self.show_detail()

    def select(self, case_id: str) -> None:
        self.current = case_id
        self.refresh()
        self._chosen()

    def _selected(self) -> None:
        items = self.table.selectedItems()
        self.current = items[0].data(Qt.ItemDataRole.UserRole) if items else None
        self._chosen()

    def _chosen(self) -> None:
        """Show the current case; an officer or 法制审核 also asks for its full parties."""
        self.show_detail()
        if self.current and self._full_reader() and self.current not in self.full:
            cid = self.current
            self.workers.submit(
                lambda: self.session.fetch(f"/api/v1/enforcement/{cid}"),
                lambda doc: self._got_full(cid, doc),
                owner=self,
                what=self.tr("执法案件"),
            )

    def _full_reader(self) -> bool:
        return self.session is not None and bool(FULL_ROLES & set(self.session.actor.roles))

    def _got_full(self, cid: str, doc: dict[str, Any]) -> None:
        self.full[cid] = doc
        if cid == self.current:
            self.show_detail()

    # ---- detail ---------------------------------------------------------------------------
    def show_detail(self) -> None:
        rec = self.state.records_of("enforcement").get(self.current or "")
        self._fill_buttons(rec)
        if rec is None:
            self.detail.setHtml(f"<p>{html.escape(self.tr('选择一个执法案件'))}</p>")
            return
        full = self.full.get(rec["id"])
        # The full case has no ``running`` (the record's addition): the record's stays.
        self.detail.setHtml(self._html({**rec, **full} if full else rec, masked=full is None))

    def _who(self, user_id: str) -> str:
        """A user's name from the reference (its id when unknown)."""
        users = self.state.reference.get("users") or []
        return next((u["name"] for u in users if u.get("id") == user_id), user_id)

    def _html(self, r: dict[str, Any], masked: bool) -> str:
        e, t = html.escape, theme()
        dim = t["dim"]
        out = [
            f"<h3>{e(r['id'])} · {e(r.get('category_name', ''))}</h3>",
            f"<p>{e(self._procedure(r['procedure']))} · <b>{e(self._state(r['state']))}</b>",
        ]
        if r.get("source_case_id"):
            out.append(f" · {e(self.tr('来自案件'))} {e(r['source_case_id'])}")
        out.append("</p>")
        note = self.tr("（已脱敏）") if masked else ""
        out.append(
            f"<h4>{e(self.tr('当事人'))} <span style='color:{dim}'>{e(note)}</span></h4><ul>"
        )
        for p in r.get("parties", []):
            kind = self.tr("单位") if p.get("kind") == "org" else self.tr("个人")
            extra = " · ".join(
                x for x in (p.get("id_number"), p.get("phone"), p.get("address")) if x
            )
            out.append(
                f"<li>{e(kind)} {e(p.get('name', ''))} <span style='color:{dim}'>{e(extra)}</span></li>"
            )
        out.append("</ul>")
        if r.get("facts"):
            out.append(f"<p>{e(self.tr('案情'))}：{e(r['facts'])}</p>")
        out.append(f"<h4>{e(self.tr('期限'))}</h4><ul>")
        now = datetime.fromtimestamp(self.now(), UTC)
        at = r.get("at", {})
        for what, due_iso in sorted(r.get("deadlines", {}).items(), key=lambda kv: kv[1]):
            due = datetime.fromisoformat(due_iso)
            done = at.get(DEADLINE_STEP.get(what, ""))
            if what == "notice_until":
                label = self.tr("陈述申辩/听证期")
                status = self.tr("当事人已放弃") if r.get("waived") else ""
                late = False
            elif done is not None:
                label = self._deadline(what)
                late = datetime.fromisoformat(done) > due
                status = self.tr("逾期办理") if late else self.tr("按期办理")
            else:
                label = self._deadline(what)
                late = due < now
                status = self.tr("已超期") if late else ""
            color = LIGHT_COLORS[RED] if late else t["text"]
            # A day count ends at 24:00 of its last day: shown so, not as the next day's 00:00.
            last = (due - timedelta(microseconds=1)).astimezone(CST).strftime("%Y-%m-%d")
            tail = f"（{status}）" if status else ""
            out.append(
                f"<li style='color:{color}'>{e(label)} {last} 24:00 {self.tr('届满')}{e(tail)}</li>"
            )
        out.append("</ul>")
        if r.get("decision"):
            d = r["decision"]
            out.append(
                f"<h4>{e(self.tr('处罚决定'))}</h4><p>{e(d.get('doc_number', ''))} · "
                f"{e(penalty_text(d.get('penalty') or {}))}<br>{e(d.get('basis', ''))}</p>"
            )
        if r.get("documents"):
            out.append(f"<h4>{e(self.tr('文书'))}</h4><ul>")
            for d in r["documents"]:
                out.append(f"<li>{e(d['name'])} {e(d['number'])}</li>")
            out.append("</ul>")
        if r.get("evidence"):
            out.append(f"<h4>{e(self.tr('证据'))}</h4><ul>")
            for ev in r["evidence"]:
                n = len(ev.get("photos") or [])
                photos = self.tr("%1 张照片").replace("%1", str(n)) if n else ""
                when = local_time(ev["at"], "%m-%d %H:%M")
                out.append(
                    f"<li>{e(when)} {e(self._who(ev['by']))}：{e(ev.get('note', ''))} {e(photos)}</li>"
                )
            out.append("</ul>")
        out.append(f"<h4>{e(self.tr('办理记录'))}</h4><ul>")
        for h in r.get("history", []):
            when = local_time(h["at"], "%m-%d %H:%M")
            note = f"：{h['note']}" if h.get("note") else ""
            out.append(
                f"<li>{e(when)} {e(step_name(h['action']))} · {e(self._who(h['by']))}{e(note)}</li>"
            )
        out.append("</ul>")
        return "".join(out)

    # ---- steps ----------------------------------------------------------------------------
    def _fill_buttons(self, rec: dict[str, Any] | None) -> None:
        while self.buttons.count() > 1:
            item = self.buttons.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        if rec is None or self.session is None:
            return
        actor = self.session.actor
        now = datetime.fromtimestamp(self.now(), UTC)
        for act in enf.available_steps(rec, actor.user_id, actor.roles, now):
            b = QPushButton(qta.icon("mdi6.gavel", color=theme()["text"]), step_name(act.value))
            b.setObjectName(f"step_{act.value}")
            b.clicked.connect(lambda _=False, a=act.value: self.take_step(a))
            self.buttons.insertWidget(self.buttons.count() - 1, b)

    def take_step(self, action: str, dialog: StepDialog | None = None) -> None:
        """Open the step's dialog (or use ``dialog`` as filled) and post it in a worker."""
        rec = self.state.records_of("enforcement").get(self.current or "")
        if rec is None or self.session is None:
            return
        dlg = dialog or StepDialog(action, rec, self)
        if dialog is None and dlg.exec() != QDialog.DialogCode.Accepted:
            return
        body = dlg.body(rec["version"])
        cid = rec["id"]
        self.workers.submit(
            lambda: self.session.enforcement_step(cid, body),
            lambda doc: self._stepped(cid, doc),
            owner=self,
            on_error=self._refused,
            what=self.tr("执法步骤"),
        )

    def _stepped(self, cid: str, doc: dict[str, Any]) -> None:
        if FULL_ROLES & set(self.session.actor.roles):
            self.full[cid] = doc
        done = step_name(doc["history"][-1]["action"])
        self.notice.emit(self.tr("已办理：%1").replace("%1", done), "info")

    def _refused(self, error: BaseException) -> None:
        msg = getattr(error, "message", "") or str(error)
        self.notice.emit(self.tr("执法步骤未办理：%1").replace("%1", msg), "warning")

    # ---- labels ---------------------------------------------------------------------------
    def _state(self, st: str) -> str:
        names = {
            "filed": self.tr("待立案审批"),
            "investigating": self.tr("调查取证"),
            "notified": self.tr("告知(陈述申辩/听证期)"),
            "decided": self.tr("已决定待执行"),
            "executed": self.tr("执行完毕"),
            "closed": self.tr("结案"),
            "rejected": self.tr("不予立案"),
        }
        return names.get(st, st)

    def _procedure(self, p: str) -> str:
        return self.tr("简易程序") if p == "simple" else self.tr("一般程序")

    def _deadline(self, what: str | None) -> str:
        names = {
            "filing": self.tr("立案"),
            "decision": self.tr("处罚决定"),
            "delivery": self.tr("送达"),
            "payment": self.tr("缴款"),
        }
        return names.get(what or "", what or "")
