"""Case actions as the operator takes them: which are allowed, the dialogs they need, and what
the backend answered (409 conflict with the current case, 422/403 refusals).

The rules are the domain's (``available_actions``); the backend checks them again. An action
goes into the outbox with the case version the operator decided on; the answer comes back
through ``on_outcome`` on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from console.domain.routing import BY_OWNER, Routed, RoutingTable
from console.domain.workflow import TRANSITIONS, Action, available_actions
from console.labels import local_time
from console.state import CityState
from widgets.common.i18n import labels

#: Keyboard shortcuts of the queue and detail actions (one key, as the desk works fast).
SHORTCUTS = {
    "accept": "A",
    "send_verify": "V",
    "register": "R",
    "dispatch": "D",
    "redispatch": "Shift+D",
    "send_check": "K",
    "close": "X",
    "approve_extension": "Y",
    "deny_extension": "N",
    "park": "P",
    "resume": "U",
    "void": "Shift+Del",
}
#: The actions a centre desk takes, in menu order (department/supervisor actions are theirs).
DESK_ACTIONS = tuple(SHORTCUTS)


class ParamsDialog(QDialog):
    """Department picker and/or reason, as the action needs."""

    def __init__(
        self, action: str, case: Mapping[str, Any], state: CityState, parent: QWidget | None
    ):
        super().__init__(parent)
        lb = labels()
        t = TRANSITIONS[Action(action)]
        self.setWindowTitle(f"{lb.name('action', action)} · {case['id']}")
        form = QFormLayout()
        self.department = None
        if "department_id" in t.params:
            self.department = QComboBox()
            ref = state.reference
            routed = RoutingTable.from_rows(ref.get("routing") or []).route(
                case.get("category_code", ""),
                case.get("street_code"),
                case.get("component_owner"),
            )
            for d in ref.get("departments") or []:
                self.department.addItem(d["name"], d["id"])
            i = self.department.findData(routed.department_id)
            self.department.setCurrentIndex(max(i, 0))
            self.department.setEditable(True)  # type to search 30+ departments
            self.department.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            form.addRow(self.tr("处置部门"), self.department)
            self.route_reason = QLabel(self._route_reason(case, routed))
            self.route_reason.setWordWrap(True)
            self.route_reason.setMinimumWidth(360)
            self.route_reason.setMaximumWidth(480)
            form.addRow(self.tr("派遣依据"), self.route_reason)
        if action == "approve_extension":
            hours = case.get("extension_pending_hours")
            form.addRow(self.tr("申请延期"), QLabel(self.tr("%1 小时").replace("%1", f"{hours}")))
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(
            self.tr("原因（必填）") if t.note_required else self.tr("备注（可选）")
        )
        self.note.setFixedHeight(80)
        form.addRow(self.tr("说明"), self.note)
        self.note_required = t.note_required
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)

    def _route_reason(self, case: Mapping[str, Any], routed: Routed) -> str:
        """Why the department is preselected: the 部件's owner, or the matter's routing line."""
        if routed.department_id is None:
            return self.tr("无派遣规则，请选择处置部门")
        if routed.reason == BY_OWNER:
            return self.tr("部件权属单位（部件 %1）").replace(
                "%1", case.get("component_code") or ""
            )
        return self.tr("事项派遣规则：%1").replace("%1", routed.basis)

    def _accept(self) -> None:
        if self.note_required and not self.note.toPlainText().strip():
            self.note.setFocus()
            self.note.setStyleSheet("border: 1px solid #ff4d4f;")
            return
        self.accept()

    def params(self) -> dict:
        out = {"note": self.note.toPlainText().strip()}
        if self.department is not None:
            out["department_id"] = self.department.currentData()
        return out


def needs_dialog(action: str) -> bool:
    t = TRANSITIONS[Action(action)]
    return bool(t.params) or t.note_required or action == "approve_extension"


class CaseActions(QObject):
    """Takes actions for the window; tells it what happened (``notice``)."""

    notice = Signal(str, str)  # text, level (info | warning | error)
    conflict_shown = Signal(object)  # the dialog (tests drive it)

    def __init__(self, session, state: CityState, parent_widget: QWidget):
        super().__init__(parent_widget)
        self.session = session  # None: read-only (replay)
        self.state = state
        self.parent_widget = parent_widget
        self._sent: dict[
            str, tuple[dict, str, dict]
        ] = {}  # key → (case as decided, action, params)

    def available(self, case: Mapping[str, Any] | None) -> list[str]:
        if case is None or self.session is None:
            return []
        acts = available_actions(
            case["state"],
            self.session.actor,
            case.get("department_id"),
            bool(case.get("extension_pending_hours")),
        )
        return [a.value for a in acts if a.value in DESK_ACTIONS]

    def run(
        self,
        case_id: str,
        action: str,
        params: dict | None = None,
        case: Mapping[str, Any] | None = None,
    ) -> str | None:
        """Take ``action`` on the case as shown now (or on ``case``, a newer version the
        backend sent with a 409); asks for parameters when needed. Returns the outbox key, or
        None when cancelled or not allowed."""
        case = case or self.state.cases.get(case_id)
        if case is None or action not in self.available(case):
            self.notice.emit(self.tr("此案件当前不能执行该操作"), "warning")
            return None
        if params is None:
            params = {}
            if needs_dialog(action):
                dlg = ParamsDialog(action, case, self.state, self.parent_widget)
                if dlg.exec() != QDialog.DialogCode.Accepted:
                    return None
                params = dlg.params()
        key = self.session.act(case, action, **params)
        self._sent[key] = (dict(case), action, params)
        lb = labels()
        self.notice.emit(
            self.tr("已提交：%1 %2")
            .replace("%1", lb.name("action", action))
            .replace("%2", case_id),
            "info",
        )
        return key

    # ---- answers ---------------------------------------------------------------------------
    def on_outcome(self, outcome) -> None:
        lb = labels()
        sent = self._sent.pop(outcome.key, None)
        what = f"{lb.name('action', outcome.action)} {outcome.case_id}"
        if outcome.action in ("create_case", "ack_alert"):
            return  # their panes report those
        if outcome.ok:
            self.notice.emit(self.tr("已完成：%1").replace("%1", what), "info")
            return
        if outcome.status == 409 and sent is not None and outcome.case:
            dlg = ConflictDialog(sent[0], outcome.case, sent[1], self, self.parent_widget)
            dlg.retry_params = sent[2]
            dlg.open()
            self.conflict_shown.emit(dlg)
            return
        title = self.tr("操作被拒绝") if outcome.status == 403 else self.tr("操作未执行")
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            title,
            f"{what}\n\n{outcome.status}: {outcome.message}",
            QMessageBox.StandardButton.Ok,
            self.parent_widget,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # non-blocking: the wall keeps moving
        self.notice.emit(f"{title}: {what} ({outcome.status})", "error")


class ConflictDialog(QDialog):
    """409: someone changed the case first. Show what changed; offer to retry on it."""

    def __init__(self, mine: dict, current: dict, action: str, actions: CaseActions, parent):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lb = labels()
        self.case_actions, self.action, self.current = actions, action, current
        self.retry_params: dict = {}
        self.setWindowTitle(self.tr("案件已被他人更新"))
        rows = []
        for key, name in (
            ("state", self.tr("状态")),
            ("version", self.tr("版本")),
            ("department_id", self.tr("处置部门")),
            ("extension_pending_hours", self.tr("延期申请")),
        ):
            a, b = mine.get(key), current.get(key)
            if a != b:
                if key == "state":
                    a, b = lb.name("state", a), lb.name("state", b)
                rows.append(f"<tr><td>{name}</td><td>{a}</td><td>→</td><td><b>{b}</b></td></tr>")
        seen = len(mine.get("events") or [])
        for ev in (current.get("events") or [])[seen:]:
            rows.append(
                f"<tr><td>{local_time(ev.get('at'), '%H:%M:%S')}</td><td colspan=3>"
                f"{lb.name('action', ev.get('action'))} · {ev.get('user', '')}"
                f" {ev.get('note') or ''}</td></tr>"
            )
        self.text = text = QTextBrowser()
        intro = (
            self.tr("你操作时看到的是第 %1 版，现在是第 %2 版：")
            .replace("%1", str(mine.get("version")))
            .replace("%2", str(current.get("version")))
        )
        text.setHtml(f"<p>{intro}</p><table cellspacing=6>{''.join(rows)}</table>")
        self.can_retry = action in actions.available(current)
        buttons = QDialogButtonBox()
        self.retry_button = buttons.addButton(
            self.tr("按最新版本重试：%1").replace("%1", lb.name("action", action)),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.retry_button.setEnabled(self.can_retry)
        buttons.addButton(self.tr("放弃"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.retry)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(text)
        if not self.can_retry:
            lay.addWidget(QLabel(self.tr("该操作在最新状态下已不可执行。")))
        lay.addWidget(buttons)
        self.resize(560, 360)

    def retry(self) -> None:
        # Decide on the backend's current version (the feed brings the same doc shortly).
        self.case_actions.run(
            self.current["id"], self.action, dict(self.retry_params), self.current
        )
        self.accept()
