"""The handover report (交接班报告): what happened during a span of a shift log, and what the
next shift inherits.

Everything is read from the log alone, so a report can be made on any machine from a copied
file: the state at the period's end is ``fold_log`` at its last seq (the exact state the live
console held), while flows over the period (cases reported and closed, alerts raised and
acknowledged, vehicle work) come from the changes in the period and the case histories.

The period is the changes with ``start_seq <= seq <= end_seq``; its instants are the district
times (``ts``) of its first and last change. A case or alert counts in the period by the instant
of what happened to it (reported, closed, raised…), not by the change that told us, so a
report over a sub-range of a log agrees with one over the whole log.

Pure Python + numpy: the report is data (``to_dict`` is JSON-able); ``widgets.report.document``
turns it into HTML or PDF.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

import numpy as np

from console.clock import iso_epoch
from console.domain.alert_rules import SUPERVISE
from console.domain.callback import SATISFACTION_ZH
from console.domain.china_time import CST
from console.domain.documents import AlertDoc, CaseDoc, Change
from console.domain.field_units import is_sanitation
from console.domain.geometry import haversine_m
from console.domain.queues import NO_QUEUE, QUEUE_KEYS, VIEW_QUEUES
from console.domain.sla import RED, YELLOW, minutes_left
from console.domain.vehicle_rules import ROUTE_WORK_TYPES, WORKING, coverage
from console.labels import PlaceNames
from console.replay.fold import fold_log
from console.state import STATE_NAMES, CityState
from console.store.shiftlog import ShiftLog

PAGE = 5000
TOP_N = 10
#: The queues a case can wait in (超期 and 全部 are views over them, not homes).
HOME_QUEUES = tuple(q for q in QUEUE_KEYS if q not in VIEW_QUEUES)


class ReportInputError(ValueError):
    """The input is not something a report can be made from (missing file, not a shift log,
    an empty period); the message says which, for the command line."""


@dataclass
class Period:
    """The span covered: seqs, district instants (ISO 8601 UTC), who recorded it and where."""

    first_seq: int
    last_seq: int
    changes: int
    start: str
    end: str
    user: str
    user_name: str
    backend: str


@dataclass
class CaseLine:
    """One case in a list: overdue, at risk or on hold at the period's end.

    ``minutes_left``: working minutes until red (negative: overdue by that much), None when
    the clock is stopped. ``hold``: "parked", or "request_pending" for a department's
    extension or 缓办 request awaiting the centre's decision (its clock runs), else ""."""

    id: str
    category_code: str
    category_zh: str
    category_en: str
    address: str
    department: str
    state: str
    minutes_left: float | None
    hold: str = ""
    since: str | None = None


@dataclass
class AlertCount:
    """Alerts of one kind: raised, acknowledged and resolved in the period; open at its end;
    ``supervised``: late cases taken to 督办 in the period. A flood group is not an alert of
    its own (its members are counted)."""

    kind: str
    raised: int = 0
    acknowledged: int = 0
    resolved: int = 0
    open: int = 0
    supervised: int = 0


@dataclass
class VehicleLine:
    """One vehicle's work over the period. ``coverage``: share of its assigned route passed
    while working (None without a route); ``incidents``: alerts raised on it, by kind."""

    id: str
    plate: str
    type: str
    fixes: int
    distance_km: float
    working_share: float
    coverage: float | None
    segments_done: int
    segments: int
    incidents: dict[str, int] = field(default_factory=dict)


@dataclass
class Bookmark:
    seq: int
    at: str
    label: str


@dataclass
class OperatorActions:
    """The recording user's own actions (the outbox) made during the period."""

    total: int
    by_action: dict[str, int]
    pending: int
    failed: list[dict]


@dataclass
class Bar:
    """One bar of a chart: ``key`` (an hour, a category code, a grid code), display names in
    both languages, and the count."""

    key: str
    zh: str
    en: str
    count: int


