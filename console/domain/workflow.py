"""The closed-loop case workflow (上报→立案→派遣→处置→核查→结案) as one table.

Every transition a case may take is a row of ``TRANSITIONS``: which states it leaves, where it
goes, which roles may take it and which parameters it needs. The backend checks every operator
action against this table and the console uses the same table to enable only the buttons that
could succeed, so the two can never disagree about what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class State(StrEnum):
    REPORTED = "reported"  # 上报
    ACCEPTED = "accepted"  # 受理
    VERIFYING = "verifying"  # 核实中
    REGISTERED = "registered"  # 立案
    DISPATCHED = "dispatched"  # 派遣
    HANDLED = "handled"  # 处置完毕
    CHECKING = "checking"  # 核查中
    CHECKED = "checked"  # 核查通过
    CLOSED = "closed"  # 结案
    RETURNED = "returned"  # 回退
    PARKED = "parked"  # 挂账/缓办
    VOID = "void"  # 作废


#: States from which no action leads anywhere: the case's history is complete. (A closed public
#: report still takes its 回访, ``callback``, which records satisfaction and stays closed.)
TERMINAL_STATES = frozenset({State.CLOSED, State.VOID})


class Action(StrEnum):
    REPORT = "report"  # the creating event; not an action an operator posts
    ACCEPT = "accept"
    SEND_VERIFY = "send_verify"
    VERIFIED = "verified"
    REGISTER = "register"
    DISPATCH = "dispatch"
    COMPLETE = "complete"
    SEND_CHECK = "send_check"
    CHECK_PASS = "check_pass"
    CHECK_FAIL = "check_fail"
    CLOSE = "close"
    VOID = "void"
    RETURN = "return"
    REDISPATCH = "redispatch"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    DENY_EXTENSION = "deny_extension"
    PARK = "park"
    RESUME = "resume"
    SEND_BACK = "send_back"
    CLOSE_SELF = "close_self"
    REQUEST_PARK = "request_park"
    APPROVE_PARK = "approve_park"
    DENY_PARK = "deny_park"
    TAKE_OVER = "take_over"  # another supervisor takes an open 核实/核查 task (field_tasks.py)
    CALLBACK = "callback"  # 回访: the caller's satisfaction after closure (callback.py)
    # 部门协作 (coop.py): 协办 tasks and the 值班长's 争议 decision.
    ADD_ASSIST = "add_assist"
    ASSIST_ACCEPT = "assist_accept"
    ASSIST_COMPLETE = "assist_complete"
    ASSIST_RETURN = "assist_return"
    ARBITRATE = "arbitrate"


class Role(StrEnum):
    SUPERVISOR = "supervisor"  # 监督员
    OPERATOR = "operator"  # 受理员
    SHIFT_LEAD = "shift_lead"  # 值班长
    DISPATCHER = "dispatcher"  # 派遣员
    DEPARTMENT = "department"  # 专业部门
    WALL = "wall"  # 大屏 (read-only)
    GATEWAY = "gateway"  # telemetry machine account
    # 行政执法 (console.domain.enforcement): the officers investigate, the 法制审核 decides.
    OFFICER = "officer"  # 执法队员
    LEGAL = "legal"  # 法制审核


#: The role an action is recorded under when the user holds several that may take it: a desk's
#: own role before the shift lead, who stands in for every desk (so 受理 by an operator who is
#: also shift lead counts as the operator's). A fixed order, never a set's iteration order,
#: which changes with PYTHONHASHSEED.
ROLE_PRECEDENCE = (
    Role.SUPERVISOR,
    Role.OPERATOR,
    Role.DISPATCHER,
    Role.DEPARTMENT,
    Role.SHIFT_LEAD,
    Role.OFFICER,
    Role.LEGAL,
    Role.GATEWAY,
    Role.WALL,
)

ROLE_NAMES_ZH = {
    Role.SUPERVISOR: "监督员",
    Role.OPERATOR: "受理员",
    Role.SHIFT_LEAD: "值班长",
    Role.DISPATCHER: "派遣员",
    Role.DEPARTMENT: "专业部门",
    Role.WALL: "大屏",
    Role.GATEWAY: "数据网关",
    Role.OFFICER: "执法队员",
    Role.LEGAL: "法制审核",
}


class Source(StrEnum):
    SUPERVISOR = "supervisor"  # 监督员上报
    PUBLIC = "public"  # 公众举报 (hotline 12345, 12319 folded in from 2020; app/WeChat, Open311)
    VIDEO = "video"  # 视频发现
    IOT = "iot"  # 物联感知
    LEADER = "leader"  # 领导交办
    MEDIA = "media"  # 媒体曝光
    SELF = "self"  # 自处理


SOURCE_NAMES_ZH = {
    Source.SUPERVISOR: "监督员上报",
    Source.PUBLIC: "公众举报",
    Source.VIDEO: "视频发现",
    Source.IOT: "物联感知",
    Source.LEADER: "领导交办",
    Source.MEDIA: "媒体曝光",
    Source.SELF: "自处理",
}

#: Who may create a case, in the order a multi-role user's report is recorded under. The
#: public reaches the backend through the Open311 facade (an api_key, not a user), which
#: creates its cases as the operator would.
REPORT_ROLES = (Role.SUPERVISOR, Role.OPERATOR, Role.SHIFT_LEAD, Role.GATEWAY)

_ALL_STATES_BUT_TERMINAL = frozenset(State) - TERMINAL_STATES


@dataclass(frozen=True)
class Transition:
    """One row of the workflow: leaving ``sources`` by ``action`` lands in ``target``.

    ``target`` None means the case stays in its state (extension and 缓办 requests, and the
    decisions that do not park, only move the clock or record the request). ``own_department`` means a department user may act only on cases
    dispatched to their own department. ``params`` lists required action parameters,
    ``optional`` those it may take; ``case_sources`` limits the row to cases of those sources.
    """

    action: Action
    sources: frozenset[State]
    target: State | None
    roles: frozenset[Role]
    params: tuple[str, ...] = ()
    note_required: bool = False
    own_department: bool = False
    zh: str = ""
    optional: tuple[str, ...] = ()
    case_sources: frozenset[Source] | None = None


def _t(
    action: Action,
    sources: Iterable[State],
    target: State | None,
    roles: Iterable[Role],
    zh: str,
    **kw: Any,
) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), zh=zh, **kw)


#: What 受理 and 立案 may correct (DOMAIN.md "受理/立案 may correct category, urgency and
#: location"); the address follows the location.
CORRECTABLE = ("category_code", "urgency", "location", "address")
#: States after 立案 from which a case may still be voided: no handling result exists yet (a
#: handled case goes through 核查 and 结案, so its result and its KPI entry are kept).
VOID_AFTER_REGISTRATION = frozenset(
    {State.REGISTERED, State.DISPATCHED, State.RETURNED, State.PARKED}
)

S, R, A = State, Role, Action
#: 发核实/发核查 may name the supervisor (the centre's choice, else the backend's roster: see
#: console.domain.field_tasks); ``assigned_by`` is set by the backend, not sent by clients.
TASK_PARAMS = ("assignee", "assigned_by")
#: A 派遣 (and a re-dispatch or a 争议 decision) may name 协办 departments with their tasks.
ASSISTS = ("assists",)
TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        _t(
            A.ACCEPT,
            {S.REPORTED},
            S.ACCEPTED,
            {R.OPERATOR, R.SHIFT_LEAD},
            "受理",
            optional=CORRECTABLE,
        ),
        _t(
            A.SEND_VERIFY,
            {S.ACCEPTED},
            S.VERIFYING,
            {R.OPERATOR, R.SHIFT_LEAD},
            "发核实",
            optional=TASK_PARAMS,
        ),
        _t(A.VERIFIED, {S.VERIFYING}, S.ACCEPTED, {R.SUPERVISOR}, "核实反馈", optional=("valid",)),
        _t(A.REGISTER, {S.ACCEPTED}, S.REGISTERED, {R.SHIFT_LEAD}, "立案", optional=CORRECTABLE),
        _t(
            A.DISPATCH,
            {S.REGISTERED},
            S.DISPATCHED,
            {R.DISPATCHER, R.SHIFT_LEAD},
            "派遣",
            params=("department_id",),
            optional=ASSISTS,
        ),
        _t(
            A.COMPLETE,
            {S.DISPATCHED},
            S.HANDLED,
            {R.DEPARTMENT},
            "处置反馈",
            own_department=True,
        ),
        _t(
            A.SEND_CHECK,
            {S.HANDLED},
            S.CHECKING,
            {R.OPERATOR, R.SHIFT_LEAD},
            "发核查",
            optional=TASK_PARAMS,
        ),
        _t(A.CHECK_PASS, {S.CHECKING}, S.CHECKED, {R.SUPERVISOR}, "核查通过"),
        _t(A.CHECK_FAIL, {S.CHECKING}, S.DISPATCHED, {R.SUPERVISOR}, "核查不通过(返工)"),
        _t(A.CLOSE, {S.CHECKED}, S.CLOSED, {R.SHIFT_LEAD}, "结案"),
        _t(
            A.VOID,
            {S.REPORTED, S.ACCEPTED, S.VERIFYING} | VOID_AFTER_REGISTRATION,
            S.VOID,
            {R.SHIFT_LEAD},
            "作废",
            note_required=True,
        ),
        _t(
            A.RETURN,
            {S.DISPATCHED},
            S.RETURNED,
            {R.DEPARTMENT},
            "回退",
            note_required=True,
            own_department=True,
            optional=("dispute",),  # 权属争议: to the centre's arbitration (coop.py)
        ),
        _t(
            A.REDISPATCH,
            {S.RETURNED},
            S.DISPATCHED,
            {R.DISPATCHER, R.SHIFT_LEAD},
            "重新派遣",
            params=("department_id",),
            optional=ASSISTS,
        ),
        _t(
            A.REQUEST_EXTENSION,
            {S.DISPATCHED},
            None,
            {R.DEPARTMENT},
            "申请延期",
            params=("hours",),
            note_required=True,
            own_department=True,
        ),
        _t(
            A.APPROVE_EXTENSION,
            {S.DISPATCHED},
            None,
            {R.DISPATCHER, R.SHIFT_LEAD},
            "批准延期",
        ),
        _t(A.DENY_EXTENSION, {S.DISPATCHED}, None, {R.DISPATCHER, R.SHIFT_LEAD}, "驳回延期"),
        _t(
            A.PARK,
            {S.DISPATCHED},
            S.PARKED,
            {R.DISPATCHER, R.SHIFT_LEAD},
            "挂账",
            params=("due_date",),
            note_required=True,
        ),
        _t(A.RESUME, {S.PARKED}, S.DISPATCHED, {R.DISPATCHER, R.SHIFT_LEAD}, "恢复处置"),
        _t(
            A.SEND_BACK,
            {S.RETURNED},
            S.ACCEPTED,
            {R.DISPATCHER, R.SHIFT_LEAD},
            "退回立案",
            note_required=True,
        ),
        _t(
            A.CLOSE_SELF,
            {S.REGISTERED},
            S.CLOSED,
            {R.SHIFT_LEAD},
            "自处理结案",
            case_sources=frozenset({Source.SELF}),
        ),
        _t(
            A.REQUEST_PARK,
            {S.DISPATCHED},
            None,
            {R.DEPARTMENT},
            "申请缓办",
            params=("due_date",),
            note_required=True,
            own_department=True,
        ),
        _t(
            A.APPROVE_PARK,
            {S.DISPATCHED},
            S.PARKED,
            {R.DISPATCHER, R.SHIFT_LEAD},
            "批准缓办",
            optional=("due_date",),
        ),
        _t(A.DENY_PARK, {S.DISPATCHED}, None, {R.DISPATCHER, R.SHIFT_LEAD}, "驳回缓办"),
        # A supervisor takes over a 核实/核查 task addressed to another (console.domain.field_tasks).
        _t(
            A.TAKE_OVER,
            {S.VERIFYING, S.CHECKING},
            None,
            {R.SUPERVISOR},
            "接管任务",
            note_required=True,
        ),
        # 回访 of a public report after 结案 (console.domain.callback): the case stays closed.
        _t(
            A.CALLBACK,
            {S.CLOSED},
            None,
            {R.OPERATOR, R.SHIFT_LEAD},
            "回访",
            params=("satisfaction",),
            case_sources=frozenset({Source.PUBLIC}),
        ),
        # 部门协作 (console.domain.coop): the case's state does not change with a 协办 task;
        # a 协办 task is its own department's (coop.apply checks which one).
        _t(
            A.ADD_ASSIST,
            {S.DISPATCHED},
            None,
            {R.DISPATCHER, R.SHIFT_LEAD},
            "添加协办",
            params=("department_id", "task"),
        ),
        _t(A.ASSIST_ACCEPT, {S.DISPATCHED}, None, {R.DEPARTMENT}, "协办接收", params=("assist",)),
        _t(A.ASSIST_COMPLETE, {S.DISPATCHED}, None, {R.DEPARTMENT}, "协办完成", params=("assist",)),
        _t(
            A.ASSIST_RETURN,
            {S.DISPATCHED},
            None,
            {R.DEPARTMENT},
            "协办退回",
            params=("assist",),
            note_required=True,
        ),
        _t(
            A.ARBITRATE,
            {S.RETURNED},
            S.DISPATCHED,
            {R.SHIFT_LEAD},
            "争议裁定",
            params=("department_id",),
            optional=ASSISTS,
            note_required=True,
        ),
    )
}

#: The stage a case in each state is waiting for, i.e. whose time limit runs. ``accepted``
#: waits either for the verify task to be sent or for registration: see ``stage_for``.
STAGE_BY_STATE: dict[State, str | None] = {
    S.REPORTED: "accept",
    S.ACCEPTED: "register",
    S.VERIFYING: "verify",
    S.REGISTERED: "dispatch",
    S.DISPATCHED: "dispose",
    S.HANDLED: "send_check",
    S.CHECKING: "check",
    S.CHECKED: "close",
    S.RETURNED: "dispatch",  # a disputed return waits for the 值班长's decision on this clock
    S.PARKED: None,
    S.CLOSED: None,
    S.VOID: None,
}

#: Who may file a case of each source (any one of the roles will do). A source is a claim about
#: who saw the problem, and some skip verification (``SELF_VERIFIED_SOURCES``), so a caller
#: may not pick it freely (issue 13): a gateway files only 物联感知, 领导交办 is recorded by the
#: shift lead who received the instruction, and the centre desks may enter a field supervisor's
#: report on the supervisor's behalf (the 城管通 app's fallback is a call to the centre).
#: 自处理 is the supervisor's own fix (``new_case`` also checks the recorded role).
SOURCE_ROLES: dict[Source, frozenset[Role]] = {
    Source.SUPERVISOR: frozenset({Role.SUPERVISOR, Role.OPERATOR, Role.SHIFT_LEAD}),
    Source.SELF: frozenset({Role.SUPERVISOR}),
    Source.PUBLIC: frozenset({Role.OPERATOR, Role.SHIFT_LEAD}),
    Source.VIDEO: frozenset({Role.OPERATOR, Role.SHIFT_LEAD}),
    Source.MEDIA: frozenset({Role.OPERATOR, Role.SHIFT_LEAD}),
    Source.LEADER: frozenset({Role.SHIFT_LEAD}),
    Source.IOT: frozenset({Role.GATEWAY}),
}

#: Sources whose reports come from someone already on site: they need no verification (核实).
SELF_VERIFIED_SOURCES = frozenset({Source.SUPERVISOR, Source.SELF, Source.IOT})


def stage_for(state: State, source: Source | str, verified: bool) -> str | None:
    """The stage whose clock runs in ``state``.

    An accepted public/video/media report must first be sent for verification (发核实, 30 min);
    once verified, or when a supervisor reported it from the spot, it waits for registration.
    A registered 自处理 case is already fixed: it waits for 结案, not for dispatch.
    """
    if state == S.ACCEPTED and not verified and Source(source) not in SELF_VERIFIED_SOURCES:
        return "send_verify"
    if state == S.REGISTERED and Source(source) == Source.SELF:
        return "close"
    return STAGE_BY_STATE[state]


class WorkflowError(Exception):
    """An action refused by the rules. ``status`` is the HTTP status the backend answers."""

    status = 422
    code = "invalid_transition"

    def __init__(self, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ForbiddenAction(WorkflowError):
    status = 403
    code = "forbidden"


class InvalidTransition(WorkflowError):
    status = 422
    code = "invalid_transition"


class BadActionParams(WorkflowError):
    status = 400
    code = "bad_request"


@dataclass(frozen=True)
class Actor:
    """Who takes an action: a user with one or more roles (a workstation user often holds
    operator + dispatcher), and the department a department user belongs to."""

    user_id: str
    roles: frozenset[str] = field(default_factory=frozenset)
    department_id: str | None = None


def permitted_role(transition: Transition, actor: Actor) -> Role | None:
    """The role the action is recorded under: the first of ``ROLE_PRECEDENCE`` that the actor
    holds and the transition allows (a fixed rule, the same under any PYTHONHASHSEED)."""
    for role in ROLE_PRECEDENCE:
        if role in transition.roles and role in actor.roles:
            return role
    return None


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know about a case besides the action: its state, where it is
    dispatched, its source, which request waits for a decision, and whether a department may
    still ask for more time (``Case.facts`` computes these at a given instant)."""

    state: State | str
    department_id: str | None = None
    source: str | None = None
    extension_pending: bool = False
    park_request_pending: bool = False
    #: The running stage's limit is used up: no extension or 缓办 request any more (an overdue
    #: case cannot be turned green by asking for time after the fact).
    limit_used_up: bool = False
    #: The case has as many approved extensions as the workflow rules allow.
    extensions_used_up: bool = False
    #: 部门协作 (console.domain.coop): departments with an open 协办 task, a return waiting
    #: for the 值班长's arbitration, and the 主办 an arbitration bound.
    assist_departments: frozenset[str] = frozenset()
    dispute_pending: bool = False
    bound_department: str | None = None


