"""量化考核 from hand-made case histories with known answers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.calendar import WorkCalendar
from console.domain.case import apply_action, new_case
from console.domain.china_time import CST
from console.domain.kpi import (
    PARTS,
    compute_kpis,
    definitions,
    grade,
    kpi_cases,
    satisfaction_cases,
    top_n,
)
from console.domain.limits import TimeLimits
from console.domain.workflow import Actor, WorkflowError

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=CST)
CAL, LIMITS = WorkCalendar.default(), TimeLimits.default()
SUP = Actor("sup1", frozenset({"supervisor"}))
OP = Actor("op1", frozenset({"operator"}))
LEAD = Actor("lead1", frozenset({"shift_lead"}))
DISP = Actor("disp1", frozenset({"dispatcher"}))
DEPTS = {d: Actor(f"u-{d}", frozenset({"department"}), d) for d in ("A", "B")}
WHO = {
    "accept": OP,
    "send_verify": OP,
    "send_check": OP,
    "verified": SUP,
    "check_pass": SUP,
    "check_fail": SUP,
    "register": LEAD,
    "close": LEAD,
    "void": LEAD,
    "dispatch": DISP,
    "redispatch": DISP,
    "approve_extension": DISP,
    "deny_extension": DISP,
    "park": DISP,
    "send_back": DISP,
    "resume": DISP,
    "callback": OP,
}


TO_A = [("accept", 5, {}), ("register", 5, {}), ("dispatch", 5, {"department_id": "A"})]
CLOSE = [("send_check", 5, {}), ("check_pass", 30, {}), ("close", 5, {})]
WEEK = 7 * 24 * 60
END = T0 + timedelta(minutes=WEEK)
OTHER_GRID = "330102001001002"


def park(minutes: int, days_ahead: int = 30) -> tuple:
    """挂账 ``minutes`` after the previous step, due ``days_ahead`` after the case was reported."""
    return ("park", minutes, {"due_date": "DUE", "days": days_ahead})


def history(
    i: int,
    steps: list,
    source="supervisor",
    category="06010",
    street="330102001",
    grid="330102001001001",
) -> dict:
    """Build a case reported ``i`` minutes after T0 by applying (action, minutes after the
    previous step, params) steps."""
    at = T0 + timedelta(minutes=i)
    c = new_case(
        f"C{i}",
        source=source,
        category_code=category,
        lon=120.17,
        lat=30.25,
        reporter=SUP if source == "supervisor" else OP,
        role="supervisor" if source == "supervisor" else "operator",
        at=at,
        limits=LIMITS,
        grid_code=grid,
        street_code=street,
    )
    for action, minutes, params in steps:
        at = at + timedelta(minutes=minutes)
        if params.get("due_date") == "DUE":
            due = (at + timedelta(days=params["days"])).astimezone(CST).date()
            params = {"due_date": due.isoformat()}
        actor = WHO.get(action) or DEPTS[c.department_id]
        c, _ = apply_action(c, action, actor, at, CAL, LIMITS, note="n", params=params)
    return c.to_dict(at, CAL, LIMITS)


def cases() -> list[dict]:
    """One history per situation the indicators must tell apart (period: T0 + 7 days)."""
    return [
        history(0, TO_A + [("complete", 60, {})] + CLOSE),  # C0 on time, closed
        history(1, TO_A + [("complete", 600, {})] + CLOSE),  # C1 late (limit 240 working min)
        history(
            2,
            TO_A
            + [("complete", 60, {}), ("send_check", 5, {}), ("check_fail", 30, {})]
            + [("complete", 30, {})]
            + CLOSE,
        ),  # C2 reworked, on time both times
        history(
            3,
            TO_A
            + [("return", 10, {}), ("redispatch", 5, {"department_id": "B"}), ("complete", 30, {})],
        ),  # C3 returned by A (wrong dispatch), handled by B, not yet checked
        history(
            4, TO_A + [("request_extension", 10, {"hours": 4}), ("approve_extension", 5, {})]
        ),  # C4 extended, still open: its deadline falls in the week
        history(5, [("accept", 5, {}), ("void", 5, {})]),  # C5 voided before 立案
        history(6, TO_A + [("void", 30, {})]),  # C6 voided after 立案, while dispatched
        history(7, TO_A + [park(10)]),  # C7 parked
        history(WEEK - 60, TO_A),  # C{WEEK-60} dispatched an hour before the end: not yet due
        history(-3 * 24 * 60, TO_A),  # C-4320 stuck since before the week: overdue, not due
        history(-70 * 24 * 60, TO_A + [park(10)]),  # C-100800 parked 70 days: 积存
        history(
            12, [("accept", 5, {}), ("register", 5, {})], source="public", grid=OTHER_GRID
        ),  # C12 a public report, registered: sup2 missed it
    ]


def by_key(rows, role=None):
    return {r["key"]: r for r in rows if role is None or r["role"] == role}


def counts(row) -> dict[str, tuple[int, int]]:
    return {k: (v["numerator"], v["denominator"]) for k, v in row["indicators"].items()}


def check_rows(built, start, end, by, rows, **kw) -> None:
    """The invariants every row keeps: numerator ⊆ denominator for rates (so values in [0, 1]
    with no clamp), value = n/d, counts have no denominator, score 0–100 graded by its band,
    and the drill-down lists exactly the cases counted."""
    defs = definitions()
    for row in rows:
        for iid, cell in row["indicators"].items():
            n, d, v = cell["numerator"], cell["denominator"], cell["value"]
            if defs[iid]["unit"] == "count":
                assert d == 0 and v == n
            else:
                assert 0 <= n <= d, (row["key"], iid, n, d)
                assert v == (None if d == 0 else round(n / d, 4))
                assert v is None or 0.0 <= v <= 1.0
            for part, want in zip(PARTS, (n, d), strict=True):
                ids = kpi_cases(built, start, end, by, row["key"], iid, part, **kw)
                assert len(ids) == want, (row["key"], iid, part)
        assert row["score"] is None or 0 <= row["score"] <= 100
        assert row["grade"] == grade(row["score"])


GRIDS = {"sup1": {"330102001001001"}, "sup2": {OTHER_GRID}}


def test_department_indicators():
    built = cases()
    rows = compute_kpis(built, T0, END, "department")
    check_rows(built, T0, END, "department", rows)
    a, b = by_key(rows)["A"], by_key(rows)["B"]
    # Due: C0, C1, C2 (handled in the week) and C4 (deadline in the week, open). Not due: C3
    # (returned), C6 (voided), C7 and C-100800 (parked), C10020 (deadline after the week),
    # C-4320 (its deadline passed before the week: it was due then).
    assert counts(a) == {
        "disposal_rate": (3, 4),
        "on_time_disposal_rate": (2, 4),
        "rework_rate": (1, 3),
        "overdue_rate": (2, 4),
        "overdue_unhandled": (2, 0),  # C4 and the old C-4320
        "extension_rate": (1, 4),
        "return_rate": (1, 8),  # of the 8 received in the week, C3 came back
        "stockpile_rate": (1, 5),  # open at A: C4, C7, C10020, C-4320, C-100800 (积存)
        "satisfaction_rate": (0, 0),
        "assist_on_time_rate": (0, 0),  # no 协办 tasks here (tests/test_coop.py counts them)
        "dispute_lost_count": (0, 0),
        "enforcement_timeliness": (0, 0),  # counted on the 执法局's row only (enforcement cases)
    }
    assert kpi_cases(built, T0, END, "department", "A", "disposal_rate", "denominator") == [
        "C0",
        "C1",
        "C2",
        "C4",
    ]
    assert kpi_cases(built, T0, END, "department", "A", "overdue_unhandled", "numerator") == [
        "C-4320",
        "C4",
    ]
    assert counts(b)["disposal_rate"] == (1, 1) and counts(b)["on_time_disposal_rate"] == (1, 1)
    assert b["grade"] == "A" and a["grade"] in "ABCDE"
    # The default weights: 40 % on time, 20 % disposal, 15 % (1 − rework), 10 % (1 − overdue),
    # 5 % (1 − return), 5 % (1 − stockpile); satisfaction undefined, so re-normalised over 0.95.
    want = 0.4 * 0.5 + 0.2 * 0.75 + 0.15 * (2 / 3) + 0.1 * 0.5 + 0.05 * (7 / 8) + 0.05 * 0.8
    assert a["score"] == round(100 * want / 0.95, 1)
    # Weights are configurable: disposal alone gives A 3/4.
    alone = compute_kpis(built, T0, END, "department", weights={"department": {"disposal_rate": 1}})
    assert by_key(alone)["A"]["score"] == 75.0 and by_key(alone)["A"]["grade"] == "B"


def test_work_not_yet_due_is_not_late():
    """Dispatched in the period with its deadline after it: not in any denominator of a day
    that only saw the dispatch (the old ``due`` counted every dispatch)."""
    built = [history(0, TO_A)]
    day = compute_kpis(built, T0, T0 + timedelta(minutes=30), "department")
    assert counts(by_key(day)["A"])["disposal_rate"] == (0, 0)
    assert counts(by_key(day)["A"])["return_rate"] == (0, 1)
    week = compute_kpis(built, T0, END, "department")
    assert counts(by_key(week)["A"])["disposal_rate"] == (0, 1)


def test_a_late_task_counts_where_it_was_due_and_where_it_was_done():
    built = [history(0, TO_A + [("complete", 3 * 24 * 60, {})])]
    monday = compute_kpis(built, T0, T0 + timedelta(days=1), "department")
    thursday = compute_kpis(built, T0 + timedelta(days=3), T0 + timedelta(days=4), "department")
    assert counts(by_key(monday)["A"])["disposal_rate"] == (0, 1)
    assert counts(by_key(monday)["A"])["overdue_unhandled"] == (1, 0)
    assert counts(by_key(thursday)["A"])["disposal_rate"] == (1, 1)
    assert counts(by_key(thursday)["A"])["on_time_disposal_rate"] == (0, 1)


def test_rework_is_not_a_second_due():
    """One reworked case: one due, one handled, closure 100 % (it was 50 % when rework counted
    as a second due)."""
    built = [cases()[2]]
    row = by_key(compute_kpis(built, T0, END, "department"))["A"]
    assert counts(row)["disposal_rate"] == (1, 1) and counts(row)["rework_rate"] == (1, 1)
    street = by_key(compute_kpis(built, T0, END, "street"))["330102001"]
    assert counts(street)["closure_rate"] == (1, 1)


def test_a_period_reads_only_events_before_its_end():
    """C2's check failed 2 h 20 min after its report: a period ending before sees it handled."""
    built = [cases()[2]]
    early = compute_kpis(built, T0, T0 + timedelta(minutes=90), "department")
    assert counts(by_key(early)["A"])["disposal_rate"] == (1, 1)
    assert counts(by_key(early)["A"])["rework_rate"] == (0, 1)


