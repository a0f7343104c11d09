"""The simulated district's 养护: each district day the centre plans a few dozen work orders
(``PlanConfig.orders_per_day``) and the departments that own the components walk them through
派单 → 施工 → 验收, mostly within the plan type's work limit, some late.

Everything goes over HTTP as any client would: the components of an order are read from
``/api/v1/components`` around a random cell of the grid, the order is planned and dispatched by
the automatic centre (``sim-centre``), started and finished by the owner's user
(``dept-<id>``), checked by the centre again; each next step is decided when the feed brings
the order's new version (``on_order``), as the simulator decides on cases. The pace (stated reasons, no published figures
found for planned-work timeliness): the day's plans entered over two hours, 派单 within the
first hour of each; crews start 10
minutes to 3 hours after 派单 and spend 6–24 minutes a component (within 90 % of the limit);
``late_share`` of the orders finish 5–30 % of the limit after their deadline; 8 % of the finished orders have one component found damaged; 5 % of
the checks send the order back (返工), finished again within hours.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from console.domain import maintenance as m
from console.domain.china_time import CST

if TYPE_CHECKING:
    from .district import DistrictSimulator

log = logging.getLogger(__name__)

CENTRE_USER = "sim-centre"
#: Half the side of the box an order's components are taken from (m): a crew's few streets.
BOX_M = 250.0
M_PER_DEG = 111_320.0


@dataclass
class PlanConfig:
    orders_per_day: int = 36
    late_share: float = 0.12
    finding_share: float = 0.08
    reject_share: float = 0.05
    #: Components per order (a round of one crew).
    per_order: tuple[int, int] = (4, 16)
    #: A crew's time per component (h): a look, a lamp or a cover, a photo.
    hours_per_component: tuple[float, float] = (0.1, 0.4)
    #: The day's plans are entered over this many hours from ``plan_hour`` (the demo's start).
    spread_h: float = 2.0
    #: District hour (China time) a day's plan is made.
    plan_hour: int = 7


class MaintenanceSim:
    """Plans and walks the day's orders on a ``DistrictSimulator``'s queue and clients."""

    def __init__(self, sim: DistrictSimulator, config: PlanConfig | None = None):
        self.sim = sim
        self.config = config or PlanConfig()
        # One generator per thread: planning runs on the actor thread, the walk is decided on
        # the thread that follows the feed.
        self.rng = np.random.default_rng([sim.config.seed, 7])
        self.walk_rng = np.random.default_rng([sim.config.seed, 8])
        self.sent: Counter[str] = Counter()
        self._decided: set[tuple[str, int]] = set()

    def start(self) -> None:
        """Plan today's orders now (the demo shows them within minutes), then each morning."""
        self.sim.schedule(self.sim.clock.epoch(), self._plan_day)

    # ---- planning ------------------------------------------------------------------------------
    def _plan_day(self) -> None:
        """The day's orders, one at a time over ``spread_h`` (the actor thread also files and
        moves the cases: a burst of a few dozen plans at once held their first minutes up)."""
        now = self.sim.clock.now()
        n = self.config.orders_per_day
        step = self.config.spread_h * 3600 / max(n, 1)
        for k in range(n):
            self.sim.schedule(now.timestamp() + k * step, self._plan_one)
        tomorrow = (now.astimezone(CST) + timedelta(days=1)).replace(
            hour=self.config.plan_hour, minute=0, second=0, microsecond=0
        )
        self.sim.schedule(tomorrow.timestamp(), self._plan_day)

    def _plan_one(self) -> None:
        rng = self.rng
        plan = m.PLAN_TYPES[str(rng.choice(list(m.PLAN_TYPES)))]
        category = str(rng.choice(plan.categories))
        grid = self.sim.grid
        i = int(rng.integers(len(grid.lon)))
        lon, lat = float(grid.lon[i]), float(grid.lat[i])
        dlat = BOX_M / M_PER_DEG
        dlon = dlat / np.cos(np.radians(lat))
        bbox = f"{lon - dlon},{lat - dlat},{lon + dlon},{lat + dlat}"
        centre = self.sim.client(CENTRE_USER)
        r = centre.get(
            "/api/v1/components", params={"bbox": bbox, "category": category, "limit": 200}
        )
        if r is None or r.status_code != 200:
            return
        comps = r.json()["components"]
        if not comps:
            return  # a cell with none of this kind (a park, a lake shore)
        owners = Counter(c["owner_department_id"] for c in comps)
        owner = owners.most_common(1)[0][0]
        mine = [c["code"] for c in comps if c["owner_department_id"] == owner]
        n = min(len(mine), int(rng.integers(*self.config.per_order)))
        codes = sorted(str(c) for c in rng.choice(mine, size=n, replace=False))
        r = centre.post(
            "/api/v1/maintenance/orders",
            json={
                "plan": plan.id,
                "components": codes,
                "note": f"{plan.name_zh} 周期{plan.interval_days}天",
            },
            idempotent_key=True,
        )
        if r is None or r.status_code != 200:
            return  # e.g. 409: a component already on an open order
        self.sent["create"] += 1

    # ---- walking -------------------------------------------------------------------------------
    def on_order(self, order: dict) -> None:
        """A work order as the feed sent it: decide who acts next and when, once per version.
        The centre's steps (派单, 验收) only with the automatic centre: with people at the
        console they are theirs, and the crews still answer what they dispatch."""
        key = (order["id"], int(order["version"]))
        if key in self._decided or not order.get("live", True):
            return
        self._decided.add(key)
        cfg, rng = self.config, self.walk_rng
        crew = f"dept-{order['department_id']}"
        state = order["state"]
        auto = self.sim.config.auto_centre
        if state == m.PLANNED and auto:
            self._later(0.05, 1.0, CENTRE_USER, order, "dispatch")
        elif state == m.DISPATCHED:
            self._later(1 / 6, 3.0, crew, order, "start")
        elif state == m.WORKING:
            self._finish(crew, order)
        elif state == m.ACCEPTING and auto:
            action = "reject" if rng.random() < cfg.reject_share else "accept"
            note = "验收不合格，返工" if action == "reject" else "验收合格"
            self._later(0.5, 6.0, CENTRE_USER, order, action, note=note)

    def _later(
        self, lo_h: float, hi_h: float, user: str, order: dict, action: str, **extra: Any
    ) -> None:
        t = self.sim.clock.epoch() + float(self.walk_rng.uniform(lo_h, hi_h)) * 3600
        self.sim.schedule(t, self._do, user, order, action, extra)

    def _do(self, user: str, order: dict, action: str, extra: dict) -> None:
        body = {"action": action, "expected_version": order["version"], **extra}
        r = self.sim.client(user).post(
            f"/api/v1/maintenance/orders/{order['id']}/actions", json=body, idempotent_key=True
        )
        if r is None or r.status_code != 200:
            log.info("work order %s %s refused: %s", order["id"], action, r and r.status_code)
            return
        self.sent[action] += 1

    def _finish(self, crew: str, order: dict) -> None:
        cfg, rng = self.config, self.walk_rng
        due = datetime.fromisoformat(order["work_due_at"])
        left_h = (due - self.sim.clock.now()).total_seconds() / 3600
        work_h = m.PLAN_TYPES[order["plan"]].work_hours
        if rng.random() < cfg.late_share:
            at_h = left_h + work_h * float(rng.uniform(0.05, 0.3))
        else:
            per = float(rng.uniform(*cfg.hours_per_component))
            at_h = max(min(per * len(order["components"]), 0.9 * left_h), 0.1)
        extra: dict[str, Any] = {"note": "已完成养护"}
        if rng.random() < cfg.finding_share:
            code = str(rng.choice(order["components"]))
            extra = {"note": "发现部件损坏，已登记", "findings": {code: m.DAMAGED}}
        self._later(at_h, at_h + 0.1, crew, order, "finish", **extra)
