"""养护: planned maintenance work orders (养护计划 / 养护工单) on the 部件 inventory, the state of
each component (正常 / 损坏 / 缺失 / 停用 / 维修中), and the 养护 KPIs per department.

Reactive work reaches a department as a case (上报 → … → 结案); planned work reaches it as a
work order: the centre plans an order for a few components of one kind and one owner (a plan
type below says which kind, how often and within what time), 派单 it to the owner, the owner's
crew starts (施工) and finishes it, and the centre checks it (验收): accepted it is 完成,
rejected it goes back to 施工 (返工). While an order is in 施工 its components are 维修中; when
the crew finishes, each is 正常 again unless the crew reported it 损坏 / 缺失 (``findings``).

Roles (who does what, the same split as the case loop's 派遣 / 处置 / 核查, docs/rules/maintenance.md):
the centre's 派遣员 or 值班长 plans, 派单s and 验收s; only the owning department's own users
start and finish; only the 值班长 cancels (an order not yet in 施工).

Deadlines are natural hours, not working hours: crews on a maintenance round are scheduled
(night patrols of street lights, early rounds before traffic), unlike the office-hours desk
clocks of the case loop. 派单 within ``DISPATCH_HOURS`` of planning, the work within the plan
type's ``work_hours`` of 派单, 验收 within ``ACCEPT_HOURS`` of the crew finishing. Each event
records whether it came after its deadline (``late``); an order is on time when the crew
finished within ``work_due_at`` (the centre's slow 验收 is not held against the department).

Everything here is pure: the backend applies it (``console.server.maintenance``) and the
console computes the same KPIs from the work-order records it folds (live or in replay).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

#: Record types these documents travel as (``console.domain.records``).
WORK_ORDER = "work_order"
ASSET_STATE = "asset_state"


@dataclass(frozen=True)
class PlanType:
    """One kind of planned work: the component categories it covers, how often each component
    gets it (days), how long a crew has from 派单 to finish (hours), and where that comes from."""

    id: str
    name_zh: str
    name_en: str
    categories: tuple[str, ...]
    interval_days: int
    work_hours: float
    basis: str


PLAN_TYPES: dict[str, PlanType] = {
    p.id: p
    for p in (
        PlanType(
            "light_night_patrol",
            "路灯夜巡",
            "Street light night patrol",
            ("01037",),
            7,
            24.0,
            "CJJ 45-2015 城市道路照明设计标准 sets the lighting a street must keep; a lamp out "
            "is seen only at night, so lights are patrolled after dark; weekly is the project's "
            "choice for a district's trunk and branch roads (CJJ/T 45 practice: inspection "
            "rounds of the lighting network)",
        ),
        PlanType(
            "light_box_check",
            "路灯配电箱检查",
            "Lighting cabinet check",
            ("01060", "01006"),
            30,
            72.0,
            "monthly check of cabinets and cable wells (timer, leakage breaker, cover), "
            "lighting maintenance practice; interval the project's choice",
        ),
        PlanType(
            "sewer_well_check",
            "排水检查井巡查",
            "Sewer manhole inspection",
            ("01002", "01003"),
            30,
            48.0,
            "CJJ 6-2009 城镇排水管渠与泵站维护技术规程 (now in CJJ 68-2016): manholes are "
            "inspected on a round for covers, silt and blockage; monthly is the project's "
            "choice within that practice",
        ),
        PlanType(
            "inlet_clearing",
            "雨水口清掏",
            "Storm inlet clearing",
            ("01004",),
            90,
            48.0,
            "CJJ 6-2009 / CJJ 68-2016: inlets are cleared of silt before and during the 汛期; "
            "quarterly is the project's choice",
        ),
        PlanType(
            "manhole_cover_check",
            "窨井盖巡查",
            "Manhole cover inspection",
            ("01001", "01005", "01007", "01008", "01011"),
            30,
            48.0,
            "CJJ 36-2016 城镇道路养护技术规范: covers in the carriageway are road appurtenances "
            "kept level with the surface, a missing or broken cover replaced at once; each owner "
            "inspects its own covers; monthly is the project's choice",
        ),
        PlanType(
            "hydrant_check",
            "消火栓检查",
            "Hydrant check",
            ("01013",),
            90,
            72.0,
            "GB 50974-2014 消防给水及消火栓系统技术规范, ch. 14 (维护管理): hydrants are "
            "checked for appearance and leaks every quarter",
        ),
        PlanType(
            "bin_cleaning",
            "废物箱清洗",
            "Litter bin cleaning",
            ("03005",),
            7,
            24.0,
            "CJJ/T 126 城市道路清扫保洁与质量评价标准: bins are emptied daily and kept "
            "clean; a weekly wash round is the project's choice",
        ),
    )
}

#: Category → the plan type that covers it (each category is in one plan type).
PLAN_OF_CATEGORY: dict[str, str] = {c: p.id for p in PLAN_TYPES.values() for c in p.categories}

# ---- states and actions -------------------------------------------------------------------
PLANNED, DISPATCHED, WORKING, ACCEPTING, DONE, CANCELLED = (
    "planned",
    "dispatched",
    "working",
    "accepting",
    "done",
    "cancelled",
)
STATES_ZH = {
    PLANNED: "计划",
    DISPATCHED: "派单",
    WORKING: "施工",
    ACCEPTING: "验收",
    DONE: "完成",
    CANCELLED: "取消",
}
OPEN_STATES = frozenset({PLANNED, DISPATCHED, WORKING, ACCEPTING})
#: The centre's desks that plan, 派单 and 验收 (as 派遣 and 核查 are theirs in the case loop).
CENTRE = frozenset({"dispatcher", "shift_lead"})
DEPARTMENT = "department"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    roles: frozenset[str]


TRANSITIONS: dict[str, Transition] = {
    "dispatch": Transition(frozenset({PLANNED}), DISPATCHED, CENTRE),
    "start": Transition(frozenset({DISPATCHED}), WORKING, frozenset({DEPARTMENT})),
    "finish": Transition(frozenset({WORKING}), ACCEPTING, frozenset({DEPARTMENT})),
    "accept": Transition(frozenset({ACCEPTING}), DONE, CENTRE),
    "reject": Transition(frozenset({ACCEPTING}), WORKING, CENTRE),
    # Only the 值班长 drops planned work, and only before a crew has started on it.
    "cancel": Transition(frozenset({PLANNED, DISPATCHED}), CANCELLED, frozenset({"shift_lead"})),
}
ACTIONS_ZH = {
    "create": "编制计划",
    "dispatch": "派单",
    "start": "开始施工",
    "finish": "施工完成",
    "accept": "验收通过",
    "reject": "验收不通过",
    "cancel": "取消",
}

#: 派单 within this many hours of planning: the centre's desk dispatches within a shift (the
#: project's choice, as the 派遣 limits of the case loop are the centre's own).
DISPATCH_HOURS = 4.0
#: 验收 within a day of the crew finishing (the centre checks on its next round).
ACCEPT_HOURS = 24.0
#: Most components on one order: a crew's round on a few streets (stated reason), and what
#: keeps the 维修中 records few.
MAX_COMPONENTS = 60
MAX_NOTE = 500

# ---- component states ---------------------------------------------------------------------
NORMAL, DAMAGED, MISSING, DISABLED, REPAIRING = (
    "normal",
    "damaged",
    "missing",
    "disabled",
    "repairing",
)
ASSET_STATES_ZH = {
    NORMAL: "正常",
    DAMAGED: "损坏",
    MISSING: "缺失",
    DISABLED: "停用",
    REPAIRING: "维修中",
}
#: What a report or a crew's findings may set; 维修中 is set only by an order in 施工.
REPORTABLE = frozenset({NORMAL, DAMAGED, MISSING, DISABLED})


class OrderError(Exception):
    """A refused request: ``status`` is the HTTP status the backend answers with."""

    def __init__(self, status: int, message: str, code: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.details = status, message, code, details


def iso(t: datetime) -> str:
    return t.isoformat()


def _t(s: str) -> datetime:
    return datetime.fromisoformat(s)


def new_order(
    order_id: str,
    plan_id: str,
    components: Sequence[Mapping[str, Any]],
    now: datetime,
    user_id: str,
    role: str,
    note: str = "",
) -> dict[str, Any]:
    """A planned order for ``components`` (their inventory docs: code, category_code,
    location, owner_department_id, grid_code, street_code). They must be of the plan type's
    categories and have one owner, who becomes the order's department (400 otherwise)."""
    plan = PLAN_TYPES.get(plan_id)
    if plan is None:
        raise OrderError(400, f"unknown plan type {plan_id[:40]!r}", "unknown_plan")
    if not 1 <= len(components) <= MAX_COMPONENTS:
        raise OrderError(
            400, f"an order covers 1 to {MAX_COMPONENTS} components", "bad_component_count"
        )
    codes = [str(c["code"]) for c in components]
    if len(set(codes)) != len(codes):
        raise OrderError(400, "a component is listed twice", "duplicate_component")
    wrong = [c for c in components if c["category_code"] not in plan.categories]
    if wrong:
        raise OrderError(
            400,
            f"{wrong[0]['code']} is a {wrong[0]['category_code']}, not covered by {plan_id}",
            "component_not_in_plan",
            {"categories": list(plan.categories)},
        )
    owners = sorted({str(c["owner_department_id"]) for c in components})
    if len(owners) != 1:
        raise OrderError(
            400, "an order's components must have one owner", "mixed_owners", {"owners": owners}
        )
    lon = sum(float(c["location"]["lon"]) for c in components) / len(components)
    lat = sum(float(c["location"]["lat"]) for c in components) / len(components)
    first = components[0]
    return {
        "type": WORK_ORDER,
        "id": order_id,
        "plan": plan_id,
        "categories": sorted({str(c["category_code"]) for c in components}),
        "components": codes,
        "department_id": owners[0],
        "state": PLANNED,
        "version": 1,
        "location": {"lon": round(lon, 7), "lat": round(lat, 7)},
        "street_code": first.get("street_code"),
        "grid_code": first.get("grid_code"),
        "created_at": iso(now),
        "due_at": iso(now + timedelta(hours=DISPATCH_HOURS)),
        "work_due_at": None,
        "finished_at": None,
        "accepted_at": None,
        "on_time": None,
        "findings": {},
        "events": [
            {"action": "create", "at": iso(now), "user": user_id, "role": role, "note": note}
        ],
    }


