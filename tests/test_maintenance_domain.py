"""养护 work orders, pure rules: plan types, states, roles, deadlines, component states, KPIs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.domain import maintenance as m

T0 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def comp(code: str, category: str = "01037", owner: str = "streetlight") -> dict:
    return {
        "code": code,
        "category_code": category,
        "location": {"lon": 120.17, "lat": 30.25},
        "owner_department_id": owner,
        "grid_code": "g1",
        "street_code": "s1",
    }


def order(n: int = 2) -> dict:
    comps = [comp(f"33010201037{i:05d}") for i in range(1, n + 1)]
    return m.new_order("WO-1", "light_night_patrol", comps, T0, "lead", "shift_lead")


CENTRE = ("u-c", {"dispatcher"}, None)
CREW = ("u-d", {"department"}, "streetlight")


def act(o, action, at, who=CREW, **kw):
    user, roles, dept = who
    return m.apply(o, action, at, user, roles, dept, **kw)


def test_every_category_of_the_inventory_has_one_plan_type_with_a_basis():
    from console.geo.inventory import SPECS

    cats = {s.category for s in SPECS}
    assert cats == set(m.PLAN_OF_CATEGORY)
    for p in m.PLAN_TYPES.values():
        assert p.basis and p.interval_days > 0 and p.work_hours > 0


def test_an_order_walks_its_states_with_deadlines():
    o = order()
    assert o["state"] == m.PLANNED and o["department_id"] == "streetlight"
    assert m._t(o["due_at"]) == T0 + timedelta(hours=m.DISPATCH_HOURS)
    o = act(o, "dispatch", T0 + timedelta(hours=1), CENTRE)
    assert o["state"] == m.DISPATCHED
    assert m._t(o["work_due_at"]) == T0 + timedelta(hours=25)
    assert m.component_states(o) == {}
    o = act(o, "start", T0 + timedelta(hours=2))
    assert set(m.component_states(o).values()) == {m.REPAIRING}
    code = o["components"][0]
    o = act(o, "finish", T0 + timedelta(hours=3), findings={code: m.DAMAGED})
    assert o["state"] == m.ACCEPTING and o["on_time"] is True
    assert m.component_states(o) == {code: m.DAMAGED, o["components"][1]: m.NORMAL}
    o = act(o, "reject", T0 + timedelta(hours=4), CENTRE)
    assert o["state"] == m.WORKING and o["findings"] == {}
    o = act(o, "finish", T0 + timedelta(hours=30))  # past the work deadline: late
    assert o["on_time"] is False and o["events"][-1]["late"] is True
    o = act(o, "accept", T0 + timedelta(hours=31), CENTRE)
    assert o["state"] == m.DONE and o["due_at"] is None
    assert [e["action"] for e in o["events"]] == [
        "create",
        "dispatch",
        "start",
        "finish",
        "reject",
        "finish",
        "accept",
    ]


@pytest.mark.parametrize(
    ("action", "who", "status"),
    [
        ("start", CENTRE, 403),  # the centre does not do the crew's work
        ("dispatch", CREW, 403),  # nor the crew its own 派单
        ("start", ("u-x", {"department"}, "water"), 403),  # not the owner's crew... after 派单
        ("finish", CREW, 422),  # not in 施工: a refused transition
        ("fly", CREW, 400),
    ],
)
def test_refusals(action, who, status):
    o = order()
    if action == "start" and who[2] == "water":
        o = act(o, "dispatch", T0, CENTRE)
    with pytest.raises(m.OrderError) as e:
        act(o, action, T0, who)
    assert e.value.status == status


def test_cancel_only_by_the_shift_lead_and_not_once_started():
    o = order()
    with pytest.raises(m.OrderError) as e:
        act(o, "cancel", T0, CENTRE)
    assert e.value.status == 403
    lead = ("u-l", {"shift_lead"}, None)
    assert act(o, "cancel", T0, lead)["state"] == m.CANCELLED
    o = act(act(o, "dispatch", T0, CENTRE), "start", T0)
    with pytest.raises(m.OrderError) as e:
        act(o, "cancel", T0, lead)
    assert e.value.status == 422


def test_new_order_refuses_mixed_owners_wrong_categories_and_duplicates():
    a = comp("3301020100700001", "01007", "telecom")
    b = comp("3301020100700002", "01007", "mobile")
    with pytest.raises(m.OrderError, match="one owner"):
        m.new_order("W", "manhole_cover_check", [a, b], T0, "u", "dispatcher")
    with pytest.raises(m.OrderError, match="not covered"):
        m.new_order("W", "light_night_patrol", [a], T0, "u", "dispatcher")
    with pytest.raises(m.OrderError, match="twice"):
        m.new_order("W", "manhole_cover_check", [a, a], T0, "u", "dispatcher")
    with pytest.raises(m.OrderError, match="1 to"):
        m.new_order("W", "manhole_cover_check", [], T0, "u", "dispatcher")


def test_findings_must_name_the_orders_components_and_a_fault():
    o = act(act(order(), "dispatch", T0, CENTRE), "start", T0)
    with pytest.raises(m.OrderError, match="not on this order"):
        act(o, "finish", T0, findings={"3301020103799999": m.DAMAGED})
    with pytest.raises(m.OrderError, match="a finding"):
        act(o, "finish", T0, findings={o["components"][0]: m.REPAIRING})


def walked(oid: str, finish_h: float, accept_h: float | None) -> dict:
    o = dict(order(), id=oid)
    o = act(act(o, "dispatch", T0, CENTRE), "start", T0 + timedelta(hours=1))
    o = act(o, "finish", T0 + timedelta(hours=finish_h))
    if accept_h is not None:
        o = act(o, "accept", T0 + timedelta(hours=accept_h), CENTRE)
    return o


def test_kpis_count_due_orders_and_list_them():
    on_time = walked("A", 5, 6)
    late = walked("B", 30, 31)  # work due at T0+24h
    waiting = walked("C", 5, None)  # finished, not yet accepted, deadline in the period
    start, end = T0, T0 + timedelta(days=2)
    (row,) = m.maintenance_kpis([on_time, late, waiting], start, end, {"streetlight": "路灯所"})
    assert row["name"] == "路灯所"
    assert row["indicators"][m.COMPLETION] == {"numerator": 2, "denominator": 3, "value": 2 / 3}
    assert row["indicators"][m.ON_TIME]["numerator"] == 1
    assert m.kpi_orders(
        [on_time, late, waiting], start, end, "streetlight", m.ON_TIME, "numerator"
    ) == ["A"]
    # A period ending before the acceptance (at +6 h) reads the order as still open: its work
    # deadline (+24 h) is not in a period ending at +5.5 h, so nothing is due yet; a period
    # holding the deadline counts it due and not completed.
    assert m.maintenance_kpis([on_time], T0, T0 + timedelta(hours=5, minutes=30)) == []
    (row,) = m.maintenance_kpis([waiting], T0 + timedelta(hours=20), T0 + timedelta(hours=25))
    assert row["indicators"][m.COMPLETION] == {"numerator": 0, "denominator": 1, "value": 0.0}
    with pytest.raises(ValueError):
        m.kpi_orders([], start, end, "x", "nope", "numerator")


def test_the_kpi_resource_defines_the_indicators():
    from console.domain.kpi import definitions

    defs = definitions()
    for k in m.INDICATORS:
        assert defs[k]["kinds"] == ["maintenance"] and defs[k]["source"]
