"""Configurable time limits per stage and per category, with urgency levels, and the named
clocks they count on.

No national table exists (see ``resources/time_limits.tsv``): ``resources/time_limits.json``
holds defaults found in real systems, each with its source, and a deployment edits it. A
disposal limit belongs to a category code of one scheme (``scheme`` in the JSON); the shipped
file lists every code of its scheme, and ``dispose_default`` is for codes it does not list
(other schemes, a deployment's own codes). Urgency multiplies every stage limit of a case (DOMAIN.md:
urgent = x0.5 by default, levels are local practice).

Each limit names the clock it counts on (docs/rules/clocks.md):

- ``working``: the work calendar the caller holds (08–12, 14–18 on working days, with the State
  Council's holiday schedule): departments' office hours;
- ``calendar``: wall-clock time, for safety matters that cannot wait for Monday;
- any calendar named under ``calendars`` in the configuration, e.g. ``centre`` (the centre's
  desks, staffed 7×24 or in shifts) and ``field`` (field supervisors' patrol shifts). A named
  calendar counts its periods on every day (``days: all``) or on the work calendar's working
  days (``days: working``).

So callers keep passing ``(calendar, limits)``: the TimeLimits resolves a limit's clock name
(``clock``) and the arithmetic is the same exact working-time arithmetic on every clock.
"""

from __future__ import annotations

import copy
import functools
import json
import math
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from resources import resource_path

from .calendar import DAYS, WorkCalendar

#: The stages with a fixed limit; "dispose" takes its limit from the case's category.
STAGES = ("accept", "send_verify", "verify", "register", "dispatch", "send_check", "check", "close")
DISPOSE = "dispose"
#: Clocks every configuration has, whatever calendars it names.
BUILTIN_CLOCKS = ("working", "calendar")
#: Wall-clock time as a calendar: 00:00–24:00 every day (CST has no daylight saving).
WALL = WorkCalendar.every_day()


@dataclass(frozen=True)
class Limit:
    """A time limit: ``minutes`` counted on the clock named ``clock`` (see the module doc)."""

    minutes: float
    clock: str  # "working" | "calendar" | a calendar named in the configuration

    def __post_init__(self) -> None:
        if not isinstance(self.clock, str) or not self.clock:
            raise ValueError(f"a limit needs a clock name, not {self.clock!r}")
        if not math.isfinite(self.minutes) or self.minutes < 0:
            raise ValueError(f"a limit must be finite and >= 0, not {self.minutes!r}")


@functools.lru_cache(maxsize=32)
def _on_working_days(calendar: WorkCalendar, periods: tuple[tuple[int, int], ...]) -> WorkCalendar:
    """A named calendar with ``days: working``: its periods on ``calendar``'s working days."""
    return calendar.with_periods(periods)


def _positive(value: Any, what: str) -> float:
    v = float(value)
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{what} must be a positive number, not {value!r}")
    return v


def _entry(d: dict[str, Any], what: str) -> tuple[dict[str, Any], Limit]:
    """A config entry without comment keys (``_...``), and its Limit."""
    if not isinstance(d, dict):
        raise ValueError(f"{what}: expected an object with minutes and clock")
    clean = {k: v for k, v in d.items() if not k.startswith("_")}
    limit = Limit(_positive(clean["minutes"], f"{what} minutes"), clean.get("clock", "working"))
    clean["clock"] = limit.clock
    return clean, limit


def _calendar_entry(name: str, d: Any) -> tuple[dict[str, Any], str, tuple[tuple[int, int], ...]]:
    """A named calendar's config (comment keys dropped), its days and its periods (checked)."""
    if name in BUILTIN_CLOCKS or not isinstance(name, str) or not name:
        raise ValueError(f"calendar name {name!r} is empty or taken by a built-in clock")
    if not isinstance(d, dict):
        raise ValueError(f"calendar {name}: expected an object with days and periods")
    clean = {k: v for k, v in d.items() if not k.startswith("_")}
    days = clean.get("days", "all")
    if days not in DAYS:
        raise ValueError(f"calendar {name}: days must be one of {DAYS}, not {days!r}")
    try:
        periods = tuple((int(a), int(b)) for a, b in clean["periods"])
        WorkCalendar(periods, days=days)  # validates the periods
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"calendar {name}: bad periods ({e})") from None
    clean["days"], clean["periods"] = days, [list(p) for p in periods]
    return clean, days, periods


