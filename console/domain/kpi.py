"""量化考核: indicators computed from case histories, for any period and grouping.

Everything is a count over case events (each event says which stage it ended and whether on
time), so the live console, the backend and an offline replay of a shift log compute the same
numbers from the same histories. An event counts in the period by its ``at``.

Where DOMAIN.md leaves a formula open, the choice is written next to it:
- department ``due`` = disposal assignments in the period (dispatch, redispatch, and rework
  after a failed check), each of which the department must finish;
- dispatcher accuracy = (dispatched − returned)/dispatched: a return (回退) is the mark of a
  wrong dispatch, while rework is the department's failure, not the dispatcher's;
- shift-lead accuracy = (registered − voided after registration)/registered (DOMAIN.md): a
  void counts against the registration it undid (the case's last 立案 before the void, made in
  the period, voided before the period's end); a void before 立案 is no registration error;
- the department score = 40 % on-time disposal + 20 % disposal + 20 % (1 − rework) +
  20 % closure, region score = 50 % closure + 50 % on-time closure (weights configurable).
Rates are None, never NaN, when their denominator is zero.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from console.domain.china_time import CST

GROUPINGS = ("department", "street", "community", "grid", "user", "category", "source")
OPEN_DISPATCHED = {"dispatched"}

#: A case document and one of its events, read by key: the backend passes its stored JSON, the
#: console ``console.domain.documents.CaseDoc``s, and only keys every case has are indexed.
Case = Mapping[str, Any]
Event = Mapping[str, Any]


@dataclass(frozen=True)
class KpiWeights:
    supervisor: dict[str, float] = field(
        default_factory=lambda: {"valid": 0.4, "not_missed": 0.2, "verify": 0.2, "check": 0.2}
    )
    department: dict[str, float] = field(
        default_factory=lambda: {"on_time": 0.4, "disposal": 0.2, "not_rework": 0.2, "closure": 0.2}
    )
    region: dict[str, float] = field(
        default_factory=lambda: {"closure": 0.5, "on_time_closure": 0.5}
    )


def grade(score: float | None) -> str | None:
    if score is None:
        return None
    if score >= 90:
        return "A"
    if score >= 75:
        return "B"
    if score >= 60:
        return "C"
    if score >= 40:
        return "D"
    return "E"


def rate(num: float, den: float) -> float | None:
    return None if not den else round(min(max(num / den, 0.0), 1.0), 4)


def _t(s: str) -> datetime:
    t = datetime.fromisoformat(s)
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _score(parts: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """Weighted score over the parts that are defined, re-normalised; None if none are."""
    num = den = 0.0
    for k, w in weights.items():
        v = parts.get(k)
        if v is not None:
            num += w * v
            den += w
    return None if den == 0 else round(100.0 * num / den, 1)


def _walk(case: Case) -> Iterator[tuple[Event, str | None]]:
    """Yield (event, department responsible at that moment) in order."""
    dept = None
    for ev in case.get("events", []):
        if ev["action"] in ("dispatch", "redispatch"):
            dept = (ev.get("data") or {}).get("department_id") or dept
        yield ev, dept


def compute_kpis(
    cases: Iterable[Case],
    start: datetime,
    end: datetime,
    by: str,
    now: datetime | None = None,
    weights: KpiWeights | None = None,
    users: Mapping[str, Mapping[str, Any]] | None = None,
    supervisor_grids: Mapping[str, set[str]] | None = None,
) -> list[dict[str, Any]]:
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; one of {GROUPINGS}")
    weights = weights or KpiWeights()
    now = now or end
    if by == "department":
        rows = _departments(cases, start, end, now, weights)
    elif by == "user":
        rows = _users(cases, start, end, weights, users or {}, supervisor_grids)
    else:
        rows = _regions(cases, start, end, by, weights)
    return sorted(rows, key=lambda r: (-(r.get("score") or -1), str(r["key"])))


def _in(ev: Event, start: datetime, end: datetime) -> bool:
    return start <= _t(ev["at"]) < end


def _departments(
    cases: Iterable[Case], start: datetime, end: datetime, now: datetime, weights: KpiWeights
) -> list[dict[str, Any]]:
    c: dict[str, Counter[str]] = defaultdict(Counter)
    hours: dict[str, float] = {}  # extension hours granted (a Counter holds ints)
    for case in cases:
        for ev, dept in _walk(case):
            if dept is None or not _in(ev, start, end):
                continue
            a = ev["action"]
            k = c[dept]
            if a in ("dispatch", "redispatch", "check_fail"):
                k["due"] += 1
            if a == "complete":
                k["handled"] += 1
                k["handled_on_time"] += 1 if ev.get("on_time") else 0
            elif a == "check_fail":
                k["rework"] += 1
            elif a == "return":
                k["returns"] += 1
            elif a == "approve_extension":
                k["extensions"] += 1
                hours[dept] = hours.get(dept, 0) + float((ev.get("data") or {}).get("hours") or 0)
            elif a == "close":
                k["closed"] += 1
        dept_now = case.get("department_id")
        if (
            case.get("state") in OPEN_DISPATCHED
            and dept_now
            and case.get("deadline")
            and _t(case["deadline"]) < now
        ):
            c[dept_now]["overdue_unhandled"] += 1
    rows = []
    for dept, k in c.items():
        parts = {
            "disposal": rate(k["handled"], k["due"]),
            "on_time": rate(k["handled_on_time"], k["due"]),
            "not_rework": None if not k["handled"] else 1 - (rate(k["rework"], k["handled"]) or 0),
            "closure": rate(k["closed"], k["handled"]),
        }
        score = _score(parts, weights.department)
        rows.append(
            {
                "key": dept,
                "due": k["due"],
                "handled": k["handled"],
                "handled_on_time": k["handled_on_time"],
                "disposal_rate": parts["disposal"],
                "on_time_disposal_rate": parts["on_time"],
                "closed": k["closed"],
                "closure_rate": parts["closure"],
                "rework": k["rework"],
                "rework_rate": rate(k["rework"], k["handled"]),
                "returns": k["returns"],
                "extensions": k["extensions"],
                "extension_rate": rate(k["extensions"], k["due"]),
                "extended_hours": hours.get(dept, 0),
                "overdue_unhandled": k["overdue_unhandled"],
                "score": score,
                "grade": grade(score),
            }
        )
    return rows


def _users(
    cases: Iterable[Case],
    start: datetime,
    end: datetime,
    weights: KpiWeights,
    users: Mapping[str, Mapping[str, Any]],
    supervisor_grids: Mapping[str, set[str]] | None,
) -> list[dict[str, Any]]:
    c: dict[str, Counter[str]] = defaultdict(Counter)
    roles: dict[str, set[str | None]] = defaultdict(set)
    registered_by_grid: Counter[str] = Counter()
    supervisor_found_by_grid: Counter[str] = Counter()
    for case in cases:
        events = case.get("events", [])
        actions = {e["action"] for e in events}
        valid = "register" in actions and "void" not in actions
        undone = _registration_voided(events, end)
        for ev, _ in _walk(case):
            if not _in(ev, start, end):
                continue
            u: str = ev["user"]
            a: str = ev["action"]
            on_time = bool(ev.get("on_time"))
            roles[u].add(ev.get("role"))
            k = c[u]
            if a == "report" and ev.get("role") == "supervisor":
                k["reported"] += 1
                k["valid"] += 1 if valid else 0
            elif a in (
                "verified",
                "check_pass",
                "check_fail",
                "send_verify",
                "send_check",
                "register",
                "close",
                "dispatch",
                "redispatch",
                "accept",
            ):
                name = {"check_pass": "check", "check_fail": "check", "redispatch": "dispatch"}.get(
                    a, a
                )
                k[name] += 1
                k[name + "_on_time"] += 1 if on_time else 0
                if a == "register" and ev["n"] == undone:
                    k["voided_after_registration"] += 1
            elif a == "void":
                k["voided"] += 1
            if a == "register" and case.get("grid_code"):
                registered_by_grid[case["grid_code"]] += 1
                if case.get("source") == "supervisor":
                    supervisor_found_by_grid[case["grid_code"]] += 1
        for ev in events:
            if ev["action"] == "return" and _in(ev, start, end):
                dispatcher = next(
                    (
                        e["user"]
                        for e in reversed(events[: ev["n"] - 1])
                        if e["action"] in ("dispatch", "redispatch")
                    ),
                    None,
                )
                if dispatcher:
                    c[dispatcher]["returned"] += 1
    rows = []
    for u, k in c.items():
        r: dict[str, Any] = {
            "key": u,
            "name": (users.get(u) or {}).get("name"),
            "roles": sorted(x for x in roles[u] if x),
        }
        missed = None
        if supervisor_grids and u in supervisor_grids:
            grids = supervisor_grids[u]
            reg = sum(registered_by_grid[g] for g in grids)
            missed = rate(reg - sum(supervisor_found_by_grid[g] for g in grids), reg)
        r.update(
            reported=k["reported"],
            valid=k["valid"],
            valid_report_rate=rate(k["valid"], k["reported"]),
            missed_report_rate=missed,
            on_time_verify_rate=rate(k["verified_on_time"], k["verified"]),
            on_time_check_rate=rate(k["check_on_time"], k["check"]),
            on_time_accept_rate=rate(k["accept_on_time"], k["accept"]),
            on_time_send_verify_rate=rate(k["send_verify_on_time"], k["send_verify"]),
            on_time_send_check_rate=rate(k["send_check_on_time"], k["send_check"]),
            registered=k["register"],
            voided=k["voided"],
            voided_after_registration=k["voided_after_registration"],
            on_time_registration_rate=rate(k["register_on_time"], k["register"]),
            accurate_registration_rate=rate(
                k["register"] - k["voided_after_registration"], k["register"]
            ),
            on_time_closure_rate=rate(k["close_on_time"], k["close"]),
            dispatched=k["dispatch"],
            on_time_dispatch_rate=rate(k["dispatch_on_time"], k["dispatch"]),
            accurate_dispatch_rate=rate(k["dispatch"] - k["returned"], k["dispatch"]),
        )
        score = None
        if "supervisor" in r["roles"]:
            score = _score(
                {
                    "valid": r["valid_report_rate"],
                    "not_missed": None if missed is None else 1 - missed,
                    "verify": r["on_time_verify_rate"],
                    "check": r["on_time_check_rate"],
                },
                weights.supervisor,
            )
        r["score"], r["grade"] = score, grade(score)
        rows.append(r)
    return rows


def _registration_voided(events: Iterable[Event], end: datetime) -> int | None:
    """The event number of the 立案 that a void before ``end`` undid (the last one before the
    void), or None when the case was not voided after registration."""
    last_register = None
    for ev in events:
        if ev["action"] == "register":
            last_register = ev["n"]
        elif ev["action"] == "void" and _t(ev["at"]) < end:
            return last_register
    return None


def _regions(
    cases: Iterable[Case], start: datetime, end: datetime, by: str, weights: KpiWeights
) -> list[dict[str, Any]]:
    field_name = {
        "street": "street_code",
        "community": "community_code",
        "grid": "grid_code",
        "category": "category_code",
        "source": "source",
    }[by]
    c: dict[str, Counter[str]] = defaultdict(Counter)
    cats: dict[str, Counter[str | None]] = defaultdict(Counter)
    hours: dict[str, Counter[int]] = defaultdict(Counter)
    states: dict[str, Counter[str | None]] = defaultdict(Counter)
    for case in cases:
        key = case.get(field_name)
        if key is None:
            continue
        events = case.get("events", [])
        all_on_time = all(
            e.get("on_time") is not False for e in events if e.get("stage") == "dispose"
        )
        for ev in events:
            if not _in(ev, start, end):
                continue
            a = ev["action"]
            k = c[key]
            if a == "report":
                k["reported"] += 1
                k["public"] += 1 if case.get("source") == "public" else 0
                cats[key][case.get("category_code")] += 1
                hours[key][_t(ev["at"]).astimezone(CST).hour] += 1
                states[key][case.get("state")] += 1
            elif a == "register":
                k["registered"] += 1
            elif a == "close":
                k["closed"] += 1
                k["closed_on_time"] += 1 if all_on_time else 0
    rows = []
    for key, k in c.items():
        closure = rate(k["closed"], k["registered"])
        on_time_closure = rate(k["closed_on_time"], k["registered"])
        score = _score({"closure": closure, "on_time_closure": on_time_closure}, weights.region)
        rows.append(
            {
                "key": key,
                "reported": k["reported"],
                "registered": k["registered"],
                "closed": k["closed"],
                "closure_rate": closure,
                "on_time_closure_rate": on_time_closure,
                "public_report_rate": rate(k["public"], k["reported"]),
                "top_categories": [[code, n] for code, n in cats[key].most_common(3)],
                "peak_hours": [[h, n] for h, n in hours[key].most_common(3)],
                "states": dict(states[key]),
                "score": score,
                "grade": grade(score),
            }
        )
    return rows


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
