"""Case actions as the operator takes them: which are allowed, the dialogs they need, and what
the backend answered (409 conflict with the current case, 422/403 refusals).

The rules are the domain's (``available_actions``); the backend checks them again. An action
goes into the outbox with the case version the operator decided on; the answer comes back
through ``on_outcome`` on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDate, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QRadioButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from console.domain.callback import MAX_ATTEMPTS, SATISFACTION_ZH, callback_open
from console.domain.case import Case
from console.domain.china_time import CST
from console.domain.coop import ASSIST_ACTIONS, assist_tasks_for
from console.domain.field_tasks import responsible_supervisor
from console.domain.routing import BY_OWNER, Routed, RoutingTable
from console.domain.workflow import TRANSITIONS, Action, available_actions
from console.labels import local_time
from console.state import CityState
from widgets.common.i18n import labels
from widgets.dialogs.coop_dialogs import ArbitrateDialog, AssistDialog, AssistTaskDialog
from widgets.dialogs.pickers import CategoryPicker

#: Keyboard shortcuts of the queue and detail actions (one key, as the desk works fast).
SHORTCUTS = {
    "accept": "A",
    "accept_corrected": "Shift+A",
    "send_verify": "V",
    "register": "R",
    "register_corrected": "Shift+R",
    "dispatch": "D",
    "redispatch": "Shift+D",
    "send_back": "B",
    "send_check": "K",
    "close": "X",
    "close_self": "Shift+X",
    "approve_extension": "Y",
    "deny_extension": "N",
    "approve_park": "Shift+Y",
    "deny_park": "Shift+N",
    "park": "P",
    "resume": "U",
    "void": "Shift+Del",
    "callback": "H",  # 回访 (huifang)
    # 部门协作 (docs/rules/coop.md): 添加协办, 争议裁定 (arbitrate), and a 协办 department's
    # 协办接收 (jie), 协办完成 (wan), 协办退回 (tui)
    "add_assist": "Alt+D",
    "arbitrate": "Alt+A",
    "assist_accept": "Alt+J",
    "assist_complete": "Alt+W",
    "assist_return": "Alt+T",
}
#: The actions a centre desk takes, in menu order (department/supervisor actions are theirs,
#: but for a 协办 department's own task steps, which a department user of the console takes).
DESK_ACTIONS = tuple(SHORTCUTS)
#: Desk entries that take a workflow action with the 受理/立案 corrections dialog (category,
#: urgency, location, address); the plain key takes the action as reported, without a dialog.
CORRECTED = {"accept_corrected": "accept", "register_corrected": "register"}
#: A centre-set 缓办 due date defaults to this many days ahead (the operator changes it).
PARK_DAYS_DEFAULT = 30


def _lay_out(
    dialog: QDialog, form: QFormLayout, on_ok: Callable[[], None], above: QWidget | None = None
) -> None:
    """The action dialogs' one shape: (an intro,) the form, then OK/Cancel."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    lay = QVBoxLayout(dialog)
    if above is not None:
        lay.addWidget(above)
    lay.addLayout(form)
    lay.addWidget(buttons)


