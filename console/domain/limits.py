"""Configurable time limits per stage and per category, with urgency levels.

No national table exists (see ``resources/time_limits.tsv``): the shipped JSON holds defaults
found in real systems, each with its source, and a deployment edits it. Urgency scales a
limit (urgent = 0.5 by default, per DOMAIN.md).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from .calendar import WorkCalendar
from .resources import resource_path

STAGES = (
    "accept",
    "send_verify",
    "verify",
    "register",
    "dispatch",
    "dispose",
    "send_check",
    "check",
    "close",
)


@dataclass(frozen=True)
class Limit:
    minutes: float
    clock: str = "working"  # "working" | "calendar"

    def __post_init__(self) -> None:
        if self.clock not in ("working", "calendar"):
            raise ValueError(f"unknown clock {self.clock!r}")
        if self.minutes < 0:
            raise ValueError("a limit cannot be negative")


def _limit(d: dict) -> Limit:
    return Limit(float(d["minutes"]), d.get("clock", "working"))


class TimeLimits:
    def __init__(self, config: dict):
        self.config = config
        self.stages = {k: _limit(v) for k, v in config["stages"].items()}
        missing = set(STAGES) - {"dispose"} - set(self.stages)
        if missing:
            raise ValueError(f"time limits missing for stages {sorted(missing)}")
        self.dispose_default = _limit(config["dispose_default"])
        self.dispose = {code: _limit(v) for code, v in config.get("dispose", {}).items()}
        prefixes = config.get("dispose_prefixes")
        if prefixes:
            for code in prefixes["codes"]:
                self.dispose.setdefault(code, _limit(prefixes["limit"]))
        self.urgency_levels: dict[str, float] = {
            k: float(v) for k, v in config["urgency_levels"].items()
        }
        self.stockpile_days: float = float(config.get("stockpile_days", 60))

    @classmethod
    @functools.cache
    def default(cls) -> TimeLimits:
        return cls(json.loads(resource_path("time_limits.json").read_text(encoding="utf-8")))

    def stage_limit(
        self, stage: str, category_code: str | None = None, urgency: str = "normal"
    ) -> Limit:
        if urgency not in self.urgency_levels:
            raise ValueError(f"unknown urgency {urgency!r}")
        if stage == "dispose":
            base = self.dispose.get(category_code or "", self.dispose_default)
        elif stage in self.stages:
            base = self.stages[stage]
        else:
            raise ValueError(f"unknown stage {stage!r}")
        return Limit(base.minutes * self.urgency_levels[urgency], base.clock)

    @staticmethod
    def deadline(
        calendar: WorkCalendar, start: datetime, limit: Limit, extra_minutes: float = 0.0
    ) -> datetime:
        """When ``limit`` (plus ``extra_minutes`` of stopped clock) runs out from ``start``."""
        total = limit.minutes + extra_minutes
        if limit.clock == "calendar":
            return start + timedelta(minutes=total)
        return calendar.add_working_minutes(start, total)

    @staticmethod
    def elapsed(calendar: WorkCalendar, start: datetime, end: datetime, limit: Limit) -> float:
        """Minutes from ``start`` to ``end`` on the clock ``limit`` counts in."""
        if limit.clock == "calendar":
            return max(0.0, (end - start).total_seconds() / 60.0)
        return calendar.working_minutes_between(start, end)

    def to_dict(self) -> dict:
        return self.config

    @classmethod
    def from_dict(cls, d: dict) -> TimeLimits:
        return cls(d)
