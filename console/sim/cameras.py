"""视频巡查 in the simulator: the centre's operator watching the cameras files what the video
platform's analytics flag (the plan's ``video`` reports) from the camera that saw it, with the
picture of that moment attached, as a person at the video desk does: the camera's still
fetched, uploaded as media, and the case filed through ``POST /api/v1/cameras/{id}/cases``.

A video report of the plan is placed within sight of the nearest camera (a camera sees what
is within ``SIGHT_M`` of it: the report's point moves there, to a spot inside the district,
for a camera on the boundary also looks across it); a report with no camera within ``CATCH_M``
(the district's edges) goes in as an ordinary video report.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np

from console.domain.cameras import SEES_WITHIN_M, distance_m

from .client import ActorClient
from .plan import PlannedReport

#: The analytics run on every camera: a report up to this far from a camera is one of its.
CATCH_M = 2000.0
#: Where in the picture the problem is: within this of the camera (well within its sight).
SIGHT_M = 0.5 * SEES_WITHIN_M
#: Spots drawn within sight for one report; the first inside the district is taken.
DRAWS = 16


class CameraSim:
    def __init__(
        self, cameras: list[dict], seed: int, inside: Callable[[np.ndarray, np.ndarray], np.ndarray]
    ):
        """``inside(lon, lat)``: which points are in the district (the backend refuses a case
        outside it, as it should)."""
        self.cameras = cameras
        self.seed = seed
        self.inside = inside
        self.filed = 0

    def relocate(self, rep: PlannedReport) -> tuple[PlannedReport, dict | None]:
        """The report placed within sight of its nearest camera and inside the district, and
        that camera (or the report unchanged and None when no camera is within ``CATCH_M``, or
        none of the spots drawn near it is in the district)."""
        best: tuple[float, dict] | None = None
        for c in self.cameras:
            d = distance_m(c["lon"], c["lat"], rep.lon, rep.lat)
            if d <= CATCH_M and (best is None or d < best[0]):
                best = (d, c)
        if best is None:
            return rep, None
        cam = best[1]
        rng = np.random.default_rng([self.seed, 11, int(rep.t * 1000)])
        r, a = SIGHT_M * np.sqrt(rng.random(DRAWS)), rng.uniform(0, 2 * math.pi, DRAWS)
        k = math.cos(math.radians(cam["lat"]))
        lon = cam["lon"] + r * np.sin(a) / (111_320.0 * k)
        lat = cam["lat"] + r * np.cos(a) / 110_574.0
        ok = np.flatnonzero(self.inside(lon, lat))
        if not len(ok):
            return rep, None
        i = int(ok[0])
        return dataclasses.replace(rep, lon=float(lon[i]), lat=float(lat[i])), cam

    def file(self, desk: ActorClient, camera: dict, body: dict):
        """File ``body`` (an intake body) from ``camera`` with its still as the grab; the
        response of the case's POST, or None if a step failed (counted by the client)."""
        still = desk.get(f"/api/v1/cameras/{camera['id']}/still")
        if still is None or still.status_code != 200:
            return None
        media = desk.post(
            "/api/v1/media", data=still.content, headers={"Content-Type": "image/jpeg"}
        )
        if media is None or media.status_code != 200:
            return None
        case = {
            "category_code": body["category_code"],
            "grab": media.json()["id"],
            "location": body["location"],
            "urgency": body["urgency"],
            "address": body["address"],
            "description": body["description"],
        }
        r = desk.post(f"/api/v1/cameras/{camera['id']}/cases", json=case, idempotent_key=True)
        if r is not None and r.status_code == 200:
            self.filed += 1
        return r
