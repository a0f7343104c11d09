"""The district simulator: many clients driving the backend through its public API.

Three threads: the *follower* reads the change feed (as the wall display would) and decides
what each actor does next about every case it sees change; the *actor* thread runs those
decisions and the planned reports at their district times, each with the actor's own
login; the *terminal* thread posts vehicle fixes and sensor readings. Decisions are keyed by
(case, version), so a change seen twice is acted on once, and every action carries its
Idempotency-Key and the version it was decided on (a 409 just means someone was quicker).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from console.clock import VirtualClock
from console.domain.calendar import WorkCalendar
from console.domain.callback import SATISFACTION_ZH, UNREACHED, callback_open
from console.domain.case import Case
from console.domain.china_time import CST
from console.domain.components import degree_box
from console.domain.field_tasks import responsible_supervisor
from console.domain.field_units import is_sanitation
from console.domain.geometry import haversine_m
from console.domain.limits import TimeLimits
from console.domain.rivers import PATROL_TYPES
from console.domain.routing import RoutingTable, street_department_id
from console.domain.workflow import TIME_REQUESTS
from console.geo.geocode import Geocoder
from console.geo.grid import UnitGrid

from .agenda import Agenda
from .cameras import CameraSim
from .client import ActorClient, error_code
from .coop import CoopSim
from .duty import STAFF_TYPES, StaffSim
from .enforcement import EnforcementSim
from .fleet import FleetSim, SensorSim
from .maintenance import MaintenanceSim
from .plan import PlannedReport, delay_minutes, report_plan
from .rivers import RiverPatrolSim
from .texts import description, hotline_description

log = logging.getLogger("console.sim")
OPEN311_KEY = "demo-open311-key"
NEEDS_VERIFY = {"public", "video", "media", "leader"}
#: Share of Open311 reports sent with an address and no position (a phone without location
#: permission); the backend geocodes them. A guess: most apps send the position.
OPEN311_WORDS_ONLY = 0.15
#: A progress line every quarter of a district hour (every 90 s at the demo's 10x).
LOG_EVERY_S = 900


#: Departments that work slower than the rest (docs/rules/simulation.md, "Who is slower"):
#: published bulletins name the construction bureau and utility companies at the bottom of
#: their rankings, not the street offices or sanitation. Value: the department's late share.
SLOW_DEPARTMENTS = {
    # 苏州姑苏区 2019-05 通报: "因区住建局单方面问题，造成大量案件无法办理、超期办结"; 福州 2022 Q2:
    # 福州市建设发展集团 按期结案率 54.55 %, the lowest of the city's units.
    "construction": 0.30,
    # 福州 2022 Q2: 福州市城市排水有限公司 among the bottom three by 综合指标值; a utility books a
    # crew and a part (井盖, 管道) rather than sending the street sweeper.
    "water": 0.20,
    # 福州 2022 Q2: 中国联通福州分公司 among the bottom three (按期结案率 97.77 %, 综合 94.06).
    "telecom": 0.20,
    "mobile": 0.20,
    "unicom": 0.20,
}


@dataclass
class SimConfig:
    """Who reports how much, and how fast and how well everyone works: the one place of the
    simulator's pace and quality (docs/rules/simulation.md gives each value's source).

    Times are drawn as *shares of the running stage's limit, counted on the stage's own clock*
    (``DistrictSimulator.at_used``): 0.5 means half the limit used, whatever the limit and
    whenever the office hours fall. A share pair ``(lo, hi)`` is log-uniform between them
    (``plan.delay_minutes``): mostly quick, some slow, as human reaction times are.
    """

    seed: int = 20261128
    auto_centre: bool = True
    cases_per_hour: float = 60.0
    fix_interval_s: float = 5.0
    #: Vehicles whose terminals speak JT/T 808 to the gateway instead (``--jt808-share``,
    #: ``jt808_terminals``): the HTTP terminal thread leaves them out.
    jt808_vehicles: frozenset[str] = frozenset()
    sensor_interval_s: float = 300.0
    # -- departments (处置) --------------------------------------------------------------------
    # Published 按期结案率: 天门 2016-12 75.8 %, 郑州 2019-04 77.0 %, 苏州姑苏 2019-05 95.5 %,
    # 福州 2024 Q1 99.8 %. A mid-range district: ~8 % of tasks late in an ordinary department.
    late_share: float = 0.08
    # A late completion lands between 1.05 and 1.8 limits (a day or two late on a 1-day limit).
    late_used: tuple[float, float] = (1.05, 1.8)
    # On-time work uses 10-85 % of the limit (median ~30 %): a 2-hour street-order matter is
    # usually dealt with within the hour, as the 结案率 > 90 % of bulletins requires.
    disposal_used: tuple[float, float] = (0.10, 0.85)
    # The slow departments (SLOW_DEPARTMENTS) also use more of the limit when on time.
    slow_disposal_used: tuple[float, float] = (0.30, 0.95)
    slow_departments: dict[str, float] = field(default_factory=lambda: dict(SLOW_DEPARTMENTS))
    # 退回 of a first dispatch as not the department's: no published 回退率 found; assumed
    # ~3 % (a 派遣准确率 of ~97 %).
    return_share: float = 0.03
    # 延期率: 郑州 2019-04 0.20 % (常规 0.56 %), 福州 0.02-0.20 %. Raised to 1 % so a demo day
    # shows a few requests at all (with 500 cases a day, 0.2 % would be one).
    extension_share: float = 0.01
    # The centre approves most requests (assumed 70 %).
    extension_approve_share: float = 0.7
    # 缓办 requests: rare (assumed 0.5 %: works needing a project, not a crew).
    park_share: float = 0.005
    # -- supervisors (核实, 核查) -----------------------------------------------------------------
    # 返工率 (check fails): 郑州 2019-04 0.53 % (常规 1.51 %), 福州 0.05-0.11 %, 开州 2022-02
    # 103 returns on 1831 cases (5.6 %). Assumed 3 %, the middle.
    check_fail_share: float = 0.03
    # Supervisors answer within 10-80 % of their 120-minute field limit; a few (assumed 5 %)
    # run late (a long patrol loop, a task found late).
    field_used: tuple[float, float] = (0.10, 0.80)
    field_late_share: float = 0.05
    # -- the automatic centre (受理, 立案, 派遣, 发核查, 结案) -----------------------------------
    # Desk staff act within minutes of a case arriving (limits 30 min): assumed 1-10 minutes.
    centre_minutes: tuple[float, float] = (1.0, 10.0)
    void_share: float = 0.03
    # 回访 by the 12345 operator: a share of calls that reach nobody, and the answers of those
    # reached (满意, 基本满意, 不满意). Assumed, not measured: a 满意率 of ~93 %, since the case
    # was handled and passed its check before the call; a case that needed rework shows more
    # 不满意 (the caller saw the problem linger).
    callback_unreached_share: float = 0.12
    satisfaction_weights: tuple[float, float, float] = (0.80, 0.13, 0.07)
    satisfaction_weights_rework: tuple[float, float, float] = (0.55, 0.25, 0.20)
    # A 核实/核查 task taken over by a neighbouring supervisor (leave, sickness): assumed.
    take_over_share: float = 0.03


class DistrictSimulator:
    def __init__(self, base_url: str, clock: VirtualClock, config: SimConfig | None = None):
        self.base = base_url.rstrip("/")
        self.clock = clock
        self.config = config or SimConfig()
        self.rng = np.random.default_rng([self.config.seed, 4])
        #: GNSS scatter of component reports (the actor thread's own generator).
        self.fix_rng = np.random.default_rng([self.config.seed, 5])
        self.calendar = WorkCalendar.default()
        self.limits = TimeLimits.default()
        self.grid = UnitGrid.load()
        self.errors: Counter = Counter()
        self._clients: dict[str, ActorClient] = {}
        self._stop = threading.Event()
        #: The case desks' agenda (supervisors, the centre, departments); 养护 and the
        #: enforcement officers keep their own (console.sim.agenda says why).
        self.desks = Agenda(self.clock, self._stop, "sim-act")
        self._decided: set[tuple[str, int]] = set()
        self.cases: dict[str, dict] = {}
        self.alerts_by_kind: Counter = Counter()
        self._alerts_seen: set[str] = set()
        self.fixes_posted = 0
        self.readings_posted = 0
        self.reports_sent: Counter = Counter()
        self.actions_sent: Counter = Counter()
        self._threads: list[threading.Thread] = []
        self.reference: dict = {}
        #: The sensors' terminals (made from ``/reference`` when the run starts).
        self.sensor_sim: SensorSim | None = None
        self.camera_sim: CameraSim | None = None  # 视频巡查 (console.sim.cameras)
        self.open311_services: set[str] = set()
        #: 部门协作: 协办 at dispatch, 协办 tasks, 权属争议 and their arbitration (coop.py).
        self.coop = CoopSim(self.config.seed)
        #: 养护: the day's planned work orders, walked by their departments.
        self.maintenance = MaintenanceSim(self)
        self.enforcement = EnforcementSim(self)

    # ---- plumbing ----------------------------------------------------------------------
    def client(self, username: str) -> ActorClient:
        if username not in self._clients:
            self._clients[username] = ActorClient(self.base, username, errors=self.errors)
        return self._clients[username]

    def schedule(self, at: float, fn, *args) -> None:
        self.desks.schedule(at, fn, *args)

    def after(self, case: dict, minutes: float) -> float:
        """District epoch ``minutes`` from now on the clock of the stage the case waits in:
        whoever acts next works that desk's hours (the centre 7×24, supervisors in patrol
        shifts, departments office hours, safety matters round the clock)."""
        try:
            cal = self.limits.clock(self.calendar, case.get("stage_clock") or "working")
        except ValueError:
            cal = self.calendar
        return cal.add_working_minutes(self.clock.now(), minutes).timestamp()

    def at_used(self, case: dict, share: float) -> float:
        """District epoch when ``share`` of the running stage's limit (approved extensions
        included) will have been used, on the stage's own clock: the pace parameters are
        shares of the limit, so a department's 0.3 is 0.3 whether dispatched at 09:00 or at
        17:55. When that point has passed already (a decision re-taken after a denied
        extension), the actor acts within minutes."""
        used = Case.from_dict(case).used_minutes(self.clock.now(), self.calendar, self.limits)
        limit = case.get("stage_limit_minutes")
        left = share * limit - used if used is not None and limit else 0.0
        return self.after(case, left if left > 0 else delay_minutes(self.rng, 2, 20))

    def _share(self, span: tuple[float, float]) -> float:
        """A share of a limit, log-uniform in ``span`` (see SimConfig)."""
        return delay_minutes(self.rng, *span)

    def _centre(self, case: dict) -> float:
        """When the automatic centre's desk acts: within minutes (SimConfig.centre_minutes)."""
        return self.after(case, delay_minutes(self.rng, *self.config.centre_minutes))

    def _field(self, case: dict) -> float:
        """When a supervisor answers a 核实/核查 task: mostly well within the field limit."""
        cfg = self.config
        if self.rng.random() < cfg.field_late_share:
            return self.at_used(case, float(self.rng.uniform(*cfg.late_used)))
        return self.at_used(case, self._share(cfg.field_used))

    # ---- run ---------------------------------------------------------------------------
    def run(self, hours: float | None = None) -> None:
        wall = self.client("demo-wall")
        r = wall.get("/api/v1/reference")
        if r is None or r.status_code != 200:
            raise RuntimeError(f"cannot read /reference from {self.base}")
        self.reference = r.json()
        self.sensor_sim = SensorSim(self.reference["sensors"], self.config.seed)
        cams = wall.get("/api/v1/cameras")
        if cams is not None and cams.status_code == 200:
            self.camera_sim = CameraSim(
                cams.json()["cameras"],
                self.config.seed,
                lambda lon, lat: self.grid.lookup(lon, lat) >= 0,
            )
        self.routing = RoutingTable.from_rows(self.reference["routing"])
        self.component_categories = set(self.reference["components"]["categories"])
        self.supervisors = {
            a["area"]: a["supervisor"] for a in self.reference.get("supervisor_areas") or []
        }
        services = wall.get("/open311/v2/services.json")
        self.open311_services = (
            {x["service_code"] for x in services.json()}
            if services is not None and services.status_code == 200
            else set()
        )
        start = self.clock.now()
        plan_hours = hours if hours is not None else 24 * 7
        for rep in report_plan(
            self.config.seed, start, plan_hours, self.config.cases_per_hour, self.grid
        ):
            self.schedule(rep.t, self._report, rep)
        self.enforcement.plan(plan_hours)
        self._threads = [
            threading.Thread(target=self._follow, name="sim-follow", daemon=True),
            threading.Thread(target=self._terminals, name="sim-terminals", daemon=True),
        ]
        for t in self._threads:
            t.start()
        self._threads += [self.desks.start(), self.maintenance.start(), self.enforcement.start()]
        end = start.timestamp() + hours * 3600 if hours is not None else None
        next_log = start.timestamp() + LOG_EVERY_S
        while not self._stop.is_set():
            now = self.clock.epoch()
            if end is not None and now >= end:
                break
            if now >= next_log:
                log.info(
                    "district %s: %s",
                    self.clock.now().astimezone(self.calendar.tz).strftime("%m-%d %H:%M"),
                    self._progress(),
                )
                next_log += LOG_EVERY_S
            self._stop.wait(0.2)
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        for agenda in (self.desks, self.maintenance.agenda, self.enforcement.agenda):
            agenda.wake()
        for t in self._threads:
            t.join(timeout=10)

    def _progress(self) -> str:
        states = Counter(c["state"] for c in self.cases.values())
        return f"cases {len(self.cases)} {dict(states)}; fixes {self.fixes_posted}; alerts {dict(self.alerts_by_kind)}; errors {dict(self.errors)}"

    def summary(self) -> dict:
        return {
            "cases": len(self.cases),
            "by_source": dict(Counter(c["source"] for c in self.cases.values())),
            "by_category": dict(
                Counter(c["category_code"] for c in self.cases.values()).most_common()
            ),
            "by_state": dict(Counter(c["state"] for c in self.cases.values())),
            "reports_sent": dict(self.reports_sent),
            "actions_sent": dict(self.actions_sent),
            "enforcement_steps": dict(self.enforcement.steps),
            "fixes_posted": self.fixes_posted,
            "readings_posted": self.readings_posted,
            "alerts_by_kind": dict(self.alerts_by_kind),
            "work_order_actions": dict(self.maintenance.sent),
            "http_errors": {str(k): v for k, v in self.errors.items()},
        }

    # ---- threads -----------------------------------------------------------------------
    def _follow(self) -> None:
        wall = self.client("demo-wall")
        snap = wall.get("/api/v1/snapshot")
        since = snap.json()["seq"] if snap is not None and snap.status_code == 200 else 0
        while not self._stop.is_set():
            r = wall.get("/api/v1/changes", params={"since": since, "wait": 2, "limit": 2000})
            if r is None or r.status_code != 200:
                self._stop.wait(1.0)
                continue
            body = r.json()
            if body["reset"]:
                snap = wall.get("/api/v1/snapshot")
                since = (
                    snap.json()["seq"] if snap is not None and snap.status_code == 200 else since
                )
                continue
            for ch in body["changes"]:
                if ch["kind"] == "case":
                    self._on_case(ch["case"])
                    self.enforcement.on_case(ch["case"])
                elif ch["kind"] == "record" and ch["record"]["type"] == "work_order":
                    self.maintenance.on_order(ch["record"])
                elif ch["kind"] == "record":
                    self.enforcement.on_record(ch["record"])
                elif ch["kind"] == "alert":
                    a = ch["alert"]
                    # A flood group is a fold of alerts counted as members, not an alert.
                    if a["id"] not in self._alerts_seen and a["subject_type"] != "group":
                        self._alerts_seen.add(a["id"])
                        self.alerts_by_kind[a["kind"]] += 1
            since = body["last_seq"]

    def _terminals(self) -> None:
        gw = self.client("demo-gateway")
        units = self.reference["vehicles"]
        mine = [
            v
            for v in units
            if is_sanitation(v["type"]) and v["id"] not in self.config.jt808_vehicles
        ]
        fleet = FleetSim(mine, self.config.seed, self.clock.epoch())
        staff = StaffSim(
            [v for v in units if v["type"] in STAFF_TYPES],
            self.grid,
            self.config.seed,
            self.clock.epoch(),
        )
        patrols = RiverPatrolSim(
            [v for v in units if v["type"] in PATROL_TYPES],
            self.config.seed,
            self.clock.epoch(),
        )
        sensors = self.sensor_sim
        assert sensors is not None  # made by run() before this thread starts
        dt = self.config.fix_interval_s
        next_fix = self.clock.epoch()
        next_sensor = next_fix
        while not self._stop.is_set():
            if not self.desks.sleep_until(next_fix):
                return
            # Behind by a round or more (a city's fleet on a fast clock: at 60x a round of
            # 2,000 fixes is due every 83 ms, and the backend takes ~0.3 s to store one, bench
            # backend_scale): one round over the whole gap, so the positions stay current and
            # the fixes come coarser, instead of falling further behind a 5-s round at a time.
            step = dt * (1 + max(0, math.floor((self.clock.epoch() - next_fix) / dt)))
            rows = []
            for fixes in (fleet.step(step), patrols.step(step), staff.step(next_fix + step)):
                keys = list(fixes)
                rows += [
                    dict(zip(keys, vals, strict=True)) for vals in zip(*fixes.values(), strict=True)
                ]
            body: dict = {"fixes": rows}
            if next_fix >= next_sensor:
                body["readings"] = sensors.readings(next_fix, self.config.sensor_interval_s)
                next_sensor += self.config.sensor_interval_s
            r = gw.post("/api/v1/telemetry", json=body)
            if r is not None and r.status_code == 200:
                self.fixes_posted += len(rows)
                self.readings_posted += len(body.get("readings", []))
            next_fix += step

    # ---- reports -----------------------------------------------------------------------
    def _component_near(self, category: str, lon: float, lat: float) -> dict | None:
        """The component of ``category`` nearest to a planned report (within 300 m), as the
        inventory serves it: a field report is made standing at the component."""
        box = ",".join(f"{v:.6f}" for v in degree_box(lon, lat, 300.0))
        r = self.client("demo-wall").get(
            "/api/v1/components", params={"bbox": box, "category": category, "limit": 200}
        )
        if r is None or r.status_code != 200 or not r.json()["components"]:
            return None
        found = r.json()["components"]
        d = haversine_m(
            lon,
            lat,
            [c["location"]["lon"] for c in found],
            [c["location"]["lat"] for c in found],
        )
        return dict(found[int(d.argmin())])

    def _report(self, rep: PlannedReport) -> None:
        # Each report draws its words from its own stream, so the decisions' stream (and
        # with it the rest of the run) does not depend on what was written.
        rng = np.random.default_rng([self.config.seed, 7, int(rep.t * 1000)])
        camera = None
        if rep.source == "video" and self.camera_sim is not None:
            rep, camera = self.camera_sim.relocate(rep)  # seen by the nearest camera
        here = Geocoder.load().reverse(rep.lon, rep.lat)
        place = here["locator"] if here else ""
        name = self._category_name(rep.category_code)
        if rep.channel == "hotline":
            text = hotline_description(rng, rep.category_code, name, place)
        else:
            text = description(rng, rep.category_code, name, rep.source, place)
        body = {
            "source": rep.source,
            "category_code": rep.category_code,
            "location": {"lon": rep.lon, "lat": rep.lat},
            "urgency": "urgent" if rep.urgent else "normal",
            # as the supervisor's app, the camera platform and the hotline desk fill it in:
            # the geocoded address of the point
            "address": here["address"] if here else "",
            "description": text,
        }
        comp = (
            self._component_near(rep.category_code, rep.lon, rep.lat)
            if rep.category_code in self.component_categories
            else None
        )
        if comp is not None:
            # The reporter stands at the component; the fix is off by a few metres (GNSS).
            at = comp["location"]
            jitter = self.fix_rng.uniform(-5e-5, 5e-5, 2)
            rep = dataclasses.replace(
                rep, lon=at["lon"] + float(jitter[0]), lat=at["lat"] + float(jitter[1])
            )
            body["location"] = {"lon": rep.lon, "lat": rep.lat}
            if rep.channel != "open311":  # Open311 has no field for it: the backend attaches
                body["component_code"] = comp["code"]
        if rep.channel == "open311" and rep.category_code in self.open311_services:
            # A citizen's app sends the phone's position and the place in the citizen's
            # words; some send only the words (no location permission).
            form = {
                "api_key": OPEN311_KEY,
                "service_code": rep.category_code,
                "address_string": place,
                "description": text,
            }
            if rng.random() >= OPEN311_WORDS_ONLY:
                form |= {"lat": rep.lat, "long": rep.lon}
            r = self.client("demo-wall").request("POST", "/open311/v2/requests.json", data=form)
        elif rep.source == "supervisor":
            r = self.client(self._supervisor_of(self.grid.cell_code(rep.lon, rep.lat))).post(
                "/api/v1/cases", json=body, idempotent_key=True
            )
        elif (
            rep.source == "public"
        ):  # the hotline, and app users whose problem has no Open311 service
            r = self.client("sim-citizen-hotline").post(
                "/api/v1/cases", json=body, idempotent_key=True
            )
        elif camera is not None and self.camera_sim is not None:
            r = self.camera_sim.file(self.client("sim-centre"), camera, body)
        else:
            r = self.client("sim-centre").post("/api/v1/cases", json=body, idempotent_key=True)
        if r is not None and r.status_code == 200:
            self.reports_sent[rep.channel] += 1

    def _category_name(self, code: str) -> str:
        for c in self.reference.get("categories") or []:
            if c.get("code") == code:
                return str(c.get("name_zh") or c.get("name") or code)
        return code

    # ---- decisions ---------------------------------------------------------------------
    def _on_case(self, case: dict) -> None:
        self.cases[case["id"]] = {k: case[k] for k in ("source", "category_code", "state")}
        if case["source"] == "iot" and self.sensor_sim is not None:
            self.sensor_sim.hold(case["location"], case["state"] not in ("closed", "void"))
        key = (case["id"], case["version"])
        if key in self._decided:
            return
        self._decided.add(key)
        decision = self._decide(case)
        if decision is not None:
            at, user, action, extra = decision
            self.schedule(at, self._do, user, case, action, extra)

    def _supervisor_of(self, grid_code: str | None) -> str:
        """The supervisor responsible for a cell (the roster in ``/reference``)."""
        return responsible_supervisor(self.supervisors, grid_code) or "demo-supervisor"

    def _task_holder(self, case: dict) -> str:
        """Who answers an open 核实/核查 task: its addressee (else the grid's supervisor)."""
        return case.get("assignee") or self._supervisor_of(case.get("grid_code"))

    def _take_over(self, case: dict):
        """Now and then a neighbouring supervisor (same street) takes a freshly sent task over,
        as when the responsible one is on leave; the answer then comes from him."""
        events = case.get("events") or []
        holder = case.get("assignee")
        if (
            not events
            or events[-1]["action"] not in ("send_verify", "send_check")
            or holder is None
            or self.rng.random() >= self.config.take_over_share
        ):
            return None
        street = (case.get("grid_code") or "")[:9]
        others = sorted(
            {u for area, u in self.supervisors.items() if area.startswith(street) and u != holder}
        )
        if not others:
            return None
        return (
            self.after(case, delay_minutes(self.rng, 5, 30)),
            str(self.rng.choice(others)),
            "take_over",
            {"note": "责任监督员请假，就近接管"},
        )

    def _callback(self, case: dict):
        """The 12345 operator's 回访 of a closed public report, a few working hours later."""
        cfg, rng = self.config, self.rng
        if rng.random() < cfg.callback_unreached_share:
            level = UNREACHED
        else:
            weights = (
                cfg.satisfaction_weights_rework
                if case.get("rework_count")
                else cfg.satisfaction_weights
            )
            reached = [k for k in SATISFACTION_ZH if k != UNREACHED]
            level = str(rng.choice(reached, p=np.array(weights) / sum(weights)))
        return (
            self.after(case, delay_minutes(rng, 30, 240)),
            "sim-citizen-hotline",
            "callback",
            {"satisfaction": level},
        )

    def _street_of(self, case: dict) -> str:
        return case.get("street_code") or self.grid.streets[0].code

    def _route(self, case: dict) -> str:
        # The domain's rule: the component's owner, else the matter's routing line; a code
        # without a line goes to the street office (属地).
        routed = self.routing.route(
            case["category_code"], self._street_of(case), case.get("component_owner")
        )
        return routed.department_id or street_department_id(self._street_of(case))

    def _decide(self, case: dict):
        cfg, rng = self.config, self.rng
        state = case["state"]
        centre = self.config.auto_centre
        if state == "reported" and centre:
            return self._centre(case), "sim-centre", "accept", {}
        if state == "accepted" and centre:
            if rng.random() < cfg.void_share:
                return self._centre(case), "sim-centre", "void", {"note": "重复上报"}
            if case["source"] in NEEDS_VERIFY and not case.get("verified"):
                return self._centre(case), "sim-centre", "send_verify", {}
            return self._centre(case), "sim-centre", "register", {}
        if state in ("verifying", "checking") and (take := self._take_over(case)) is not None:
            return take
        if state == "verifying":
            return self._field(case), self._task_holder(case), "verified", {"note": "现场核实属实"}
        if state == "registered" and centre:
            lead = self._route(case)
            extra = {"department_id": lead, **self.coop.dispatch_assists(lead)}
            return self._centre(case), "sim-centre", "dispatch", extra
        if state == "returned" and centre:
            first = case["departments"][0] if case.get("departments") else None
            routed = self._route(case)
            # Returned by the routed department itself: the street office takes it (属地兜底),
            # or the enforcement bureau when the street was the one that returned it.
            street = street_department_id(self._street_of(case))
            target = routed if routed != first else street if street != first else "enforcement"
            decision = self.coop.arbitration(case, target)
            if decision is not None:  # a disputed return: the 值班长 decides (sim-centre holds it)
                return self._centre(case), "sim-centre", "arbitrate", decision
            return self._centre(case), "sim-centre", "redispatch", {"department_id": target}
        if state == "dispatched":
            if case.get("extension_pending_hours") is not None:
                if not centre:
                    return None
                approve = rng.random() < cfg.extension_approve_share
                return (
                    self._centre(case),
                    "sim-centre",
                    "approve_extension" if approve else "deny_extension",
                    {"note": "同意" if approve else "不予延期"},
                )
            if case.get("park_request_due_date"):
                if not centre:
                    return None
                return self._centre(case), "sim-centre", "approve_park", {"note": "同意缓办"}
            own = self._department_decision(case)
            step = self.coop.assist_step(case)  # the 主办 returns at once, else waits for 协办
            if step is not None and own[2] != "return":
                minutes, user, action, extra = step
                return self.after(case, minutes), user, action, extra
            return own
        if state == "parked" and centre:
            return self.clock.epoch() + float(rng.uniform(2, 4)) * 3600, "sim-centre", "resume", {}
        if state == "handled" and centre:
            return self._centre(case), "sim-centre", "send_check", {}
        if state == "checking":
            if rng.random() < cfg.check_fail_share:
                return (
                    self._field(case),
                    self._task_holder(case),
                    "check_fail",
                    {"note": "现场仍未处置到位"},
                )
            return self._field(case), self._task_holder(case), "check_pass", {}
        if state == "checked" and centre:
            return self._centre(case), "sim-centre", "close", {}
        if callback_open(
            case["source"], state, case.get("satisfaction"), case.get("callback_attempts", 0)
        ):
            return self._callback(case)
        return None

    def _department_decision(self, case: dict):
        """What the department holding a dispatched case does, and when (SimConfig's pace):
        on a first dispatch it may return the case or ask for 延期 or 缓办; otherwise it
        completes the work, mostly well within the limit, now and then late; the slow
        departments (SLOW_DEPARTMENTS) run late more often and use more of their limit."""
        cfg, rng = self.config, self.rng
        dept = case["department_id"]
        user = f"dept-{dept}"
        r = rng.random()
        first_time = case.get("dispatch_count", 1) == 1 and not case.get("rework_count")
        plain = first_time and r < cfg.return_share
        if plain or (first_time and self.coop.claims_dispute(dept, plain_return=False)):
            body: dict[str, str | bool] = {"note": "非本单位职责，申请回退"}
            if self.coop.claims_dispute(dept, plain_return=True) or not plain:
                body = {"note": "该处不在本单位管养范围，提请权属争议裁定", "dispute": True}
            return self.after(case, delay_minutes(rng, 10, 60)), user, "return", body
        r -= cfg.return_share
        asked = any(e["action"] == "request_extension" for e in case.get("events") or [])
        if first_time and not asked and r < cfg.extension_share:
            limit = case.get("stage_limit_minutes") or 240
            return (
                self.at_used(case, float(rng.uniform(0.3, 0.7))),
                user,
                "request_extension",
                # within the rules' total cap: at most the case's own limit again
                {
                    "hours": min(float(rng.choice([2, 4, 8])), limit / 60.0),
                    "note": "需协调机械设备，申请延期",
                },
            )
        r -= cfg.extension_share
        if first_time and r < cfg.park_share and self.config.auto_centre:
            due = self.clock.now().astimezone(CST).date() + timedelta(days=30)
            return (
                # early in the limit: a matter that needs a project is known on first sight
                self.at_used(case, float(rng.uniform(0.1, 0.4))),
                user,
                "request_park",
                {"note": "需立项改造，申请缓办", "due_date": due.isoformat()},
            )
        slow = dept in cfg.slow_departments
        late = cfg.slow_departments[dept] if slow else cfg.late_share
        if rng.random() < late:
            share = float(rng.uniform(*cfg.late_used))
        else:
            share = self._share(cfg.slow_disposal_used if slow else cfg.disposal_used)
        return self.at_used(case, share), user, "complete", {"note": "已处置完毕"}

    def _do(self, user: str, case: dict, action: str, extra: dict) -> None:
        """Send a decided action on the case version it was decided on. A department that
        meant to ask for 延期 or 缓办 but reaches the desk after the stage's limit ran out
        (the rules take such requests only before the deadline; at high speed on a busy
        machine the simulator lags by district minutes) does the work instead, late."""
        if action in TIME_REQUESTS:
            facts = Case.from_dict(case).facts(self.clock.now(), self.calendar, self.limits)
            if facts.limit_used_up:
                action, extra = "complete", {"note": "已处置完毕"}
        body = {"action": action, "expected_version": case["version"], **extra}
        r = self.client(user).post(
            f"/api/v1/cases/{case['id']}/actions",
            json=body,
            idempotent_key=True,
            answers=frozenset({SENSOR_STILL_BREACHED}),
        )
        if r is not None and r.status_code == 200:
            self.actions_sent[action] += 1
            if action == "complete" and case["source"] == "iot" and self.sensor_sim is not None:
                self.sensor_sim.repaired(case["location"], self.clock.epoch())
        elif r is not None and r.status_code == 422 and error_code(r) == SENSOR_STILL_BREACHED:
            # 核查/结案 of a sensor's case before its reading came back down (it reads normal
            # 5–20 minutes after 处置, SensorSim): the desk looks again a little later.
            self.schedule(
                self.clock.epoch() + SENSOR_RECHECK_S, self._do, user, case, action, extra
            )


#: The backend's refusal of 核查通过/结案 while a sensor still reads high (docs/rules/iot.md),
#: and how long the simulated desk waits before it tries again (district seconds).
SENSOR_STILL_BREACHED = "sensor_still_breached"
SENSOR_RECHECK_S = 600.0


def run_headless(
    base_url: str, clock: VirtualClock, hours: float, config: SimConfig | None = None
) -> dict:
    """Run ``hours`` of district time and return the summary (used by tests and benchmarks)."""
    sim = DistrictSimulator(base_url, clock, config)
    t0 = time.monotonic()
    sim.run(hours=hours)
    out = sim.summary()
    out["wall_seconds"] = round(time.monotonic() - t0, 1)
    out["district_end"] = datetime.fromtimestamp(clock.epoch(), UTC).isoformat()
    return out