class TimeLimits:
    """Stage limits, per-category disposal limits, urgency factors and the stockpile age."""

    def __init__(self, config: dict[str, Any]):
        # A configuration from before named calendars (an old shift log's reference) has none:
        # its limits all say "working" or "calendar", which is what they meant then.
        self._calendars: dict[str, tuple[str, tuple[tuple[int, int], ...]]] = {}
        self._every_day: dict[str, WorkCalendar] = {}
        norm_calendars = {}
        for name, spec in (config.get("calendars") or {}).items():
            norm_calendars[name], days, periods = _calendar_entry(name, spec)
            self._calendars[name] = (days, periods)
            if days == "all":
                self._every_day[name] = WorkCalendar.every_day(periods)
        stages = config["stages"]
        unknown, missing = set(stages) - set(STAGES), set(STAGES) - set(stages)
        if unknown or missing:
            raise ValueError(
                f"stage limits must be exactly {STAGES}: unknown {sorted(unknown)}, missing {sorted(missing)}"
            )
        self._stages: dict[str, Limit] = {}
        norm_stages = {}
        for stage in STAGES:
            norm_stages[stage], self._stages[stage] = _entry(stages[stage], f"stage {stage}")
        norm_default, self._dispose_default = _entry(config["dispose_default"], "dispose_default")

        self._dispose: dict[str, Limit] = {}
        norm_rules = []
        for i, rule in enumerate(config.get("dispose", ())):
            clean, limit = _entry(rule, f"dispose rule {i}")
            codes = clean.get("codes")
            if not codes or not all(isinstance(c, str) for c in codes):
                raise ValueError(f"dispose rule {i}: codes must be a non-empty list of strings")
            for code in codes:
                if code in self._dispose:
                    raise ValueError(f"category {code} has more than one disposal limit")
                self._dispose[code] = limit
            norm_rules.append(clean)

        levels = {
            str(k): _positive(v, f"urgency {k!r}") for k, v in config["urgency_levels"].items()
        }
        if "normal" not in levels:
            raise ValueError("urgency levels must include 'normal', the default urgency")
        self._urgency = MappingProxyType(levels)
        self._stockpile_days = _positive(config["stockpile_days"], "stockpile_days")
        limits = (*self._stages.values(), *self._dispose.values(), self._dispose_default)
        unknown_clocks = {x.clock for x in limits} - {*BUILTIN_CLOCKS, *self._calendars}
        if unknown_clocks:
            raise ValueError(
                f"limits count on unknown clocks {sorted(unknown_clocks)}; known: "
                f"{sorted({*BUILTIN_CLOCKS, *self._calendars})}"
            )
        self._config = {
            "scheme": config.get("scheme"),
            "calendars": norm_calendars,
            "stages": norm_stages,
            "dispose_default": norm_default,
            "dispose": norm_rules,
            "urgency_levels": dict(levels),
            "stockpile_days": config["stockpile_days"],
        }

    @classmethod
    def default(cls) -> TimeLimits:
        """The shipped limits (``resources/time_limits.json``), loaded once."""
        return _default_limits()

    # ---- the clocks -------------------------------------------------------------------------
    @property
    def clock_names(self) -> tuple[str, ...]:
        """Every clock a limit may name: the built-ins and the configured calendars."""
        return (*BUILTIN_CLOCKS, *self._calendars)

    def clock(self, calendar: WorkCalendar, name: str) -> WorkCalendar:
        """The calendar the clock ``name`` counts on, given the work calendar (ValueError for
        a name this configuration does not know)."""
        if name == "working":
            return calendar
        if name == "calendar":
            return WALL
        every_day = self._every_day.get(name)
        if every_day is not None:
            return every_day
        spec = self._calendars.get(name)
        if spec is None:
            raise ValueError(f"unknown clock {name!r}; expected one of {self.clock_names}")
        return _on_working_days(calendar, spec[1])

    def deadline(
        self, calendar: WorkCalendar, start: datetime, limit: Limit, extra_minutes: float = 0.0
    ) -> datetime:
        """When ``limit`` runs out for a clock started at ``start``, UTC.

        ``extra_minutes`` (on the limit's own clock) is time the clock stood still, e.g. while
        parked, so the deadline moves by that much.
        """
        clock = self.clock(calendar, limit.clock)
        return clock.add_working_minutes(start, limit.minutes + extra_minutes)

    def elapsed(
        self, calendar: WorkCalendar, start: datetime, end: datetime, limit: Limit
    ) -> float:
        """Minutes from ``start`` to ``end`` on the clock ``limit`` counts in (0 if end <= start)."""
        return self.clock(calendar, limit.clock).working_minutes_between(start, end)

    @property
    def scheme(self) -> str | None:
        """The category scheme whose codes the disposal limits use."""
        scheme: str | None = self._config["scheme"]
        return scheme

    @property
    def dispose_default(self) -> Limit:
        """The disposal limit of categories without their own (before urgency)."""
        return self._dispose_default

    @property
    def urgency_levels(self) -> MappingProxyType[str, float]:
        """Urgency name -> factor applied to every stage limit (read-only)."""
        return self._urgency

    @property
    def stockpile_days(self) -> float:
        """Calendar days after which a parked case counts as stockpiled (积存)."""
        return self._stockpile_days

    def stage_limit(
        self, stage: str, category_code: str | None = None, urgency: str = "normal"
    ) -> Limit:
        """The limit of ``stage`` for a case of this category and urgency.

        ``category_code`` only matters for "dispose"; a code without its own limit (or None)
        gets ``dispose_default``. Unknown stages and urgencies raise ValueError.
        """
        factor = self._urgency.get(urgency)
        if factor is None:
            raise ValueError(
                f"unknown urgency {urgency!r}; expected one of {sorted(self._urgency)}"
            )
        if stage == DISPOSE:
            base = self._dispose.get(category_code or "", self._dispose_default)
        elif stage in self._stages:
            base = self._stages[stage]
        else:
            raise ValueError(f"unknown stage {stage!r}; expected one of {(*STAGES, DISPOSE)}")
        return Limit(base.minutes * factor, base.clock)

    def to_dict(self) -> dict[str, Any]:
        """The configuration with its sources (comment keys dropped); ``from_dict`` reads it."""
        return copy.deepcopy(self._config)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TimeLimits:
        return cls(d)


@functools.cache
def _default_limits() -> TimeLimits:
    return TimeLimits(json.loads(resource_path("time_limits.json").read_text(encoding="utf-8")))
