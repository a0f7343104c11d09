"""The SLA traffic light over the share of a stage's time limit already used.

green: used < 80 %; yellow: 80 % <= used <= 100 %; red: used > 100 % (DOMAIN.md, after the
urban-management-platform's Statistics.java and Chongqing's three lights).

Boundaries: exactly 80 % turns yellow, so the warning is not a tick late. Exactly 100 % is still
yellow because the deadline itself is on time: ``case.py`` records ``on_time = used <= 1.0``, and
the light must never be red for a stage that will be counted as met.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from .calendar import WorkCalendar

GREEN, YELLOW, RED = 0, 1, 2
#: ``lights`` code for "no light" (NaN input: a case with no running clock).
NO_LIGHT = -1


@dataclass(frozen=True)
class LightThresholds:
    """Used fractions where the light turns yellow (inclusive) and red (exclusive)."""

    yellow: float = 0.8
    red: float = 1.0

    def __post_init__(self) -> None:
        if not (0 < self.yellow <= self.red and math.isfinite(self.red)):
            raise ValueError(f"thresholds must satisfy 0 < yellow <= red: {self}")


DEFAULT_THRESHOLDS = LightThresholds()


def light(used_fraction: float, thresholds: LightThresholds = DEFAULT_THRESHOLDS) -> str:
    """ "green", "yellow" or "red" for the share of the limit used (NaN raises ValueError)."""
    if math.isnan(used_fraction):
        raise ValueError("used fraction is NaN")
    if used_fraction > thresholds.red:
        return "red"
    if used_fraction >= thresholds.yellow:
        return "yellow"
    return "green"


def lights(used: np.ndarray, thresholds: LightThresholds = DEFAULT_THRESHOLDS) -> np.ndarray:
    """``light`` over an array, as int8 codes GREEN/YELLOW/RED for the console's colour tables.

    NaN gives NO_LIGHT, so a table can keep cases whose clock is stopped in the same array.
    """
    used = np.asarray(used, dtype=np.float64)
    out = np.full(used.shape, GREEN, dtype=np.int8)
    out[used >= thresholds.yellow] = YELLOW
    out[used > thresholds.red] = RED
    out[np.isnan(used)] = NO_LIGHT
    return out


def minutes_left(clock: WorkCalendar, now: float, red_at: float) -> float | None:
    """Minutes on the stage's own clock until the light turns red (negative: overdue by that
    much), from epoch seconds; None when no clock runs (NaN) or the clock is stopped (±inf).

    ``clock`` is the calendar the running stage counts on (``TimeLimits.clock``, or
    ``CityState.clock_of(doc)``): the centre's 7×24 minutes for an accept, working minutes for
    a department's disposal, so a countdown at 03:00 says what the deadline means."""
    if not math.isfinite(red_at):
        return None
    a, b = datetime.fromtimestamp(now, UTC), datetime.fromtimestamp(red_at, UTC)
    if red_at >= now:
        return clock.working_minutes_between(a, b)
    return -clock.working_minutes_between(b, a)
