"""部门协作: 主办/协办 co-handling of one case, and 争议处理 (ownership disputes the centre
arbitrates). Pure rules over a ``console.domain.case.Case``; ``apply_action`` calls ``apply``.

The rules and why (docs/rules/coop.md says where each comes from, and which are reasoned
choices rather than a standard's words):

- The department a case is dispatched to (``Case.department_id``) is its 主办 and reports
  处置完毕 for the whole case. 协办 departments are added at 派遣 / 重新派遣 / 争议裁定, or later
  by the dispatcher (``add_assist``); each 协办 has its own task text, its own deadline (the
  category's 处置 limit from the time-limit tables, on the same working-time calendar, counted
  from when it was added) and its own state: 派发 → 已接收 → 完成 / 退回 (and 撤销 when the
  case leaves its 主办: returned or voided).
- The 主办 cannot report 处置完毕 while a 协办 task is open: 核查 looks at the whole problem, so
  a report before the 协办 part is done would fail 核查 and come back as rework.
- A 回退 goes to the centre's arbitration (``dispute`` pending) instead of plain re-dispatch when
  the department marks it 权属争议, or when it is the case's ``DISPUTE_AFTER_RETURNS``-th return
  since the last arbitration. Then only the 值班长 moves it on (``arbitrate``: 主办, 协办 and the
  reason); the department decided 主办 may not return it again (the decision binds).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .calendar import WorkCalendar
from .limits import DISPOSE, TimeLimits
from .workflow import Action, Actor, BadActionParams, ForbiddenAction, InvalidTransition

if TYPE_CHECKING:
    from .case import Case

#: A case goes to arbitration at its second return since the last decision: one return is an
#: ordinary 派遣 mistake the dispatcher corrects; a second means two departments each say it
#: is not theirs, and a third dispatch by the same desk would only ping-pong it (a reasoned
#: choice: no standard fixes the number; docs/rules/coop.md).
DISPUTE_AFTER_RETURNS = 2
#: At most this many 协办 on a case at a time (a bound on input, not practice: a joint matter
#: in the demo involves two or three departments).
MAX_ASSISTS = 6
MAX_TASK = 300

#: 协办 task states and their zh names.
DISPATCHED, ACCEPTED, DONE, RETURNED, CANCELLED = (
    "dispatched",
    "accepted",
    "done",
    "returned",
    "cancelled",
)
ASSIST_STATES_ZH = {
    DISPATCHED: "派发",
    ACCEPTED: "已接收",
    DONE: "完成",
    RETURNED: "退回",
    CANCELLED: "撤销",
}
OPEN_ASSIST_STATES = frozenset({DISPATCHED, ACCEPTED})
#: Why a return went to arbitration.
CLAIMED, REPEATED = "claimed", "repeated"
DISPUTE_REASONS_ZH = {CLAIMED: "权属争议", REPEATED: "多次退回"}
PENDING, DECIDED = "pending", "decided"

#: The actions on one 协办 task by its department's users, and the states each leaves.
ASSIST_ACTIONS: dict[Action, tuple[frozenset[str], str]] = {
    Action.ASSIST_ACCEPT: (frozenset({DISPATCHED}), ACCEPTED),
    Action.ASSIST_COMPLETE: (OPEN_ASSIST_STATES, DONE),
    Action.ASSIST_RETURN: (OPEN_ASSIST_STATES, RETURNED),
}


def _iso(t: datetime) -> str:
    """UTC ISO 8601, the wire form of every time (as ``console.domain.case.iso``)."""
    return t.astimezone(UTC).isoformat()


def open_assist_departments(assists: Iterable[Mapping[str, Any]] | None) -> frozenset[str]:
    """Departments holding an open 协办 task on the case (the console enables their buttons)."""
    return frozenset(
        str(a["department_id"]) for a in assists or () if a.get("state") in OPEN_ASSIST_STATES
    )


def assist_tasks_for(
    assists: Iterable[Mapping[str, Any]] | None, action: str, department_id: str | None
) -> list[Mapping[str, Any]]:
    """The 协办 tasks ``action`` (one of ``ASSIST_ACTIONS``) may take now for a user of
    ``department_id`` (None: of any department): a 派发 one to accept, an open one to finish
    or return. A console offers the action only when there is one."""
    sources = ASSIST_ACTIONS[Action(action)][0]
    return [
        a
        for a in assists or ()
        if a.get("state") in sources and department_id in (None, a.get("department_id"))
    ]


def dispute_pending(dispute: Mapping[str, Any] | None) -> bool:
    return bool(dispute) and (dispute or {}).get("state") == PENDING


def bound_department(dispute: Mapping[str, Any] | None) -> str | None:
    """The 主办 an arbitration decided: it may not return the case again."""
    if dispute and dispute.get("state") == DECIDED:
        return dispute.get("lead_department")
    return None


def apply(
    case: Case,
    action: Action,
    actor: Actor,
    at: datetime,
    calendar: WorkCalendar,
    limits: TimeLimits,
    params: Mapping[str, Any],
    note: str,
    data: dict[str, Any],
) -> None:
    """The 协办/争议 part of ``action`` on ``case`` (a copy ``apply_action`` is building), with
    what happened recorded in the event's ``data``. Raises ``WorkflowError``s like the rest."""
    if action in (Action.DISPATCH, Action.REDISPATCH, Action.ARBITRATE):
        added = _add_assists(case, params.get("assists"), at, calendar, limits)
        if added:
            data["assists"] = added
        if action == Action.ARBITRATE:
            _decide(case, actor, at, note, data)
    elif action == Action.ADD_ASSIST:
        one = {"department_id": params["department_id"], "task": params["task"]}
        data["assists"] = _add_assists(case, [one], at, calendar, limits)
    elif action in ASSIST_ACTIONS:
        _assist_step(case, action, actor, at, params, data)
    elif action == Action.RETURN:
        _cancel_open(case, at, data)
        _maybe_dispute(case, at, bool(params.get("dispute")), note, data)
    elif action == Action.VOID:
        _cancel_open(case, at, data)