def test_user_indicators():
    built = cases()
    rows = compute_kpis(built, T0, END, "user", supervisor_grids=GRIDS)
    check_rows(built, T0, END, "user", rows, supervisor_grids=GRIDS)
    sup, sup2 = by_key(rows, "supervisor")["sup1"], by_key(rows, "supervisor")["sup2"]
    # sup1 reported C0-C8 in the week (9); valid: registered and not voided (not C5, C6).
    assert counts(sup)["valid_report_rate"] == (7, 9)
    assert counts(sup)["missed_report_rate"] == (0, 8) and counts(sup)["on_time_check_rate"] == (
        3,
        3,
    )
    assert counts(sup2)["missed_report_rate"] == (1, 1)  # C12, reported by the public
    assert sup2["score"] == 0.0 and sup2["grade"] == "E"
    lead = by_key(rows, "shift_lead")["lead1"]
    # 9 registered in the week (C0-C4, C6-C8, C12); C6's was undone; C5 was voided before 立案.
    assert counts(lead)["accurate_registration_rate"] == (8, 9)
    assert counts(lead)["on_time_closure_by_lead_rate"] == (3, 3)
    disp = by_key(rows, "dispatcher")["disp1"]
    assert counts(disp)["accurate_dispatch_rate"] == (7, 8)  # C3 was returned
    assert counts(disp)["on_time_dispatch_rate"][1] == 8
    op = by_key(rows, "operator")["op1"]
    assert counts(op)["accepted_count"] == (10, 0) and counts(op)["on_time_send_check_rate"] == (
        3,
        3,
    )
    for row in rows:
        assert row["role"] in ("supervisor", "operator", "dispatcher", "shift_lead")
        assert row["score"] is not None and row["grade"] in "ABCDE"