@dataclass
class HandoverReport:
    period: Period
    cases_at_end: int
    by_state: dict[str, int]
    by_queue: dict[str, int]
    created: int
    closed: int
    voided: int
    overdue: list[CaseLine]
    at_risk: list[CaseLine]
    on_hold: list[CaseLine]
    alerts: list[AlertCount]
    vehicles: list[VehicleLine]
    bookmarks: list[Bookmark]
    actions: OperatorActions
    cases_per_hour: list[Bar]
    top_categories: list[Bar]
    top_grids: list[Bar]
    #: 回访 made in the period, by answer (满意, 基本满意, 不满意, 未接通), by their event times.
    callbacks: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain dicts, lists, strings and numbers: ``json.dumps`` takes it as it is."""
        return asdict(self)


# ---- opening --------------------------------------------------------------------------------
# ---- the report -----------------------------------------------------------------------------
def build_report(
    shiftlog: ShiftLog, start_seq: int | None = None, end_seq: int | None = None
) -> HandoverReport:
    """The handover report over the changes with ``start_seq <= seq <= end_seq`` (either end
    open when None)."""
    scan = _scan(shiftlog, 0 if start_seq is None else start_seq - 1, end_seq)
    t0, t1 = scan.start, scan.end
    end = fold_log(shiftlog, scan.last)
    names = _Names(end.reference)
    docs = {**scan.cases, **end.cases}  # the end state wins; the changes add cases it dropped
    created = [d for d in docs.values() if _within(d.get("created_at"), t0, t1)]
    meta = shiftlog.meta()
    user = meta.get("user", "")
    t_end = iso_epoch(t1)
    return HandoverReport(
        period=Period(
            scan.first,
            scan.last,
            scan.count,
            t0,
            t1,
            user,
            names.users.get(user, ""),
            meta.get("backend_url", ""),
        ),
        cases_at_end=len(end.cases),
        by_state=_state_counts(end),
        by_queue=_queue_counts(end),
        created=len(created),
        closed=_count_events(docs.values(), "closed", t0, t1),
        voided=_count_events(docs.values(), "void", t0, t1),
        overdue=_lit_cases(end, names, t_end, RED),
        at_risk=_lit_cases(end, names, t_end, YELLOW),
        on_hold=_on_hold(end, names),
        alerts=_alert_counts(scan.alerts, end, t0, t1),
        vehicles=_vehicle_lines(end, scan, _vehicle_incidents(scan.alerts, t0, t1)),
        bookmarks=_bookmarks(shiftlog, scan.first, scan.last),
        actions=_operator_actions(shiftlog, scan.first, scan.last),
        cases_per_hour=_per_hour(created, t0, t1),
        top_categories=_top_categories(created, names),
        top_grids=_top_grids(created, names),
        callbacks=callback_counts(docs.values(), t0, t1),
    )


@dataclass
class _Scan:
    """What one pass over the period's changes collects."""

    first: int
    last: int
    count: int
    start: str
    end: str
    cases: dict[str, CaseDoc]  # the latest doc of every case seen
    alerts: dict[str, AlertDoc]  # the latest doc of every alert seen
    fixes: dict[str, np.ndarray]  # vehicle_id, t, lon, lat, flags of every fix


class _Names:
    """Display names from the reference, looked up once per report."""

    def __init__(self, reference: dict):
        self.categories = {c["code"]: c for c in reference.get("categories") or []}
        self.departments = {d["id"]: d["name"] for d in reference.get("departments") or []}
        self.users = {u["id"]: u.get("name", "") for u in reference.get("users") or []}
        self.places = PlaceNames(reference)

    def category(self, code: str) -> tuple[str, str]:
        cat = self.categories.get(code, {})
        return cat.get("name_zh") or code, cat.get("name_en") or code


#: The fix columns the report reads (vehicle, time, position, working flag).
_SCAN_FIXES: tuple[Literal["vehicle_id", "t", "lon", "lat", "flags"], ...] = (
    "vehicle_id",
    "t",
    "lon",
    "lat",
    "flags",
)


def _scan(shiftlog: ShiftLog, after: int, upto: int | None) -> _Scan:
    """One pass over the changes in (after, upto]; the fixes become numpy columns (an array
    per field and change, concatenated once: never a Python step per fix)."""
    cases: dict[str, CaseDoc] = {}
    alerts: dict[str, AlertDoc] = {}
    cols: dict[str, list[np.ndarray]] = {k: [] for k in _SCAN_FIXES}
    first: Change | None = None
    last: Change | None = None
    count = 0
    for ch in _changes(shiftlog, after, upto):
        first = first or ch
        last = ch
        count += 1
        if ch["kind"] == "case":
            _keep_latest(cases, ch["case"])
        elif ch["kind"] == "alert":
            alerts[ch["alert"]["id"]] = ch["alert"]
        elif ch["kind"] == "fixes":
            for k in _SCAN_FIXES:
                cols[k].append(np.asarray(ch[k]))
    if first is None or last is None:
        raise ReportInputError(f"{shiftlog.path}: no changes in the period")
    fixes = {k: _concat(v, k) for k, v in cols.items()}
    return _Scan(first["seq"], last["seq"], count, first["ts"], last["ts"], cases, alerts, fixes)