def _add_assists(
    case: Case, given: Any, at: datetime, calendar: WorkCalendar, limits: TimeLimits
) -> list[dict[str, Any]]:
    if not given:
        return []
    if not isinstance(given, list):
        raise BadActionParams("assists must be a list of {department_id, task}")
    out: list[dict[str, Any]] = []
    limit = limits.stage_limit(DISPOSE, case.category_code, case.urgency)
    deadline = _iso(limits.deadline(calendar, at, limit))
    for g in given:
        if not isinstance(g, Mapping):
            raise BadActionParams("each 协办 is {department_id, task}")
        dept = str(g.get("department_id") or "").strip()
        task = str(g.get("task") or "").strip()
        if not dept or not task:
            raise BadActionParams("each 协办 needs a department_id and a task")
        if len(task) > MAX_TASK:
            raise BadActionParams(f"a 协办 task is at most {MAX_TASK} characters")
        if dept == case.department_id:
            raise InvalidTransition(
                "the 主办 department cannot also be 协办", {"department_id": dept}
            )
        if dept in open_assist_departments(case.assists):
            raise InvalidTransition(
                "that department already has an open 协办 task on this case",
                {"department_id": dept},
            )
        if len(open_assist_departments(case.assists)) >= MAX_ASSISTS:
            raise InvalidTransition(f"a case has at most {MAX_ASSISTS} open 协办 tasks")
        a = {
            "n": len(case.assists) + 1,
            "department_id": dept,
            "task": task,
            "state": DISPATCHED,
            "assigned_at": _iso(at),
            "deadline": deadline,
            "accepted_at": None,
            "finished_at": None,
            "on_time": None,
            "note": "",
        }
        case.assists.append(a)
        if dept not in case.departments:
            case.departments.append(dept)
        out.append({"n": a["n"], "department_id": dept, "task": task, "deadline": deadline})
    return out


def _assist_step(
    case: Case,
    action: Action,
    actor: Actor,
    at: datetime,
    params: Mapping[str, Any],
    data: dict[str, Any],
) -> None:
    try:
        n = int(params["assist"])
    except (TypeError, ValueError):
        raise BadActionParams("assist must be the 协办 task's number") from None
    a = next((x for x in case.assists if x.get("n") == n), None)
    if a is None:
        raise BadActionParams(f"the case has no 协办 task {n}", {"assist": n})
    if actor.department_id != a["department_id"]:
        raise ForbiddenAction(
            "only users of the 协办 department act on its task",
            {"department_id": a["department_id"]},
        )
    sources, target = ASSIST_ACTIONS[action]
    if a["state"] not in sources:
        raise InvalidTransition(
            f"cannot {action.value} a 协办 task that is {a['state']}",
            {"assist": n, "state": a["state"], "allowed_from": sorted(sources)},
        )
    a["state"] = target
    data.update(assist=n, department_id=a["department_id"])
    if target == ACCEPTED:
        a["accepted_at"] = _iso(at)
    else:
        a["finished_at"] = _iso(at)
        if target == DONE:
            a["on_time"] = data["on_time"] = at <= datetime.fromisoformat(a["deadline"])