def test_accurate_registration_counts_voids_after_registration():
    back = [("return", 10, {}), ("send_back", 5, {}), ("register", 5, {})]
    histories = [
        history(0, TO_A),
        history(1, TO_A + [("void", 60 * 24 * 3, {})]),  # voided 3 days after 立案
        history(2, [("accept", 5, {}), ("void", 5, {})]),  # voided before 立案
        history(3, TO_A + back + [("void", 10, {})]),  # registered twice, the 2nd undone
    ]

    def lead(days: int) -> tuple[int, int]:
        rows = compute_kpis(histories, T0, T0 + timedelta(days=days), "user")
        return counts(by_key(rows, "shift_lead")["lead1"])["accurate_registration_rate"]

    assert lead(7) == (1, 3)  # C1 and C3 undone; C2 was never registered
    assert lead(1) == (2, 3)  # C1's void falls after the day: its registration stands


def test_region_indicators():
    built = cases()
    rows = compute_kpis(built, T0, END, "street")
    check_rows(built, T0, END, "street", rows)
    s1 = counts(by_key(rows)["330102001"])
    assert s1["registered_count"] == (9, 0)  # C0-C4, C6-C8, C12
    # Due to close: closed in the week (C0-C2) or open with the 处置 deadline in it (C3, C4).
    assert s1["closure_rate"] == (3, 5) and s1["on_time_closure_rate"] == (2, 5)
    assert s1["public_report_rate"] == (1, 10)
    assert by_key(rows)["330102001"]["top_categories"] == [["06010", 10]]
    grid = by_key(compute_kpis(built, T0, END, "grid"))
    assert counts(grid[OTHER_GRID])["closure_rate"] == (0, 0)
    # An empty period gives no rows, not NaN rows.
    assert compute_kpis(built, T0 - timedelta(days=9), T0 - timedelta(days=8), "street") == []
    assert top_n(built, T0, T0 + timedelta(days=1), "category_code", 1) == [("06010", 9)]
    with pytest.raises(ValueError):
        compute_kpis([], T0, T0, "planet")