def available_actions(facts: CaseFacts, actor: Actor) -> list[Action]:
    """Actions ``actor`` could take on the case now: the console enables these buttons. The
    same rule (``_refusal``) refuses them at the backend, so the two cannot disagree."""
    return [a for a, t in TRANSITIONS.items() if _refusal(t, actor, facts) is None]


def _own_department_ok(t: Transition, actor: Actor, department_id: str | None) -> bool:
    """Department users act only on their own cases; centre roles holding the same action
    through another role are not restricted."""
    if not t.own_department:
        return True
    other_roles = (t.roles - {Role.DEPARTMENT}) & actor.roles
    return bool(other_roles) or (
        actor.department_id is not None and actor.department_id == department_id
    )


#: Actions that need no request waiting for a decision: one request at a time, and a case
#: whose department asked for time or for 缓办 cannot be completed, returned or parked before
#: the centre answers.
_NEED_NO_PENDING = frozenset(
    {
        Action.REQUEST_EXTENSION,
        Action.REQUEST_PARK,
        Action.COMPLETE,
        Action.RETURN,
        Action.PARK,
    }
)
#: Department requests refused once the stage limit is used up (DOMAIN.md "Clocks and lights").
TIME_REQUESTS = frozenset({Action.REQUEST_EXTENSION, Action.REQUEST_PARK})


