"""Traccar as a telemetry source: a fleet already tracked on a Traccar server feeds the backend.

``serve --traccar URL`` runs a ``TraccarSource`` thread inside the backend. It logs in (a
session cookie from ``POST /api/session``, or a token: ``GET /api/session?token=`` for the
cookie plus ``Authorization: Bearer`` on REST), reads ``GET /api/devices``, opens the WebSocket
``/api/socket``, reads the latest ``GET /api/positions`` and then follows the socket. Positions
become fixes on the same path as a gateway's post (``telemetry.ingest_fixes``: the same
validation, rules and feed); events become alerts through ``telemetry.apply_signals``
(``EVENT_ALERTS``).

A dropped socket, a refused login or a dead server never stops the backend: the thread logs,
waits (exponential backoff with jitter, ``backoff_s``), logs in again, opens the socket and
fills the gap: each device's positions since the last one it had
(``GET /api/positions?deviceId=&from=&to=``) and the events since the drop
(``GET /api/reports/events``). A fix stored twice is impossible (fixes are unique per vehicle
and t), and an event seen twice (live and in the report) raises one alert.

Protocol facts are from Traccar's OpenAPI spec (traccar/traccar v6.14.5 ``openapi.yaml``; the
test stub serves the recorded shapes in ``tests/fixtures/traccar/``) and its WebSocket API
(``{"positions": [...]}``, ``{"devices": [...]}``, ``{"events": [...]}`` and ``{}``
keep-alives every 55 s).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from sqlalchemy import select
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect
from websockets.sync.connection import Connection

from console.domain.vehicle_rules import Signal

from . import telemetry
from .context import Context
from .db import Vehicle
from .errors import ApiError
from .inputs import parse_instant
from .jt808_fixes import phone_key
from .source_thread import HTTP_TIMEOUT_S, SourceThread

log = logging.getLogger(__name__)

#: Traccar reports speed in knots (openapi.yaml, Position.speed: "in knots"); a knot is one
#: international nautical mile (1,852 m, exactly: BIPM SI Brochure, table 8) an hour.
KMH_PER_KNOT = 1.852
#: Traccar's server sends ``{}`` every 55 s on an idle socket (its WebSocket API); nothing for
#: two of those and a margin means the connection is dead even if TCP has not said so.
SILENCE_S = 130.0
#: A socket that lived this long was a success: the backoff after it starts from its first step.
#: One that drops sooner (a server closing each socket at once) counts as a failed attempt,
#: so the waits grow instead of reconnecting every second for ever.
STABLE_S = 30.0
#: How often the listening loop looks at its stop flag (a ``recv`` timeout, not a poll).
RECV_SLICE_S = 0.5
#: The largest socket message taken (``connect``'s ``max_size``): 64 MiB, a 100,000-device
#: server's first message.
MAX_MESSAGE_BYTES = 64 << 20

#: A dropped position is logged the first time for its device and reason, then every this
#: many times.
DROP_LOG_EVERY = 100
#: Devices per event-report request after a reconnect (a URL of ~2 kB).
EVENT_CHUNK = 100
#: Event ids remembered so that an event both sent live and in a gap's report is one alert.
SEEN_EVENTS = 10_000

#: Traccar event type -> (the alert kind, raise or clear). Kinds and why:
#: - ``deviceOverspeed``: ``vehicle_speeding`` (warning), over the speed limit Traccar holds for
#:   the device or road. Not ``vehicle_overspeed``: that is the centre's own rule "too fast
#:   while working" (作业超速, a sweeper above its working speed), a different condition whose
#:   rule clears it; Traccar sends no end of overspeed, so this one is resolved by hand.
#: - ``geofenceEnter`` / ``geofenceExit``: ``vehicle_geofence_enter`` (info: entering a depot or
#:   a work area is usually planned) and ``vehicle_geofence_exit`` (warning: a vehicle leaving
#:   its area is what a centre watches geofences for).
#: - ``deviceOffline``: the project's ``vehicle_offline`` (the same condition as the fleet rule's
#:   silent terminal; the vehicle shows offline); ``deviceOnline`` clears it.
#: - ``alarm``: ``vehicle_alarm`` (critical: Traccar's alarm covers SOS, accident, tampering and
#:   power cut, ``attributes.alarm`` says which; a driver's SOS is a person in danger).
#: Other events (moving, stopped, ignition, ...) are not alerts: the fleet rules derive moving
#: and stopped from the fixes themselves.
EVENT_ALERTS: dict[str, tuple[str, str]] = {
    "deviceOverspeed": ("vehicle_speeding", "raise"),
    "geofenceEnter": ("vehicle_geofence_enter", "raise"),
    "geofenceExit": ("vehicle_geofence_exit", "raise"),
    "deviceOffline": ("vehicle_offline", "raise"),
    "deviceOnline": ("vehicle_offline", "clear"),
    "alarm": ("vehicle_alarm", "raise"),
}


@dataclass(frozen=True)
class TraccarConfig:
    """``serve --traccar URL (--traccar-user U --traccar-password P | --traccar-token T)``."""

    url: str
    user: str | None = None
    password: str | None = None
    token: str | None = None
    #: First retry after this many seconds, doubling to ``backoff_max_s``.
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0

    def __post_init__(self) -> None:
        if not self.token and not (self.user and self.password is not None):
            raise ValueError("Traccar needs a user and password, or a token")
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise ValueError(f"Traccar URL must be http:// or https://, not {self.url!r}")


def backoff_s(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """The wait before retry ``attempt`` (0 first): "equal jitter" from AWS's "Exponential
    Backoff And Jitter" (Marc Brooker, 2015): half of ``min(cap, base·2^attempt)`` fixed, half
    random, so many consoles' adapters losing one server do not come back in step, and none
    retries at once in a tight loop."""
    d = min(cap, base * 2 ** min(attempt, 30))
    return d / 2 + rng.uniform(0, d / 2)


class AuthRefused(Exception):
    """Traccar refused the credentials (400/401/403/404 on login)."""


class SessionExpired(Exception):
    """A call answered 401 after the login worked: the next attempt logs in again."""


def _epoch(v: object, name: str) -> float | str:
    """An ISO 8601 time as epoch seconds, or why it is not one."""
    if not isinstance(v, str):
        return f"{name} is missing"
    try:
        return parse_instant(v, name).timestamp()
    except ValueError as e:
        return f"{e} (got {v[:40]!r})"


def position_fix(p: object, vehicle_id: str) -> dict[str, Any] | str:
    """A Traccar position as the backend's fix, or why it is dropped. Numbers are passed on as
    they come (``telemetry`` validates them like any gateway's: range, finiteness, age)."""
    if not isinstance(p, dict):
        return "not an object"
    if p.get("valid") is False:
        return "the device marked it invalid (no GPS fix)"
    t = _epoch(p.get("fixTime"), "fixTime")
    if isinstance(t, str):
        return t
    speed = p.get("speed")
    if isinstance(speed, int | float) and not isinstance(speed, bool):
        try:
            speed = float(speed) * KMH_PER_KNOT
        except OverflowError:
            speed = None
    return {
        "vehicle_id": vehicle_id,
        "t": t,
        "lon": p.get("longitude"),
        "lat": p.get("latitude"),
        "speed_kmh": speed,
        "heading": p.get("course"),
        "flags": 0,  # Traccar has no 作业 (working) signal; JT/T 808's status word would carry it
    }


class TraccarSource(SourceThread):
    """One Traccar server followed for the backend's lifetime (``start()``/``stop()``)."""

    def __init__(self, ctx: Context, cfg: TraccarConfig, rng: random.Random | None = None):
        super().__init__(ctx, "traccar", cfg.url, [cfg.password, cfg.token])
        self.cfg = cfg
        self.rng = rng or random.Random()
        parts = urlsplit(cfg.url.rstrip("/"))
        self.base = urlunsplit(parts)
        self.socket_url = urlunsplit(
            (
                "wss" if parts.scheme == "https" else "ws",
                parts.netloc,
                parts.path + "/api/socket",
                "",
                "",
            )
        )
        #: Traccar device id -> vehicle id, and the device's name (for log lines).
        self.devices: dict[int, str] = {}
        self.names: dict[int, str] = {}
        self.geofences: dict[int, str] = {}
        #: Per device, the newest fix time seen (epoch): where a gap fill starts.
        self.last_t: dict[int, float] = {}
        self._unknown_logged: set[str] = set()
        #: terminal_id (as ``phone_key``: no leading zeros) -> vehicle id, as last read.
        self._terminals: dict[str, str] = {}
        #: Positions dropped, by (device, reason): how often (``_dropped``).
        self._drops: dict[tuple[int | None, str], int] = {}
        #: Ids of the latest events handled, oldest first (a dict as an ordered set).
        self._seen_events: dict[int, None] = {}
        #: When the last socket ended (epoch, district time); None before the first one.
        self.down_since: float | None = None
        self.connects = 0  # sockets opened (the first, then each reconnect)
        self.failures = 0  # attempts in a row that failed (the backoff's exponent)

    # ---- the loop ---------------------------------------------------------------------------
    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                self._connect_and_follow()
            except AuthRefused as e:
                log.error(
                    "Traccar %s: %s (check --traccar-user/--traccar-password or --traccar-token)",
                    self.base,
                    self.failed(f"login refused: {e}"),
                )
            except (
                requests.RequestException,
                OSError,
                WebSocketException,
                ValueError,
                SessionExpired,
            ) as e:
                why = self.failed(f"{type(e).__name__}: {e}")
                log.warning("Traccar %s: %s", self.base, why)
            except Exception as e:  # one bad message or a bug must not end the source for good
                self.failed(f"unexpected failure: {type(e).__name__}: {e}")
                log.exception("Traccar %s: unexpected failure", self.base)
            if self._stop_event.is_set():
                break
            wait = backoff_s(
                self.failures, self.cfg.backoff_base_s, self.cfg.backoff_max_s, self.rng
            )
            self.failures += 1
            log.info(
                "Traccar %s: reconnecting in %.1f s (attempt %d)", self.base, wait, self.failures
            )
            self._stop_event.wait(wait)

    def _connect_and_follow(self) -> None:
        self._login()
        self._load_devices()
        with connect(
            self.socket_url,
            additional_headers=self._auth_headers(),
            open_timeout=HTTP_TIMEOUT_S,
            close_timeout=2,
            # Traccar's first message on a socket holds every device's latest position
            # (~600 bytes each): websockets' default 1 MiB limit would refuse it from about
            # 1,700 devices on, and the source would reconnect for ever.
            max_size=MAX_MESSAGE_BYTES,
        ) as ws:
            self.connects += 1
            opened = time.monotonic()
            self.succeeded()
            log.info(
                "Traccar %s: following %s (%d devices mapped)",
                self.base,
                self.socket_url,
                len(self.devices),
            )
            # Filled once the socket is open: what is sent while the fill runs waits in the
            # socket, so nothing falls between the two.
            self._fill()
            try:
                self._listen(ws)
            finally:
                self.down_since = self.ctx.now().timestamp()
                if time.monotonic() - opened >= STABLE_S:
                    self.failures = 0  # a drop after a good while starts the backoff afresh

    def _listen(self, ws: Connection) -> None:
        silent = 0.0
        while not self._stop_event.is_set():
            try:
                raw = ws.recv(timeout=RECV_SLICE_S)
            except TimeoutError:
                silent += RECV_SLICE_S
                if silent >= SILENCE_S:
                    raise OSError(
                        f"no message for {SILENCE_S:.0f} s (keep-alives are every 55 s)"
                    ) from None
                continue
            silent = 0.0
            self.handle_message(raw)

    # ---- REST -------------------------------------------------------------------------------
    def _auth_headers(self) -> dict[str, str]:
        h = {}
        if self.cfg.token:
            h["Authorization"] = f"Bearer {self.cfg.token}"
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        if cookie:
            h["Cookie"] = cookie
        return h

    def _login(self) -> None:
        """A session cookie (the WebSocket needs one): by form login, or from the token."""
        self.http.cookies.clear()
        if self.cfg.token:
            self.http.headers["Authorization"] = f"Bearer {self.cfg.token}"
            r = self.http.get(
                f"{self.base}/api/session", params={"token": self.cfg.token}, timeout=HTTP_TIMEOUT_S
            )
        else:
            r = self.http.post(
                f"{self.base}/api/session",
                data={"email": self.cfg.user, "password": self.cfg.password},
                timeout=HTTP_TIMEOUT_S,
            )
        if r.status_code in (400, 401, 403, 404):
            raise AuthRefused(f"HTTP {r.status_code} {r.text[:120]!r}")
        r.raise_for_status()

    def _get(self, path: str, **params: Any) -> Any:
        r = self.http.get(f"{self.base}{path}", params=params, timeout=HTTP_TIMEOUT_S)
        if r.status_code == 401:
            raise SessionExpired(f"HTTP 401 on {path}")
        r.raise_for_status()
        try:
            return r.json()
        except ValueError:
            raise ValueError(
                f"{path} answered {r.headers.get('content-type')!r}, not JSON"
            ) from None

    def _load_devices(self) -> None:
        devices = self._get("/api/devices")
        self._read_terminals()  # at each (re)connect: vehicles may have changed meanwhile
        self.update_devices(devices if isinstance(devices, list) else [])
        try:
            fences = self._get("/api/geofences")
            self.geofences = {
                g["id"]: str(g.get("name") or g["id"])
                for g in fences
                if isinstance(g, dict) and isinstance(g.get("id"), int)
            }
        except (requests.RequestException, ValueError, TypeError):
            log.info("Traccar %s: no geofence names (events name geofences by id)", self.base)

    def _fill(self) -> None:
        """The latest position of each device at the first start; after a reconnect, every
        position of each device since the last one this source had, or since the socket
        dropped for a device that had none, and the events since the drop (the gap)."""
        if self.down_since is None:
            positions = self._get("/api/positions")
            self.handle_positions(positions if isinstance(positions, list) else [])
            return
        tz = self.ctx.now().tzinfo
        to = self.ctx.now().isoformat()
        devices = sorted(self.devices)
        for device_id in devices:
            since = self.last_t.get(device_id, self.down_since)
            frm = datetime.fromtimestamp(since, tz).isoformat()
            got = self._get("/api/positions", deviceId=device_id, **{"from": frm, "to": to})
            self.handle_positions(got if isinstance(got, list) else [])
        # The events of the gap, from Traccar's event report (openapi.yaml /reports/events:
        # deviceId repeatable, type comma-separated), a URL of at most EVENT_CHUNK devices.
        frm = datetime.fromtimestamp(self.down_since, tz).isoformat()
        for i in range(0, len(devices), EVENT_CHUNK):
            got = self._get(
                "/api/reports/events",
                deviceId=devices[i : i + EVENT_CHUNK],
                type=",".join(EVENT_ALERTS),
                **{"from": frm, "to": to},
            )
            self.handle_events(got if isinstance(got, list) else [])

    # ---- messages ---------------------------------------------------------------------------
    def handle_message(self, raw: str | bytes) -> None:
        try:
            msg = json.loads(raw)
        except ValueError:
            log.warning(
                "Traccar %s: a socket message that is not JSON dropped: %r", self.base, raw[:80]
            )
            return
        if not isinstance(msg, dict):
            log.warning("Traccar %s: a socket message that is not an object dropped", self.base)
            return
        if isinstance(msg.get("devices"), list):
            self.update_devices(msg["devices"])
        if isinstance(msg.get("positions"), list):
            self.handle_positions(msg["positions"])
        if isinstance(msg.get("events"), list):
            self.handle_events(msg["events"])

    def _read_terminals(self) -> None:
        with self.ctx.db.read() as s:
            self._terminals = {
                phone_key(t): vid
                for vid, t in s.execute(select(Vehicle.id, Vehicle.terminal_id))
                if t
            }

    def update_devices(self, listed: Iterable[object]) -> None:
        """Map Traccar devices to vehicles by ``uniqueId`` = ``terminal_id`` (leading zeros
        ignored); an unknown device is logged once. The fleet's terminal ids are read again
        only when a device names one not seen yet (Traccar sends a device on each change of
        its status: a read of the whole fleet each time would be wasted)."""
        devices = [d for d in listed if isinstance(d, dict) and isinstance(d.get("id"), int)]
        keys = {phone_key(str(d.get("uniqueId", "")).strip()) for d in devices}
        if not keys <= self._terminals.keys() | self._unknown_logged:
            self._read_terminals()
        by_terminal = self._terminals
        for d in devices:
            unique = phone_key(str(d.get("uniqueId", "")).strip())
            self.names[d["id"]] = str(d.get("name") or d.get("uniqueId"))[:60]
            vid = by_terminal.get(unique)
            if vid is None:
                self.devices.pop(d["id"], None)
                if unique not in self._unknown_logged:
                    self._unknown_logged.add(unique)
                    log.warning(
                        "Traccar %s: device %s (uniqueId %r) is no vehicle's terminal_id: its positions are ignored",
                        self.base,
                        self.names[d["id"]],
                        str(d.get("uniqueId"))[:40],
                    )
            else:
                self.devices[d["id"]] = vid

    def handle_positions(self, positions: list[object]) -> int:
        """Ingest positions as fixes; the dropped ones are logged (``_dropped``). Returns the
        number the backend stored."""
        fixes: list[dict[str, Any]] = []
        device_of: list[int] = []
        for p in positions:
            device = p.get("deviceId") if isinstance(p, dict) else None
            if not isinstance(device, int) or device not in self.devices:
                continue  # an unknown device, logged once when it was listed
            vid = self.devices[device]
            fix = position_fix(p, vid)
            if isinstance(fix, str):
                self._dropped(device, fix)
                continue
            fixes.append(fix)
            device_of.append(device)
        if not fixes:
            return 0
        try:
            with self.ctx.db.write() as s:
                out = telemetry.ingest_fixes(self.ctx, s, fixes)
        except ApiError as e:  # not one fix of the batch was valid
            out = {"accepted": 0, "rejected": e.details.get("rejected", [])}
        for r in out.get("rejected", []):
            i = r.get("index")
            self._dropped(
                device_of[i] if isinstance(i, int) and i < len(device_of) else None,
                str(r.get("reason")),
            )
        rejected = len(fixes) - int(out.get("accepted", 0)) - int(out.get("duplicates", 0))
        for _ in range(rejected - len(out.get("rejected", []))):  # ingest names the first 100
            self._dropped(None, "rejected (the backend names the first 100 reasons of a batch)")
        bad = {r.get("index") for r in out.get("rejected", [])}
        for i, (device, fix) in enumerate(zip(device_of, fixes, strict=True)):
            if i not in bad:
                self.last_t[device] = max(self.last_t.get(device, fix["t"]), fix["t"])
        return int(out.get("accepted", 0))

    def _dropped(self, device: int | None, reason: str) -> None:
        """A dropped position's log line: the first of each device and reason, then every
        ``DROP_LOG_EVERY``-th with the count (a terminal with a broken GPS sends one a
        second; a line each would bury the log)."""
        if len(self._drops) > 10_000:
            self._drops.clear()
        n = self._drops[device, reason] = self._drops.get((device, reason), 0) + 1
        if n == 1 or n % DROP_LOG_EVERY == 0:
            log.warning(
                "Traccar %s: position of %s dropped: %s%s",
                self.base,
                self.names.get(device, "?") if device is not None else "?",
                reason,
                f" ({n} so far)" if n > 1 else "",
            )

    def handle_events(self, events: list[object]) -> None:
        """Traccar events as alerts (``EVENT_ALERTS``), raised and cleared like the fleet
        rules' own signals."""
        signals = []
        for e in events:
            if not isinstance(e, dict) or e.get("id") in self._seen_events:
                continue
            if isinstance(e.get("id"), int) and e["id"] > 0:  # 0: an event Traccar did not store
                # Sent live and again in the gap's report, it is one event.
                self._seen_events[e["id"]] = None
                while len(self._seen_events) > SEEN_EVENTS:
                    del self._seen_events[next(iter(self._seen_events))]
            kind = EVENT_ALERTS.get(str(e.get("type")))
            device = e.get("deviceId")
            vid = self.devices.get(device) if isinstance(device, int) else None
            if kind is None or vid is None:
                continue
            attrs: dict[str, Any] = e["attributes"] if isinstance(e.get("attributes"), dict) else {}
            detail: dict[str, Any] = {"source": "traccar", "event": e["type"]}
            if e.get("geofenceId"):
                detail["geofence"] = self.geofences.get(e["geofenceId"], e["geofenceId"])
            if attrs.get("alarm"):
                detail["alarm"] = str(attrs["alarm"])[:40]
            for key in ("speed", "speedLimit"):
                if isinstance(attrs.get(key), int | float):
                    detail[f"{key}_kmh"] = round(float(attrs[key]) * KMH_PER_KNOT, 1)
            at = _epoch(e.get("eventTime"), "eventTime")
            when = at if isinstance(at, float) else self.ctx.now().timestamp()
            signals.append(Signal(vid, kind[0], kind[1], when, detail))
        if signals:
            with self.ctx.db.write() as s:
                telemetry.apply_signals(s, signals, self.ctx.now())
