"""Dispatch routing per matter and the 部件 inventory, over real HTTP where it matters.

The issue's list of wrong routes (私搭乱建, 油烟, 噪声, 露天烧烤 → 综合行政执法; 道路破损 → 市政;
交通标线 → 交警; 河道污染 → 河道; 路灯 → 路灯所) is checked on the backend's published table and
real cases; a manhole case routes by its owner; every category has a line and every
department a line or an owner names exists; component codes have the documented layout.
"""

from __future__ import annotations

import csv
import hashlib
import re
import sqlite3
import uuid
from datetime import date

import numpy as np
import pytest
from conftest import Api, start_backend

from console.domain.categories import CategoryCatalog
from console.domain.components import (
    ATTACH_RADIUS_M,
    component_code,
    degree_box,
    parse_component_code,
)
from console.domain.geometry import haversine_m
from console.domain.routing import BY_MATTER, BY_OWNER, STREET, RoutingTable
from console.geo.district import District
from console.geo.grid import UnitGrid
from console.geo.inventory import SPECS, ComponentIndex, generate
from console.geo.roads import RoadNetwork
from console.server.seed import BUREAU_DEPARTMENTS
from resources import resource_path

#: The issue's list: category → the department *kind* (``departments.kind``) it must reach.
LISTED = {
    "06001": "执法",  # 私搭乱建
    "06027": "执法",  # 油烟污染
    "06028": "执法",  # 噪声扰民
    "06029": "执法",  # 露天烧烤
    "06013": "市政",  # 道路破损
    "06016": "交通",  # 交通标线不清晰
    "06026": "河道",  # 河道污染 (issue 16: the river department, no longer 林水)
    "01037": "路灯",  # 路灯异常 (no component nearby: the matter's line)
    "01001": "供排水",  # 供水井盖
    "01002": "供排水",  # 污水井盖
    "01003": "供排水",  # 雨水井盖
    "01005": "电力",  # 电力井盖
    "01011": "燃气",  # 燃气井盖
    "01006": "路灯",  # 路灯井盖
    "01007": "通信",  # 通信井盖
    "01013": "消防",  # 消防设施
    "09012": "消防",  # 占用消防通道
    "09015": "市场监管",  # 无证餐饮
    "01076": "市场监管",  # 公用电梯
    "06010": "环卫",  # 暴露垃圾
}
# A point in the district far (> 30 m) from every road, so no component is attached.
OFF_ROAD = (120.17, 30.25)


@pytest.fixture(scope="module")
def inventory() -> ComponentIndex:
    return ComponentIndex.build(District.load(), UnitGrid.load(), RoadNetwork.load())


@pytest.fixture(scope="module")
def ref(login) -> dict:
    r = login("demo-wall").get("/api/v1/reference")
    assert r.status_code == 200
    return r.json()


def _kind_of(ref: dict) -> dict[str, str]:
    return {d["id"]: d["kind"] for d in ref["departments"]}


def _report(api, category: str, lon: float, lat: float, **extra):
    return api.post(
        "/api/v1/cases",
        key=uuid.uuid4().hex,
        json={
            "source": "supervisor",
            "category_code": category,
            "location": {"lon": lon, "lat": lat},
            **extra,
        },
    )


# ---- the table --------------------------------------------------------------------------


