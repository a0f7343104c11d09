"""How fast and how well the simulated district worked: plain shares from case histories.

The simulator's pace is tuned against what real centres publish (docs/rules/simulation.md),
so it needs a yardstick that does not depend on the 量化考核 formulas (``console.domain.kpi``
is their one home and changes on its own schedule). These shares are deliberately plain,
read straight off each case's events at one instant ``now``:

- a department *task* is one dispatch (派遣/重新派遣) to it; its outcome is the first
  ``complete`` (处置) or ``return`` (退回) after it; a task parked (缓办) or taken back by the
  centre before either leaves the count;
- a task is *due* when it was completed, or its disposal deadline (extensions included) has
  passed at ``now`` while still open; returned tasks are not due (a correct return is no
  failure of disposal);
- *on time* is the ``complete`` event's own ``on_time`` (the backend's verdict on the stage's
  clock); *rework* is a failed 核查 after the task's completion; *extension* a requested 延期;
- *closure* counts registered cases whose first disposal deadline passed at least
  ``closure_lag_h`` district hours before ``now`` (room for the 核查 and 结案 desks' own limits),
  closed / all of them, by the department first dispatched to.

Used by ``tests/benchmarks/bench_sim_pace.py`` (the table) and ``tests/test_sim.py``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from console.domain.case import parse_time

from .client import ActorClient

#: Events that start a department task, and the centre's events that end one unfinished.
DISPATCHES = ("dispatch", "redispatch")
TAKEN_BACK = ("send_back", "approve_park", "park", "void")
#: The centre's and the supervisors' desks whose own ``on_time`` the table reports.
DESKS = (
    "accept",
    "send_verify",
    "verified",
    "register",
    "dispatch",
    "send_check",
    "check_pass",
    "check_fail",
    "close",
)


@dataclass
class Pace:
    """One department's (or the district's) tasks and their outcomes."""

    dispatched: int = 0
    due: int = 0
    completed: int = 0
    on_time: int = 0
    late_open: int = 0
    returned: int = 0
    extended: int = 0
    reworked: int = 0
    closure_cohort: int = 0
    closed: int = 0

    def add(self, other: Pace) -> None:
        for f in self.__dataclass_fields__:
            setattr(self, f, getattr(self, f) + getattr(other, f))

    @staticmethod
    def share(n: int, d: int) -> float | None:
        return n / d if d else None

    @property
    def on_time_share(self) -> float | None:
        return self.share(self.on_time, self.due)

    @property
    def disposal_share(self) -> float | None:
        return self.share(self.completed, self.due)

    @property
    def rework_share(self) -> float | None:
        return self.share(self.reworked, self.completed)

    @property
    def return_share(self) -> float | None:
        return self.share(self.returned, self.dispatched)

    @property
    def extension_share(self) -> float | None:
        return self.share(self.extended, self.dispatched)

    @property
    def closure_share(self) -> float | None:
        return self.share(self.closed, self.closure_cohort)


@dataclass
class DistrictPace:
    departments: dict[str, Pace] = field(default_factory=dict)
    #: desk action -> [events, of them on time]
    desks: dict[str, list[int]] = field(default_factory=dict)

    def total(self) -> Pace:
        out = Pace()
        for p in self.departments.values():
            out.add(p)
        return out


def read_cases(base_url: str, username: str = "demo-wall") -> list[dict]:
    """Every case with its history, page by page, as a wall display reads them."""
    wall = ActorClient(base_url, username)
    cases: list[dict] = []
    page = 1
    while True:
        r = wall.get("/api/v1/cases", params={"page": page, "page_size": 500})
        if r is None or r.status_code != 200:
            raise RuntimeError(f"cannot list cases from {base_url}")
        body = r.json()
        cases += body["cases"]
        if len(cases) >= body["total"] or not body["cases"]:
            return cases
        page += 1


def _disposal_deadline(case: dict) -> datetime | None:
    """The first disposal deadline: where the first 处置 stage ended, else the running one."""
    for ev in case.get("events") or []:
        if ev.get("stage") == "dispose" and ev.get("stage_deadline"):
            return parse_time(ev["stage_deadline"])
    if case.get("stage") == "dispose" and case.get("deadline"):
        return parse_time(case["deadline"])
    return None


def district_pace(cases: Iterable[dict], now: datetime, closure_lag_h: float = 3.0) -> DistrictPace:
    out = DistrictPace()

    def dept(d: str) -> Pace:
        return out.departments.setdefault(d, Pace())

    for case in cases:
        events = sorted(case.get("events") or [], key=lambda e: e["n"])
        task: str | None = None  # the department holding an unfinished task
        done_by: str | None = None  # the department whose completion awaits its 核查
        first: str | None = None
        for ev in events:
            action = ev["action"]
            if action in DESKS and ev.get("on_time") is not None:
                row = out.desks.setdefault(action, [0, 0])
                row[0] += 1
                row[1] += 1 if ev["on_time"] else 0
            if action in DISPATCHES:
                task = str(ev["data"]["department_id"])
                first = first or task
                dept(task).dispatched += 1
            elif task is not None and action == "request_extension":
                dept(task).extended += 1
            elif task is not None and action == "return":
                dept(task).returned += 1
                task = None
            elif task is not None and action == "complete":
                p = dept(task)
                p.completed += 1
                p.due += 1
                p.on_time += 1 if ev.get("on_time") else 0
                done_by, task = task, None
            elif action == "check_fail" and done_by is not None:
                dept(done_by).reworked += 1
                done_by = None
            elif action in TAKEN_BACK:
                task = None
        deadline = parse_time(case.get("deadline")) if case.get("stage") == "dispose" else None
        if task is not None and deadline is not None and deadline < now:
            dept(task).due += 1
            dept(task).late_open += 1
        deadline = _disposal_deadline(case)
        if (
            first is not None
            and deadline is not None
            and deadline <= now - timedelta(hours=closure_lag_h)
            and case["state"] not in ("voided", "parked")
        ):
            dept(first).closure_cohort += 1
            dept(first).closed += 1 if case["state"] == "closed" else 0
    return out


def _pad(text: str, width: int) -> str:
    """``text`` cut and padded to ``width`` terminal columns (a Chinese character takes two)."""
    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width:
            break
        out, used = out + ch, used + w
    return out + " " * (width - used)


def _pct(x: float | None) -> str:
    return "   –  " if x is None else f"{100 * x:5.1f}%"


def pace_table(pace: DistrictPace, names: dict[str, str] | None = None) -> str:
    """The table the benchmark prints: a line per department, busiest first, and the district."""
    names = names or {}
    head = (
        f"{'department':<24} {'tasks':>5} {'due':>5} {'done':>5} {'disp.':>6} {'on-time':>7} "
        f"{'late-open':>9} {'rework':>6} {'return':>6} {'ext.':>6} {'closure':>7} {'(n)':>5}"
    )
    lines = [head, "-" * len(head)]
    rows = sorted(pace.departments.items(), key=lambda kv: -kv[1].dispatched)
    for key, p in [*rows, ("district", pace.total())]:
        lines.append(
            f"{_pad(names.get(key, key), 24)} {p.dispatched:>5} {p.due:>5} {p.completed:>5} "
            f"{_pct(p.disposal_share):>6} {_pct(p.on_time_share):>7} {p.late_open:>9} "
            f"{_pct(p.rework_share):>6} {_pct(p.return_share):>6} {_pct(p.extension_share):>6} "
            f"{_pct(p.closure_share):>7} {p.closure_cohort:>5}"
        )
    lines.append("")
    lines.append(f"{'desk':<14} {'events':>6} {'on time':>7}")
    for action in DESKS:
        n, ok = pace.desks.get(action, [0, 0])
        lines.append(f"{action:<14} {n:>6} {_pct(Pace.share(ok, n)):>7}")
    return "\n".join(lines)