def _changes(shiftlog: ShiftLog, after: int, upto: int | None) -> Iterator[Change]:
    """The logged changes in (after, upto], a page at a time so a long shift stays small."""
    while page := shiftlog.changes(after, upto, limit=PAGE):
        yield from page
        after = page[-1]["seq"]


def _keep_latest(docs: dict[str, CaseDoc], doc: CaseDoc) -> None:
    old = docs.get(doc["id"])
    if old is None or old.get("version", 0) < doc.get("version", 0):
        docs[doc["id"]] = doc


def _concat(parts: list[np.ndarray], name: str) -> np.ndarray:
    if parts:
        return np.concatenate(parts)
    return np.empty(0, dtype=str if name == "vehicle_id" else float)


def _within(iso: str | None, t0: str, t1: str) -> bool:
    """Whether an instant lies in [t0, t1] (compared as instants, whatever the offsets)."""
    return bool(iso) and iso_epoch(t0) <= iso_epoch(iso) <= iso_epoch(t1)


# ---- cases ----------------------------------------------------------------------------------
def _state_counts(state: CityState) -> dict[str, int]:
    """Cases per workflow state at the end, every state listed (sums to the cases held)."""
    codes = state.case_arrays()["state"]
    return {name: int((codes == i).sum()) for i, name in enumerate(STATE_NAMES)}


def _queue_counts(state: CityState) -> dict[str, int]:
    """Open cases per queue (stage they wait for) at the end; closed and void are in none."""
    q = state.case_arrays()["queue"]
    return {k: int((q == QUEUE_KEYS.index(k)).sum()) for k in HOME_QUEUES}


def _count_events(docs, to_state: str, t0: str, t1: str) -> int:
    """Cases that entered ``to_state`` in the period, by their own event times."""
    return sum(
        any(ev.get("to_state") == to_state and _within(ev.get("at"), t0, t1) for ev in d["events"])
        for d in docs
    )


def callback_counts(docs, t0: str, t1: str) -> dict[str, int]:
    """回访 events in the period, by the caller's answer (every answer listed, zeros too)."""
    counts = Counter(
        (ev.get("data") or {}).get("satisfaction")
        for d in docs
        for ev in d["events"]
        if ev.get("action") == "callback" and _within(ev.get("at"), t0, t1)
    )
    return {k: counts[k] for k in SATISFACTION_ZH}


def _lit_cases(state: CityState, names: _Names, t: float, light: int) -> list[CaseLine]:
    """Open cases whose light is ``light`` at ``t``, the least time left first."""
    lights = state.case_lights(t)
    arrays = state.case_arrays()
    rows = np.flatnonzero((lights == light) & (arrays["queue"] != NO_QUEUE))
    ids = state.case_ids()
    docs = [state.cases[ids[i]] for i in rows]
    lines = [
        _case_line(names, doc, minutes_left(state.clock_of(doc), t, arrays["red_at"][i]))
        for doc, i in zip(docs, rows, strict=True)
    ]
    return sorted(lines, key=lambda c: (c.minutes_left is None, c.minutes_left or 0.0, c.id))


def _on_hold(state: CityState, names: _Names) -> list[CaseLine]:
    """Parked cases (挂账) and cases whose department's request (extension, 缓办) waits for
    the centre's decision, since the request."""
    out = []
    for doc in state.cases.values():
        if doc.get("state") == "parked":
            out.append(_case_line(names, doc, None, "parked", doc.get("parked_at")))
        elif doc.get("extension_pending_hours") is not None or doc.get("park_request_due_date"):
            asked = next(
                (
                    e.get("at")
                    for e in reversed(doc.get("events") or [])
                    if e.get("action") in ("request_extension", "request_park")
                ),
                None,
            )
            out.append(_case_line(names, doc, None, "request_pending", asked))
    return sorted(out, key=lambda c: (c.since or "", c.id))


def _case_line(
    names: _Names, doc: CaseDoc, left: float | None, hold: str = "", since: str | None = None
) -> CaseLine:
    code = str(doc.get("category_code") or "")
    zh, en = names.category(code)
    dept = doc.get("department_id") or ""
    return CaseLine(
        id=doc["id"],
        category_code=code,
        category_zh=zh,
        category_en=en,
        address=names.places.address(doc),
        department=names.departments.get(dept, dept),
        state=str(doc.get("state") or ""),
        minutes_left=None if left is None else round(left, 1),
        hold=hold,
        since=since,
    )