#: Actions on a 协办 task: only its department's users take them (console.domain.coop).
_ASSIST_TASK_ACTIONS = frozenset(
    {Action.ASSIST_ACCEPT, Action.ASSIST_COMPLETE, Action.ASSIST_RETURN}
)


def _pending_refusal(action: Action, facts: CaseFacts) -> str | None:
    if action in (Action.APPROVE_EXTENSION, Action.DENY_EXTENSION) and not facts.extension_pending:
        return "no extension request is pending"
    if action in (Action.APPROVE_PARK, Action.DENY_PARK) and not facts.park_request_pending:
        return "no 缓办 request is pending"
    if action in _NEED_NO_PENDING and (facts.extension_pending or facts.park_request_pending):
        return "a request is waiting for the centre's decision"
    if action in TIME_REQUESTS and facts.limit_used_up:
        return "the stage's time limit is used up: ask before the deadline"
    if action == Action.REQUEST_EXTENSION and facts.extensions_used_up:
        return "the case has had as many extensions as the rules allow"
    return _coop_refusal(action, facts)


def _coop_refusal(action: Action, facts: CaseFacts) -> str | None:
    """部门协作 (console.domain.coop, docs/rules/coop.md): the 主办 reports 处置完毕 only once
    every 协办 task is finished; a disputed return waits for the 值班长's decision, which is
    the only way on."""
    if action == Action.COMPLETE and facts.assist_departments:
        return "协办 tasks are still open: " + ", ".join(sorted(facts.assist_departments))
    if action in (Action.REDISPATCH, Action.SEND_BACK) and facts.dispute_pending:
        return "the return is disputed: the 值班长 arbitrates (arbitrate)"
    if action == Action.ARBITRATE and not facts.dispute_pending:
        return "no dispute waits for arbitration: re-dispatch instead"
    if action == Action.RETURN and facts.bound_department == facts.department_id:
        return "the centre's arbitration made this department 主办: it cannot return the case"
    return None


