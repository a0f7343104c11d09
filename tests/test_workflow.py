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
    ROLE_PRECEDENCE,
    STAGE_BY_STATE,
    TERMINAL_STATES,
    TRANSITIONS,
    Action,
    Actor,
    BadActionParams,
    ForbiddenAction,
    InvalidTransition,
    Role,
    State,
    WorkflowError,
    available_actions,
)
from console.domain.workflow_rules import WorkflowRules

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
    own_fix = source == "self"  # 自处理: photos before and after the fix
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
        photos=["before.jpg"] if own_fix else None,
        photos_after=["after.jpg"] if own_fix else None,
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
    assert c.extension_pending_hours == 4 and c.deadline(CAL, LIMITS) == before
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


def at_of(c) -> datetime:
    return datetime.fromisoformat(c.events[-1]["at"])


def test_clock_keeps_running_while_an_extension_request_waits():
    c = to_dispatched()  # dispatched 09:20 Monday; exposed garbage: 240 working minutes
    c = step(c, "request_extension", DEPT_A, hours=1, note="x")
    asked = at_of(c)
    used = c.used_minutes(asked, CAL, LIMITS)
    assert c.used_minutes(asked + timedelta(minutes=90), CAL, LIMITS) == pytest.approx(used + 90)
    denied = step(c, "deny_extension", DISP, minutes=90)
    # The 90 minutes spent waiting for the decision count like any other.
    assert denied.used_minutes(at_of(denied), CAL, LIMITS) == pytest.approx(used + 90)
    approved = step(c, "approve_extension", DISP, minutes=90)
    assert approved.stage_limit_minutes == 240 + 60
    assert approved.used_minutes(at_of(approved), CAL, LIMITS) == pytest.approx(used + 90)


def test_no_extension_once_the_limit_is_used_up():
    c = to_dispatched()
    deadline = c.deadline(CAL, LIMITS)
    late = deadline + timedelta(minutes=1)  # 15:16 Monday, working time
    assert CAL.working_minutes_between(deadline, late) > 0
    with pytest.raises(InvalidTransition, match="used up"):
        apply_action(
            c, "request_extension", DEPT_A, late, CAL, LIMITS, note="晚了", params={"hours": 2}
        )
    with pytest.raises(InvalidTransition, match="used up"):
        apply_action(
            c,
            "request_park",
            DEPT_A,
            late,
            CAL,
            LIMITS,
            note="晚了",
            params={"due_date": "2026-12-31"},
        )
    assert Action.REQUEST_EXTENSION not in available_actions(c.facts(late, CAL, LIMITS), DEPT_A)
    # Asked in time and approved after the deadline: the hours still count from the start.
    asked = apply_action(
        c,
        "request_extension",
        DEPT_A,
        deadline - timedelta(minutes=10),
        CAL,
        LIMITS,
        note="需要机械",
        params={"hours": 2},
    )[0]
    ok = step(asked, "approve_extension", DISP, minutes=60)
    assert ok.deadline(CAL, LIMITS) == CAL.add_working_minutes(deadline, 120)
    done_late = apply_action(
        ok, "complete", DEPT_A, CAL.add_working_minutes(deadline, 121), CAL, LIMITS
    )[1]
    done_in_time = apply_action(
        ok, "complete", DEPT_A, CAL.add_working_minutes(deadline, 119), CAL, LIMITS
    )[1]
    assert done_late["on_time"] is False and done_in_time["on_time"] is True


def test_extension_caps():
    rules = WorkflowRules(
        max_extensions=2,
        max_extension_hours=3,
        max_extension_total_factor=1.0,
        max_park_days_ahead=365,
    )

    def ext(c, hours, approve=True):
        at = at_of(c) + timedelta(minutes=1)
        c = apply_action(
            c,
            "request_extension",
            DEPT_A,
            at,
            CAL,
            LIMITS,
            note="n",
            params={"hours": hours},
            rules=rules,
        )[0]
        if approve:
            c = apply_action(c, "approve_extension", DISP, at, CAL, LIMITS, rules=rules)[0]
        return c

    c = to_dispatched()  # base disposal limit 4 h: extensions total at most 4 h
    with pytest.raises(InvalidTransition, match="per request"):
        ext(c, 3.5)
    c = ext(c, 3)
    with pytest.raises(InvalidTransition, match="total"):
        ext(c, 1.5)
    c = ext(c, 1)
    assert c.extension_count == 2 and c.extension_hours == 4
    with pytest.raises(InvalidTransition, match="as many extensions"):
        ext(c, 0.5)
    with pytest.raises(BadActionParams):
        ext(to_dispatched(), -1)