# ---- alerts ---------------------------------------------------------------------------------
def _alert_counts(docs: dict[str, AlertDoc], end: CityState, t0: str, t1: str) -> list[AlertCount]:
    """Per kind: alerts raised, acknowledged and resolved in the period (by their own
    instants, from the latest doc of each alert seen), and open at the period's end."""
    by_kind: dict[str, AlertCount] = {}

    def row(kind: str) -> AlertCount:
        return by_kind.setdefault(kind, AlertCount(kind))

    for a in docs.values():
        if a.get("subject_type") == "group":
            continue
        row(a["kind"]).raised += _within(a.get("raised_at"), t0, t1)
        row(a["kind"]).acknowledged += _within(a.get("acked_at"), t0, t1)
        row(a["kind"]).resolved += _within(a.get("resolved_at"), t0, t1)
        row(a["kind"]).supervised += sum(
            h.get("level") == SUPERVISE and _within(h.get("at"), t0, t1)
            for h in a.get("history") or ()
            if h.get("step") == "level"
        )
    for a in end.alerts.values():
        if a.get("subject_type") != "group":
            row(a["kind"]).open += 1
    return [by_kind[k] for k in sorted(by_kind)]


# ---- vehicles -------------------------------------------------------------------------------
def _vehicle_lines(end: CityState, scan: _Scan, incidents: dict[str, Counter]) -> list[VehicleLine]:
    """Every vehicle the reference or the fixes name: its work over the period's fixes."""
    fixes = scan.fixes
    ref = {v["id"]: v for v in end.reference.get("vehicles") or []}
    ids, codes = np.unique(fixes["vehicle_id"].astype(str), return_inverse=True)
    order = np.lexsort((fixes["t"], codes))  # by vehicle, then time
    codes = codes[order]
    lon, lat = fixes["lon"][order].astype(float), fixes["lat"][order].astype(float)
    working = (fixes["flags"][order].astype(np.int64) & WORKING) != 0
    n = np.bincount(codes, minlength=len(ids))
    km = _distances_km(codes, lon, lat, len(ids))
    busy = np.bincount(codes, weights=working, minlength=len(ids))
    starts = np.r_[0, np.cumsum(n)]
    lines = {}
    for k, vid in enumerate(ids):
        s = slice(starts[k], starts[k + 1])
        share, done = _route_coverage(ref.get(vid), lon[s], lat[s], working[s])
        lines[vid] = _vehicle_line(
            end, ref.get(vid), str(vid), int(n[k]), km[k], busy[k], share, done, incidents
        )
    for vid in ref.keys() - lines.keys():
        share, done = _route_coverage(ref[vid], *(np.empty(0),) * 3)
        lines[vid] = _vehicle_line(end, ref[vid], vid, 0, 0.0, 0.0, share, done, incidents)
    # The sanitation fleet's work only: people and patrols report on the same path.
    kind = {
        **{v: (d or {}).get("type") for v, d in ref.items()},
        **{v: d.get("type") for v, d in end.vehicles.items()},
    }
    return [lines[v] for v in sorted(lines) if is_sanitation(kind.get(v))]


def _distances_km(codes: np.ndarray, lon: np.ndarray, lat: np.ndarray, n: int) -> np.ndarray:
    """Distance travelled per vehicle: consecutive fixes of the same vehicle (sorted)."""
    if len(codes) < 2:
        return np.zeros(n)
    same = codes[1:] == codes[:-1]
    d = haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:])
    return np.bincount(codes[1:][same], weights=d[same], minlength=n) / 1000.0


def _route_coverage(
    info: dict | None, lon: np.ndarray, lat: np.ndarray, working: np.ndarray
) -> tuple[float | None, np.ndarray]:
    """The domain's 作业覆盖率 of the vehicle's assigned route; None when it has none or its
    type does not work its route (``ROUTE_WORK_TYPES``)."""
    route = (info or {}).get("route") or {}
    if len(route.get("lon") or ()) < 2 or (info or {}).get("type") not in ROUTE_WORK_TYPES:
        return None, np.zeros(0, dtype=bool)
    share, done = coverage(route["lon"], route["lat"], lon, lat, working)
    return round(float(share), 4), done