class CorrectionFields(QWidget):
    """受理/立案 corrections: category, urgency, location and address, prefilled with what the
    case says; ``params`` sends only what the operator changed."""

    def __init__(self, case: Mapping[str, Any], state: CityState, parent: QWidget | None = None):
        super().__init__(parent)
        lb = labels()
        self.case = case
        self.category = CategoryPicker(state.reference)
        self.category.select(case.get("category_code"))
        self.urgency = QComboBox()
        for u in state.limits.urgency_levels:
            self.urgency.addItem(lb.name("urgency", u), u)
        self.urgency.setCurrentIndex(max(self.urgency.findData(case.get("urgency")), 0))
        loc = case.get("location") or {}
        self.lon, self.lat = QDoubleSpinBox(), QDoubleSpinBox()
        where = QHBoxLayout()
        for box, value, (lo, hi) in (
            (self.lon, loc.get("lon"), (73.0, 136.0)),  # China's extent; the backend
            (self.lat, loc.get("lat"), (3.0, 54.0)),  # checks the district (400 outside)
        ):
            box.setDecimals(6)
            box.setRange(lo, hi)
            box.setSingleStep(0.0005)
            box.setValue(float(value or 0.0))
            where.addWidget(box)
        self.address = QLineEdit(case.get("address") or "")
        self.address.setMaxLength(300)
        self.address.setToolTip(self.tr("位置更正后，未修改的地址将按新位置自动生成"))
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("类别"), self.category)
        form.addRow(self.tr("紧急程度"), self.urgency)
        form.addRow(self.tr("位置（经度，纬度）"), where)
        form.addRow(self.tr("地址"), self.address)

    def params(self) -> dict[str, Any] | None:
        """The changed fields; None when the category typed is not one of the catalogue's."""
        code = self.category.selected_category()
        if code is None:
            return None
        out: dict[str, Any] = {}
        if code != self.case.get("category_code"):
            out["category_code"] = code
        if self.urgency.currentData() != self.case.get("urgency"):
            out["urgency"] = self.urgency.currentData()
        loc = self.case.get("location") or {}
        lon, lat = round(self.lon.value(), 6), round(self.lat.value(), 6)
        if (lon, lat) != (round(loc.get("lon") or 0.0, 6), round(loc.get("lat") or 0.0, 6)):
            out["location"] = {"lon": lon, "lat": lat}
        address = self.address.text().strip()
        if address != (self.case.get("address") or ""):
            out["address"] = address  # unchanged with a new location: the backend clears it
        return out


class ParamsDialog(QDialog):
    """What the action needs: department, 缓办 due date, 受理/立案 corrections, a reason."""

    def __init__(
        self,
        action: str,
        case: Mapping[str, Any],
        state: CityState,
        parent: QWidget | None,
        today: date,
        correct: bool = False,
    ):
        super().__init__(parent)
        lb = labels()
        t = TRANSITIONS[Action(action)]
        entry = {v: k for k, v in CORRECTED.items()}[action] if correct else action
        title = lb.name("action", entry)
        self.setWindowTitle(f"{title} · {case['id']}")
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
        self.due = None
        if "due_date" in (*t.params, *t.optional):
            self.due = QDateEdit()
            self.due.setCalendarPopup(True)
            self.due.setDisplayFormat("yyyy-MM-dd")
            self.due.setMinimumDate(_qdate(today + timedelta(days=1)))
            requested = case.get("park_request_due_date")
            if requested:
                form.addRow(self.tr("申请缓办至"), QLabel(requested))
            self.due.setDate(
                QDate.fromString(requested, "yyyy-MM-dd")
                if requested
                else _qdate(today + timedelta(days=PARK_DAYS_DEFAULT))
            )
            form.addRow(self.tr("缓办到期日"), self.due)
        self.corrections = CorrectionFields(case, state) if correct else None
        if self.corrections is not None:
            form.addRow(self.corrections)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(
            self.tr("原因（必填）") if t.note_required else self.tr("备注（可选）")
        )
        self.note.setFixedHeight(80)
        form.addRow(self.tr("说明"), self.note)
        self.note_required = t.note_required
        _lay_out(self, form, self._accept)

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
        if self.corrections is not None and self.corrections.params() is None:
            self.corrections.category.setFocus()
            self.corrections.category.setStyleSheet("border: 1px solid #ff4d4f;")
            return
        self.accept()

    def params(self) -> dict:
        out = {"note": self.note.toPlainText().strip()}
        if self.department is not None:
            out["department_id"] = self.department.currentData()
        if self.due is not None:
            out["due_date"] = self.due.date().toString("yyyy-MM-dd")
        if self.corrections is not None:
            out.update(self.corrections.params() or {})
        return out


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