def test_every_category_code_has_exactly_one_routing_line_with_a_basis():
    table = RoutingTable.load()
    catalog = CategoryCatalog.load()
    # Every 5-digit code of the shipped categories.tsv, components and matters (the legacy
    # schemes' 4-digit codes are not accepted for cases, so they need no line).
    with open(resource_path("categories.tsv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    codes = {r["minor_code"] for r in rows if len(r["minor_code"]) == 5}
    assert codes == {c.code for c in catalog}
    assert set(table.to_list()[i]["code"] for i in range(len(table))) == codes
    assert len(table) == len(codes) == 250
    for line in table.to_list():
        assert line["basis"].strip(), line
        assert line["name_zh"] == catalog.get(line["code"]).name_zh


def test_every_department_a_route_or_an_owner_names_exists(ref, inventory):
    ids = {d["id"] for d in ref["departments"]}
    table = RoutingTable.from_rows(ref["routing"])
    assert table.departments() <= ids, table.departments() - ids
    assert set(inventory.inv.owner.tolist()) <= ids
    # ``street`` resolves to a street office that exists, for every street.
    for st in ref["streets"]:
        dept = table.route("06036", st["code"]).department_id
        assert dept in ids and _kind_of(ref)[dept] == "街道"


def test_the_departments_that_never_received_anything_now_do():
    named = RoutingTable.load().departments()
    for dept in ("streetlight", "water", "market", "forestry_water", "gas", "power", "fire"):
        assert dept in named, dept
    assert {d for d, _, _ in BUREAU_DEPARTMENTS} >= named


def test_published_table_equals_the_shipped_one(ref):
    assert ref["routing"] == RoutingTable.load().to_list()
    assert "category_routes" not in ref


# ---- real cases over HTTP ---------------------------------------------------------------


@pytest.mark.parametrize("category,kind", sorted(LISTED.items()))
def test_listed_matters_route_to_the_right_kind_of_department(login, ref, category, kind):
    sup, op, lead, disp = (
        login(u) for u in ("demo-supervisor", "demo-operator", "demo-lead", "demo-dispatcher")
    )
    r = _report(sup, category, *OFF_ROAD)
    assert r.status_code == 200, r.text
    case = r.json()
    assert case["component_code"] is None  # off the roads: the matter's line decides
    routed = RoutingTable.from_rows(ref["routing"]).route(
        case["category_code"], case["street_code"], case["component_owner"]
    )
    assert routed.reason == BY_MATTER and routed.basis
    assert _kind_of(ref)[routed.department_id] == kind
    # And the backend accepts that department for dispatch.
    c = op.act(case, "accept").json()
    c = lead.act(c, "register").json()
    r = disp.act(c, "dispatch", department_id=routed.department_id)
    assert r.status_code == 200, r.text
    assert r.json()["department_id"] == routed.department_id


def test_a_manhole_case_routes_by_its_owner_not_by_its_category(login, ref, inventory):
    sup = login("demo-supervisor")
    table = RoutingTable.from_rows(ref["routing"])
    # An electric manhole: reported 10 m off, without a code, it is attached and routed to
    # the power company.
    power = login("demo-wall").get("/api/v1/components", params={"category": "01005"}).json()
    comp = power["components"][3]
    lon, lat = comp["location"]["lon"], comp["location"]["lat"]
    r = _report(sup, "01005", lon + 10 / (111_195 * np.cos(np.radians(lat))), lat)
    case = r.json()
    assert case["component_code"] == comp["code"]
    assert case["component_owner"] == comp["owner_department_id"] == "power"
    routed = table.route(case["category_code"], case["street_code"], case["component_owner"])
    assert (routed.department_id, routed.reason) == ("power", BY_OWNER)
    assert _kind_of(ref)["power"] == "电力"
    # A telecom manhole owned by 移动 goes to 移动, where the matter's line would say 电信.
    rows = np.flatnonzero(inventory.inv.owner == "mobile")
    code = str(inventory.inv.code[rows[0]])
    at = inventory.doc(int(rows[0]))["location"]
    case = _report(sup, "01007", at["lon"], at["lat"], component_code=code).json()
    assert (case["component_code"], case["component_owner"]) == (code, "mobile")
    routed = table.route(case["category_code"], case["street_code"], case["component_owner"])
    assert routed.department_id == "mobile" != table.get("01007").department  # type: ignore[union-attr]


def test_nearest_component_is_attached_only_within_the_radius(login, inventory):
    sup = login("demo-supervisor")
    i = int(np.flatnonzero(inventory.inv.category == "01013")[10])
    lon, lat = float(inventory.inv.lon[i]), float(inventory.inv.lat[i])
    m_lat = 1 / 111_195
    near = _report(sup, "01013", lon, lat + 20 * m_lat).json()
    assert near["component_code"] == inventory.inv.code[i]
    assert near["component_owner"] == "water"  # hydrants: the water supplier maintains them
    hit = inventory.nearest("01013", lon, lat + 45 * m_lat, ATTACH_RADIUS_M)
    far = _report(sup, "01013", lon, lat + 45 * m_lat).json()
    assert far["component_code"] == (None if hit is None else inventory.inv.code[hit[0]])
    # A matter category never gets a component.
    assert _report(sup, "06010", lon, lat).json()["component_code"] is None


def test_named_component_must_exist_and_match_the_category(login, inventory):
    sup = login("demo-supervisor")
    i = int(np.flatnonzero(inventory.inv.category == "01005")[0])
    code = str(inventory.inv.code[i])
    lon, lat = float(inventory.inv.lon[i]), float(inventory.inv.lat[i])
    for category, comp, status, err in (
        ("01002", code, 400, "component_category_mismatch"),
        ("06010", code, 400, "component_category_mismatch"),
        ("01005", "3301020100599999", 400, "unknown_component"),
        ("01005", "33010201005", 400, None),  # not 16 digits: schema
        ("01005", "3301020100500000", 400, "bad_component_code"),  # serial 0
    ):
        r = _report(sup, category, lon, lat, component_code=comp)
        assert r.status_code == status, (category, comp, r.text)
        if err:
            assert r.json()["error"]["code"] == err


def test_an_existing_database_gains_the_new_departments(tmp_path):
    """A database made before these departments existed gets them (and their simulator
    users) on the next start; its own cases and departments are kept."""
    path = tmp_path / "old.db"
    b = start_backend(f"sqlite:///{path}")
    case = Api(b.url, "demo-supervisor").report(category="06027")
    b.stop()
    with sqlite3.connect(path) as db:  # as a database of the previous version had it
        db.execute("DELETE FROM sessions")
        db.execute("DELETE FROM users WHERE department_id IN ('power', 'forestry_water')")
        db.execute("DELETE FROM departments WHERE id IN ('power', 'forestry_water')")
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM departments WHERE id='power'").fetchone() == (0,)
    b = start_backend(f"sqlite:///{path}")
    try:
        api = Api(b.url, "dept-power")  # the simulator's user of the department is back too
        ids = {d["id"] for d in api.get("/api/v1/reference").json()["departments"]}
        assert {"power", "forestry_water", "sanitation"} <= ids
        assert api.get(f"/api/v1/cases/{case['id']}").status_code == 200
    finally:
        b.stop()


# ---- the inventory over HTTP --------------------------------------------------------------


def test_components_endpoint_box_category_paging_and_codes(login):
    api = login("demo-wall")
    box = ",".join(f"{v:.6f}" for v in degree_box(120.20, 30.30, 800))
    r = api.get("/api/v1/components", params={"bbox": box, "limit": 50})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] > 50 and body["truncated"] and len(body["components"]) == 50
    minx, miny, maxx, maxy = (float(v) for v in box.split(","))
    for c in body["components"]:
        assert re.fullmatch(r"\d{16}", c["code"])
        adcode, category, serial = parse_component_code(c["code"])
        assert (adcode, category) == ("330102", c["category_code"]) and serial >= 1
        assert minx <= c["location"]["lon"] <= maxx and miny <= c["location"]["lat"] <= maxy
        assert c["street_code"] == c["grid_code"][:9]
        assert api.get(f"/api/v1/components/{c['code']}").json() == c
    codes = [c["code"] for c in body["components"]]
    assert codes == sorted(codes)
    page2 = api.get("/api/v1/components", params={"bbox": box, "limit": 50, "offset": 50})
    assert page2.json()["components"][0]["code"] > codes[-1]
    lights = api.get("/api/v1/components", params={"bbox": box, "category": "01037"}).json()
    assert lights["total"] > 0
    assert {c["category_code"] for c in lights["components"]} == {"01037"}
    assert {c["owner_department_id"] for c in lights["components"]} == {"streetlight"}


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "1,2,3"},
        {"bbox": "a,b,c,d"},
        {"bbox": "120.3,30.3,120.2,30.2"},
        {"bbox": "nan,30,121,31"},
        {"category": "06010"},
        {"category": "1"},
        {"limit": 0},
        {"limit": 100000},
        {"offset": -1},
    ],
)
def test_components_bad_input_is_400(login, params):
    r = login("demo-wall").get("/api/v1/components", params=params)
    assert r.status_code == 400, r.text