def permitted_role(action: str, roles: Iterable[str]) -> str | None:
    """The role ``action`` is recorded under, of those the caller holds (None: none fits)."""
    allowed = TRANSITIONS[action].roles
    return next(
        (r for r in ("shift_lead", "dispatcher", DEPARTMENT) if r in allowed and r in roles), None
    )


def apply(
    order: Mapping[str, Any],
    action: str,
    now: datetime,
    user_id: str,
    roles: Iterable[str],
    department_id: str | None,
    note: str = "",
    findings: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The order after ``action`` by this caller at ``now``: a new dict (``order`` untouched).
    400 for an unknown action or bad findings, 403 for a role or department that may not,
    422 for an action the order's state does not allow (the API's statuses: 422 is a refused
    transition, as for cases)."""
    tr = TRANSITIONS.get(action)
    if tr is None:
        raise OrderError(400, f"unknown action {action[:40]!r}", "unknown_action")
    role = permitted_role(action, roles)
    if role is None:
        raise OrderError(
            403,
            f"{action} needs one of {sorted(tr.roles)}",
            "role_not_allowed",
            {"roles": sorted(tr.roles)},
        )
    if role == DEPARTMENT and department_id != order["department_id"]:
        raise OrderError(
            403,
            f"the order is {order['department_id']}'s, not {department_id}'s",
            "not_your_department",
        )
    if order["state"] not in tr.sources:
        raise OrderError(
            422,
            f"{action} is not allowed in state {order['state']}",
            "bad_state",
            {"state": order["state"]},
        )
    found = dict(findings or {})
    if found and action != "finish":
        raise OrderError(400, "findings are reported with finish only", "findings_not_allowed")
    for code, st in found.items():
        if code not in order["components"]:
            raise OrderError(400, f"{code[:20]!r} is not on this order", "finding_not_on_order")
        if st not in (DAMAGED, MISSING, DISABLED):
            raise OrderError(
                400, f"a finding is damaged, missing or disabled, not {st[:20]!r}", "bad_finding"
            )
    out = dict(order)
    due = out.get("due_at")
    late = due is not None and now > _t(due)
    out["events"] = [
        *order["events"],
        {
            "action": action,
            "at": iso(now),
            "user": user_id,
            "role": role,
            "note": note,
            "late": late,
        },
    ]
    out["state"] = tr.target
    out["version"] = int(order["version"]) + 1
    plan = PLAN_TYPES[order["plan"]]
    if action == "dispatch":
        work_due = now + timedelta(hours=plan.work_hours)
        out["work_due_at"] = out["due_at"] = iso(work_due)
    elif action == "start":
        out["due_at"] = out["work_due_at"]
    elif action == "finish":
        out["finished_at"] = iso(now)
        out["on_time"] = now <= _t(out["work_due_at"])
        out["findings"] = found
        out["due_at"] = iso(now + timedelta(hours=ACCEPT_HOURS))
    elif action == "reject":
        # 返工: back to the crew, on the order's own work deadline (already past or not).
        out["finished_at"] = out["on_time"] = None
        out["findings"] = {}
        out["due_at"] = out["work_due_at"]
    elif action == "accept":
        out["accepted_at"] = iso(now)
        out["due_at"] = None
    elif action == "cancel":
        out["due_at"] = None
    return out


def component_states(order: Mapping[str, Any]) -> dict[str, str]:
    """What the order says of its components' states now: 维修中 while in 施工, the crew's
    findings (else 正常) once finished; nothing while planned, dispatched or cancelled."""
    if order["state"] == WORKING:
        return {c: REPAIRING for c in order["components"]}
    if order["state"] in (ACCEPTING, DONE):
        found = order.get("findings") or {}
        return {c: found.get(c, NORMAL) for c in order["components"]}
    return {}


def is_overdue(order: Mapping[str, Any], now: datetime) -> bool:
    """An open order past its current stage's deadline."""
    due = order.get("due_at")
    return order["state"] in OPEN_STATES and due is not None and now > _t(due)


