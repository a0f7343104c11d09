"""The demo district: departments, users, the sanitation fleet and IoT sensors.

Departments are modelled on how Hangzhou's districts split the work (district urban-management
bureau units, other bureaus, utilities, and the 14 street offices that handle street-order
matters); ``CATEGORY_ROUTES`` is the dispatch rule of thumb the simulated centre uses. Demo
users exist only when the backend is started with ``--demo``.
"""

from __future__ import annotations

import logging

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.geo.grid import UnitGrid
from console.geo.roads import RoadNetwork

from .auth import hash_password
from .db import Department, Sensor, SupervisorArea, User, Vehicle

log = logging.getLogger(__name__)

DEMO_PASSWORD = "demo"
DEMO_OPEN311_KEY = "demo-open311-key"

BUREAU_DEPARTMENTS = [
    ("sanitation", "区城管局环境卫生管理处", "环卫"),
    ("municipal", "区城管局市政设施管理中心", "市政"),
    ("streetlight", "区城管局路灯管理所", "路灯"),
    ("landscape", "区园林绿化管理中心", "园林"),
    ("construction", "区住房和城乡建设局", "住建"),
    ("traffic", "区交警大队", "交通"),
    ("water", "杭州水务集团上城分公司", "供排水"),
    ("market", "区市场监督管理局", "市场监管"),
    ("enforcement", "区综合行政执法局", "执法"),
]

#: Dispatch rule of thumb, by category major code (components 01–05, matters 06–10); matters
#: of street order go to the street office of the case's street (``"street"``).
CATEGORY_ROUTES = {
    "c01": "municipal",
    "c02": "traffic",
    "c03": "sanitation",
    "c04": "landscape",
    "c05": "construction",
    "m01": "municipal",
    "m02": "traffic",
    "m03": "sanitation",
    "m04": "landscape",
    "m05": "construction",
    "m06": "sanitation",
    "m07": "street",
    "m08": "construction",
    "m09": "street",
    "m10": "street",
}

#: An account to seed: (id, name, roles, department id or None).
Account = tuple[str, str, list[str], str | None]

DEMO_USERS: list[Account] = [
    ("demo-supervisor", "监督员 王强", ["supervisor"], None),
    ("demo-operator", "受理员 李娜", ["operator"], None),
    ("demo-lead", "值班长 张伟", ["shift_lead"], None),
    # The workstation of the embedded demo: one person holding the three centre desks.
    ("demo-console", "值班席 赵敏", ["operator", "dispatcher", "shift_lead"], None),
    ("demo-dispatcher", "派遣员 陈静", ["dispatcher"], None),
    ("demo-dept", "环卫处 刘洋", ["department"], "sanitation"),
    ("demo-wall", "指挥大屏", ["wall"], None),
    ("demo-gateway", "数据网关", ["gateway"], None),
]

FLEET = [
    ("sprinkler", 8, "洒水车"),
    ("sweeper", 10, "洗扫车"),
    ("washer", 6, "清洗车"),
    ("garbage", 10, "垃圾清运车"),
    ("inspection", 3, "巡查车"),
    ("muck", 3, "渣土车"),
]
SENSORS = [("manhole_tilt", 12, "井盖倾斜监测"), ("water_level", 6, "积水水位监测")]


def street_department_id(street_code: str) -> str:
    return f"street-{street_code}"


def route_department(category_code: str, kind: str, street_code: str | None) -> str:
    """The department a case of this category would normally be dispatched to."""
    key = ("c" if kind == "component" else "m") + category_code[:2]
    dept = CATEGORY_ROUTES.get(key, "street")
    if dept == "street":
        return street_department_id(street_code) if street_code else "enforcement"
    return dept


