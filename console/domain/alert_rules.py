"""Which alerts a case or sensor should have open, their severities, and escalation.

Alerts are derived state: the backend asks these rules what *should* be open and reconciles
(raise what is missing, auto-resolve what cleared), so identical alerts are debounced to one
open alert per subject and kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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


def case_alert_kinds(case: dict) -> set[str]:
    """Yellow light → a warning, red → critical; nothing while no clock runs."""
    if case.get("state") in NO_CLOCK_STATES or case.get("clock_paused"):
        return set()
    return {"yellow": {"case_yellow"}, "red": {"case_red"}}.get(case.get("light") or "", set())


def should_escalate(alert: dict, now: datetime, escalate_after_minutes: float = 15.0) -> bool:
    """A critical alert nobody acknowledged within the time escalates (to the shift lead)."""
    if alert["severity"] != "critical" or alert["state"] != "raised" or alert.get("escalated"):
        return False
    raised = datetime.fromisoformat(alert["raised_at"])
    return now - raised >= timedelta(minutes=escalate_after_minutes)


def reconcile(open_keys: set[tuple[str, str]], wanted: set[tuple[str, str]]) -> tuple[set, set]:
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