def _refusal(t: Transition, actor: Actor, facts: CaseFacts) -> WorkflowError | None:
    """Why ``actor`` may not take ``t`` on the case now (None: allowed). Role → 403 first, then
    the case's state, source and pending requests → 422."""
    if permitted_role(t, actor) is None:
        return ForbiddenAction(
            f"{t.action.value!r} needs one of the roles {sorted(t.roles)}",
            {"roles": sorted(t.roles)},
        )
    if not _own_department_ok(t, actor, facts.department_id):
        return ForbiddenAction(
            f"{t.action.value!r} is only for the department the case is dispatched to",
            {"department_id": facts.department_id},
        )
    if t.action in _ASSIST_TASK_ACTIONS and actor.department_id not in facts.assist_departments:
        return ForbiddenAction(
            f"{t.action.value!r} is only for a department with an open 协办 task on the case",
            {"assist_departments": sorted(facts.assist_departments)},
        )
    state = State(facts.state)
    if state not in t.sources:
        return InvalidTransition(
            f"cannot {t.action.value} a case that is {state.value}",
            {"state": state.value, "allowed_from": sorted(s.value for s in t.sources)},
        )
    if t.case_sources is not None and facts.source not in t.case_sources:
        return InvalidTransition(
            f"{t.action.value!r} is only for cases from {sorted(t.case_sources)}",
            {"source": facts.source},
        )
    why = _pending_refusal(t.action, facts)
    if why is not None:
        return InvalidTransition(
            f"cannot {t.action.value}: {why}",
            {
                "extension_pending": facts.extension_pending,
                "park_request_pending": facts.park_request_pending,
                "limit_used_up": facts.limit_used_up,
                "extensions_used_up": facts.extensions_used_up,
            },
        )
    return None


