"""A city-sized scene cloned from the real recorded pages, for the scale benchmarks.

    scene = build_city(vehicles=2000, cases=50000, trail_minutes=20, fix_every_s=5, seed=1)
    state = scene.state()                      # a CityState: bootstrap + the trail fixes
    changes = scene.tick(after_seq=state.log_seq, step=1)   # one bridge tick's changes
    state.apply(changes)

Nothing is invented where the recording has it: ``tests/fixtures/change_pages.json.gz``
(0.4 district hours of the demo backend and simulator, PROVENANCE.md) gives the reference
(district, unit grid, calendar, time limits), the case documents (their latest versions) and
the vehicles with their 5-second fixes. The scene multiplies them:

- **cases**: each clone is a real open case's document with a new id, a location drawn
  uniformly inside a random full cell of the district's real unit grid (with that cell's grid,
  community and street codes), and its stage started a random 0–130 % of its stage limit
  before ``now`` (wall minutes), so the SLA lights are a mix with some red, as a backlog's are.
  Derived wire fields (``light``, ``deadline``) are the template's; the console recomputes
  lights from ``stage_started_at``. Nested lists (``events``, ``photos``, ``departments``)
  are shared with the template unless ``distinct_docs`` (then every clone is parsed from JSON,
  as a snapshot off the wire is: what a memory figure per case should use).
- **vehicles**: each clone is a real vehicle (type, department, last status) with a new id and
  plate, driving a real vehicle's recorded path translated to a random grid cell, starting at a
  random point of the recording (played back and forth when the trail is longer than the
  recording's 24 minutes); heading and speed follow the path.
- **fixes**: one ``fixes`` change per ``fix_every_s`` over the last ``trail_minutes`` before
  ``now`` (every vehicle in each), seqs 1..n after a snapshot at seq 0.

The scene is deterministic for a seed. ``now`` is the recording's last fix (a Monday morning,
CST), so the work calendar's clocks run.
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from console.domain.documents import CaseChange, CaseDoc, Change, FixesChange, Snapshot, VehicleDoc
from console.state import CityState

PAGES_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "change_pages.json.gz"
# Stage start drawn over this share of the stage's limit before now: past 100 % is red, so
# about a quarter of the clones of a short-limit stage are overdue (a backlog, not a demo).
STAGE_AGE_SHARE = 1.3
# One metre in degrees of latitude (WGS-84 mean), for speeds along the cloned paths.
M_PER_DEG_LAT = 111_195.0


@dataclass
class CityScene:
    """What a CityState needs for a city: ``reference`` (the real one, its vehicle list grown
    by the clones), ``snapshot`` (snapshot-shaped: seq 0, cases, vehicles without fixes, no
    alerts), ``fixes`` (FixesChange dicts, seqs 1..n, time order) and ``now`` (epoch s, the
    last fix: the instant the map and the lights are drawn at)."""

    reference: dict[str, Any]
    snapshot: Snapshot
    fixes: list[FixesChange]
    now: float
    fix_every_s: float
    seed: int
    _paths: dict[str, np.ndarray] = field(repr=False, default_factory=dict)

    def state(self, trail_points: int | None = None) -> CityState:
        """A fresh CityState holding the scene: the snapshot bootstrapped, the fixes applied.
        ``trail_points`` defaults to what holds the whole trail (never less than the
        console's 512)."""
        cap = max(512, len(self.fixes)) if trail_points is None else trail_points
        s = CityState(trail_points=cap)
        s.bootstrap(self.snapshot, self.reference)
        s.apply(self.fixes)
        return s

    def tick(
        self, after_seq: int, step: int = 1, vehicle_share: float = 0.05, cases: int = 50
    ) -> list[Change]:
        """One bridge tick ``step`` fix intervals after ``now``: a ``fixes`` change for
        ``vehicle_share`` of the vehicles (moving on along their paths) and ``cases`` case
        changes (a random open case's stage restarted at the tick, version + ``step``), seqs
        from ``after_seq`` + 1. Deterministic for (seed, step)."""
        rng = np.random.default_rng((self.seed, step))
        t = self.now + step * self.fix_every_s
        ts = _iso(t)
        vids = list(self._paths)
        pick = rng.choice(len(vids), size=max(1, round(len(vids) * vehicle_share)), replace=False)
        out: list[Change] = []
        out += _fixes_at([vids[i] for i in sorted(pick)], self._paths, np.array([t]), after_seq + 1)
        docs = self.snapshot["cases"]
        for k, i in enumerate(rng.choice(len(docs), size=min(cases, len(docs)), replace=False)):
            doc = docs[i].copy()
            doc["version"] = docs[i]["version"] + step
            doc["stage_started_at"] = doc["updated_at"] = ts
            change: CaseChange = {"seq": after_seq + 2 + k, "ts": ts, "kind": "case", "case": doc}
            out.append(change)
        return out


def load_pages() -> dict[str, Any]:
    """The recorded pages (``snapshot``, ``reference``, ``pages``), as conftest reads them."""
    pages: dict[str, Any] = json.loads(gzip.decompress(PAGES_FILE.read_bytes()))
    return pages


def build_city(
    vehicles: int = 2000,
    cases: int = 50_000,
    trail_minutes: float = 20.0,
    fix_every_s: float = 5.0,
    seed: int = 1,
    distinct_docs: bool = False,
) -> CityScene:
    """The scene described in the module docstring."""
    rec = load_pages()
    rng = np.random.default_rng(seed)
    changes = [ch for page in rec["pages"] for ch in page]
    latest_case: dict[str, CaseDoc] = {}
    latest_vehicle: dict[str, dict] = {v["id"]: v for v in rec["snapshot"]["vehicles"]}
    tracks: dict[str, list] = {}
    for ch in changes:
        if ch["kind"] == "case":
            c = ch["case"]
            if c["version"] >= latest_case.get(c["id"], {"version": -1})["version"]:
                latest_case[c["id"]] = c
        elif ch["kind"] == "vehicle":
            latest_vehicle[ch["vehicle"]["id"]] = ch["vehicle"]
        elif ch["kind"] == "fixes":
            for i, vid in enumerate(ch["vehicle_id"]):
                tracks.setdefault(vid, []).append((ch["t"][i], ch["lon"][i], ch["lat"][i]))
    now = max(t for tr in tracks.values() for t, _, _ in tr)
    grid = rec["reference"]["grid"]
    cells = _full_cells(grid)

    templates = [c for c in latest_case.values() if c.get("stage_limit_minutes")]
    case_docs = _clone_cases(templates, cases, grid, cells, now, rng, distinct_docs)

    real_paths = [np.array(sorted(tr)) for _, tr in sorted(tracks.items())]
    real_vehicles = [latest_vehicle[v] for v in sorted(tracks)]
    ref_vehicles: list[dict[str, Any]] = []
    snap_vehicles: list[VehicleDoc] = []
    paths: dict[str, np.ndarray] = {}
    for n in range(vehicles):
        k = int(rng.integers(len(real_vehicles)))
        src, path = real_vehicles[k], real_paths[k]
        vid, plate = f"C{n + 1:05d}", f"浙A·C{n + 1:05d}"
        info = {"id": vid, "plate": plate, "type": src["type"]}
        info["department_id"] = src["department_id"]
        ref_vehicles.append(info)
        snap_vehicles.append({**info, "status": src["status"]})  # type: ignore[typeddict-item]
        cell = cells[int(rng.integers(len(cells)))]
        centre = _cell_lonlat(grid, cell, 0.5, 0.5)
        shift = (centre[0] - path[0, 1], centre[1] - path[0, 2])
        phase = float(rng.uniform(0.0, path[-1, 0] - path[0, 0]))
        paths[vid] = np.column_stack((path[:, 0] - path[0, 0] - phase, path[:, 1:] + shift))
    reference = {**rec["reference"], "vehicles": ref_vehicles}
    n_fix = int(trail_minutes * 60.0 / fix_every_s)
    times = now - fix_every_s * np.arange(n_fix)[::-1]
    fixes = _fixes_at(list(paths), _rebased(paths, now), times, first_seq=1)
    snapshot: Snapshot = {
        "feed_id": f"scale-city-{seed}",
        "seq": 0,
        "server_time": _iso(float(times[0]) if n_fix else now),
        "speed": 1.0,
        "cases": case_docs,
        "vehicles": snap_vehicles,
        "alerts": [],
    }
    return CityScene(reference, snapshot, fixes, now, fix_every_s, seed, _rebased(paths, now))


def _full_cells(grid: dict) -> np.ndarray:
    """Indices of the unit cells that are whole lattice squares (a point anywhere in the
    square is in the cell; border cells' outlines are not)."""
    full = np.ones(len(grid["codes"]), dtype=bool)
    full[np.asarray(grid["border"]["cells"], dtype=np.int64)] = False
    return np.flatnonzero(full)


def _cell_lonlat(grid: dict, cell: int, u: float, v: float) -> tuple[float, float]:
    (ox, oy), (sx, sy) = grid["origin"], grid["step"]
    return ox + (grid["col"][cell] + u) * sx, oy + (grid["row"][cell] + v) * sy


def _clone_cases(
    templates: list[CaseDoc],
    n: int,
    grid: dict,
    cells: np.ndarray,
    now: float,
    rng: np.random.Generator,
    distinct: bool,
) -> list[CaseDoc]:
    which = rng.integers(len(templates), size=n)
    cell = cells[rng.integers(len(cells), size=n)]
    (ox, oy), (sx, sy) = grid["origin"], grid["step"]
    col, row = np.asarray(grid["col"])[cell], np.asarray(grid["row"])[cell]
    lon = ox + (col + rng.uniform(0.02, 0.98, n)) * sx
    lat = oy + (row + rng.uniform(0.02, 0.98, n)) * sy
    limits = np.array([templates[i]["stage_limit_minutes"] for i in which], dtype=float)
    started = now - limits * 60.0 * rng.uniform(0.0, STAGE_AGE_SHARE, n)
    codes = grid["codes"]
    raw = [json.dumps(t, ensure_ascii=False) for t in templates] if distinct else []
    out: list[CaseDoc] = []
    for k in range(n):
        i = int(which[k])
        doc: CaseDoc = json.loads(raw[i]) if distinct else templates[i].copy()
        code = codes[int(cell[k])]
        ts = _iso(float(started[k]))
        # 13 digits like the backend's (date + 5-digit serial): a day per 99,999 cases
        doc["id"] = f"2026{1101 + k // 99_999:04d}{k % 99_999 + 1:05d}"
        doc["grid_code"], doc["community_code"], doc["street_code"] = code, code[:12], code[:9]
        doc["location"] = {"lon": float(lon[k]), "lat": float(lat[k])}
        doc["stage_started_at"] = doc["updated_at"] = ts
        out.append(doc)
    return out


def _rebased(paths: dict[str, np.ndarray], now: float) -> dict[str, np.ndarray]:
    """Paths with their time column in epoch seconds (a path's time 0 is ``now``)."""
    return {vid: np.column_stack((p[:, 0] + now, p[:, 1:])) for vid, p in paths.items()}


def _fixes_at(
    vids: list[str], paths: dict[str, np.ndarray], times: np.ndarray, first_seq: int
) -> list[FixesChange]:
    """A ``fixes`` change per instant in ``times`` (seqs from ``first_seq``), every one of
    ``vids`` in each: positions interpolated on its path, played back and forth past its
    ends."""
    m = len(vids)
    lon, lat, head, speed = (np.empty((len(times), m)) for _ in range(4))
    dt = 1.0  # s: heading and speed from the position a second on
    for j, vid in enumerate(vids):
        p = paths[vid]
        t0, span = p[0, 0], max(p[-1, 0] - p[0, 0], 1.0)
        at, ahead = _back_and_forth(times - t0, span), _back_and_forth(times + dt - t0, span)
        x, y = np.interp(at + t0, p[:, 0], p[:, 1]), np.interp(at + t0, p[:, 0], p[:, 2])
        x2, y2 = np.interp(ahead + t0, p[:, 0], p[:, 1]), np.interp(ahead + t0, p[:, 0], p[:, 2])
        east = (x2 - x) * M_PER_DEG_LAT * math.cos(math.radians(float(y[0])))
        north = (y2 - y) * M_PER_DEG_LAT
        lon[:, j], lat[:, j] = x, y
        head[:, j] = np.degrees(np.arctan2(east, north)) % 360.0
        speed[:, j] = np.hypot(east, north) / dt * 3.6
    out: list[FixesChange] = []
    for k in range(len(times)):
        moving = speed[k] > 0.5
        out.append(
            {
                "seq": first_seq + k,
                "ts": _iso(float(times[k])),
                "kind": "fixes",
                "vehicle_id": list(vids),
                "t": [float(times[k])] * m,
                "lon": lon[k].tolist(),
                "lat": lat[k].tolist(),
                "speed_kmh": np.round(speed[k], 1).tolist(),
                "heading": np.round(head[k], 1).tolist(),
                "flags": moving.astype(int).tolist(),
            }
        )
    return out


def _back_and_forth(u: np.ndarray, span: float) -> np.ndarray:
    """``u`` folded into [0, span] as a path played forth, then back, then forth..."""
    return span - np.abs(u % (2 * span) - span)


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat()
