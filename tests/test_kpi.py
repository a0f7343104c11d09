"""量化考核 from hand-made case histories with known answers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.calendar import WorkCalendar
from console.domain.case import apply_action, new_case
from console.domain.china_time import CST
from console.domain.kpi import compute_kpis, grade, top_n
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
}


def history(
    i: int,
    steps: list,
    source="supervisor",
    category="06010",
    street="330102001",
    grid="330102001001001",
) -> dict:
    """Build a case by applying (action, minutes-after-previous, params) steps."""
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
        actor = WHO.get(action) or DEPTS[c.department_id]
        c, _ = apply_action(c, action, actor, at, CAL, LIMITS, note="n", params=params)
    return c.to_dict(at, CAL, LIMITS)


TO_A = [("accept", 5, {}), ("register", 5, {}), ("dispatch", 5, {"department_id": "A"})]
CLOSE = [("send_check", 5, {}), ("check_pass", 30, {}), ("close", 5, {})]


def cases():
    return [
        history(0, TO_A + [("complete", 60, {})] + CLOSE),  # on time, closed
        history(1, TO_A + [("complete", 600, {})] + CLOSE),  # late (limit 240 working min)
        history(
            2,
            TO_A
            + [
                ("complete", 60, {}),
                ("send_check", 5, {}),
                ("check_fail", 30, {}),
                ("complete", 30, {}),
            ]
            + CLOSE,
        ),  # rework
        history(
            3,
            TO_A
            + [("return", 10, {}), ("redispatch", 5, {"department_id": "B"}), ("complete", 30, {})],
        ),  # wrong dispatch
        history(
            4, TO_A + [("request_extension", 10, {"hours": 4}), ("approve_extension", 5, {})]
        ),  # extension, still open
        history(5, [("accept", 5, {}), ("void", 5, {})]),  # invalid report
        history(
            6, TO_A, source="public", category="07001", street="330102002", grid="330102002001001"
        ),
    ]


def by_key(rows):
    return {r["key"]: r for r in rows}


def test_department_indicators():
    end = T0 + timedelta(days=7)
    rows = by_key(compute_kpis(cases(), T0, end, "department", now=end))
    a, b = rows["A"], rows["B"]
    # A got 6 dispatches (cases 0-4, 6) + 1 rework assignment = 7 due; handled 0, 1, 2 (twice).
    assert a["due"] == 7 and a["handled"] == 4 and a["handled_on_time"] == 3
    assert a["rework"] == 1 and a["rework_rate"] == pytest.approx(0.25) and a["returns"] == 1
    assert a["extensions"] == 1 and a["extended_hours"] == 4 and a["closed"] == 3
    assert (
        a["overdue_unhandled"] == 2
    )  # cases 4 and 6 are still dispatched, past their deadline at `end`
    assert (
        b["due"] == 1
        and b["handled"] == 1
        and b["handled_on_time"] == 1
        and b["disposal_rate"] == 1.0
    )
    assert a["grade"] in "ABCDE" and 0 <= a["score"] <= 100


def test_user_indicators():
    rows = by_key(compute_kpis(cases(), T0, T0 + timedelta(days=7), "user"))
    sup, lead, disp = rows["sup1"], rows["lead1"], rows["disp1"]
    assert (
        sup["reported"] == 6
        and sup["valid"] == 5
        and sup["valid_report_rate"] == pytest.approx(5 / 6, abs=1e-4)
    )
    assert sup["on_time_check_rate"] == 1.0 and sup["score"] is not None
    # case 5 was voided before 立案: an invalid report, not a registration error
    assert lead["registered"] == 6 and lead["voided"] == 1
    assert lead["voided_after_registration"] == 0 and lead["accurate_registration_rate"] == 1.0
    assert disp["dispatched"] == 7 and disp["accurate_dispatch_rate"] == pytest.approx(
        6 / 7, abs=1e-4
    )
    assert rows["op1"]["on_time_accept_rate"] == 1.0


def test_accurate_registration_counts_voids_after_registration():
    back = [("return", 10, {}), ("send_back", 5, {}), ("register", 5, {})]
    histories = [
        history(0, TO_A),
        history(1, TO_A + [("void", 60 * 24 * 3, {})]),  # voided 3 days after 立案
        history(2, [("accept", 5, {}), ("void", 5, {})]),  # voided before 立案
        history(3, TO_A + back + [("void", 10, {})]),  # registered twice, the 2nd undone
    ]

    def lead(days: int) -> dict:
        rows = by_key(compute_kpis(histories, T0, T0 + timedelta(days=days), "user"))
        return rows["lead1"]

    week = lead(7)
    assert week["registered"] == 4 and week["voided_after_registration"] == 2
    assert week["accurate_registration_rate"] == 0.5
    day = lead(1)  # case 1's void falls after the period: its registration stands
    assert day["registered"] == 4 and day["voided_after_registration"] == 1
    assert day["accurate_registration_rate"] == 0.75


def test_region_and_period_and_top():
    rows = by_key(compute_kpis(cases(), T0, T0 + timedelta(days=7), "street"))
    s1 = rows["330102001"]
    assert s1["reported"] == 6 and s1["registered"] == 5 and s1["closed"] == 3
    assert s1["closure_rate"] == pytest.approx(0.6) and s1["on_time_closure_rate"] == pytest.approx(
        0.4
    )
    assert rows["330102002"]["public_report_rate"] == 1.0
    # An empty period gives no rows, not NaN rows.
    assert compute_kpis(cases(), T0 - timedelta(days=9), T0 - timedelta(days=8), "department") == []
    assert top_n(cases(), T0, T0 + timedelta(days=1), "category_code", 1) == [("06010", 6)]
    with pytest.raises(ValueError):
        compute_kpis([], T0, T0, "planet")


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
)
def test_rates_are_within_unit_interval(plans, by):
    built = []
    for i, plan in enumerate(plans):
        steps = []
        for action, minutes in plan:
            steps.append((action, minutes, {"department_id": "A", "hours": 2}))
        try:
            built.append(history(i, steps))
        except (WorkflowError, KeyError):
            built.append(history(i, []))
    for row in compute_kpis(built, T0, T0 + timedelta(days=60), by):
        for k, v in row.items():
            if k.endswith("_rate"):
                assert v is None or 0.0 <= v <= 1.0, (k, v)
            if k == "score":
                assert v is None or 0 <= v <= 100