class CallbackDialog(QDialog):
    """回访: the caller's answer (满意 / 基本满意 / 不满意, or 未接通) and what they said."""

    def __init__(
        self, action: str, case: Mapping[str, Any], state: CityState, parent: QWidget | None
    ):
        super().__init__(parent)
        lb = labels()
        self.setWindowTitle(f"{lb.name('action', action)} · {case['id']}")
        attempts = int(case.get("callback_attempts") or 0)
        intro = QLabel(
            self.tr("结案于 %1，第 %2 次回访（最多 %3 次）。")
            .replace("%1", local_time(case.get("closed_at"), "%m-%d %H:%M"))
            .replace("%2", str(attempts + 1))
            .replace("%3", str(MAX_ATTEMPTS))
        )
        intro.setWordWrap(True)
        # Whom to call and about what: the report's note holds the caller's number (12345 来电 …).
        events = case.get("events") or []
        caller = QLabel(
            " · ".join(
                x for x in ((events[0].get("note") if events else ""), case.get("description")) if x
            )
            or self.tr("无来电记录")
        )
        caller.setWordWrap(True)
        caller.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.answers = QButtonGroup(self)
        box = QVBoxLayout()
        for i, code in enumerate(SATISFACTION_ZH):
            button = QRadioButton(lb.name("satisfaction", code))
            button.setProperty("code", code)
            self.answers.addButton(button, i)
            box.addWidget(button)
        self.answers.buttons()[0].setChecked(True)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(self.tr("市民意见（可选）"))
        self.note.setFixedHeight(80)
        form = QFormLayout()
        form.addRow(self.tr("来电"), caller)
        form.addRow(self.tr("满意度"), box)
        form.addRow(self.tr("说明"), self.note)
        _lay_out(self, form, self.accept, above=intro)
        self.resize(440, 0)

    def params(self) -> dict:
        chosen = self.answers.checkedButton()
        code = chosen.property("code") if chosen is not None else None
        return {"satisfaction": code, "note": self.note.toPlainText().strip()}


class TaskDialog(QDialog):
    """发核实/发核查: the task goes to the grid's responsible supervisor unless the desk names
    another (on leave, or someone already nearby); supervisors of the same street come first."""

    def __init__(
        self, action: str, case: Mapping[str, Any], state: CityState, parent: QWidget | None
    ):
        super().__init__(parent)
        lb = labels()
        self.setWindowTitle(f"{lb.name('action', action)} · {case['id']}")
        ref = state.reference
        roster = {a["area"]: a["supervisor"] for a in ref.get("supervisor_areas") or []}
        self.responsible = responsible_supervisor(roster, case.get("grid_code"))
        street = str(case.get("grid_code") or "")[:9]
        near = {u for area, u in roster.items() if area.startswith(street)} if street else set()
        sups = [u for u in ref.get("users") or [] if "supervisor" in (u.get("roles") or [])]
        sups.sort(key=lambda u: (u["id"] != self.responsible, u["id"] not in near, u["id"]))
        self.supervisor = QComboBox()
        for u in sups:
            mark = self.tr("（网格责任）") if u["id"] == self.responsible else ""
            self.supervisor.addItem(f"{u['name']}{mark}", u["id"])
        self.supervisor.setEditable(True)  # type to search ~120 supervisors
        self.supervisor.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(self.tr("备注（可选）"))
        self.note.setFixedHeight(60)
        form = QFormLayout()
        form.addRow(self.tr("监督员"), self.supervisor)
        form.addRow(self.tr("说明"), self.note)
        _lay_out(self, form, self.accept)
        self.resize(420, 0)

    def params(self) -> dict:
        """The note, and ``assignee`` only when the desk chose someone other than the grid's
        supervisor (the backend addresses the default itself, recorded as by the grid)."""
        out: dict[str, Any] = {"note": self.note.toPlainText().strip()}
        chosen = self.supervisor.currentData()
        if chosen and chosen != self.responsible:
            out["assignee"] = chosen
        return out