def check_action(
    action: Action | str,
    actor: Actor,
    params: dict[str, Any],
    note: str,
    facts: CaseFacts,
) -> tuple[Transition, Role]:
    """Validate one action; return its transition and the role it is taken under.

    Order of checks matches the HTTP contract: unknown action or bad parameters → 400, role →
    403, not possible from this state → 422.
    """
    try:
        action = Action(action)
    except ValueError:
        raise BadActionParams(
            f"unknown action {action!r}", {"allowed": [a.value for a in TRANSITIONS]}
        ) from None
    t = TRANSITIONS.get(action)
    if t is None:
        raise BadActionParams(f"{action.value!r} is not an operator action")
    for p in t.params:
        if params.get(p) in (None, ""):
            raise BadActionParams(f"action {action.value!r} needs {p!r}", {"missing": p})
    unexpected = sorted(
        p for p, v in params.items() if v is not None and p not in (*t.params, *t.optional)
    )
    if unexpected:
        raise BadActionParams(
            f"action {action.value!r} takes no {', '.join(unexpected)}",
            {"unexpected": unexpected, "takes": [*t.params, *t.optional]},
        )
    if t.note_required and not (note or "").strip():
        raise BadActionParams(f"action {action.value!r} needs a note giving the reason")
    refusal = _refusal(t, actor, facts)
    if refusal is not None:
        raise refusal
    role = permitted_role(t, actor)
    assert role is not None  # _refusal checked it
    return t, role
