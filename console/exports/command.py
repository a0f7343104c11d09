"""``main.py export-track`` and ``main.py export-cases``: the exports from the command line,
over the backend's HTTP API with the login the other commands use, or (a track) from shift
logs with no backend at all."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from console import CommandError
from console.domain.documents import CaseDoc
from console.paths import data_dir
from console.replay.logfiles import open_logs
from console.replay.player import Replayer
from console.replay.timeparse import parse_instant
from console.store.shiftlog import ShiftLog
from console.sync.client import ApiError, RestClient

from .cases import CaseNames, backend_cases, case_feature, case_row, table_headers
from .geojson import FeatureWriter, write_track_geojson
from .gpx import write_gpx
from .tables import write_table
from .track import Get, Track, backend_track, log_track

log = logging.getLogger(__name__)
TRACK_FORMATS = (".gpx", ".geojson")
CASE_FORMATS = (".geojson", ".csv", ".xlsx")


def period(start: str, end: str) -> tuple[datetime, datetime]:
    """``--from`` / ``--to`` (ISO 8601; without a zone, Hangzhou time) as a period."""
    try:
        t0, t1 = parse_instant(start), parse_instant(end)
    except ValueError as e:
        raise CommandError(f"unreadable time: {e}") from e
    if t1 <= t0:
        raise CommandError("--to must be later than --from")
    return t0, t1


def _format(out: str, formats: Sequence[str]) -> str:
    suffix = Path(out).suffix.lower()
    if suffix not in formats:
        raise CommandError(f"{out}: use {' or '.join(formats)}")
    return suffix


def write_track(track: Track, out: str | Path) -> int:
    """``out`` by its suffix: .gpx or .geojson."""
    if Path(out).suffix.lower() == ".gpx":
        title = f"{track.vehicle_id} {track.plate}".strip()
        return write_gpx(track, out, name=title)
    return write_track_geojson(track, out)


def vehicle_plate(reference: dict[str, Any], vehicle_id: str) -> str:
    for v in reference.get("vehicles") or []:
        if v.get("id") == vehicle_id:
            return str(v.get("plate") or "")
    return ""


def log_reference(shiftlog: ShiftLog) -> dict[str, Any]:
    """The reference of a shift log's last bootstrap (its vehicles' plates), or none."""
    boots = shiftlog.bootstraps()
    return (shiftlog.reference(boots[-1]["id"]) if boots else None) or {}


def _client_get(backend: str, user: str, password: str) -> Get:
    client = RestClient(backend, user, password)
    return lambda path, params: client.get(path, params=params)


def export_track_command(
    out: str,
    vehicle: str,
    start: str,
    end: str,
    backend: str | None = None,
    user: str = "",
    password: str = "",
    logs: Sequence[str] = (),
) -> int:
    _format(out, TRACK_FORMATS)
    t0, t1 = period(start, end)
    if bool(backend) == bool(logs):
        raise CommandError("give either --backend URL or --log FILE...")
    try:
        if backend:
            get = _client_get(backend, user, password)
            track = backend_track(get, vehicle, t0, t1)
            track.plate = vehicle_plate(get("/api/v1/reference", {}), vehicle)
        else:
            replayer = Replayer(open_logs(list(logs), data_dir() / "replays"))
            track = log_track(replayer, vehicle, t0, t1)
            track.plate = vehicle_plate(log_reference(replayer.log), vehicle)
        n = write_track(track, out)
    except ApiError as e:
        raise CommandError(f"{backend}: {e}") from e
    except (ValueError, OSError) as e:  # requests' errors are OSErrors
        raise CommandError(str(e)) from e
    print(f"{out}: {n} fixes of {vehicle} in {len(track.segments())} segments")
    return 0


def write_cases(out: str | Path, cases: Iterable[CaseDoc], names: CaseNames) -> int:
    """Cases to ``out`` by its suffix: GeoJSON points, or a CSV/XLSX table (names and
    headers in ``names``' language); the number written. ``cases`` is consumed as it comes."""
    if Path(out).suffix.lower() == ".geojson":
        with FeatureWriter(out) as w:
            return w.add_all(case_feature(doc, names) for doc in cases)
    lang = names.labels.lang
    title = "案件" if lang == "zh" else "Cases"
    rows = (case_row(doc, names) for doc in cases)
    return write_table(out, table_headers(lang), rows, title)


def export_cases_command(
    out: str, start: str, end: str, backend: str, user: str, password: str, lang: str = "zh"
) -> int:
    _format(out, CASE_FORMATS)
    t0, t1 = period(start, end)
    try:
        get = _client_get(backend, user, password)
        names = CaseNames(get("/api/v1/reference", {}), lang)
        n = write_cases(out, backend_cases(get, t0, t1), names)
    except ApiError as e:
        raise CommandError(f"{backend}: {e}") from e
    except (ValueError, OSError) as e:
        raise CommandError(str(e)) from e
    print(f"{out}: {n} cases reported from {t0.isoformat()} to {t1.isoformat()}")
    return 0
