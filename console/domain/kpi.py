"""量化考核: indicators computed from case histories, for any period and grouping.

Every indicator is a pair of case-id sets, numerator ⊆ denominator, so each number can list the
cases behind it (``kpi_cases``) and a rate can never exceed 1 without a bug: nothing is clamped.
A period's numbers read only the events before its end (``at < end``): a closed period does not
change when later events arrive, and the backend, the live console and a replay of a shift log
compute the same numbers from the same histories.

The indicators, their formulas, sources and the weights per assessed kind are data:
``resources/kpi_indicators.json`` (docs/rules/kpi.md). The cohort rules (DOMAIN.md
"Performance evaluation"):
- a department *task* runs from a dispatch (or redispatch) to the department until it is
  returned, voided or superseded; 核查不通过 reopens the same task (rework is its own indicator,
  not a second due). A task is *due* in a period when it was finished (its last 处置完毕 before
  the period's end) in the period, or it is still open at the period's end and its deadline
  falls in the period — never because it was assigned in the period. Returned tasks and tasks
  parked at the period's end leave the denominator;
- a case is *due to close* in a period when it was closed in it, or it is open at the period's
  end (registered, not voided, not parked) and its latest 处置 deadline falls in the period;
- a stage event with no time limit (``on_time`` None) is on time: there was no limit to miss.
Rates are None, never NaN, when their denominator is zero; counts have denominator 0.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from console.domain.callback import REACHED, SATISFACTION_ZH, SATISFIED, UNREACHED
from console.domain.coop import assist_stints
from console.domain.enforcement import timely_in
from console.domain.limits import TimeLimits
from resources import resource_path

GROUPINGS = ("department", "street", "community", "grid", "user", "category", "source")
#: The roles assessed per person (DOMAIN.md): a user's row per role they acted in.
ASSESSED_ROLES = ("supervisor", "operator", "dispatcher", "shift_lead")
PARTS = ("numerator", "denominator")
REGION_FIELD = {
    "street": "street_code",
    "community": "community_code",
    "grid": "grid_code",
    "category": "category_code",
    "source": "source",
}

#: A case document and one of its events, read by key: the backend passes its stored JSON, the
#: console ``console.domain.documents.CaseDoc``s, and only keys every case has are indexed.
Case = Mapping[str, Any]
Event = Mapping[str, Any]
Weights = Mapping[str, Mapping[str, float]]


@cache
def _config() -> dict[str, Any]:
    with open(resource_path("kpi_indicators.json"), encoding="utf-8") as f:
        cfg: dict[str, Any] = json.load(f)
    return cfg


def definitions() -> dict[str, dict[str, Any]]:
    """Indicator id → zh, en, formula, source, higher_is_better, unit, kinds (the wire's
    ``definitions``)."""
    return {k: dict(v) for k, v in _config()["indicators"].items()}


def default_weights() -> dict[str, dict[str, float]]:
    """Assessed kind → indicator → weight (origin in the resource's ``weights.origin``)."""
    return {k: dict(v) for k, v in _config()["weights"].items() if k != "origin"}


def grade(score: float | None) -> str | None:
    """A–E by the bands of DOMAIN.md (A ≥ 90, B 75–90, C 60–75, D 40–60, E < 40)."""
    if score is None:
        return None
    bands = _config()["grades"]
    for g in ("A", "B", "C", "D"):
        if score >= bands[g]:
            return g
    return "E"


def rate(num: float, den: float) -> float | None:
    """num/den to 4 places; None when den is 0. Never clamped: a value above 1 is a bug."""
    return None if not den else round(num / den, 4)


def _t(s: str) -> datetime:
    t = datetime.fromisoformat(s)
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _late(ev: Event) -> bool:
    return ev.get("on_time") is False


@dataclass
class _Cell:
    num: set[str] = field(default_factory=set)
    den: set[str] = field(default_factory=set)

    def add(self, case_id: str, hit: bool) -> None:
        self.den.add(case_id)
        if hit:
            self.num.add(case_id)


#: (row key, assessed role or None) → indicator id → cell
_Cells = dict[tuple[str, str | None], dict[str, _Cell]]


def _new_cells() -> _Cells:
    return defaultdict(lambda: defaultdict(_Cell))


@dataclass
class _Task:
    """One department's stint on a case, as of the period's end."""

    dept: str
    received: datetime
    finished: datetime | None = None
    late: bool = False
    reworked: bool = False
    extended: bool = False
    parked_since: datetime | None = None
    ended: bool = False  # returned, voided or superseded: the department no longer holds it
    returned: bool = False
    deadline: datetime | None = None  # of the 处置 stage running at the end (open tasks)


def _before(case: Case, end: datetime) -> tuple[list[tuple[datetime, Event]], list[Event]]:
    """The case's events before ``end`` with their times, and the events after."""
    events = case.get("events", [])
    out: list[tuple[datetime, Event]] = []
    for i, ev in enumerate(events):
        t = _t(ev["at"])
        if t >= end:
            return out, events[i:]
        out.append((t, ev))
    return out, []


def _running_deadline(case: Case, later: list[Event]) -> datetime | None:
    """The deadline of the 处置 stage running at the period's end: as recorded by the later
    event that ended it (with any extension approved in between), else, when it still runs,
    the case's current deadline."""
    ender = next((ev for ev in later if ev.get("stage")), None)
    if ender is not None:
        dl = ender.get("stage_deadline") if ender.get("stage") == "dispose" else None
    else:
        dl = case.get("deadline") if case.get("state") == "dispatched" else None
    return _t(dl) if dl else None


#: Actions that give the case to a department: the 值班长's 争议裁定 dispatches as 派遣 does.
_DISPATCHING = ("dispatch", "redispatch", "arbitrate")


def _tasks(case: Case, evs: list[tuple[datetime, Event]], later: list[Event]) -> list[_Task]:
    tasks: list[_Task] = []
    cur: _Task | None = None
    for t, ev in evs:
        a = ev["action"]
        if a in _DISPATCHING:
            if cur is not None:
                cur.ended = True
            dept = (ev.get("data") or {}).get("department_id")
            cur = _Task(str(dept), t) if dept else None
            if cur is not None:
                tasks.append(cur)
        elif cur is None:
            continue
        elif a == "complete":
            cur.finished, cur.late = t, cur.late or _late(ev)
        elif a == "check_fail":
            cur.finished, cur.reworked = None, True
        elif a == "return":
            cur.ended = cur.returned = True
            cur = None
        elif a == "void":
            cur.ended = cur.finished is None
            cur = None
        elif a in ("park", "approve_park"):
            cur.parked_since = t
        elif a == "resume":
            cur.parked_since = None
        elif a == "approve_extension":
            cur.extended = True
    if cur is not None and cur.finished is None and cur.parked_since is None:
        cur.deadline = _running_deadline(case, later)
    return tasks


def _count_departments(
    cells: _Cells,
    case: Case,
    evs: list[tuple[datetime, Event]],
    later: list[Event],
    start: datetime,
    end: datetime,
    stockpile: timedelta,
) -> None:
    cid = case["id"]
    for task in _tasks(case, evs, later):
        row = cells[(task.dept, None)]
        if start <= task.received:
            row["return_rate"].add(cid, task.returned)
        if task.ended:
            continue
        if task.finished is None:
            since = task.parked_since
            row["stockpile_rate"].add(cid, since is not None and end - since > stockpile)
            if since is not None:
                continue
            if task.deadline is not None and task.deadline < end:
                row["overdue_unhandled"].num.add(cid)
            if task.deadline is None or not start <= task.deadline < end:
                continue
            handled = False
        elif task.finished < start:
            continue
        else:
            handled = True
        on_time = handled and not task.late
        row["disposal_rate"].add(cid, handled)
        row["on_time_disposal_rate"].add(cid, on_time)
        row["overdue_rate"].add(cid, not on_time)
        row["extension_rate"].add(cid, task.extended)
        if handled:
            row["rework_rate"].add(cid, task.reworked)


def _count_coop(
    cells: _Cells, case: Case, evs: list[tuple[datetime, Event]], start: datetime, end: datetime
) -> None:
    """部门协作 (console.domain.coop): a 协办 task counts for its own department, with the
    disposal cohort rule (due when finished in the period, or open at its end with the deadline
    in it; returned and cancelled tasks leave); a 争议裁定 in the period that made a department
    主办 after it returned the case counts as a dispute it lost."""
    cid = case["id"]
    for st in assist_stints(evs):
        if st.ended:
            continue
        if st.finished is None:
            if not start <= st.deadline < end:
                continue
        elif not start <= st.finished < end:
            continue
        cells[(st.department_id, None)]["assist_on_time_rate"].add(
            cid, st.finished is not None and st.on_time
        )
    for t, ev in evs:
        if ev["action"] == "arbitrate" and start <= t:
            for dept in (ev.get("data") or {}).get("lost") or ():
                cells[(str(dept), None)]["dispute_lost_count"].num.add(cid)


def _count_region(
    cells: _Cells,
    key: str,
    case: Case,
    evs: list[tuple[datetime, Event]],
    later: list[Event],
    start: datetime,
    end: datetime,
) -> None:
    cid = case["id"]
    row = cells[(key, None)]
    registered = closed = voided = parked = late = False
    closed_at: datetime | None = None
    deadline: datetime | None = None
    for t, ev in evs:
        a = ev["action"]
        if a == "report" and start <= t:
            row["public_report_rate"].add(cid, case.get("source") == "public")
        elif a == "register":
            registered = True
            if start <= t:
                row["registered_count"].num.add(cid)
        elif a in ("close", "close_self"):
            closed, closed_at = True, t
        elif a == "void":
            voided = True
        elif a in ("park", "approve_park"):
            parked = True
        elif a == "resume":
            parked = False
        if ev.get("stage") == "dispose":
            deadline = _t(ev["stage_deadline"]) if ev.get("stage_deadline") else deadline
            late = late or (a == "complete" and _late(ev))
        if a in (*_DISPATCHING, "check_fail", "resume"):
            deadline = None  # a new 处置 stage: its deadline is known when it ends or below
    if deadline is None and evs and evs[-1][1]["to_state"] == "dispatched":
        deadline = _running_deadline(case, later)
    in_period = closed_at is not None and start <= closed_at
    open_due = (
        registered
        and not (closed or voided or parked)
        and deadline is not None
        and start <= deadline < end
    )
    if in_period or open_due:
        row["closure_rate"].add(cid, in_period)
        row["on_time_closure_rate"].add(cid, in_period and not late)


def _count_satisfaction(
    cells: _Cells, key: str | None, case: Case, s: datetime, e: datetime
) -> None:
    outcome = callback_outcome(case, s, e)
    if key is not None and outcome is not None and outcome != UNREACHED:
        cells[(key, None)]["satisfaction_rate"].add(case["id"], outcome in SATISFIED)


#: action → (assessed role, the on-time indicator whose denominator it enters)
_USER_ACTIONS: dict[str, tuple[str, str]] = {
    "verified": ("supervisor", "on_time_verify_rate"),
    "check_pass": ("supervisor", "on_time_check_rate"),
    "check_fail": ("supervisor", "on_time_check_rate"),
    "accept": ("operator", "on_time_accept_rate"),
    "send_verify": ("operator", "on_time_send_verify_rate"),
    "send_check": ("operator", "on_time_send_check_rate"),
    "dispatch": ("dispatcher", "on_time_dispatch_rate"),
    "redispatch": ("dispatcher", "on_time_dispatch_rate"),
    "register": ("shift_lead", "on_time_registration_rate"),
    "close": ("shift_lead", "on_time_closure_by_lead_rate"),
}


def _count_users(
    cells: _Cells,
    case: Case,
    evs: list[tuple[datetime, Event]],
    start: datetime,
    end: datetime,
    grid_owner: Mapping[str, list[str]],
) -> None:
    cid = case["id"]
    actions = {ev["action"] for _, ev in evs}
    valid = "register" in actions and "void" not in actions
    late: dict[tuple[str, str], bool] = {}  # (user, indicator) → any late event of theirs
    wrong_dispatch: set[str] = set()
    undone_registration: int | None = None
    last_dispatcher = last_register = None
    registered_in_period = False
    for t, ev in evs:
        a, u = ev["action"], ev["user"]
        if a in ("dispatch", "redispatch"):
            last_dispatcher = u
        elif a == "return" and last_dispatcher:
            wrong_dispatch.add(last_dispatcher)
        elif a == "register":
            last_register = ev["n"]
        elif a == "void" and undone_registration is None:
            undone_registration = last_register
        if t < start:
            continue
        if a == "report" and ev.get("role") == "supervisor":
            cells[(u, "supervisor")]["valid_report_rate"].add(cid, valid)
        if a == "register":
            registered_in_period = True
        if a == "accept":
            cells[(u, "operator")]["accepted_count"].num.add(cid)
        spec = _USER_ACTIONS.get(a)
        if spec is not None:
            k = (u, spec[1])
            late[k] = late.get(k, False) or _late(ev)
    for (u, ind), was_late in late.items():
        row = cells[(u, _ROLE_OF[ind])]
        row[ind].add(cid, not was_late)
        if ind == "on_time_dispatch_rate":
            row["accurate_dispatch_rate"].add(cid, u not in wrong_dispatch)
        elif ind == "on_time_registration_rate":
            mine = {
                ev["n"]
                for t, ev in evs
                if t >= start and ev["action"] == "register" and ev["user"] == u
            }
            row["accurate_registration_rate"].add(cid, undone_registration not in mine)
    grid = case.get("grid_code")
    if registered_in_period and grid:
        for sup in grid_owner.get(grid, ()):
            cells[(sup, "supervisor")]["missed_report_rate"].add(
                cid, case.get("source") != "supervisor"
            )


_ROLE_OF = {ind: role for role, ind in _USER_ACTIONS.values()}


#: The department whose row carries 执法 timeliness: the 综合行政执法局 that decides the
#: enforcement cases (console.domain.enforcement, docs/rules/enforcement.md).
ENFORCEMENT_DEPARTMENT = "enforcement"


def _count_enforcement(cells: _Cells, docs: Iterable[Case], start: datetime, end: datetime) -> None:
    for doc in docs:
        hit = timely_in(dict(doc), start, end)
        if hit is not None:
            cells[(ENFORCEMENT_DEPARTMENT, None)]["enforcement_timeliness"].add(doc["id"], hit)


def _cells(
    cases: Iterable[Case],
    start: datetime,
    end: datetime,
    by: str,
    supervisor_grids: Mapping[str, set[str]] | None,
    stockpile_days: float | None,
    enforcement: Iterable[Case] = (),
) -> _Cells:
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; one of {GROUPINGS}")
    cells = _new_cells()
    if by == "department":
        _count_enforcement(cells, enforcement, start, end)
    grid_owner: dict[str, list[str]] = defaultdict(list)
    for sup, grids in (supervisor_grids or {}).items():
        for g in grids:
            grid_owner[g].append(sup)
    days = TimeLimits.default().stockpile_days if stockpile_days is None else stockpile_days
    stockpile = timedelta(days=days)
    for case in cases:
        evs, later = _before(case, end)
        if not evs:
            continue
        if by == "department":
            _count_departments(cells, case, evs, later, start, end, stockpile)
            _count_coop(cells, case, evs, start, end)
            _count_satisfaction(cells, case.get("department_id"), case, start, end)
        elif by == "user":
            _count_users(cells, case, evs, start, end, grid_owner)
        else:
            key = case.get(REGION_FIELD[by])
            if key is not None:
                _count_region(cells, str(key), case, evs, later, start, end)
                _count_satisfaction(cells, str(key), case, start, end)
    return cells


def _kind(by: str, role: str | None) -> str:
    return role if by == "user" and role else ("department" if by == "department" else "region")


def indicator_ids(kind: str) -> list[str]:
    """The indicators of an assessed kind, in the resource's order."""
    return [k for k, d in _config()["indicators"].items() if kind in d["kinds"]]


def score(values: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """综合指标值 0–100: the weighted mean of the defined rates (a lower-is-better rate enters
    as 1 − value), re-normalised over the defined ones; None if none is defined."""
    defs = _config()["indicators"]
    num = den = 0.0
    for k, w in weights.items():
        v = values.get(k)
        if v is None or not w:
            continue
        num += w * (v if defs[k]["higher_is_better"] else 1.0 - v)
        den += w
    return None if den == 0 else round(100.0 * num / den, 1)


def compute_kpis(
    cases: Iterable[Case],
    start: datetime,
    end: datetime,
    by: str,
    weights: Weights | None = None,
    names: Mapping[str, str] | None = None,
    supervisor_grids: Mapping[str, set[str]] | None = None,
    stockpile_days: float | None = None,
    enforcement: Iterable[Case] = (),
) -> list[dict[str, Any]]:
    """One row per unit (per user and assessed role for ``by='user'``): ``key``, ``name`` (from
    ``names``),
    ``role``, ``indicators`` {id: {numerator, denominator, value}}, ``score``, ``grade``; region
    rows also carry ``top_categories`` (高发问题). A row whose kind's basis indicator is undefined
    (``score_requires``: nothing due yet) has no score. Sorted by score, best first."""
    cases = list(cases)
    w = weights or default_weights()
    rows = []
    all_cells = _cells(cases, start, end, by, supervisor_grids, stockpile_days, enforcement)
    for (key, role), ind in all_cells.items():
        if not any(c.den or c.num for c in ind.values()):
            continue  # touched, nothing counted (e.g. a task finished before the period)
        kind = _kind(by, role)
        indicators: dict[str, dict[str, Any]] = {}
        for iid in indicator_ids(kind):
            c = ind.get(iid) or _Cell()
            unit = _config()["indicators"][iid]["unit"]
            n, d = len(c.num), len(c.den)
            indicators[iid] = {
                "numerator": n,
                "denominator": d,
                "value": float(n) if unit == "count" else rate(n, d),
            }
        values = {k: v["value"] for k, v in indicators.items()}
        needed = _config()["score_requires"].get(kind)
        s = None if needed and values[needed] is None else score(values, w.get(kind, {}))
        row: dict[str, Any] = {
            "key": key,
            "name": (names or {}).get(key),
            "role": role,
            "indicators": indicators,
            "score": s,
            "grade": grade(s),
        }
        rows.append(row)
    if by in ("street", "community", "grid"):
        tops = _top_categories(cases, start, end, REGION_FIELD[by])
        for row in rows:
            row["top_categories"] = tops.get(row["key"], [])
    # Scored rows first, best first (a score of 0 is a score), then the unscored.
    return sorted(
        rows,
        key=lambda r: (r["score"] is None, -(r["score"] or 0.0), str(r["key"]), r["role"] or ""),
    )


def kpi_cases(
    cases: Iterable[Case],
    start: datetime,
    end: datetime,
    by: str,
    key: str,
    indicator: str,
    part: str,
    supervisor_grids: Mapping[str, set[str]] | None = None,
    stockpile_days: float | None = None,
    enforcement: Iterable[Case] = (),
) -> list[str]:
    """The ids of the cases counted in one cell of ``compute_kpis`` (sorted); ValueError for an
    unknown grouping, indicator or part."""
    defs = _config()["indicators"]
    if indicator not in defs:
        raise ValueError(f"unknown indicator {indicator!r}")
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}")
    role = None
    if by == "user":
        role = next((k for k in defs[indicator]["kinds"] if k in ASSESSED_ROLES), None)
    cells = _cells(cases, start, end, by, supervisor_grids, stockpile_days, enforcement)
    c = cells.get((key, role), {}).get(indicator) or _Cell()
    return sorted(c.num if part == "numerator" else c.den)


def _top_categories(
    cases: list[Case], start: datetime, end: datetime, field_name: str, n: int = 3
) -> dict[str, list[list[Any]]]:
    """高发问题: each unit's most reported categories in the period."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for case in cases:
        key, evs = case.get(field_name), case.get("events")
        if key is not None and evs and start <= _t(evs[0]["at"]) < end:
            counts[str(key)][case.get("category_code") or ""] += 1
    return {k: [[code, m] for code, m in c.most_common(n)] for k, c in counts.items()}


def callback_outcome(case: Case, start: datetime, end: datetime) -> str | None:
    """The case's 回访 answer in the period: its reached answer if one was recorded, else
    ``unreached`` if only unanswered attempts were; None without a callback."""
    levels = [
        (ev.get("data") or {}).get("satisfaction")
        for ev in case.get("events", [])
        if ev["action"] == "callback" and start <= _t(ev["at"]) < end
    ]
    reached = [x for x in levels if x in REACHED]
    return reached[-1] if reached else (UNREACHED if levels else None)


def satisfaction_cases(
    cases: Iterable[Case], start: datetime, end: datetime, by: str, key: str
) -> dict[str, list[str]]:
    """The cases behind one row's callbacks by answer → case ids (``by`` as in
    ``compute_kpis``, except ``user``: a callback is the case's, not a person's)."""
    field_name = {"department": "department_id", **REGION_FIELD}.get(by)
    if field_name is None:
        raise ValueError(f"no satisfaction by {by!r}")
    out: dict[str, list[str]] = {level: [] for level in SATISFACTION_ZH}
    for case in cases:
        outcome = callback_outcome(case, start, end)
        if outcome is not None and case.get(field_name) == key:
            out[outcome].append(case["id"])
    for ids in out.values():
        ids.sort()
    return out


def top_n(
    cases: Iterable[Case], start: datetime, end: datetime, field: str, n: int = 10
) -> list[tuple[str, int]]:
    """高发问题 / 高发区域: the most reported values of ``field`` in the period."""
    counts: Counter[str] = Counter(
        case[field]
        for case in cases
        if case.get("events")
        and start <= _t(case["events"][0]["at"]) < end
        and case.get(field) is not None
    )
    return counts.most_common(n)
