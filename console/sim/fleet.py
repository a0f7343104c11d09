"""The sanitation fleet and IoT sensors as their terminals would report them.

Vehicles drive their assigned routes (from ``/reference``) at type-appropriate speeds, one fix
each per interval, vectorised across the fleet with numpy. Seeded episodes make the platform's
rules fire: work overspeed, long stops, terminals going offline, route deviation.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from console.domain.geometry import EARTH_R, haversine_m
from console.geo.roads import Route

#: Cruise speed (km/h) and whether the type works (brushes/water on) while driving its route.
TYPE_SPEED = {
    "sprinkler": (10.0, True),
    "sweeper": (6.0, True),
    "washer": (8.0, True),
    "garbage": (25.0, False),
    "inspection": (30.0, False),
    "muck": (35.0, False),
}
#: Episode probabilities per vehicle per district hour, and durations (s).
EPISODES = {
    "overspeed": (0.04, (360, 540)),
    "long_stop": (0.03, (1500, 2100)),
    "offline": (0.02, (1800, 2400)),
    "deviation": (0.03, (240, 420)),
}
EPISODE_CODES = {"overspeed": 1, "long_stop": 2, "offline": 3, "deviation": 4}


@dataclass
class FleetState:
    ids: list[str]
    types: list[str]
    routes: list[Route]
    dist: np.ndarray  # metres along each route
    episode: np.ndarray  # 0 none, else EPISODE_CODES
    episode_end: np.ndarray  # epoch s


class FleetSim:
    def __init__(self, vehicles: list[dict], seed: int, start_epoch: float):
        self.rng = np.random.default_rng([seed, 2])
        routes = []
        for v in vehicles:
            lon, lat = (
                np.asarray(v["route"]["lon"], dtype=float),
                np.asarray(v["route"]["lat"], dtype=float),
            )
            s = np.concatenate(
                [[0.0], np.cumsum(haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:]))]
            )
            routes.append(Route(lon, lat, s, []))
        n = len(vehicles)
        self.state = FleetState(
            [v["id"] for v in vehicles],
            [v["type"] for v in vehicles],
            routes,
            self.rng.uniform(0, 1, n) * np.array([r.length for r in routes]),
            np.zeros(n, dtype=int),
            np.zeros(n),
        )
        self.base_speed = np.array([TYPE_SPEED.get(t, (20.0, False))[0] for t in self.state.types])
        self.works = np.array([TYPE_SPEED.get(t, (20.0, False))[1] for t in self.state.types])
        self.t = start_epoch
        self.episodes_started = {k: 0 for k in EPISODES}

    def _start_episodes(self, dt: float) -> None:
        st = self.state
        free = st.episode == 0
        for name, (per_hour, (lo, hi)) in EPISODES.items():
            hit = free & (self.rng.random(len(free)) < per_hour * dt / 3600.0)
            if name == "overspeed":
                hit &= self.works  # work overspeed needs a working vehicle
            st.episode[hit] = EPISODE_CODES[name]
            st.episode_end[hit] = self.t + self.rng.uniform(lo, hi, hit.sum())
            self.episodes_started[name] += int(hit.sum())
            free &= ~hit

    def step(self, dt: float) -> dict:
        """Advance ``dt`` district seconds; the fixes of every vehicle that reports (columnar)."""
        st = self.state
        self.t += dt
        ended = (st.episode != 0) & (st.episode_end <= self.t)
        st.episode[ended] = 0
        self._start_episodes(dt)
        speed = self.base_speed * self.rng.uniform(0.8, 1.15, len(st.ids))
        speed[st.episode == EPISODE_CODES["overspeed"]] *= 2.0
        speed[st.episode == EPISODE_CODES["long_stop"]] = 0.0
        st.dist += speed / 3.6 * dt
        lon, lat, heading = np.empty(len(st.ids)), np.empty(len(st.ids)), np.empty(len(st.ids))
        for i, r in enumerate(st.routes):
            lo, la, hd = r.position_at(st.dist[i])
            lon[i], lat[i], heading[i] = float(lo), float(la), float(hd)
        dev = st.episode == EPISODE_CODES["deviation"]
        if dev.any():  # 300 m to the right of the road
            rad = np.radians(heading[dev] + 90)
            lat[dev] += 300 * np.cos(rad) / EARTH_R * 180 / np.pi
            lon[dev] += 300 * np.sin(rad) / (EARTH_R * np.cos(np.radians(lat[dev]))) * 180 / np.pi
        flags = np.where(self.works & (speed > 0), 1, 0)
        report = st.episode != EPISODE_CODES["offline"]
        return {
            "vehicle_id": [st.ids[i] for i in np.flatnonzero(report)],
            "t": np.full(report.sum(), self.t).tolist(),
            "lon": np.round(lon[report], 7).tolist(),
            "lat": np.round(lat[report], 7).tolist(),
            "speed_kmh": np.round(speed[report], 1).tolist(),
            "heading": np.round(heading[report], 1).tolist(),
            "flags": flags[report].astype(int).tolist(),
        }


#: What the simulated sensors read, uniform in (low, high): (normal, breached) per kind, each
#: side of the kind's threshold (``console.domain.sensor_kinds``).
SENSOR_READINGS: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "manhole_tilt": ((0.0, 3.0), (25.0, 60.0)),
    "water_level": ((0.0, 5.0), (25.0, 45.0)),
    "bin_fill": ((10.0, 75.0), (92.0, 100.0)),
    "light_fault": ((0.0, 0.0), (1.0, 1.0)),
    "noise": ((45.0, 65.0), (72.0, 90.0)),
    "dust": ((20.0, 90.0), (160.0, 400.0)),
    "river_level": ((-20.0, 20.0), (55.0, 90.0)),
    "dissolved_oxygen": ((4.0, 8.0), (0.5, 1.8)),
    "ammonia_nitrogen": ((0.2, 1.2), (2.5, 6.0)),
}


class SensorSim:
    """The district's sensors with rare breaches that last until the work is done.

    A sensor without an open case breaches now and then (5 % of them an hour); it stays
    breached until ``repaired`` (the simulated department's 处置 of the case the breach filed)
    and reads normal 5–20 district minutes after that, so 核查 passes on the sensor's
    evidence (docs/rules/iot.md). While its case is open (``hold``) it starts no new breach:
    a cover knocked over again between 核查 and 结案 would keep the case from closing, which
    the simulated centre does not handle. The terminal thread reads while the actor thread
    repairs: one lock keeps them (and the generator they share) apart."""

    def __init__(self, sensors: list[dict], seed: int):
        self.rng = np.random.default_rng([seed, 3])
        self.sensors = sensors
        self.alarm_until = np.zeros(len(sensors))
        self.held = np.zeros(len(sensors), dtype=bool)
        #: A sensor's case is located at the sensor: its point finds the sensor again.
        self._at = {(x["lon"], x["lat"]): i for i, x in enumerate(sensors)}
        self._lock = threading.Lock()

    def readings(self, t: float, dt: float) -> list[dict]:
        with self._lock:
            chance = self.rng.random(len(self.sensors)) < 0.05 * dt / 3600.0
            start = (self.alarm_until <= t) & ~self.held & chance
            self.alarm_until[start] = np.inf
            out = []
            for i, x in enumerate(self.sensors):
                normal, breached = SENSOR_READINGS.get(x["kind"], ((0.0, 0.0), (0.0, 0.0)))
                v = self.rng.uniform(*(breached if self.alarm_until[i] > t else normal))
                out.append({"sensor_id": x["id"], "t": t, "value": round(float(v), 2)})
        return out

    def hold(self, location: dict, held: bool) -> None:
        """Whether the sensor at ``location`` (a case's) has an open case."""
        i = self._at.get((location["lon"], location["lat"]))
        if i is not None:
            with self._lock:
                self.held[i] = held

    def repaired(self, location: dict, t: float) -> None:
        """The work on the sensor at ``location`` was done at ``t``: it reads normal soon."""
        i = self._at.get((location["lon"], location["lat"]))
        if i is None:
            return
        with self._lock:
            if self.alarm_until[i] > t:
                self.alarm_until[i] = t + self.rng.uniform(300, 1200)
