"""部门协作 dialogs (docs/rules/coop.md): 添加协办 (dispatcher, shift lead), 协办接收 / 协办完成 /
协办退回 (the 协办 department's user) and 争议裁定 (shift lead). The backend checks each again (roles, the task's
department and state); the dialogs only ask for what the action needs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from console.domain.coop import MAX_TASK, OPEN_ASSIST_STATES, assist_tasks_for
from console.domain.workflow import TRANSITIONS, Action
from console.labels import local_time
from console.state import CityState
from widgets.common.i18n import labels


def _departments(state: CityState, skip: set[str], optional: bool = False) -> QComboBox:
    """A searchable department list (30+ departments) without ``skip``; first entry 无 when
    ``optional``."""
    box = QComboBox()
    if optional:
        box.addItem("—", None)
    for d in state.reference.get("departments") or []:
        if d["id"] not in skip:
            box.addItem(d["name"], d["id"])
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    return box


class _Base(QDialog):
    """Title, a form, a note and OK/Cancel; OK only once ``_missing`` finds nothing."""

    note_required = False

    def __init__(self, action: str, case: Mapping[str, Any], parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle(f"{labels().name('action', action)} · {case['id']}")
        self.form = QFormLayout()
        self.note = QPlainTextEdit()
        self.note.setFixedHeight(70)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)

    def _finish(self) -> None:
        self.note.setPlaceholderText(
            self.tr("原因（必填）") if self.note_required else self.tr("备注（可选）")
        )
        self.form.addRow(self.tr("说明"), self.note)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(self.buttons)
        self.resize(460, 0)

    def _missing(self) -> QWidget | None:
        if self.note_required and not self.note.toPlainText().strip():
            return self.note
        return None

    def _ok(self) -> None:
        for kind in (QLineEdit, QPlainTextEdit, QComboBox):
            for field in self.findChildren(kind):
                field.setStyleSheet("")  # a field mended since the last try is not marked
        w = self._missing()
        if w is not None:
            w.setFocus()
            w.setStyleSheet("border: 1px solid #ff4d4f;")
            return
        self.accept()


class AssistDialog(_Base):
    """添加协办: a department other than the 主办 and those already assisting, and its task."""

    def __init__(
        self, action: str, case: Mapping[str, Any], state: CityState, parent: QWidget | None
    ):
        super().__init__(action, case, parent)
        busy = {
            a["department_id"]
            for a in case.get("assists") or []
            if a["state"] in OPEN_ASSIST_STATES
        }
        self.department = _departments(state, busy | {case.get("department_id") or ""})
        self.task = QLineEdit()
        self.task.setMaxLength(MAX_TASK)
        self.task.setPlaceholderText(self.tr("协办单位要做的事（必填）"))
        self.form.addRow(self.tr("协办部门"), self.department)
        self.form.addRow(self.tr("协办任务"), self.task)
        self._finish()

    def _missing(self) -> QWidget | None:
        return self.task if not self.task.text().strip() else super()._missing()

    def params(self) -> dict:
        return {
            "department_id": self.department.currentData(),
            "task": self.task.text().strip(),
            "note": self.note.toPlainText().strip(),
        }


class AssistTaskDialog(_Base):
    """协办接收 / 协办完成 / 协办退回: which 协办 task the action may take (department · task ·
    deadline: a 派发 one to accept, an open one to finish or return) and what was done, or
    why it goes back (a return's reason is required: the 主办 and the centre read it)."""

    def __init__(
        self,
        action: str,
        case: Mapping[str, Any],
        state: CityState,
        parent: QWidget | None,
        department_id: str | None = None,
    ):
        """``department_id``: the user's department, whose tasks alone are offered (None: all)."""
        super().__init__(action, case, parent)
        self.note_required = TRANSITIONS[Action(action)].note_required
        depts = {d["id"]: d["name"] for d in state.reference.get("departments") or []}
        self.task = QComboBox()
        for a in assist_tasks_for(case.get("assists"), action, department_id):
            when = local_time(a.get("deadline"), "%m-%d %H:%M")
            name = depts.get(a["department_id"], a["department_id"])
            self.task.addItem(f"{name} · {a.get('task')} · {when}", a["n"])
        self.form.addRow(self.tr("协办任务"), self.task)
        self._finish()

    def params(self) -> dict:
        return {"assist": self.task.currentData(), "note": self.note.toPlainText().strip()}


class ArbitrateDialog(_Base):
    """争议裁定: who returned it and why, then the 主办, an optional 协办 with its task, and the
    reason (required: the decision is recorded and counted)."""

    note_required = True

    def __init__(
        self, action: str, case: Mapping[str, Any], state: CityState, parent: QWidget | None
    ):
        super().__init__(action, case, parent)
        lb = labels()
        depts = {d["id"]: d["name"] for d in state.reference.get("departments") or []}
        d = case.get("dispute") or {}
        parties = "、".join(depts.get(p, p) for p in d.get("parties") or [])
        asked = QLabel(
            self.tr("%1：%2 退回。%3")
            .replace("%1", lb.name("dispute_reason", d.get("reason")))
            .replace("%2", parties or "—")
            .replace("%3", d.get("return_note") or "")
        )
        asked.setWordWrap(True)
        self.form.addRow(self.tr("争议"), asked)
        self.lead = _departments(state, set())
        self.lead.setCurrentIndex(max(self.lead.findData(case.get("department_id")), 0))
        self.form.addRow(self.tr("主办部门"), self.lead)
        self.helper = _departments(state, set(), optional=True)
        self.form.addRow(self.tr("协办部门"), self.helper)
        self.task = QLineEdit()
        self.task.setMaxLength(MAX_TASK)
        self.task.setPlaceholderText(self.tr("协办任务（选了协办部门时必填）"))
        self.form.addRow(self.tr("协办任务"), self.task)
        self._finish()
        self.note.setPlaceholderText(self.tr("裁定理由（必填）"))

    def _missing(self) -> QWidget | None:
        helper = self.helper.currentData()
        if helper is not None and helper == self.lead.currentData():
            return self.helper
        if helper is not None and not self.task.text().strip():
            return self.task
        return super()._missing()

    def params(self) -> dict:
        out: dict[str, Any] = {
            "department_id": self.lead.currentData(),
            "note": self.note.toPlainText().strip(),
        }
        if self.helper.currentData() is not None:
            out["assists"] = [
                {"department_id": self.helper.currentData(), "task": self.task.text().strip()}
            ]
        return out