# ---- KPI ----------------------------------------------------------------------------------
#: Indicator ids (``resources/kpi_indicators.json``, kind ``maintenance``).
COMPLETION = "maintenance_completion_rate"
ON_TIME = "maintenance_on_time_rate"
INDICATORS = (COMPLETION, ON_TIME)


def _kpi_sets(
    orders: Iterable[Mapping[str, Any]], start: datetime, end: datetime
) -> dict[str, dict[str, tuple[set[str], set[str]]]]:
    """Department → indicator → (numerator ids, denominator ids), reading only what happened
    before ``end`` (as ``console.domain.kpi``: a closed period does not change later).

    An order is *due* in the period when it was accepted (完成) in it, or it was open at the
    period's end (dispatched before it, not cancelled, not accepted) with its work deadline in
    the period. 完成率 = completed / due; 按期完成率 = completed with the crew finishing within
    the work deadline / due."""
    out: dict[str, dict[str, tuple[set[str], set[str]]]] = {}
    for o in orders:
        evs = [e for e in o.get("events") or () if _t(e["at"]) < end]
        acts = {e["action"]: _t(e["at"]) for e in evs}  # last time of each action
        if "dispatch" not in acts or "cancel" in acts:
            continue
        work_due = _t(o["work_due_at"]) if o.get("work_due_at") else None
        accepted = acts.get("accept")
        if accepted is not None:
            due = start <= accepted < end
        else:
            due = work_due is not None and start <= work_due < end
        if not due:
            continue
        cells = out.setdefault(str(o["department_id"]), {k: (set(), set()) for k in INDICATORS})
        oid = str(o["id"])
        for k in INDICATORS:
            cells[k][1].add(oid)
        if accepted is not None:
            cells[COMPLETION][0].add(oid)
            # The crew's last finish before the acceptance (a 返工 finishes again).
            finished = max(_t(e["at"]) for e in evs if e["action"] == "finish")
            if work_due is not None and finished <= work_due:
                cells[ON_TIME][0].add(oid)
    return out


