"""The case workflow as DOMAIN.md draws it: table, permissions, counters, clocks.

Pure domain tests (no HTTP): the property tests drive random action sequences by random
users through ``apply_action`` and check that the case never reaches an undefined state and
that its counters always agree with its own event history.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.domain.calendar import WorkCalendar
from console.domain.case import Case, apply_action, new_case
from console.domain.china_time import CST
from console.domain.limits import TimeLimits
from console.domain.workflow import (
    STAGE_BY_STATE,
    TERMINAL_STATES,
    TRANSITIONS,
    Action,
    Actor,
    BadActionParams,
    ForbiddenAction,
    InvalidTransition,
    State,
    WorkflowError,
    available_actions,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=CST)  # a Monday morning
CAL = WorkCalendar.default()
LIMITS = TimeLimits.default()

SUP = Actor("sup", frozenset({"supervisor"}))
OP = Actor("op", frozenset({"operator"}))
LEAD = Actor("lead", frozenset({"shift_lead"}))
DISP = Actor("disp", frozenset({"dispatcher"}))
DEPT_A = Actor("deptA", frozenset({"department"}), "A")
DEPT_B = Actor("deptB", frozenset({"department"}), "B")
WALL = Actor("wall", frozenset({"wall"}))
ACTORS = [SUP, OP, LEAD, DISP, DEPT_A, DEPT_B, WALL]


def report(source="supervisor", category="06010", at=T0) -> Case:
    return new_case(
        "C1",
        source=source,
        category_code=category,
        lon=120.17,
        lat=30.25,
        reporter=SUP,
        role="supervisor",
        at=at,
        limits=LIMITS,
    )


def step(case, action, actor, minutes=5, **params):
    at = datetime.fromisoformat(case.events[-1]["at"]) + timedelta(minutes=minutes)
    note = params.pop("note", "reason")
    new, ev = apply_action(case, action, actor, at, CAL, LIMITS, note=note, params=params)
    return new


def to_dispatched(source="supervisor"):
    c = report(source)
    c = step(c, "accept", OP)
    if source == "public":
        c = step(c, "send_verify", OP)
        c = step(c, "verified", SUP)
    c = step(c, "register", LEAD)
    return step(c, "dispatch", DISP, department_id="A")


def test_table_covers_every_state_and_action():
    reachable = {State.REPORTED}
    for t in TRANSITIONS.values():
        if t.target is not None:
            reachable.add(t.target)
        assert t.sources, t.action
    assert reachable == set(State)
    assert set(STAGE_BY_STATE) == set(State)
    assert set(TRANSITIONS) == set(Action) - {Action.REPORT}
    for s in TERMINAL_STATES:
        assert all(s not in t.sources for t in TRANSITIONS.values())


def test_happy_path_records_every_event():
    c = to_dispatched("public")
    c = step(c, "complete", DEPT_A, minutes=60)
    c = step(c, "send_check", OP)
    c = step(c, "check_pass", SUP)
    c = step(c, "close", LEAD)
    assert c.state == "closed"
    assert [e["action"] for e in c.events] == [
        "report",
        "accept",
        "send_verify",
        "verified",
        "register",
        "dispatch",
        "complete",
        "send_check",
        "check_pass",
        "close",
    ]
    assert all(e["on_time"] for e in c.events[1:]), [(e["action"], e["on_time"]) for e in c.events]
    assert [e["to_state"] for e in c.events][-1] == "closed"
    assert c.version == len(c.events)
    assert c.closed_at is not None and c.stage is None
    assert c.events[6]["stage"] == "dispose"


def test_rework_goes_back_to_the_same_department():
    c = to_dispatched()
    for i in range(2):
        c = step(c, "complete", DEPT_A)
        c = step(c, "send_check", OP)
        c = step(c, "check_fail", SUP, note="未清理干净")
        assert c.state == "dispatched" and c.department_id == "A" and c.rework_count == i + 1
    assert c.dispatch_count == 1


def test_return_and_redispatch_counts_departments():
    c = to_dispatched()
    c = step(c, "return", DEPT_A, note="非本单位职责")
    assert c.state == "returned" and c.return_count == 1
    with pytest.raises(ForbiddenAction):
        step(c, "redispatch", DEPT_A, department_id="B")
    c = step(c, "redispatch", DISP, department_id="B")
    assert (
        c.state == "dispatched"
        and c.department_id == "B"
        and c.departments == ["A", "B"]
        and c.dispatch_count == 2
    )
    with pytest.raises(ForbiddenAction):  # A no longer owns the case
        step(c, "complete", DEPT_A)
    assert step(c, "complete", DEPT_B).state == "handled"


def test_extension_approve_moves_deadline_and_deny_does_not():
    c = to_dispatched()
    before = c.deadline(CAL, LIMITS)
    c = step(c, "request_extension", DEPT_A, hours=4, note="需要调配机械")
    assert c.clock_paused and c.extension_pending_hours == 4
    with pytest.raises(InvalidTransition):
        step(c, "complete", DEPT_A)
    with pytest.raises(InvalidTransition):
        step(c, "request_extension", DEPT_A, hours=2)
    approved = step(c, "approve_extension", DISP, minutes=0)
    assert approved.extension_count == 1 and approved.extension_hours == 4
    assert approved.deadline(CAL, LIMITS) == CAL.add_working_minutes(before, 240)
    denied = step(c, "deny_extension", DISP, minutes=0)
    assert denied.extension_count == 0 and denied.deadline(CAL, LIMITS) == before
    assert denied.state == approved.state == "dispatched"
    with pytest.raises(InvalidTransition):
        step(denied, "approve_extension", DISP)


def test_clock_stops_while_waiting_for_extension_decision():
    c = to_dispatched()
    c = step(c, "request_extension", DEPT_A, hours=1, note="x")
    used = c.used_fraction(datetime.fromisoformat(c.events[-1]["at"]), CAL, LIMITS)
    later = datetime.fromisoformat(c.events[-1]["at"]) + timedelta(hours=3)
    assert c.used_fraction(later, CAL, LIMITS) == pytest.approx(used)
    c2 = step(c, "deny_extension", DISP, minutes=180)
    # The three hours spent waiting for the decision do not count against the department.
    assert c2.used_fraction(later, CAL, LIMITS) == pytest.approx(used)


def test_park_and_resume_restart_the_disposal_clock():
    c = to_dispatched()
    c = step(c, "park", DISP, note="需立项改造")
    assert (
        c.state == "parked"
        and c.stage is None
        and c.light(T0 + timedelta(days=90), CAL, LIMITS) is None
    )
    assert c.stockpiled(T0 + timedelta(days=61), LIMITS)
    c = step(c, "resume", DISP, minutes=60 * 24 * 3)
    assert (
        c.state == "dispatched"
        and c.stage == "dispose"
        and not c.stockpiled(T0 + timedelta(days=61), LIMITS)
    )


def test_void_needs_shift_lead_and_a_reason():
    c = report()
    with pytest.raises(ForbiddenAction):
        step(c, "void", OP)
    with pytest.raises(BadActionParams):
        step(c, "void", LEAD, note="")
    assert step(c, "void", LEAD, note="重复上报").state == "void"
    registered = step(step(c, "accept", OP), "register", LEAD)
    with pytest.raises(InvalidTransition):
        step(registered, "void", LEAD)


def test_wall_and_foreign_department_cannot_act():
    c = to_dispatched()
    for actor in (WALL, DEPT_B, SUP):
        with pytest.raises(ForbiddenAction):
            step(c, "complete", actor)
    assert available_actions(c.state, DEPT_A, c.department_id) == [
        Action.COMPLETE,
        Action.RETURN,
        Action.REQUEST_EXTENSION,
    ]
    assert available_actions(c.state, WALL, c.department_id) == []


def test_light_turns_yellow_then_red_in_working_time():
    c = to_dispatched()  # exposed garbage: 4 working hours to dispose
    start = c.stage_started_at
    assert c.stage_limit_minutes == LIMITS.stage_limit("dispose", "06010").minutes
    limit = c.stage_limit_minutes
    assert c.light(CAL.add_working_minutes(start, limit * 0.5), CAL, LIMITS) == "green"
    assert c.light(CAL.add_working_minutes(start, limit * 0.9), CAL, LIMITS) == "yellow"
    assert c.light(CAL.add_working_minutes(start, limit * 1.1), CAL, LIMITS) == "red"
    change = c.next_light_change(CAL, LIMITS, start)
    assert c.light(change, CAL, LIMITS) == "yellow"
    assert c.light(change - timedelta(seconds=2), CAL, LIMITS) == "green"


def test_a_limit_running_out_at_noon_stays_yellow_over_lunch():
    """Red starts once working time passes the limit: after lunch, not at 12:00:01. (The
    server re-stores a case when its light changes; a change time inside lunch made it
    re-store the case every tick for two hours.)"""
    start = datetime(2026, 11, 23, 11, 0, tzinfo=CST)  # Monday
    c = report(at=start)
    c.stage, c.stage_started_at, c.stage_limit_minutes = "dispose", start, 60.0
    c.stage_clock = "working"  # a department's clock (the accept clock is the centre's 7x24)
    deadline = c.deadline(CAL, LIMITS)
    assert deadline == datetime(2026, 11, 23, 12, 0, tzinfo=CST)
    yellow, red = c.light_times(CAL, LIMITS)
    assert yellow == datetime(2026, 11, 23, 11, 48, tzinfo=CST)
    assert red == datetime(2026, 11, 23, 14, 0, 1, tzinfo=CST)
    for t, want in [
        (yellow - timedelta(seconds=1), "green"),
        (yellow, "yellow"),
        (deadline + timedelta(minutes=90), "yellow"),
        (red - timedelta(seconds=1), "yellow"),
        (red, "red"),
    ]:
        assert c.light(t, CAL, LIMITS) == want, t
    assert c.next_light_change(CAL, LIMITS, deadline + timedelta(seconds=1)) == red
    assert c.next_light_change(CAL, LIMITS, red) is None


def test_urgent_cases_have_shorter_limits():
    normal = report()
    urgent = new_case(
        "C2",
        source="supervisor",
        category_code="06010",
        lon=120.17,
        lat=30.25,
        reporter=SUP,
        role="supervisor",
        at=T0,
        limits=LIMITS,
        urgency="urgent",
    )
    assert urgent.stage_limit_minutes == pytest.approx(
        normal.stage_limit_minutes * LIMITS.urgency_levels["urgent"]
    )


def test_wire_round_trip():
    c = to_dispatched("public")
    d = c.to_dict(T0 + timedelta(hours=1), CAL, LIMITS)
    for k in (
        "id",
        "state",
        "version",
        "source",
        "category_code",
        "location",
        "grid_code",
        "department_id",
        "deadline",
        "light",
        "rework_count",
        "events",
    ):
        assert k in d
    assert set(d["events"][0]) >= {"action", "user", "at", "from_state", "to_state", "note"}
    assert Case.from_dict(d) == c


ACTIONS = [a.value for a in TRANSITIONS]
PARAMS = st.fixed_dictionaries(
    {},
    optional={
        "department_id": st.sampled_from(["A", "B"]),
        "hours": st.sampled_from([0.5, 2, 8, -1, "x"]),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    source=st.sampled_from(["supervisor", "public", "video", "self"]),
    steps=st.lists(
        st.tuples(
            st.sampled_from(ACTIONS),
            st.sampled_from(ACTORS),
            PARAMS,
            st.integers(0, 600),
            st.booleans(),
        ),
        max_size=40,
    ),
)
def test_no_action_sequence_reaches_an_undefined_state(source, steps):
    c = report(source)
    for action, actor, params, minutes, with_note in steps:
        at = datetime.fromisoformat(c.events[-1]["at"]) + timedelta(minutes=minutes)
        try:
            new, ev = apply_action(
                c, action, actor, at, CAL, LIMITS, note="n" if with_note else "", params=params
            )
        except WorkflowError:
            continue
        assert State(new.state) in State
        assert new.version == c.version + 1 and len(new.events) == len(c.events) + 1
        assert ev["from_state"] == c.state and ev["to_state"] == new.state
        t = TRANSITIONS[Action(action)]
        assert State(c.state) in t.sources
        assert new.state == (t.target.value if t.target else c.state)
        assert new.stage == (None if new.state in ("parked", "closed", "void") else new.stage)
        if new.state not in ("parked", "closed", "void"):
            assert new.stage is not None and new.stage_started_at is not None
        c = new
    actions = [e["action"] for e in c.events]
    assert c.rework_count == actions.count("check_fail")
    assert c.return_count == actions.count("return")
    assert c.dispatch_count == actions.count("dispatch") + actions.count("redispatch")
    assert c.extension_count == actions.count("approve_extension")
    approved = sum(e["data"]["hours"] for e in c.events if e["action"] == "approve_extension")
    assert c.extension_hours == pytest.approx(approved)
    assert (c.extension_pending_hours is not None) == c.clock_paused
    if c.state in ("closed", "void"):
        for action in ACTIONS:
            with pytest.raises(WorkflowError):
                apply_action(
                    c,
                    action,
                    LEAD,
                    at,
                    CAL,
                    LIMITS,
                    note="n",
                    params={"department_id": "A", "hours": 1},
                )


def test_queue_of_follows_the_stage_not_only_the_state():
    from console.domain.queues import QUEUE_KEYS, queue_of

    assert queue_of("reported", "accept") == "accept"
    assert queue_of("accepted", "send_verify") == "verify"  # public report: verify first
    assert queue_of("accepted", "register") == "register"  # verified: register
    assert queue_of("returned", "dispatch") == "dispatch"
    assert queue_of("closed", None) is None
    assert queue_of("no-such-state", None) is None
    # every state a case can wait in lands in a tab the console shows
    for state in ("reported", "verifying", "registered", "dispatched", "handled", "checking"):
        assert queue_of(state, None) in QUEUE_KEYS
