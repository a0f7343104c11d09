"""Which alerts a case or sensor should have open, their severities, and escalation.

Alerts are derived state: the backend asks these rules what *should* be open and reconciles
(raise what is missing, auto-resolve what cleared), so identical alerts are debounced to one
open alert per subject and kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

SEVERITY = {
    "case_yellow": "warning",
    "case_red": "critical",
    "vehicle_overspeed": "warning",
    "vehicle_long_stop": "warning",
    "vehicle_offline": "warning",
    "vehicle_deviation": "warning",
    "vehicle_not_working": "info",
    "sensor_threshold": "critical",
}

NO_CLOCK_STATES = {"closed", "void", "parked"}


def severity(kind: str) -> str:
    return SEVERITY.get(kind, "info")


def case_alert_kinds(case: Mapping[str, Any]) -> set[str]:
    """Yellow light → a warning, red → critical; nothing while no clock runs."""
    if case.get("state") in NO_CLOCK_STATES:
        return set()
    return {"yellow": {"case_yellow"}, "red": {"case_red"}}.get(case.get("light") or "", set())


@dataclass(frozen=True)
class EscalationRule:
    """A critical alert nobody acknowledged within ``after_minutes`` of district time escalates
    to the shift lead, once. The backend selects what is due with these fields (one query per
    tick); 15 minutes is the backend's default (``Settings.escalate_after_minutes``), a centre's
    own choice rather than a published limit."""

    after_minutes: float = 15.0
    severity: str = "critical"
    state: str = "raised"  # acknowledging stops the clock

    def cutoff(self, now: datetime) -> datetime:
        """Alerts raised at or before this instant are due."""
        return now - timedelta(minutes=self.after_minutes)


def reconcile(
    open_keys: set[tuple[str, str]], wanted: set[tuple[str, str]]
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(to_raise, to_resolve) so that the open (subject, kind) pairs become ``wanted``."""
    return wanted - open_keys, open_keys - wanted


@dataclass(frozen=True)
class SensorThresholds:
    manhole_tilt_deg: float = 15.0  # a cover tilted this much is displaced or open
    water_level_cm: float = 20.0  # standing water deep enough to stop traffic


def sensor_alert(
    sensor_kind: str, value: float, thresholds: SensorThresholds = SensorThresholds()
) -> str | None:
    if sensor_kind == "manhole_tilt" and value >= thresholds.manhole_tilt_deg:
        return "sensor_threshold"
    if sensor_kind == "water_level" and value >= thresholds.water_level_cm:
        return "sensor_threshold"
    return None
