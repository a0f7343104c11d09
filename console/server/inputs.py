"""Client values the routers parse by hand, bounded so that no value reaches arithmetic, the
database or an encoder it would overflow.

Each function raises ``ValueError`` with a message naming the problem; the v1 routes turn it into
an ``ApiError`` and the Open311 facade into its own error shape.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

#: The instants a query may name. Every time this backend stores is a wall or district time of
#: this century; the bounds keep ``t ± 90 days``, a ±14:00 offset and ``.timestamp()`` inside
#: ``datetime``'s years 1..9999, where year 1 or 9999 overflowed into a 500 (issue 13).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
#: How deep a JSON body may nest. The deepest body this API takes is an Open311 form (one level)
#: or a case (three); CPython's decoder recurses per level and fails near 1,000 with a
#: RecursionError (a 500) instead of a refusal, so anything deeper than this is refused first.
MAX_JSON_DEPTH = 32
#: The largest integer a query's paging may carry: SQLite and PostgreSQL integers are 64-bit, and
#: ``page=10**20`` overflowed the driver (a 500).
MAX_INT64 = 2**63 - 1


def parse_instant(v: str, name: str) -> datetime:
    """An ISO 8601 / W3C timestamp (naive means UTC) between ``EARLIEST`` and ``LATEST``."""
    try:
        t = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{name} must be an ISO 8601 timestamp") from None
    t = t if t.tzinfo else t.replace(tzinfo=UTC)
    try:
        in_range = EARLIEST <= t.astimezone(UTC) < LATEST
    except OverflowError:  # year 1 with a positive offset, year 9999 with a negative one
        in_range = False
    if not in_range:
        raise ValueError(f"{name} must lie between {EARLIEST.year} and {LATEST.year - 1}")
    return t


def parse_day(v: str, name: str) -> date:
    """A calendar day, YYYY-MM-DD, in the years ``parse_instant`` takes (a day's start and end
    in China time must exist as datetimes)."""
    try:
        d = date.fromisoformat(v)
    except ValueError:
        raise ValueError(f"{name} must be a date, YYYY-MM-DD") from None
    if not EARLIEST.year <= d.year < LATEST.year:
        raise ValueError(f"{name} must lie between {EARLIEST.year} and {LATEST.year - 1}")
    return d


def parse_int(v: str, name: str, limit: int = MAX_INT64) -> int:
    """A decimal integer of magnitude at most ``limit`` (the caller clamps it further); the
    string is bounded first, so ``int()`` never converts a megabyte of digits."""
    message = f"{name} must be an integer of magnitude at most {limit}"
    if len(v) > 20:
        raise ValueError(message)
    try:
        n = int(v)
    except ValueError:
        raise ValueError(message) from None
    if abs(n) > limit:
        raise ValueError(message)
    return n


def _depth(raw: str) -> int:
    """The deepest nesting of ``[``/``{`` in a JSON text, ignoring brackets inside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in raw:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def storable_text(x: Any) -> bool:
    """A string both databases can hold and compare: UTF-8 encodable (no lone surrogate) and
    without NUL (PostgreSQL's text refuses it)."""
    return isinstance(x, str) and "\x00" not in x and not _has_surrogate(x)


def _has_surrogate(x: Any) -> bool:
    if isinstance(x, str):
        try:
            x.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(x, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in x.items())
    if isinstance(x, list):
        return any(_has_surrogate(v) for v in x)
    return False


def load_json(raw: bytes) -> Any:
    """A JSON body as Python values, refusing what the standard decoder accepts but nothing
    downstream can hold: nesting deeper than ``MAX_JSON_DEPTH``, lone surrogates (``"\\ud800"``
    is valid JSON but not encodable as UTF-8, so it broke the database and the response), and
    NaN/Infinity (not JSON at all)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the body is not UTF-8") from None
    if _depth(text) > MAX_JSON_DEPTH:
        raise ValueError(f"the body nests deeper than {MAX_JSON_DEPTH} levels")

    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON number")

    try:
        data = json.loads(text or "{}", parse_constant=no_constant)
    except ValueError as e:  # JSONDecodeError, a number over int's 4,300 digits, NaN
        raise ValueError(f"the body is not valid JSON: {str(e)[:100]}") from None
    if _has_surrogate(data):
        raise ValueError("the body contains a lone surrogate (not encodable as UTF-8)")
    return data
