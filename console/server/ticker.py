"""The backend's background thread: work that time alone triggers, not a request."""

from __future__ import annotations

import logging
import threading

from console.domain.alert_rules import EscalationRule

from . import alerts, case_alerts, cases, duty, enforcement, feed, idempotency, telemetry
from .context import Context

log = logging.getLogger("console.server")

#: Housekeeping (feed retention, expired idempotency records) runs every this many ticks.
HOUSEKEEPING_EVERY = 60


class Ticker(threading.Thread):
    """SLA lights, 督办 of overdue cases, alert escalation and offline vehicles every tick; feed retention and
    expired idempotency records every ``HOUSEKEEPING_EVERY`` ticks. A failed tick is logged
    and the next one runs: one bad row must not stop the clocks."""

    def __init__(self, ctx: Context):
        super().__init__(name="backend-ticker", daemon=True)
        self.ctx = ctx
        self._stop_event = threading.Event()
        self._n = 0
        self._warned_years: set[int] = set()

    def run(self) -> None:
        while not self._stop_event.wait(self.ctx.settings.tick_seconds):
            try:
                self.tick()
            except Exception:
                log.exception("ticker failed")

    def tick(self) -> None:
        ctx = self.ctx
        now = ctx.now()
        with ctx.db.write() as s:
            cases.refresh_lights(ctx, s, now)
            case_alerts.supervise_due(ctx, s, now)
            alerts.escalate_due(s, now, EscalationRule(ctx.settings.escalate_after_minutes))
            telemetry.tick(ctx, s, now)
            duty.tick(ctx, s, now)
            enforcement.retire(s, now)
        self._warn_uncovered_years()
        self._n += 1
        if self._n % HOUSEKEEPING_EVERY == 0:
            feed.prune(ctx.db, ctx.settings.retain_changes)
            idempotency.prune(ctx)

    def _warn_uncovered_years(self) -> None:
        """Log once per year when the district date comes within 30 days of a year whose
        holiday notice the work calendar lacks (deadlines there count plain Monday–Friday)."""
        new = set(self.ctx.uncovered_years()) - self._warned_years
        if new:
            self._warned_years |= new
            log.warning(
                "work calendar has no holiday notice for %s: working days there are counted "
                "Monday-Friday until the State Council notice is added to work_calendar.tsv",
                ", ".join(map(str, sorted(new))),
            )

    def stop(self) -> None:
        self._stop_event.set()
