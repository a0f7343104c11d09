"""A vehicle's track for any period, from the backend (live) or from shift logs (replay), cut
into segments where the vehicle was silent.

The backend's ``GET /api/v1/vehicles/{id}/track`` answers at most ``BACKEND_TRACK_LIMIT`` fixes
(``console.server.telemetry.track``), oldest first: a longer period is read page by page, each
page starting at the last fix of the one before (fixes are unique per vehicle and instant, so
the repeated one is dropped by its time). A shift log holds what the console received, so a
replay's track is the one the operator saw; the backend keeps every fix it stored, so the live
console and ``export-track --backend`` ask it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

#: ``console.server.telemetry.track``'s ``limit``: the most fixes one answer holds.
BACKEND_TRACK_LIMIT = 50_000
#: A silence longer than this starts a new segment (GPX ``trkseg``, a GeoJSON line): the
#: simulator and the JT/T 808 terminals report every 5-30 s while moving; minutes without a
#: fix is a vehicle switched off or out of coverage, and a straight line across that gap would
#: draw a road it never drove. A project decision, not a standard's number.
SEGMENT_GAP_S = 300.0
FIELDS = ("t", "lon", "lat", "speed_kmh", "heading")

#: ``get(path, params)`` → the backend's decoded JSON answer (a session's fetch, a RestClient).
Get = Callable[[str, dict[str, str]], Any]


@dataclass
class Track:
    """One vehicle's fixes in ``[start, end)``, oldest first, as parallel columns."""

    vehicle_id: str
    start: datetime
    end: datetime
    plate: str = ""
    t: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    speed_kmh: list[float | None] = field(default_factory=list)
    heading: list[float | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.t)

    def extend(self, cols: dict[str, Any], after: float | None = None) -> int:
        """Append the columns' fixes later than ``after``; how many were appended."""
        ts = cols.get("t") or []
        first = 0
        if after is not None:
            while first < len(ts) and ts[first] <= after:
                first += 1
        n = len(ts)
        for name in FIELDS:
            col = cols.get(name) or [None] * n
            getattr(self, name).extend(col[first:])
        return n - first

    def segments(self, gap_s: float = SEGMENT_GAP_S) -> list[range]:
        """Index ranges of the fixes between silences longer than ``gap_s``."""
        out, begin = [], 0
        for i in range(1, len(self.t)):
            if self.t[i] - self.t[i - 1] > gap_s:
                out.append(range(begin, i))
                begin = i
        if self.t:
            out.append(range(begin, len(self.t)))
        return out


def utc_text(t: float) -> str:
    """Epoch seconds as ISO 8601 in UTC with ``Z`` (GPX's xsd:dateTime, RFC 3339): whole
    seconds when the fix is on one, else microseconds, so a reader gets the instant back."""
    d = datetime.fromtimestamp(t, UTC)
    return d.isoformat(timespec="seconds" if d.microsecond == 0 else "microseconds")[:-6] + "Z"


def backend_track(get: Get, vehicle_id: str, start: datetime, end: datetime) -> Track:
    """The backend's fixes of ``vehicle_id`` in ``[start, end)``, every page of them."""
    track = Track(vehicle_id, start, end)
    since = start
    last: float | None = None
    while True:
        page = get(
            f"/api/v1/vehicles/{vehicle_id}/track",
            {"from": since.isoformat(), "to": end.isoformat()},
        )
        got = len(page.get("t") or [])
        track.extend(page, after=last)
        if got < BACKEND_TRACK_LIMIT or not track.t or track.t[-1] == last:
            return track
        last = track.t[-1]
        since = datetime.fromtimestamp(last, UTC)


def log_track(replayer: Any, vehicle_id: str, start: datetime, end: datetime) -> Track:
    """The fixes of ``vehicle_id`` in ``[start, end)`` that a shift log holds
    (``console.replay.player.Replayer.track``, which takes both ends)."""
    cols = replayer.track(vehicle_id, start.timestamp(), end.timestamp())
    keep = [i for i, t in enumerate(cols["t"]) if t < end.timestamp()]
    track = Track(vehicle_id, start, end)
    track.extend({k: [cols[k][i] for i in keep] for k in FIELDS})
    return track