def maintenance_kpis(
    orders: Iterable[Mapping[str, Any]],
    start: datetime,
    end: datetime,
    names: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One row per department: ``key``, ``name``, ``indicators`` {id: {numerator,
    denominator, value}} (value None when nothing was due), sorted by on-time rate, best
    first, then by key."""
    rows = []
    for dept, cells in _kpi_sets(orders, start, end).items():
        ind = {
            k: {
                "numerator": len(num),
                "denominator": len(den),
                "value": len(num) / len(den) if den else None,
            }
            for k, (num, den) in cells.items()
        }
        rows.append({"key": dept, "name": (names or {}).get(dept), "indicators": ind})
    return sorted(rows, key=lambda r: (-(r["indicators"][ON_TIME]["value"] or 0.0), r["key"]))


def kpi_orders(
    orders: Iterable[Mapping[str, Any]],
    start: datetime,
    end: datetime,
    department_id: str,
    indicator: str,
    part: str,
) -> list[str]:
    """The ids of the orders behind one cell of ``maintenance_kpis`` (sorted); ValueError for
    an unknown indicator or part."""
    if indicator not in INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}; one of {INDICATORS}")
    if part not in ("numerator", "denominator"):
        raise ValueError("part must be numerator or denominator")
    cells = _kpi_sets(orders, start, end).get(department_id)
    if cells is None:
        return []
    return sorted(cells[indicator][0 if part == "numerator" else 1])