def _vehicle_line(
    end: CityState,
    info: dict | None,
    vid: str,
    fixes: int,
    km: float,
    busy: float,
    share: float | None,
    done: np.ndarray,
    incidents: dict[str, Counter],
) -> VehicleLine:
    info = {**(info or {}), **end.vehicles.get(vid, {})}
    return VehicleLine(
        id=vid,
        plate=info.get("plate") or vid,
        type=info.get("type") or "",
        fixes=fixes,
        distance_km=round(float(km), 2),
        working_share=round(float(busy) / fixes, 4) if fixes else 0.0,
        coverage=share,
        segments_done=int(done.sum()),
        segments=len(done),
        incidents=dict(sorted(incidents.get(vid, Counter()).items())),
    )


def _vehicle_incidents(alerts: dict[str, AlertDoc], t0: str, t1: str) -> dict[str, Counter]:
    """Alerts raised in the period on vehicles: vehicle id -> Counter of kinds."""
    out: dict[str, Counter] = {}
    for a in alerts.values():
        if a.get("subject_type") == "vehicle" and _within(a.get("raised_at"), t0, t1):
            out.setdefault(a["subject_id"], Counter())[a["kind"]] += 1
    return out


# ---- bookmarks and the operator's actions ---------------------------------------------------
def _bookmarks(shiftlog: ShiftLog, first: int, last: int) -> list[Bookmark]:
    return [
        Bookmark(b["seq"], b["at"], b["label"])
        for b in shiftlog.bookmarks()
        if first <= b["seq"] <= last
    ]


def _operator_actions(shiftlog: ShiftLog, first: int, last: int) -> OperatorActions:
    """The outbox entries created while the period's changes were arriving.

    Actions carry the wall clock, changes the district clock; the changes' arrival times
    join the two. The window opens after the last change before the period (unbounded at
    the log's start) and closes with the period's last change (unbounded at the log's end)."""
    lo, hi = shiftlog.arrival_window(first, last)
    rows = [r for r in shiftlog.outbox() if lo < r["created_at"] <= hi]
    failed = [
        {
            "case_id": r["case_id"],
            "action": r["action"],
            "status": r["status"],
            "error": _failure_reason(r),
        }
        for r in rows
        if r["state"] == "failed"
    ]
    return OperatorActions(
        total=len(rows),
        by_action=dict(sorted(Counter(r["action"] for r in rows).items())),
        pending=sum(r["state"] == "pending" for r in rows),
        failed=failed,
    )


def _failure_reason(row: dict) -> str:
    """Why the backend refused an action: its answer's ``detail``, else the last error."""
    try:
        detail = json.loads(row.get("response") or "null")
    except ValueError:
        detail = None
    if isinstance(detail, dict) and detail.get("detail"):
        return str(detail["detail"])
    return row.get("last_error") or ""


# ---- chart series ---------------------------------------------------------------------------
def _per_hour(created: list[CaseDoc], t0: str, t1: str) -> list[Bar]:
    """Cases reported per Hangzhou clock hour, every hour of the period listed."""
    hour = timedelta(hours=1)
    first = _cst_hour(t0)
    n = int((_cst_hour(t1) - first) / hour) + 1
    counts = Counter(int((_cst_hour(d["created_at"]) - first) / hour) for d in created)
    bars = []
    for i in range(n):
        h = first + i * hour
        bars.append(Bar(h.isoformat(), h.strftime("%H时"), h.strftime("%H:00"), counts.get(i, 0)))
    return bars


def _cst_hour(iso: str) -> datetime:
    t = datetime.fromisoformat(iso)
    t = t if t.tzinfo else t.replace(tzinfo=UTC)
    return t.astimezone(CST).replace(minute=0, second=0, microsecond=0)


def _top_categories(created: list[CaseDoc], names: _Names) -> list[Bar]:
    """高发问题: the categories most reported in the period."""
    counts = Counter(str(d.get("category_code") or "") for d in created)
    return [Bar(code, *names.category(code), n) for code, n in _top(counts)]


def _top_grids(created: list[CaseDoc], names: _Names) -> list[Bar]:
    """高发区域: the unit-grid cells most reported in the period, named by community."""
    counts = Counter(str(d.get("grid_code") or "") for d in created if d.get("grid_code"))
    bars = []
    for code, n in _top(counts):
        community, street = names.places.of(code)
        bars.append(Bar(code, f"{community} {code[-3:]}号", f"{code} ({street})", n))
    return bars


def _top(counts: Counter) -> list[tuple[str, int]]:
    """The ``TOP_N`` largest, ties by key so the report is the same every run."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_N]