def test_drill_down_refuses_unknown_indicator_and_part():
    with pytest.raises(ValueError):
        kpi_cases(cases(), T0, END, "department", "A", "happiness", "numerator")
    with pytest.raises(ValueError):
        kpi_cases(cases(), T0, END, "department", "A", "disposal_rate", "half")


def test_every_indicator_has_its_definition():
    defs = definitions()
    for iid, d in defs.items():
        assert d["zh"] and d["en"] and d["formula"] and d["source"], iid
        assert d["unit"] in ("rate", "count") and isinstance(d["higher_is_better"], bool)


def test_an_impossible_value_fails_the_invariant():
    """The invariant check itself: a numerator above its denominator is caught, not clamped."""
    bad = [
        {
            "key": "A",
            "indicators": {"disposal_rate": {"numerator": 5, "denominator": 1, "value": 5.0}},
            "score": None,
            "grade": None,
        }
    ]
    with pytest.raises(AssertionError):
        check_rows([], T0, END, "department", bad)


def test_grades():
    assert [grade(x) for x in (95, 90, 80, 75, 60, 59.9, 40, 10, None)] == [
        "A",
        "A",
        "B",
        "B",
        "C",
        "D",
        "D",
        "E",
        None,
    ]


ACTIONS = list(WHO) + ["complete", "return", "request_extension"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(1, 500)), max_size=15), max_size=6
    ),
    st.sampled_from(["department", "user", "street", "grid", "category", "source", "community"]),
    st.integers(0, 3 * 24 * 60),
)
def test_random_histories_keep_the_invariants(plans, by, offset):
    built = []
    for i, plan in enumerate(plans):
        steps = [(a, m, {"department_id": "A", "hours": 2}) for a, m in plan]
        try:
            built.append(history(i, steps))
        except (WorkflowError, KeyError):
            built.append(history(i, []))
    start = T0 + timedelta(minutes=offset)
    end = start + timedelta(days=1)
    kw = {"supervisor_grids": GRIDS} if by == "user" else {}
    check_rows(built, start, end, by, compute_kpis(built, start, end, by, **kw), **kw)


