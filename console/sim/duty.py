"""Supervisors and enforcement officers as their phones would report them.

Each person walks (supervisors on e-bikes, officers on foot) from cell to cell of his area
(from ``/reference``: his position unit's ``route.area``), one fix every ``FIX_EVERY_S``
district seconds while his shift runs (and from a few minutes before it: the phone is on when
he sets out). Seeded episodes make the duty rules fire (``console.domain.duty``): a break
(standing still, in his area), a wander out of his area for longer than the 离岗 grace, and a
phone gone quiet for longer than the 失联 limit. Vectorised over everyone with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from console.domain.calendar import WorkCalendar
from console.domain.duty import OFFICER_SHIFT, SUPERVISOR_SHIFT
from console.domain.field_units import OFFICER, SUPERVISOR
from console.geo.grid import UnitGrid
from console.geo.responsibility import area_cells

#: A phone on foot reports once a minute (the rules allow 15 min of silence: ``DutyRules``),
#: a 100 m cell being a minute's walk.
FIX_EVERY_S = 60.0
#: Walking speed (km/h): supervisors ride e-bikes at a patrol pace (电动自行车, ≤ 25 km/h by
#: GB 17761, slower while looking), officers walk their street.
SPEED_KMH = {SUPERVISOR: 9.0, OFFICER: 4.5}
SHIFTS = {SUPERVISOR: SUPERVISOR_SHIFT, OFFICER: OFFICER_SHIFT}
#: The position units this simulator walks.
STAFF_TYPES = frozenset(SHIFTS)
#: How far the next cell of a patrol may be (m): two or three cells on.
NEXT_CELL_M = 250.0
#: The phone is switched on this long before the shift starts.
EARLY_S = 600.0
#: Episodes: chance per person per district hour in shift, duration range (s). A wander is
#: long enough (20–40 min) to pass the 15-min grace; so is a silence.
EPISODES = {
    "break": (0.25, (300, 900)),
    "wander": (0.05, (1200, 2400)),
    "silent": (0.02, (1200, 1800)),
}
CODES = {"break": 1, "wander": 2, "silent": 3}


@dataclass
class _People:
    ids: list[str]
    types: list[str]
    cells: list[np.ndarray]  # per person: cell centres (x, y), n×2
    x: np.ndarray
    y: np.ndarray
    tx: np.ndarray
    ty: np.ndarray
    next_fix: np.ndarray
    episode: np.ndarray
    episode_end: np.ndarray


class StaffSim:
    def __init__(self, people: list[dict], grid: UnitGrid, seed: int, start_epoch: float):
        """``people``: position units from ``/reference`` (supervisors and officers) with
        ``route.area`` their area codes."""
        self.rng = np.random.default_rng([seed, 6])
        self.grid = grid
        self.calendar = WorkCalendar.default()
        cells = []
        for p in people:
            idx = area_cells(grid, list((p.get("route") or {}).get("area") or []))
            x, y = grid.frame.to_xy(grid.lon[idx], grid.lat[idx])
            cells.append(np.column_stack([x, y]))
        n = len(people)
        start = np.array([c[self.rng.integers(len(c))] if len(c) else (0.0, 0.0) for c in cells])
        start = start.reshape(n, 2)
        self.s = _People(
            [p["id"] for p in people],
            [p["type"] for p in people],
            cells,
            start[:, 0].copy(),
            start[:, 1].copy(),
            start[:, 0].copy(),
            start[:, 1].copy(),
            start_epoch + self.rng.uniform(0, FIX_EVERY_S, n),
            np.zeros(n, dtype=int),
            np.zeros(n),
        )
        self.walked = [np.zeros(len(c), dtype=bool) for c in cells]
        self.speed = np.array([SPEED_KMH.get(t, 4.5) / 3.6 for t in self.s.types])
        self.t = start_epoch
        self.episodes_started = {k: 0 for k in EPISODES}

    def _pick_targets(self, which: np.ndarray) -> None:
        s = self.s
        for i in np.flatnonzero(which):
            c = s.cells[i]
            if not len(c):
                continue
            # The next cell within a short walk (a patrol goes street by street, not across
            # the community in a straight line), else anywhere in his area.
            # Cells he has not walked yet first: a patrol means to cover the area.
            near = np.hypot(c[:, 0] - s.x[i], c[:, 1] - s.y[i]) <= NEXT_CELL_M
            fresh = near & ~self.walked[i]
            pool = np.flatnonzero(fresh if fresh.any() else near)
            if len(pool) < 2:
                pool = (
                    np.flatnonzero(~self.walked[i])
                    if (~self.walked[i]).any()
                    else np.arange(len(c))
                )
            k = int(pool[self.rng.integers(len(pool))])
            self.walked[i][k] = True
            x, y = c[k]
            if s.episode[i] == CODES["wander"]:  # well away: 500–900 m beyond a border cell
                ang = self.rng.uniform(0, 2 * np.pi)
                cx, cy = c.mean(axis=0)
                far = np.hypot(c[:, 0] - cx, c[:, 1] - cy).max() + self.rng.uniform(500, 900)
                x, y = cx + far * np.cos(ang), cy + far * np.sin(ang)
            s.tx[i], s.ty[i] = x, y

    def step(self, t: float) -> dict[str, list]:
        """Advance to district time ``t``; the fixes due by then (columnar, like ``FleetSim``)."""
        s = self.s
        dt = max(0.0, t - self.t)
        self.t = t
        shifts = [SHIFTS.get(k, SUPERVISOR_SHIFT) for k in s.types]
        on = np.array([sh.on(t + EARLY_S, self.calendar) for sh in shifts], dtype=bool)
        ended = (s.episode != 0) & (s.episode_end <= t)
        s.episode[ended] = 0
        free = (s.episode == 0) & on
        started = np.zeros(len(free), dtype=bool)
        for name, (per_hour, (lo, hi)) in EPISODES.items():
            hit = free & (self.rng.random(len(free)) < per_hour * dt / 3600.0)
            s.episode[hit] = CODES[name]
            s.episode_end[hit] = t + self.rng.uniform(lo, hi, hit.sum())
            self.episodes_started[name] += int(hit.sum())
            started |= hit
            free &= ~hit
        # A new target for whoever arrived, started an episode (a wander leads out) or ended one.
        arrived = np.hypot(s.tx - s.x, s.ty - s.y) < 5.0
        self._pick_targets(arrived | ended | started)
        moving = on & (s.episode != CODES["break"])
        dx, dy = s.tx - s.x, s.ty - s.y
        dist = np.hypot(dx, dy)
        stride = np.minimum(dist, self.speed * dt) * moving
        with np.errstate(invalid="ignore", divide="ignore"):
            ux, uy = np.where(dist > 0, dx / dist, 0.0), np.where(dist > 0, dy / dist, 0.0)
        s.x += ux * stride
        s.y += uy * stride
        due = on & (s.next_fix <= t) & (s.episode != CODES["silent"])
        s.next_fix[s.next_fix <= t] += FIX_EVERY_S * np.maximum(
            1, np.ceil((t - s.next_fix[s.next_fix <= t]) / FIX_EVERY_S)
        )
        idx = np.flatnonzero(due)
        lon, lat = self.grid.frame.to_lonlat(s.x[idx], s.y[idx])
        speed = np.where(stride[idx] > 0, self.speed[idx] * 3.6, 0.0)
        heading = np.mod(np.degrees(np.arctan2(ux[idx], uy[idx])), 360.0)
        return {
            "vehicle_id": [s.ids[i] for i in idx],
            "t": np.full(len(idx), t).tolist(),
            "lon": np.round(np.asarray(lon), 7).tolist(),
            "lat": np.round(np.asarray(lat), 7).tolist(),
            "speed_kmh": np.round(speed, 1).tolist(),
            "heading": np.round(heading, 1).tolist(),
            "flags": [0] * len(idx),
        }