def test_component_by_code_bad_and_unknown(login):
    api = login("demo-wall")
    assert api.get("/api/v1/components/12345").status_code == 400
    assert api.get("/api/v1/components/33010201005000x1").status_code == 400
    assert api.get("/api/v1/components/3301020100599999").status_code == 404


# ---- the inventory itself ------------------------------------------------------------------


def test_component_code_layout():
    assert component_code("330102", "01005", 17) == "3301020100500017"
    assert parse_component_code("3301020100500017") == ("330102", "01005", 17)
    for bad in (("33010", "01005", 1), ("330102", "0105", 1), ("330102", "01005", 0)):
        with pytest.raises(ValueError):
            component_code(*bad)
    with pytest.raises(ValueError):
        component_code("330102", "01005", 100_000)
    for bad in ("330102010050001", "33010201005000170", "330102010050001x", "3301020100500000"):
        with pytest.raises(ValueError):
            parse_component_code(bad)


def test_inventory_is_realistic_owned_and_inside(inventory):
    inv = inventory.inv
    roads = RoadNetwork.load()
    km = roads.total_length_m / 1000
    counts = {c: int((inv.category == c).sum()) for c in inventory.categories}
    # Street lights both sides at 35 m: about 2 × 1000/35 ≈ 57 per km of road (less the
    # junction clearances); hydrants at most 120 m apart: about 8 per km.
    assert 45 <= counts["01037"] / km <= 60
    assert 6 <= counts["01013"] / km <= 9
    assert len(inv) > 50_000
    assert set(counts) == {s.category for s in SPECS}
    # Telecom wells are shared among the three operators.
    tel = inv.owner[inv.category == "01007"]
    assert set(tel.tolist()) == {"telecom", "mobile", "unicom"}
    assert all(s.basis for s in SPECS)
    assert (UnitGrid.load().lookup(inv.lon, inv.lat) >= 0).all()
    assert len(set(inv.code.tolist())) == len(inv)


