"""The case-action dialogs the workflow's new parameters need (docs/rules/workflow.md): the
受理/立案 corrections send only what changed, 缓办 asks for a due date (the requested one when
approving), and the desk offers exactly what the domain allows. No backend: cases made by the
domain, shown as the console would hold them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from console.domain.calendar import WorkCalendar
from console.domain.case import apply_action, new_case
from console.domain.categories import CategoryCatalog
from console.domain.china_time import CST
from console.domain.limits import TimeLimits
from console.domain.workflow import Actor
from console.state import CityState

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=CST)
CAL, LIMITS = WorkCalendar.default(), TimeLimits.default()
SUP = Actor("sup", frozenset({"supervisor"}))
DESK = Actor("desk", frozenset({"operator", "dispatcher", "shift_lead"}))
DEPT = Actor("dept", frozenset({"department"}), "A")


class Session:
    actor = DESK


def doc(steps, source="supervisor"):
    c = new_case(
        "C1", source=source, category_code="06010", lon=120.17, lat=30.25,
        reporter=SUP, role="supervisor", at=T0, limits=LIMITS, address="清泰街 1 号",
    )  # fmt: skip
    for action, actor, params in steps:
        c = apply_action(c, action, actor, T0, CAL, LIMITS, note="n", params=params)[0]
    return c.to_dict(T0, CAL, LIMITS)


@pytest.fixture
def actions(qapp):
    from PySide6.QtWidgets import QWidget

    from widgets.dialogs.case_actions import CaseActions

    state = CityState()
    state.set_reference({"categories": CategoryCatalog.load().to_list(), "departments": []})
    host = QWidget()
    yield CaseActions(Session(), state, host, lambda: T0.timestamp())
    host.deleteLater()


def test_corrections_send_only_what_changed(actions):
    accepted = doc([("accept", DESK, {})])
    assert {"register", "register_corrected"} <= set(actions.available(accepted))
    dlg = actions.dialog("register", accepted, correct=True)
    fix = dlg.corrections
    assert fix is not None and dlg.params() == {"note": ""}  # nothing changed, nothing sent
    fix.category.select("06012")
    fix.urgency.setCurrentIndex(fix.urgency.findData("urgent"))
    fix.lon.setValue(120.18)
    assert dlg.params() == {
        "note": "",
        "category_code": "06012",
        "urgency": "urgent",
        "location": {"lon": 120.18, "lat": 30.25},
    }
    fix.category.setEditText("no such category")
    assert fix.params() is None  # the dialog refuses to close on it
    dlg.deleteLater()


def test_parking_asks_for_a_due_date_and_approval_shows_the_requested_one(actions):
    dispatched = doc(
        [("accept", DESK, {}), ("register", DESK, {}), ("dispatch", DESK, {"department_id": "A"})]
    )
    dlg = actions.dialog("park", dispatched)
    assert dlg.due is not None
    assert dlg.params()["due_date"] == (date(2026, 11, 23) + timedelta(days=30)).isoformat()
    dlg.deleteLater()
    asked = doc(
        [("accept", DESK, {}), ("register", DESK, {}), ("dispatch", DESK, {"department_id": "A"}),
         ("request_park", DEPT, {"due_date": "2026-12-20"})]
    )  # fmt: skip
    # (and 添加协办: a dispatched case may get a 协办 department at any time, docs/rules/coop.md)
    assert set(actions.available(asked)) == {"approve_park", "deny_park", "void", "add_assist"}
    dlg = actions.dialog("approve_park", asked)
    assert dlg.params()["due_date"] == "2026-12-20"
    dlg.deleteLater()


def test_desk_offers_send_back_and_self_close_where_the_table_allows(actions):
    returned = doc(
        [("accept", DESK, {}), ("register", DESK, {}), ("dispatch", DESK, {"department_id": "A"}),
         ("return", DEPT, {})]
    )  # fmt: skip
    assert set(actions.available(returned)) == {"redispatch", "send_back", "void"}
    own_fix = new_case(
        "S1", source="self", category_code="06010", lon=120.17, lat=30.25, reporter=SUP,
        role="supervisor", at=T0, limits=LIMITS, photos=["b.jpg"], photos_after=["a.jpg"],
    )  # fmt: skip
    for action in ("accept", "register"):
        own_fix = apply_action(own_fix, action, DESK, T0, CAL, LIMITS)[0]
    assert set(actions.available(own_fix.to_dict(T0, CAL, LIMITS))) == {
        "dispatch",
        "close_self",
        "void",
    }