#: A 协办 department's steps on its own task: offered only while it has a task the step may take.
ASSIST_STEPS = frozenset(a.value for a in ASSIST_ACTIONS)
#: Actions whose parameters a dialog of their own asks for.
DIALOGS: dict[
    str,
    type[CallbackDialog]
    | type[TaskDialog]
    | type[AssistDialog]
    | type[AssistTaskDialog]
    | type[ArbitrateDialog],
] = {
    Action.CALLBACK.value: CallbackDialog,
    Action.SEND_VERIFY.value: TaskDialog,
    Action.SEND_CHECK.value: TaskDialog,
    Action.ADD_ASSIST.value: AssistDialog,
    Action.ASSIST_ACCEPT.value: AssistTaskDialog,
    Action.ASSIST_COMPLETE.value: AssistTaskDialog,
    Action.ASSIST_RETURN.value: AssistTaskDialog,
    Action.ARBITRATE.value: ArbitrateDialog,
}


def desk_may(case: Mapping[str, Any], action: str) -> bool:
    """What the workflow table cannot see: a 回访 only while the public report waits for one."""
    if action == Action.CALLBACK.value:
        return callback_open(
            case.get("source", ""),
            case.get("state", ""),
            case.get("satisfaction"),
            int(case.get("callback_attempts") or 0),
        )
    return True


def needs_dialog(action: str) -> bool:
    """A dialog for required parameters or a reason, and for approvals (which show what was
    asked); 受理/立案 corrections have their own entries (``CORRECTED``)."""
    t = TRANSITIONS[Action(action)]
    return (
        bool(t.params)
        or t.note_required
        or action in ("approve_extension", "approve_park")
        or action in DIALOGS
    )


class CaseActions(QObject):
    """Takes actions for the window; tells it what happened (``notice``)."""

    notice = Signal(str, str)  # text, level (info | warning | error)
    conflict_shown = Signal(object)  # the dialog (tests drive it)

    def __init__(self, session, state: CityState, parent_widget: QWidget, now: Callable[[], float]):
        super().__init__(parent_widget)
        self.session = session  # None: read-only (replay)
        self.state = state
        self.now = now  # district time, epoch seconds
        self.parent_widget = parent_widget
        self._sent: dict[
            str, tuple[dict, str, dict]
        ] = {}  # key → (case as decided, action, params)

    def available(self, case: Mapping[str, Any] | None) -> list[str]:
        if case is None or self.session is None:
            return []
        at = datetime.fromtimestamp(self.now(), UTC)
        facts = Case.from_dict(case).facts(at, self.state.calendar, self.state.limits)
        acts = {a.value for a in available_actions(facts, self.session.actor)}
        mine = self.session.actor.department_id
        return [
            a
            for a in DESK_ACTIONS
            if CORRECTED.get(a, a) in acts
            and desk_may(case, CORRECTED.get(a, a))
            and (a not in ASSIST_STEPS or assist_tasks_for(case.get("assists"), a, mine))
        ]

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
        correct = action in CORRECTED
        action = CORRECTED.get(action, action)
        if params is None:
            params = {}
            if correct or needs_dialog(action):
                dlg = self.dialog(action, case, correct)
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

    def dialog(
        self, action: str, case: Mapping[str, Any], correct: bool = False
    ) -> (
        ParamsDialog
        | CallbackDialog
        | TaskDialog
        | AssistDialog
        | AssistTaskDialog
        | ArbitrateDialog
    ):
        """The parameters dialog of ``action`` on ``case`` (not yet shown)."""
        if DIALOGS.get(action) is AssistTaskDialog and self.session is not None:
            mine = self.session.actor.department_id  # a 协办 department's own tasks only
            return AssistTaskDialog(action, case, self.state, self.parent_widget, mine)
        if action in DIALOGS and not correct:
            return DIALOGS[action](action, case, self.state, self.parent_widget)
        today = datetime.fromtimestamp(self.now(), CST).date()
        return ParamsDialog(action, case, self.state, self.parent_widget, today, correct)

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
            ("park_request_due_date", self.tr("缓办申请")),
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
