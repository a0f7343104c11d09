"""Checking each received change before it reaches the state or the screen.

A malformed change (wrong types, missing fields, NaN or impossible coordinates, oversize
strings, an unknown kind) is quarantined with the reason instead of crashing the console or
poisoning the state; the stream goes on around it. Known kinds are checked field by field;
a kind this console does not know is quarantined too (a newer backend must not break it).
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any, cast

import numpy as np

from console.domain import records
from console.domain.documents import Change
from console.domain.workflow import State

KINDS = {"case", "fixes", "vehicle", "alert", "sensor", "reference", "wall_focus", "record"}
MAX_STR = 10_000
MAX_FIXES = 100_000
MAX_BYTES = 4 << 20
FIX_COLUMNS = ("vehicle_id", "t", "lon", "lat", "speed_kmh", "heading", "flags")
ALERT_STATES = {"raised", "acknowledged", "resolved"}
STATES = {s.value for s in State}


class Invalid(ValueError):
    pass


def _num(v: object, what: str, lo: float = -math.inf, hi: float = math.inf) -> None:
    if (
        isinstance(v, bool)
        or not isinstance(v, int | float)
        or not math.isfinite(v)
        or not (lo <= v <= hi)
    ):
        raise Invalid(f"{what} must be a finite number in [{lo}, {hi}]")


def _str(v: object, what: str, max_len: int = MAX_STR, optional: bool = False) -> None:
    if v is None and optional:
        return
    if not isinstance(v, str) or len(v) > max_len:
        raise Invalid(f"{what} must be a string of at most {max_len} characters")


def _strings_bounded(v: object, depth: int = 0) -> None:
    if depth > 20:
        raise Invalid("nesting too deep")
    if isinstance(v, str):
        if len(v) > MAX_STR:
            raise Invalid("oversize string")
    elif isinstance(v, dict):
        for k, x in v.items():
            _strings_bounded(k, depth + 1)
            _strings_bounded(x, depth + 1)
    elif isinstance(v, list):
        for x in v:
            _strings_bounded(x, depth + 1)
    elif isinstance(v, float) and not math.isfinite(v):
        raise Invalid("NaN or infinite number")


def _case(c: object) -> None:
    if not isinstance(c, dict):
        raise Invalid("case must be an object")
    _str(c.get("id"), "case.id", 64)
    if (
        not isinstance(c.get("version"), int)
        or isinstance(c.get("version"), bool)
        or c["version"] < 1
    ):
        raise Invalid("case.version must be a positive integer")
    if not isinstance(c.get("state"), str) or c["state"] not in STATES:
        raise Invalid(f"case.state {str(c.get('state'))[:20]!r} is not a workflow state")
    loc = c.get("location")
    if not isinstance(loc, dict):
        raise Invalid("case.location missing")
    _num(loc.get("lon"), "case.location.lon", -180, 180)
    _num(loc.get("lat"), "case.location.lat", -90, 90)
    _str(c.get("category_code"), "case.category_code", 8)
    if not isinstance(c.get("events", []), list):
        raise Invalid("case.events must be a list")


def _fixes(ch: dict[str, Any]) -> None:
    """Column checks in C speed (a page can hold 100,000 fixes): types by ``map(type, ...)``,
    ranges with numpy."""
    cols: list[Any] = [ch.get(k) for k in FIX_COLUMNS]
    if not all(isinstance(x, list) for x in cols):
        raise Invalid("fixes need list columns " + ", ".join(FIX_COLUMNS))
    n = len(cols[0])
    if n > MAX_FIXES or any(len(x) != n for x in cols):
        raise Invalid("fix columns must have one equal length")
    ids = ch["vehicle_id"]
    if not set(map(type, ids)) <= {str} or (n and max(map(len, ids)) > 64):
        raise Invalid("fixes.vehicle_id must be strings of at most 64 characters")
    for k, lo, hi in (
        ("t", 0, 1e11),
        ("lon", -180, 180),
        ("lat", -90, 90),
        ("speed_kmh", 0, 500),
        ("heading", -360, 720),
        ("flags", 0, 2**32),
    ):
        if not set(map(type, ch[k])) <= {int, float}:
            raise Invalid(f"fixes.{k} must hold numbers only")
        try:
            a = np.asarray(ch[k], dtype=np.float64)
        except OverflowError:
            raise Invalid(f"fixes.{k} holds a number out of range") from None
        if n and not (np.isfinite(a).all() and a.min() >= lo and a.max() <= hi):
            raise Invalid(f"fixes.{k} must be finite numbers in [{lo}, {hi}]")


def _alert(a: object) -> None:
    if not isinstance(a, dict):
        raise Invalid("alert must be an object")
    _str(a.get("id"), "alert.id", 64)
    _str(a.get("kind"), "alert.kind", 64)
    if not isinstance(a.get("state"), str) or a["state"] not in ALERT_STATES:
        raise Invalid("alert.state must be raised, acknowledged or resolved")
    _str(a.get("subject_id"), "alert.subject_id", 64)
    for k in ("level", "group_id"):  # absent in logs from before levelled, grouped alerts
        _str(a.get(k), f"alert.{k}", 32, optional=True)
    if not isinstance(a.get("history", []), list):
        raise Invalid("alert.history must be a list")


def _entity(x: object, what: str) -> None:
    if not isinstance(x, dict):
        raise Invalid(f"{what} must be an object")
    _str(x.get("id"), f"{what}.id", 64)


def check(ch: object) -> None:
    """Raise ``Invalid`` with the reason if ``ch`` is not a well-formed change."""
    if not isinstance(ch, dict):
        raise Invalid("a change must be an object")
    seq = ch.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise Invalid("seq must be a positive integer")
    _str(ch.get("ts"), "ts", 64)
    try:
        datetime.fromisoformat(ch["ts"])
    except ValueError:
        raise Invalid("ts is not an ISO 8601 time") from None
    kind = ch.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise Invalid(f"unknown kind {str(kind)[:40]!r}")
    if kind == "fixes":  # its columns are checked in bulk below; the rest here
        _strings_bounded({k: v for k, v in ch.items() if k not in FIX_COLUMNS})
    else:
        _strings_bounded(ch)
    if kind == "case":
        _case(ch.get("case"))
    elif kind == "fixes":
        _fixes(ch)
    elif kind == "alert":
        _alert(ch.get("alert"))
    elif kind in ("vehicle", "sensor"):
        _entity(ch.get(kind), kind)
    elif kind == "wall_focus":
        _wall_focus(ch.get("wall_focus"))
    elif kind == "record":
        try:
            records.check(ch.get("record"))
        except records.BadRecord as e:
            raise Invalid(str(e)) from None


def _wall_focus(f: object) -> None:
    if not isinstance(f, dict):
        raise Invalid("wall_focus must be an object")
    if f.get("subject_type") not in ("case", "vehicle", "alert"):
        raise Invalid("wall_focus.subject_type must be case, vehicle or alert")
    _str(f.get("subject_id"), "wall_focus.subject_id", 64)
    _num(f.get("seconds"), "wall_focus.seconds", 1, 3600)


def split(changes: object) -> tuple[list[Change], list[tuple[int | None, str, str]]]:
    """(good changes, quarantined (seq, reason, raw)) of a received page."""
    good: list[Change] = []
    bad: list[tuple[int | None, str, str]] = []
    if not isinstance(changes, list):
        return [], [(None, "changes is not a list", _raw(changes))]
    for ch in changes:
        try:
            check(ch)
        except Invalid as e:
            seq = (
                ch.get("seq")
                if isinstance(ch, dict)
                and isinstance(ch.get("seq"), int)
                and not isinstance(ch.get("seq"), bool)
                else None
            )
            bad.append((seq, str(e), _raw(ch)))
        else:
            good.append(cast(Change, ch))  # ``check`` passed: the fields the fold reads hold
    return good, bad


def _raw(x: object) -> str:
    try:
        s = json.dumps(x, ensure_ascii=False, default=str, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        s = repr(x)
    return s[:MAX_BYTES]