def test_inventory_is_deterministic_and_pinned(inventory):
    again = generate(District.load(), UnitGrid.load(), RoadNetwork.load())
    assert again.code.tolist() == inventory.inv.code.tolist()
    # Component codes are stored in cases: a change to the roads, the specs, the seed or the
    # placement renumbers them. If that is intended, migrate stored codes and update.
    h = hashlib.sha256()
    for c, o, x, y in zip(
        again.code.tolist(), again.owner.tolist(), again.lon, again.lat, strict=True
    ):
        h.update(f"{c} {o} {x:.5f} {y:.5f}\n".encode())
    assert h.hexdigest()[:16] == "ce730cabf051ae2c"


def test_indexed_nearest_equals_the_naive_scan(inventory):
    inv = inventory.inv
    rng = np.random.default_rng(7)
    for i in rng.integers(len(inv), size=400):
        cat = str(inv.category[i])
        lon = float(inv.lon[i]) + rng.normal(0, 2e-4)
        lat = float(inv.lat[i]) + rng.normal(0, 2e-4)
        a = inventory.nearest(cat, lon, lat, ATTACH_RADIUS_M)
        assert a == inventory.nearest_naive(cat, lon, lat, ATTACH_RADIUS_M)
        if a is not None:
            d = haversine_m(lon, lat, inv.lon[a[0]], inv.lat[a[0]])
            assert abs(float(d) - a[1]) < 1e-6 and a[1] <= ATTACH_RADIUS_M


def test_route_rule_owner_first_then_line_then_street():
    table = RoutingTable.load()
    assert table.route("01005", "330102001", "power").reason == BY_OWNER
    r = table.route("06036", "330102004")
    assert (r.department_id, r.reason) == ("street-330102004", BY_MATTER)
    assert table.get("06036").department == STREET  # type: ignore[union-attr]
    assert table.route("06036", None).department_id is None
    assert table.route("99999", "330102004").department_id is None


# ---- the console ---------------------------------------------------------------------------


def test_dispatch_dialog_preselects_the_routed_department_and_says_why(qtbot, login, ref):
    from console.state import CityState
    from widgets.dialogs.case_actions import ParamsDialog

    state = CityState()
    state.set_reference(ref)
    sup = login("demo-supervisor")
    power = login("demo-wall").get("/api/v1/components", params={"category": "01005"}).json()
    comp = power["components"][5]
    by_owner = _report(
        sup, "01005", comp["location"]["lon"], comp["location"]["lat"], component_code=comp["code"]
    ).json()
    by_matter = _report(sup, "06027", *OFF_ROAD).json()
    names = _kind_of(ref)
    for case, dept, why in (
        (by_owner, "power", comp["code"]),
        (by_matter, "enforcement", "中发〔2015〕37号"),
    ):
        dlg = ParamsDialog("dispatch", case, state, None, date(2026, 11, 30))
        qtbot.addWidget(dlg)
        assert dlg.params()["department_id"] == dept, names[dept]
        assert why in dlg.route_reason.text()
