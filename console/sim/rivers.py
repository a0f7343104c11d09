"""The district's river patrols as their phones and boat terminals would report them.

Each patrol walks or boats its beat (the segments of ``/reference``'s route, joined end to
end) back and forth without pause: on foot at about 4.5 km/h, by boat at about 8 km/h (a
patrol boat idles along a city canal to look at the banks; the canals' speed limits are of
that order). A boat keeps to the canal's centre line, which is its water; a patroller on foot
carries a phone whose fix wanders a few metres. The backend turns the fixes into each
segment's coverage (``console.server.rivers``); the sim knows nothing of it.
"""

from __future__ import annotations

import numpy as np

from console.domain.field_units import RIVER_PATROL_BOAT
from console.domain.geometry import EARTH_R, haversine_m

#: Cruise speed (km/h) by patrol type: a walking pace, a patrol boat's look-around pace.
SPEED_KMH = {RIVER_PATROL_BOAT: 8.0}
FOOT_KMH = 4.5
#: A phone's fix error on a bank in the open (m, standard deviation per axis).
FOOT_GPS_SD_M = 4.0


class RiverPatrolSim:
    """Patrols going up and down their beats, vectorised over the patrols."""

    def __init__(self, vehicles: list[dict], seed: int, start_epoch: float):
        self.rng = np.random.default_rng([seed, 16])
        self.ids = [v["id"] for v in vehicles]
        self.boat = np.array([v["type"] == RIVER_PATROL_BOAT for v in vehicles], dtype=bool)
        self.lines = []
        for v in vehicles:
            lon = np.asarray(v["route"]["lon"], dtype=float)
            lat = np.asarray(v["route"]["lat"], dtype=float)
            s = np.concatenate(
                [[0.0], np.cumsum(haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:]))]
            )
            self.lines.append((lon, lat, s))
        self.length = np.array([line[2][-1] for line in self.lines])
        #: Metres along the out-and-back loop (twice the beat): start anywhere on it.
        self.pos = self.rng.uniform(0, 2, len(self.ids)) * self.length
        self.speed = np.array(
            [SPEED_KMH.get(v["type"], FOOT_KMH) for v in vehicles], dtype=float
        ) * self.rng.uniform(0.9, 1.1, len(self.ids))
        self.t = start_epoch

    def step(self, dt: float) -> dict:
        """Advance ``dt`` district seconds; one fix per patrol (columnar, as ``FleetSim``)."""
        self.t += dt
        n = len(self.ids)
        self.pos = np.mod(self.pos + self.speed / 3.6 * dt, 2 * self.length)
        back = self.pos > self.length
        along = np.where(back, 2 * self.length - self.pos, self.pos)
        lon, lat, heading = np.empty(n), np.empty(n), np.empty(n)
        for i, (llon, llat, s) in enumerate(self.lines):
            lon[i] = np.interp(along[i], s, llon)
            lat[i] = np.interp(along[i], s, llat)
            j = int(np.clip(np.searchsorted(s, along[i], side="right") - 1, 0, len(s) - 2))
            dx = (llon[j + 1] - llon[j]) * np.cos(np.radians(llat[j]))
            heading[i] = np.degrees(np.arctan2(dx, llat[j + 1] - llat[j])) + (180 if back[i] else 0)
        walk = ~self.boat
        noise = self.rng.normal(0, FOOT_GPS_SD_M, (2, int(walk.sum())))
        lat[walk] += noise[0] / EARTH_R * 180 / np.pi
        lon[walk] += noise[1] / (EARTH_R * np.cos(np.radians(lat[walk]))) * 180 / np.pi
        return {
            "vehicle_id": list(self.ids),
            "t": [self.t] * n,
            "lon": np.round(lon, 7).tolist(),
            "lat": np.round(lat, 7).tolist(),
            "speed_kmh": np.round(self.speed, 1).tolist(),
            "heading": np.round(np.mod(heading, 360.0), 1).tolist(),
            "flags": [0] * n,
        }
