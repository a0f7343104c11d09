"""Configurable time limits per stage and per category, with urgency levels.

No national table exists (see ``resources/time_limits.tsv``): ``resources/time_limits.json``
holds defaults found in real systems, each with its source, and a deployment edits it. A
disposal limit belongs to a category code of one scheme (``scheme`` in the JSON); codes it does
not list get ``dispose_default``. Urgency multiplies every stage limit of a case (DOMAIN.md:
urgent = x0.5 by default, levels are local practice).
"""

from __future__ import annotations

import copy
import functools
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from resources import resource_path

from .calendar import WorkCalendar

#: The stages with a fixed limit; "dispose" takes its limit from the case's category.
STAGES = ("accept", "send_verify", "verify", "register", "dispatch", "send_check", "check", "close")
DISPOSE = "dispose"
CLOCKS = ("working", "calendar")


@dataclass(frozen=True)
class Limit:
    """A time limit: ``minutes`` counted on the ``clock`` ("working" or "calendar")."""

    minutes: float
    clock: str  # "working" | "calendar"

    def __post_init__(self) -> None:
        if self.clock not in CLOCKS:
            raise ValueError(f"unknown clock {self.clock!r}; expected one of {CLOCKS}")
        if not math.isfinite(self.minutes) or self.minutes < 0:
            raise ValueError(f"a limit must be finite and >= 0, not {self.minutes!r}")


def deadline(
    calendar: WorkCalendar, start: datetime, limit: Limit, extra_minutes: float = 0.0
) -> datetime:
    """When ``limit`` runs out for a clock started at ``start``, UTC.

    ``extra_minutes`` (on the limit's own clock) is time the clock stood still, e.g. while
    parked or waiting for an extension decision, so the deadline moves by that much.
    """
    total = limit.minutes + extra_minutes
    if limit.clock == "calendar":
        _require_aware(start)
        return (start + timedelta(minutes=total)).astimezone(UTC)
    return calendar.add_working_minutes(start, total)


def elapsed(calendar: WorkCalendar, start: datetime, end: datetime, limit: Limit) -> float:
    """Minutes from ``start`` to ``end`` on the clock ``limit`` counts in (0 if end <= start)."""
    if limit.clock == "calendar":
        _require_aware(start)
        _require_aware(end)
        return max(0.0, (end - start).total_seconds() / 60.0)
    return calendar.working_minutes_between(start, end)


def _require_aware(t: datetime) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError("datetimes must be timezone-aware")


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


class TimeLimits:
    """Stage limits, per-category disposal limits, urgency factors and the stockpile age."""

    def __init__(self, config: dict[str, Any]):
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
        self._config = {
            "scheme": config.get("scheme"),
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

    # Helpers as methods too, so callers holding a TimeLimits need no second import.
    deadline = staticmethod(deadline)
    elapsed = staticmethod(elapsed)

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