def seed_reference(s: Session, grid: UnitGrid, seed: int = 20261128) -> None:
    """Departments, vehicles and sensors: the district's fixed facts (idempotent)."""
    if s.scalar(select(Department.id).limit(1)) is not None:
        return
    for dept_id, name, kind in BUREAU_DEPARTMENTS:
        s.add(Department(id=dept_id, name=name, kind=kind))
    for st in grid.streets:
        s.add(
            Department(id=street_department_id(st.code), name=f"{st.name}街道办事处", kind="街道")
        )
    rng = np.random.default_rng(seed)
    roads = RoadNetwork.load()
    n = 0
    for vtype, count, zh in FLEET:
        for _ in range(count):
            n += 1
            length = {"garbage": 9000, "muck": 7000, "inspection": 8000}.get(vtype, 5000)
            route = roads.random_route(rng, length)
            s.add(
                Vehicle(
                    id=f"V{n:03d}",
                    plate=f"浙A·{'D' if vtype in ('sweeper', 'washer') else 'F'}{int(rng.integers(10000, 99999))}",
                    vtype=vtype,
                    department_id="construction" if vtype == "muck" else "sanitation",
                    route={
                        "lon": [round(float(x), 6) for x in route.lon],
                        "lat": [round(float(y), 6) for y in route.lat],
                        "name": f"{zh}线路{n:02d}",
                    },
                    status="unknown",
                    last_flags=0,
                )
            )
    k = 0
    for kind, count, zh in SENSORS:
        lon, lat = grid.random_points(count, rng)
        for i in range(count):
            k += 1
            s.add(
                Sensor(
                    id=f"S{k:03d}",
                    kind=kind,
                    name=f"{zh}{i + 1:02d}",
                    lon=float(lon[i]),
                    lat=float(lat[i]),
                    grid_code=grid.cell_code(float(lon[i]), float(lat[i])),
                )
            )
    log.info(
        "seeded %d departments, %d vehicles, %d sensors",
        len(BUREAU_DEPARTMENTS) + len(grid.streets),
        n,
        k,
    )


def sim_users(grid: UnitGrid) -> list[Account]:
    """Accounts the simulator logs in with: one field supervisor per community, one user per
    department, the automatic centre and the gateway."""
    users: list[Account] = [
        (uid, f"监督员 {name}", ["supervisor"], None)
        for _area, uid, name in supervisor_roster(grid)
        if uid != DEMO_SUPERVISOR
    ]
    users += [
        (f"dept-{d}", f"{name} 处置员", ["department"], d) for d, name, _ in BUREAU_DEPARTMENTS
    ]
    users += [
        (
            f"dept-{street_department_id(st.code)}",
            f"{st.name}街道 处置员",
            ["department"],
            street_department_id(st.code),
        )
        for st in grid.streets
    ]
    users += [
        ("sim-centre", "自动指挥中心", ["operator", "shift_lead", "dispatcher"], None),
        ("sim-citizen-hotline", "12345热线", ["operator"], None),
    ]
    return users


def seed_demo_users(s: Session, grid: UnitGrid) -> None:
    """The demo and simulator accounts, all with the password ``demo`` (``--demo`` only)."""
    pw = hash_password(DEMO_PASSWORD)  # one slow hash shared: these are throwaway demo accounts
    existing = set(s.scalars(select(User.id)).all())
    for uid, name, roles, dept in DEMO_USERS + sim_users(grid):
        if uid not in existing:
            s.add(
                User(
                    id=uid,
                    name=name,
                    roles=roles,
                    department_id=dept,
                    password_hash=pw,
                    active=True,
                )
            )
    s.flush()
    seed_supervisor_areas(s, grid)


#: The demo's own field supervisor (王强) walks the community around this point: 湖滨, by the
#: lake, where the demo and the tests report their cases. Every other community has a
#: simulated supervisor ``sup-<community code>``.
DEMO_SUPERVISOR = "demo-supervisor"
DEMO_SUPERVISOR_AT = (120.17, 30.25)


def supervisor_roster(grid: UnitGrid) -> list[tuple[str, str, str]]:
    """(area code, supervisor id, area name): one field supervisor per community.

    Why a community: a community (~1 km², ~100 cells of 100 m here) is a walk of an hour or
    two, so each cell is seen at least once or twice a day, and its border is one the
    community office and the residents know. Practice ranges from Beijing Dongcheng's dense
    first system (2004: 1 652 cells of ~10 000 m²) to 2–4 km² per supervisor (Chengdu, 2019);
    a central district sits towards the dense end. Sources: docs/rules/supervisors_public.md.
    """
    demo_cell = grid.cell_code(*DEMO_SUPERVISOR_AT)
    demo_area = demo_cell[:12] if demo_cell else None
    return [
        (c.code, DEMO_SUPERVISOR if c.code == demo_area else f"sup-{c.code}", c.name)
        for c in grid.communities
    ]


def seed_supervisor_areas(s: Session, grid: UnitGrid) -> None:
    """Each community's responsible supervisor (idempotent; an area already set is kept)."""
    existing = set(s.scalars(select(SupervisorArea.area_code)).all())
    for area, uid, _name in supervisor_roster(grid):
        if area not in existing:
            s.add(SupervisorArea(area_code=area, user_id=uid))