def test_satisfaction_rate_counts_reached_callbacks_per_department_and_street():
    verify = [("accept", 5, {}), ("send_verify", 5, {}), ("verified", 30, {}), ("register", 5, {})]
    done = [("complete", 60, {})] + CLOSE

    def public(i, dept, answers, street="330102001"):
        steps = verify + [("dispatch", 5, {"department_id": dept})] + done
        steps += [("callback", 60, {"satisfaction": a}) for a in answers]
        return history(i, steps, source="public", street=street)

    built = [
        public(10, "A", ["satisfied"]),
        public(11, "A", ["unreached", "basically_satisfied"]),  # counted once, as reached
        public(12, "A", ["unsatisfied"]),
        public(13, "B", ["unreached", "unreached"], street="330102002"),
        public(14, "B", []),  # not called back yet
    ]
    end = T0 + timedelta(days=7)
    dept = by_key(compute_kpis(built, T0, end, "department"))
    a, b = dept["A"], dept["B"]
    # 满意率 over reached callbacks: A 2 of 3; B's only callback never reached the caller.
    assert counts(a)["satisfaction_rate"] == (2, 3)
    assert a["indicators"]["satisfaction_rate"]["value"] == round(2 / 3, 4)
    assert counts(b)["satisfaction_rate"] == (0, 0)
    assert kpi_cases(built, T0, end, "department", "A", "satisfaction_rate", "numerator") == [
        "C10",
        "C11",
    ]
    street = by_key(compute_kpis(built, T0, end, "street"))["330102001"]
    assert counts(street)["satisfaction_rate"] == (2, 3)
    assert counts(by_key(compute_kpis(built, T0, end, "source"))["public"])[
        "satisfaction_rate"
    ] == (2, 3)
    listed = satisfaction_cases(built, T0, end, "department", "A")
    assert listed == {
        "satisfied": ["C10"],
        "basically_satisfied": ["C11"],
        "unsatisfied": ["C12"],
        "unreached": [],
    }
    assert satisfaction_cases(built, T0, end, "street", "330102002")["unreached"] == ["C13"]
    with pytest.raises(ValueError):
        satisfaction_cases(built, T0, end, "user", "op1")
    # A callback outside the period does not count in it.
    assert by_key(compute_kpis(built, T0, T0 + timedelta(minutes=30), "department")) == {}


@pytest.mark.parametrize("by", ["department", "street", "grid", "user", "category"])
def test_simulated_histories_keep_the_invariants(city_state, by):
    """Over the recorded simulator's cases (tests/fixtures/change_pages.json.gz), in a whole
    window and in an hour cut out of it: rates within [0, 1] unclamped, drill-down = counts."""
    built = list(city_state.cases.values())
    times = sorted(datetime.fromisoformat(ev["at"]) for c in built for ev in c["events"])
    first, last = times[0], times[-1] + timedelta(seconds=1)
    middle = first + (last - first) / 2
    for start, end in ((first, last), (middle, middle + timedelta(hours=1))):
        rows = compute_kpis(built, start, end, by)
        assert rows
        check_rows(built, start, end, by, rows)


def test_nothing_due_is_not_graded():
    """A department whose only task is not yet due has rates (退回率 0 of 1) but no score."""
    row = by_key(compute_kpis([history(0, TO_A)], T0, T0 + timedelta(hours=1), "department"))["A"]
    assert counts(row)["return_rate"] == (0, 1) and counts(row)["disposal_rate"] == (0, 0)
    assert row["score"] is None and row["grade"] is None
