"""Time as the district sees it: real time, or real time compressed for the simulator.

The backend is the authority on time. In a headless demo the simulator runs a working day at
up to 60x; SLA clocks, vehicle fixes and alerts must all age at that speed, so the backend and
the simulator share one ``VirtualClock`` (speed 1 with no start = the wall clock).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime


def iso_epoch(ts: str | None) -> float:
    """Epoch seconds of an ISO 8601 instant from the wire or a log; NaN when absent or
    unreadable (a damaged log entry must not stop a replay or a report)."""
    try:
        return datetime.fromisoformat(ts).timestamp() if ts else math.nan
    except (TypeError, ValueError):
        return math.nan


@dataclass
class VirtualClock:
    """``now() = start + (monotonic elapsed) * speed``; speed 1 and no start is real time."""

    speed: float = 1.0
    start: datetime | None = None
    _t0: float = field(default_factory=time.monotonic, repr=False)
    _origin: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        if not (0 < self.speed <= 3600):
            raise ValueError("speed must be in (0, 3600]")
        if self.start is not None and self.start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._origin = (self.start or datetime.now(UTC)).timestamp()

    def epoch(self) -> float:
        """Seconds since 1970 in district time."""
        return self._origin + (time.monotonic() - self._t0) * self.speed

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.epoch(), UTC)

    def advance(self, seconds: float) -> None:
        """Move district time ``seconds`` ahead at once (tests step a backend's clock over a
        deadline or a weekend instead of waiting for it)."""
        self._origin += seconds

    def to_dict(self) -> dict:
        return {"server_time": self.now().isoformat(), "speed": self.speed}