def test_department_requests_parking_and_resume_keeps_remaining_time():
    c = to_dispatched()  # dispatched Monday 09:20, 240 working minutes
    c = step(c, "request_extension", DEPT_A, minutes=40, hours=2, note="机械")
    c = step(c, "approve_extension", DISP, minutes=0)  # limit now 360 min, 40 used
    with pytest.raises(BadActionParams):  # a 缓办 request needs its due date
        step(c, "request_park", DEPT_A, note="需立项")
    with pytest.raises(BadActionParams):  # in the past
        step(c, "request_park", DEPT_A, note="需立项", due_date="2026-11-01")
    c = step(c, "request_park", DEPT_A, minutes=20, note="需立项改造", due_date="2026-12-31")
    assert c.park_request_due_date == "2026-12-31" and c.state == "dispatched"
    assert available_actions(c.facts(at_of(c), CAL, LIMITS), DEPT_A) == []  # waits for the centre
    with pytest.raises(InvalidTransition):
        step(c, "park", DISP, due_date="2026-12-30")
    c = step(c, "approve_park", DISP, minutes=20)  # 80 of 360 minutes used when parked
    assert c.state == "parked" and c.park_due_date == "2026-12-31" and c.stage is None
    assert c.events[-1]["data"]["clock"]["remaining_minutes"] == pytest.approx(280)
    assert not c.park_overdue(datetime(2026, 12, 31, 23, 59, tzinfo=CST))
    assert c.park_overdue(datetime(2027, 1, 1, 0, 0, tzinfo=CST))
    assert c.next_light_change(CAL, LIMITS, at_of(c)) == datetime(2027, 1, 1, tzinfo=CST)
    resumed = step(c, "resume", DISP, minutes=60 * 24 * 10)
    now = at_of(resumed)
    assert resumed.stage == "dispose" and resumed.stage_limit_minutes == 360
    assert resumed.used_minutes(now, CAL, LIMITS) == pytest.approx(80)
    assert resumed.deadline(CAL, LIMITS) == CAL.add_working_minutes(now, 280)
    assert resumed.events[-1]["data"]["remaining_minutes"] == pytest.approx(280)
    assert resumed.park_due_date is None and not resumed.park_overdue(now)


def test_centre_parking_needs_a_due_date_and_deny_keeps_the_case():
    c = to_dispatched()
    with pytest.raises(BadActionParams):
        step(c, "park", DISP, note="需立项改造")
    parked = step(c, "park", DISP, note="需立项改造", due_date="2027-01-15")
    assert parked.state == "parked" and parked.light(T0 + timedelta(days=90), CAL, LIMITS) is None
    assert parked.stockpiled(T0 + timedelta(days=61), LIMITS)
    asked = step(c, "request_park", DEPT_A, note="需立项", due_date="2027-01-15")
    denied = step(asked, "deny_park", DISP)
    assert denied.state == "dispatched" and denied.park_request_due_date is None
    assert denied.events[-1]["data"]["due_date"] == "2027-01-15"


def test_void_needs_shift_lead_and_a_reason_before_or_after_registration():
    c = report()
    with pytest.raises(ForbiddenAction):
        step(c, "void", OP)
    with pytest.raises(BadActionParams):
        step(c, "void", LEAD, note="")
    assert step(c, "void", LEAD, note="重复上报").state == "void"
    registered = step(step(c, "accept", OP), "register", LEAD)
    dispatched = step(registered, "dispatch", DISP, department_id="A")
    returned = step(dispatched, "return", DEPT_A, note="非本单位")
    parked = step(dispatched, "park", DISP, note="立项", due_date="2027-01-15")
    for case in (registered, dispatched, returned, parked):
        for who in (OP, DISP, DEPT_A, SUP):
            with pytest.raises(ForbiddenAction):
                step(case, "void", who, note="重复")
        assert step(case, "void", LEAD, note="与 C0 重复").state == "void"
    handled = step(dispatched, "complete", DEPT_A)
    with pytest.raises(InvalidTransition):  # handled work is checked and closed, not voided
        step(handled, "void", LEAD, note="x")


def test_returned_case_goes_back_to_registration_with_corrections():
    c = step(to_dispatched(), "return", DEPT_A, note="类别错误，应为道路破损")
    with pytest.raises(BadActionParams):
        step(c, "send_back", DISP, note="")
    back = step(c, "send_back", DISP, note="类别有误，退回重新立案")
    assert back.state == "accepted" and back.stage == "register" and back.department_id is None
    assert back.events[-1]["data"]["department_id"] == "A"
    again = step(back, "register", LEAD, category_code="06013", urgency="urgent")
    assert again.category_code == "06013" and again.urgency == "urgent"
    assert again.events[-1]["data"]["corrections"] == {
        "category_code": ["06010", "06013"],
        "urgency": ["normal", "urgent"],
    }
    assert again.stage_limit_minutes == LIMITS.stage_limit("dispatch", "06013", "urgent").minutes
    d = step(again, "dispatch", DISP, department_id="B")
    assert d.stage_limit_minutes == LIMITS.stage_limit("dispose", "06013", "urgent").minutes


