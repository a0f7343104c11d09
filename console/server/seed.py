"""The demo district: departments, users, the sanitation fleet and IoT sensors.

Departments are modelled on how Hangzhou's districts split the work (district urban-management
bureau units, other bureaus, utilities, and the 14 street offices that handle street-order
matters); which department a case goes to is ``console.domain.routing`` (resources/routing.tsv),
and every department it names is seeded here. Demo users exist only when the backend is started
with ``--demo``.
"""

from __future__ import annotations

import logging

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.field_units import FIELD_UNIT_TYPES, OFFICER, SUPERVISOR
from console.domain.routing import street_department_id
from console.geo.grid import UnitGrid
from console.geo.roads import RoadNetwork

from . import rivers
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
    # Added for per-matter routing (issue 11): the bureaus and utilities a district centre
    # really dispatches to (see docs/rules/routing.md for who owns what).
    ("forestry_water", "区林业水利局（河道）", "林水"),
    ("eco", "市生态环境局上城分局", "生态环境"),
    ("fire", "区消防救援大队", "消防"),
    ("police", "区公安分局", "公安"),
    ("culture", "区文化和广电旅游体育局", "文旅"),
    ("gas", "杭州市燃气集团", "燃气"),
    ("power", "国网杭州供电公司", "电力"),
    ("telecom", "中国电信杭州分公司", "通信"),
    ("mobile", "中国移动杭州分公司", "通信"),
    ("unicom", "中国联通杭州分公司", "通信"),
    ("cable_tv", "华数传媒（广电网络）", "广电"),
    ("bus", "杭州市公共交通集团", "公交"),
    ("metro", "杭州市地铁集团", "地铁"),
    # 智慧河道 (issue 16): the district's river upkeep and patrols (docs/rules/rivers.md).
    ("river", "区城管局河道管理中心", "河道"),
]

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
    # 行政执法 (console.domain.enforcement): two officers, as every case needs (第四十二条),
    # and the 法制审核 who approves 立案 and decides.
    ("demo-officer", "执法队员 周杰", ["officer"], None),
    ("demo-officer2", "执法队员 吴磊", ["officer"], None),
    ("demo-legal", "法制审核 孙丽", ["legal"], None),
]

FLEET = [
    ("sprinkler", 8, "洒水车"),
    ("sweeper", 10, "洗扫车"),
    ("washer", 6, "清洗车"),
    ("garbage", 10, "垃圾清运车"),
    ("inspection", 3, "巡查车"),
    ("muck", 3, "渣土车"),
]
#: The demo's sensors by kind (``console.domain.sensor_kinds``): the first two as the alert
#: tests know them; the others appended, so a seed places the first two where it always did.
SENSORS = [
    ("manhole_tilt", 12, "井盖倾斜监测"),
    ("water_level", 6, "积水水位监测"),
    ("bin_fill", 6, "垃圾桶满溢监测"),
    ("light_fault", 6, "路灯故障监测"),
    ("noise", 3, "噪声监测"),
    ("dust", 3, "扬尘监测"),
]
#: The demo district's fleet (``FLEET``): 40 vehicles.
DEMO_FLEET_SIZE = sum(count for _, count, _ in FLEET)


