"""部门协作 rules (console.domain.coop) on the pure case: 协办 tasks with their own deadline and
department, 主办 completion gated on them, returns that go to arbitration and the decision."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from console.domain.calendar import WorkCalendar
from console.domain.case import Case, apply_action, new_case
from console.domain.china_time import CST
from console.domain.limits import DISPOSE, TimeLimits
from console.domain.workflow import (
    Action,
    Actor,
    ForbiddenAction,
    InvalidTransition,
    available_actions,
)

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=CST)  # a Monday morning
CAL = WorkCalendar.default()
LIMITS = TimeLimits.default()
OP = Actor("op", frozenset({"operator"}))
LEAD = Actor("lead", frozenset({"shift_lead"}))
DISP = Actor("disp", frozenset({"dispatcher"}))
A = Actor("a1", frozenset({"department"}), "A")
B = Actor("b1", frozenset({"department"}), "B")
C = Actor("c1", frozenset({"department"}), "C")


def step(case: Case, action: str, actor: Actor, minutes: float = 5, **params) -> Case:
    at = datetime.fromisoformat(case.events[-1]["at"]) + timedelta(minutes=minutes)
    note = params.pop("note", "reason")
    new, _ = apply_action(case, action, actor, at, CAL, LIMITS, note=note, params=params)
    return new


def dispatched(**params) -> Case:
    c = new_case(
        "C1",
        source="supervisor",
        category_code="06010",
        lon=120.17,
        lat=30.25,
        reporter=Actor("sup", frozenset({"supervisor"})),
        role="supervisor",
        at=T0,
        limits=LIMITS,
    )
    c = step(c, "accept", OP)
    c = step(c, "register", LEAD)
    return step(c, "dispatch", DISP, department_id="A", **params)


def test_assist_added_at_dispatch_has_its_own_disposal_deadline():
    c = dispatched(assists=[{"department_id": "B", "task": "清运渣土"}])
    (a,) = c.assists
    assert (a["n"], a["department_id"], a["state"]) == (1, "B", "dispatched")
    added = datetime.fromisoformat(c.events[-1]["at"])
    limit = LIMITS.stage_limit(DISPOSE, "06010", "normal")
    assert a["deadline"] == LIMITS.deadline(CAL, added, limit).isoformat()
    assert c.events[-1]["data"]["assists"][0]["department_id"] == "B"
    assert "B" in c.departments and c.department_id == "A"


def test_main_department_cannot_complete_until_assists_finish():
    c = dispatched(assists=[{"department_id": "B", "task": "t"}])
    assert Action.COMPLETE not in available_actions(c.facts(T0, CAL, LIMITS), A)
    with pytest.raises(InvalidTransition, match="协办"):
        step(c, "complete", A)
    c = step(c, "assist_accept", B, assist=1)
    c = step(c, "assist_complete", B, assist=1)
    assert c.assists[0]["state"] == "done" and c.assists[0]["on_time"] is True
    assert step(c, "complete", A).state == "handled"


def test_only_the_assist_department_acts_on_its_task():
    c = dispatched(assists=[{"department_id": "B", "task": "t"}])
    for actor in (A, C, LEAD):
        with pytest.raises(ForbiddenAction):
            step(c, "assist_complete", actor, assist=1)
    c = step(c, "assist_complete", B, assist=1)
    with pytest.raises(ForbiddenAction):  # no open task of B's any more
        step(c, "assist_accept", B, assist=1)


def test_add_assist_refuses_the_main_department_and_a_duplicate():
    c = dispatched()
    with pytest.raises(InvalidTransition):
        step(c, "add_assist", DISP, department_id="A", task="t")
    c = step(c, "add_assist", DISP, department_id="B", task="t")
    with pytest.raises(InvalidTransition):
        step(c, "add_assist", LEAD, department_id="B", task="again")
    with pytest.raises(ForbiddenAction):
        step(c, "add_assist", A, department_id="C", task="t")


def test_late_assist_is_recorded_late():
    c = dispatched(assists=[{"department_id": "B", "task": "t"}])
    c = step(c, "assist_complete", B, minutes=60 * 24 * 30, assist=1)
    assert c.assists[0]["on_time"] is False and c.events[-1]["data"]["on_time"] is False


def test_claimed_return_goes_to_arbitration_and_the_decision_redispatches():
    c = dispatched(assists=[{"department_id": "B", "task": "t"}])
    c = step(c, "return", A, dispute=True, note="不是我们的管养范围")
    assert c.state == "returned" and c.dispute["state"] == "pending"
    assert c.assists[0]["state"] == "cancelled"
    assert c.dispute["reason"] == "claimed" and c.dispute["parties"] == ["A"]
    with pytest.raises(InvalidTransition, match="arbitrat"):
        step(c, "redispatch", DISP, department_id="B")
    with pytest.raises(InvalidTransition, match="arbitrat"):
        step(c, "send_back", DISP)
    with pytest.raises(ForbiddenAction):
        step(c, "arbitrate", DISP, department_id="A", note="x")
    c = step(
        c,
        "arbitrate",
        LEAD,
        department_id="A",
        assists=[{"department_id": "C", "task": "配合"}],
        note="道路管养清单属A",
    )
    assert (c.state, c.department_id) == ("dispatched", "A")
    d = c.dispute
    assert (d["state"], d["lead_department"], d["lost"]) == ("decided", "A", ["A"])
    assert d["assist_departments"] == ["C"] and d["decision"] == "道路管养清单属A"
    assert c.assists[-1]["department_id"] == "C" and c.assists[-1]["state"] == "dispatched"
    with pytest.raises(InvalidTransition, match="arbitration"):  # the decision binds
        step(c, "return", A, note="still not ours")


def test_second_return_goes_to_arbitration():
    c = dispatched()
    c = step(c, "return", A, note="not ours")
    assert c.dispute is None
    c = step(c, "redispatch", DISP, department_id="B")
    c = step(c, "return", B, note="not ours either")
    assert c.dispute["reason"] == "repeated" and c.dispute["parties"] == ["A", "B"]
    assert Action.ARBITRATE in available_actions(c.facts(T0, CAL, LIMITS), LEAD)
    assert Action.REDISPATCH not in available_actions(c.facts(T0, CAL, LIMITS), DISP)
    c = step(c, "arbitrate", LEAD, department_id="C", note="C 管养")
    assert c.dispute["lost"] == [] and c.department_id == "C"


def test_old_documents_without_the_fields_still_read():
    doc = dispatched().to_dict()
    doc.pop("assists")
    doc.pop("dispute")
    c = Case.from_dict(doc)
    assert c.assists == [] and c.dispute is None
    assert step(c, "complete", A).state == "handled"