def _cancel_open(case: Case, at: datetime, data: dict[str, Any]) -> None:
    """The case leaves its 主办 (returned or voided): its open 协办 tasks end with it (the
    next 派遣 or 裁定 sets them again), recorded so the KPIs drop them."""
    cancelled = []
    for a in case.assists:
        if a.get("state") in OPEN_ASSIST_STATES:
            a["state"], a["finished_at"] = CANCELLED, _iso(at)
            cancelled.append(a["n"])
    if cancelled:
        data["assists_cancelled"] = cancelled


def _returns_since_decision(case: Case) -> list[str]:
    """Departments of the returns since the last arbitration (in order, the new one last)."""
    out: list[str] = []
    for ev in case.events:
        if ev["action"] == Action.ARBITRATE.value:
            out = []
        elif ev["action"] == Action.RETURN.value:
            out.append(str((ev.get("data") or {}).get("department_id")))
    return out


def _maybe_dispute(
    case: Case, at: datetime, claimed: bool, note: str, data: dict[str, Any]
) -> None:
    returns = [*_returns_since_decision(case), str(data.get("department_id"))]
    if not claimed and len(returns) < DISPUTE_AFTER_RETURNS:
        return
    reason = CLAIMED if claimed else REPEATED
    case.dispute = {
        "state": PENDING,
        "reason": reason,
        "opened_at": _iso(at),
        "returns": len(returns),
        "parties": sorted(set(returns)),
        "return_note": note,
    }
    data["dispute"] = reason


def _decide(case: Case, actor: Actor, at: datetime, note: str, data: dict[str, Any]) -> None:
    """争议裁定: the 值班长's decision, kept on the case and its event. A party (a department
    that returned the case since the last decision) made 主办 anyway has *lost* the dispute."""
    lead = str(case.department_id)
    parties = list((case.dispute or {}).get("parties") or [])
    lost = [lead] if lead in parties else []
    case.dispute = {
        **(case.dispute or {}),
        "state": DECIDED,
        "decided_at": _iso(at),
        "decided_by": actor.user_id,
        "lead_department": lead,
        "assist_departments": [a["department_id"] for a in data.get("assists", [])],
        "lost": lost,
        "decision": note,
    }
    data.update(parties=parties, lost=lost)


class AssistStint:
    """One 协办 task as the events before a period's end tell it (``assist_stints``)."""

    __slots__ = ("department_id", "deadline", "finished", "on_time", "ended")

    def __init__(self, department_id: str, deadline: datetime):
        self.department_id = department_id
        self.deadline = deadline
        self.finished: datetime | None = None
        self.on_time = False
        self.ended = False  # returned by its department or cancelled with the case's return


def assist_stints(events: list[tuple[datetime, Mapping[str, Any]]]) -> list[AssistStint]:
    """The case's 协办 tasks from its (time, event) history, for the KPIs (console.domain.kpi):
    the events carry each task's department and deadline when added, and its end."""
    by_n: dict[int, AssistStint] = {}
    for t, ev in events:
        data = ev.get("data") or {}
        a = ev["action"]
        for added in data.get("assists") or ():
            by_n[int(added["n"])] = AssistStint(
                str(added["department_id"]), datetime.fromisoformat(added["deadline"])
            )
        stint = by_n.get(int(data["assist"])) if data.get("assist") is not None else None
        if stint is not None and a == Action.ASSIST_COMPLETE.value:
            stint.finished, stint.on_time = t, bool(data.get("on_time"))
        elif stint is not None and a == Action.ASSIST_RETURN.value:
            stint.ended = True
        for n in data.get("assists_cancelled") or ():
            if n in by_n:
                by_n[n].ended = True
    return list(by_n.values())