def fleet_mix(total: int) -> list[tuple[str, int, str]]:
    """``FLEET`` scaled to ``total`` vehicles in the same mix of types (largest remainders, so
    the counts add up to ``total``; ``DEMO_FLEET_SIZE`` gives ``FLEET`` itself)."""
    exact = [count * total / DEMO_FLEET_SIZE for _, count, _ in FLEET]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(FLEET)), key=lambda i: counts[i] - exact[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return [(vtype, n, zh) for (vtype, _, zh), n in zip(FLEET, counts, strict=True)]


def seed_reference(
    s: Session, grid: UnitGrid, seed: int = 20261128, vehicles: int = DEMO_FLEET_SIZE
) -> None:
    """Departments, ``vehicles`` vehicles (the demo's mix, ``fleet_mix``) and sensors: the
    district's fixed facts (idempotent). On an existing database only departments added since
    it was made are added; its fleet stays as it is (a log line says so when ``vehicles``
    asked for another size)."""
    if s.scalar(select(Department.id).limit(1)) is not None:
        add_missing_departments(s, grid)
        add_missing_terminal_ids(s)
        add_missing_staff(s, grid)
        rivers.add_missing(s, grid)
        have = s.scalar(
            select(func.count()).select_from(Vehicle).where(Vehicle.vtype.not_in(FIELD_UNIT_TYPES))
        )
        if have != vehicles:
            log.warning(
                "the database has %d vehicles; a fleet of %d is seeded on a new database only",
                have,
                vehicles,
            )
        return
    add_missing_departments(s, grid)
    rng = np.random.default_rng(seed)
    roads = RoadNetwork.load()
    n = 0
    for vtype, count, zh in fleet_mix(vehicles):
        for _ in range(count):
            n += 1
            length = {"garbage": 9000, "muck": 7000, "inspection": 8000}.get(vtype, 5000)
            route = roads.random_route(rng, length)
            s.add(
                Vehicle(
                    id=f"V{n:03d}",
                    terminal_id=terminal_id_for(n),
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
    add_missing_staff(s, grid)
    rivers.add_missing(s, grid)
    log.info(
        "seeded %d departments, %d vehicles, %d sensors",
        len(BUREAU_DEPARTMENTS) + len(grid.streets),
        n,
        k,
    )


def terminal_id_for(n: int) -> str:
    """The demo's n-th vehicle terminal's SIM number: 11 digits in the 1440 range China's
    carriers give IoT SIMs (物联网卡, 14x-numbers, MIIT's numbering plan), unique per vehicle."""
    return f"1440{n:07d}"


def add_missing_terminal_ids(s: Session) -> list[str]:
    """A database made before vehicles had terminal ids gets them, numbered in id order like a
    new fleet's (V001 → 14400000001), skipping numbers already taken. The sanitation fleet's
    only: people report from phones with no terminal (their None is not missing), and river
    patrols are seeded with their own."""
    missing = list(
        s.scalars(
            select(Vehicle)
            .where(Vehicle.terminal_id.is_(None), Vehicle.vtype.not_in(FIELD_UNIT_TYPES))
            .order_by(Vehicle.id)
        )
    )
    if not missing:
        return []
    taken = set(s.scalars(select(Vehicle.terminal_id).where(Vehicle.terminal_id.is_not(None))))
    n = 0
    for v in missing:
        n += 1
        while terminal_id_for(n) in taken:
            n += 1
        v.terminal_id = terminal_id_for(n)
    return [v.id for v in missing]


def district_departments(grid: UnitGrid) -> list[tuple[str, str, str]]:
    """Every department of the district as (id, name, kind): bureaus, utilities, streets."""
    return BUREAU_DEPARTMENTS + [
        (street_department_id(st.code), f"{st.name}街道办事处", "街道") for st in grid.streets
    ]


def add_missing_departments(s: Session, grid: UnitGrid) -> list[str]:
    """Add the departments this version knows and the database lacks; their ids."""
    existing = set(s.scalars(select(Department.id)).all())
    added = []
    for dept_id, name, kind in district_departments(grid):
        if dept_id not in existing:
            s.add(Department(id=dept_id, name=name, kind=kind))
            added.append(dept_id)
    if added:
        s.flush()
        log.info("added %d departments: %s", len(added), ", ".join(added))
    return added


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
    users += [(uid, f"执法队员 {name}", ["officer"], None) for uid, name in SIM_OFFICERS]
    users += [("sim-legal", "法制审核 郑红", ["legal"], None)]
    return users


def demo_account_ids(grid: UnitGrid) -> frozenset[str]:
    """Every demo and simulator account id: active only under ``--demo``, never a real user's."""
    return frozenset(u[0] for u in DEMO_USERS + sim_users(grid))


#: scrypt cost of the demo accounts' hash. Their password is ``demo``, printed in the README:
#: a slow hash protects nothing there, and at a demo's start the simulator's dozen actors and
#: the console log in at once, queued on the hash pool (one worker on two cores): at the real
#: accounts' n = 2^14 (~70 ms each) the console's login waited ~0.5 s behind them; at 2^10
#: each takes ~5 ms. Real users (``main.py users``, the admin endpoint) keep 2^14.
DEMO_HASH_N = 2**10


def seed_demo_users(s: Session, grid: UnitGrid) -> None:
    """The demo and simulator accounts, all with the password ``demo`` (``--demo`` only)."""
    pw = hash_password(DEMO_PASSWORD, n=DEMO_HASH_N)  # one hash shared: throwaway accounts
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


#: The simulator's enforcement officers (console.sim.enforcement), who work in pairs.
SIM_OFFICERS = [
    ("sim-officer-1", "何军"),
    ("sim-officer-2", "冯涛"),
    ("sim-officer-3", "许斌"),
    ("sim-officer-4", "曹毅"),
]

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


#: Enforcement officers per 街道 squad (执法中队): four walk the street in the 错时 roster of
#: ``console.domain.duty.OFFICER_SHIFT``; docs/rules/duty.md gives the reason.
OFFICERS_PER_STREET = 4


def staff_units(grid: UnitGrid) -> list[tuple[str, str, str, dict[str, object]]]:
    """The position units of people (id, name, type, assignment): one per supervisor of the
    roster (linked to his user, his community as area) and a squad of officers per street
    (the street as area). The assignment is kept in the unit's ``route`` column, a person's
    counterpart of a vehicle's assigned route."""
    names = {c.code: c.name for c in grid.communities}
    out: list[tuple[str, str, str, dict[str, object]]] = [
        (
            f"P-{uid}"[:32],
            f"监督员 {name}" if uid != DEMO_SUPERVISOR else "监督员 王强",
            SUPERVISOR,
            {"user_id": uid, "area": [area], "street": area[:9], "name": names.get(area, "")},
        )
        for area, uid, name in supervisor_roster(grid)
    ]
    for st in grid.streets:
        for k in range(1, OFFICERS_PER_STREET + 1):
            out.append(
                (
                    f"E-{st.code}-{k}",
                    f"执法队员 {st.name}{k:02d}",
                    OFFICER,
                    {"user_id": None, "area": [st.code], "street": st.code, "name": st.name},
                )
            )
    return out


def add_missing_staff(s: Session, grid: UnitGrid) -> list[str]:
    """Seed the people's position units this database lacks (idempotent); their ids."""
    existing = set(s.scalars(select(Vehicle.id).where(Vehicle.vtype.in_(FIELD_UNIT_TYPES))))
    added = []
    for uid, name, vtype, assignment in staff_units(grid):
        if uid in existing:
            continue
        s.add(
            Vehicle(
                id=uid,
                plate=name,
                vtype=vtype,
                department_id="enforcement" if vtype == OFFICER else None,
                route=assignment,
                status="unknown",
                last_flags=0,
            )
        )
        added.append(uid)
    if added:
        s.flush()
        log.info("added %d position units of people", len(added))
    return added