def test_corrections_at_accept_record_old_and_new_and_move_the_case():
    c = report()
    loc = {
        "lon": 120.18,
        "lat": 30.26,
        "grid_code": "G2",
        "community_code": "C2",
        "street_code": "S2",
    }
    c.address = "旧地址"
    a = step(c, "accept", OP, category_code="06012", location=loc)
    ev = a.events[-1]["data"]["corrections"]
    assert ev["category_code"] == ["06010", "06012"] and ev["location"] == [
        [120.17, 30.25],
        [120.18, 30.26],
    ]
    assert ev["grid_code"] == [None, "G2"] and ev["address"] == ["旧地址", ""]
    assert (a.lon, a.lat, a.grid_code, a.street_code) == (120.18, 30.26, "G2", "S2")
    with pytest.raises(BadActionParams):  # the server locates a point before the domain sees it
        step(c, "accept", OP, location={"lon": 120.18, "lat": 30.26})
    with pytest.raises(BadActionParams):
        step(c, "accept", OP, urgency="whenever")
    with pytest.raises(BadActionParams):  # only 受理 and 立案 correct
        step(to_dispatched(), "complete", DEPT_A, category_code="06012")
    assert "corrections" not in step(c, "accept", OP, category_code="06010").events[-1]["data"]


def test_self_handled_path_reports_with_photos_registers_and_closes():
    with pytest.raises(BadActionParams):
        new_case(
            "S1",
            source="self",
            category_code="06010",
            lon=120.17,
            lat=30.25,
            reporter=SUP,
            role="supervisor",
            at=T0,
            limits=LIMITS,
            photos=["b.jpg"],
        )
    with pytest.raises(ForbiddenAction):
        new_case(
            "S1",
            source="self",
            category_code="06010",
            lon=120.17,
            lat=30.25,
            reporter=OP,
            role="operator",
            at=T0,
            limits=LIMITS,
            photos=["b.jpg"],
            photos_after=["a.jpg"],
        )
    c = report("self")
    assert c.photos == ["before.jpg", "after.jpg"]
    assert c.events[0]["data"]["photos_after"] == ["after.jpg"]
    c = step(c, "accept", OP)
    assert c.stage == "register"  # reported from the spot: no 核实
    c = step(c, "register", LEAD)
    assert c.stage == "close"
    from console.domain.queues import queue_of

    assert queue_of(c.state, c.stage) == "close"
    with pytest.raises(ForbiddenAction):
        step(c, "close_self", DISP)
    closed = step(c, "close_self", LEAD)
    assert closed.state == "closed" and closed.closed_at is not None
    assert closed.events[-1]["on_time"] is True
    with pytest.raises(InvalidTransition):  # other sources go through 派遣/处置/核查
        step(step(step(report(), "accept", OP), "register", LEAD), "close_self", LEAD)


def test_acting_role_follows_a_fixed_precedence():
    console = Actor("c", frozenset({"shift_lead", "operator", "dispatcher"}))
    c = step(report(), "accept", console)
    assert c.events[-1]["role"] == "operator"
    c = step(c, "register", console)
    assert c.events[-1]["role"] == "shift_lead"
    c = step(c, "dispatch", console, department_id="A")
    assert c.events[-1]["role"] == "dispatcher"
    assert set(ROLE_PRECEDENCE) == set(Role)


ROLE_PROBE = """
from console.domain.workflow import TRANSITIONS, Actor, Role, permitted_role
everyone = Actor("u", frozenset(r.value for r in Role))
print(",".join(f"{a.value}={permitted_role(t, everyone).value}" for a, t in TRANSITIONS.items()))
"""


def test_acting_role_is_the_same_under_any_hash_seed():
    import os
    import subprocess
    import sys

    outs = set()
    for seed in ("0", "1", "2", "12345", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        r = subprocess.run(
            [sys.executable, "-c", ROLE_PROBE], env=env, capture_output=True, text=True, check=True
        )
        outs.add(r.stdout.strip())
    assert len(outs) == 1, outs
    assert "accept=operator" in outs.pop()


def test_wall_and_foreign_department_cannot_act():
    c = to_dispatched()
    for actor in (WALL, DEPT_B, SUP):
        with pytest.raises(ForbiddenAction):
            step(c, "complete", actor)
    facts = c.facts(at_of(c), CAL, LIMITS)
    assert available_actions(facts, DEPT_A) == [
        Action.COMPLETE,
        Action.RETURN,
        Action.REQUEST_EXTENSION,
        Action.REQUEST_PARK,
    ]
    assert available_actions(facts, WALL) == []
    assert available_actions(facts, DEPT_B) == []


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
        "due_date": st.sampled_from(["2026-12-31", "2026-01-01", "x"]),
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
    assert c.extension_count <= WorkflowRules.default().max_extensions
    if c.state != "dispatched":
        assert c.extension_pending_hours is None and c.park_request_due_date is None
    assert (c.park_due_date is not None) == (c.state == "parked")
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
