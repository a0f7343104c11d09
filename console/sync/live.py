"""LiveSource: bootstrap, then follow the change feed by long poll, in a worker thread.

Every page is validated (bad changes quarantined), written to the shift log in one
transaction, and only then handed to the consumer, so what the screen shows is always in the
record. The stream resumes from the log's last seq (no gap, no duplicate); a ``reset`` or a
new ``feed_id`` re-bootstraps without dropping local state. Network failures back off
exponentially with jitter, and ``health`` says connected / degraded / offline, the last seq,
the lag behind the backend's clock and the last error.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import requests

from console.domain.documents import Change, ChangePage, Snapshot
from console.store.shiftlog import ShiftLog, ShiftLogClosed

from . import validate
from .client import ApiError, RestClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Health:
    status: str = "connecting"  # connecting | connected | degraded | offline | stopped
    last_seq: int = 0
    lag_s: float | None = None
    last_error: str = ""
    since: float = field(default_factory=time.time)  # when the status last changed
    quarantined: int = 0


@dataclass
class Batch:
    """What the consumer receives: changes in seq order, or a fresh bootstrap."""

    changes: list[Change]
    snapshot: Snapshot | None = None
    reference: dict[str, Any] | None = None
    bootstrap_id: int | None = None  # the shift log's id of this bootstrap


class LiveSource(threading.Thread):
    def __init__(
        self,
        client: RestClient,
        shiftlog: ShiftLog,
        on_batch: Callable[[Batch], None] | None = None,
        *,
        wait_s: float = 20.0,
        page: int = 2000,
        backoff_max_s: float = 8.0,
        history: bool = False,
        roll: Callable[[ShiftLog, str | None], ShiftLog | None] | None = None,
        on_roll: Callable[[ShiftLog], None] | None = None,
    ):
        super().__init__(name="live-source", daemon=True)
        self.client = client
        self.log = shiftlog
        self.on_batch = on_batch or (lambda b: None)
        self.wait_s = wait_s
        self.page = page
        self.backoff_max_s = backoff_max_s
        # A new log normally starts at the snapshot; ``history`` also fetches the feed the
        # backend still retains before it (a recorder wanting the whole day, a catch-up bench).
        self.history = history
        self._stop_event = threading.Event()
        self._health = Health()
        self._health_lock = threading.Lock()
        self.feed_id: str | None = shiftlog.meta().get("feed_id")
        self.since = shiftlog.last_seq()
        self._rng = random.Random()
        self._fresh = True  # the consumer's state starts empty: the first bootstrap says so
        # ``roll(log, ts)``: a new file for the change time ``ts`` (``DailyLogs.roll``), or
        # None; ``on_roll(new)`` tells the owner, on this thread, before the old one closes.
        self.roll = roll
        self.on_roll = on_roll or (lambda new: None)
        self._rolled = False
        self._reference: dict[str, Any] | None = None

    # ---- health ------------------------------------------------------------------------
    @property
    def health(self) -> Health:
        with self._health_lock:
            return self._health

    def _set_health(self, **kw: Any) -> None:
        with self._health_lock:
            h = self._health
            if "status" in kw and kw["status"] != h.status:
                kw["since"] = time.time()
                log.info(
                    "live source %s%s",
                    kw["status"],
                    f": {kw.get('last_error', '')}" if kw.get("last_error") else "",
                )
            self._health = replace(h, **kw)

    # ---- lifecycle ---------------------------------------------------------------------
    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        delay = 0.25
        needs_bootstrap = True
        while not self._stop_event.is_set():
            try:
                if needs_bootstrap:
                    self._bootstrap_from_snapshot()
                    needs_bootstrap = False
                needs_bootstrap = self._poll()
                delay = 0.25
            except ShiftLogClosed:
                break
            # A snapshot cut off mid-stream (the backend failed or went away after its first
            # bytes) is a broken connection too.
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
            ) as e:
                self._failed("offline", type(e).__name__, delay)
                delay = min(delay * 2, self.backoff_max_s)
            except ApiError as e:
                if e.retry_after is not None:
                    # The backend is full (503) and said when to come back: wait that long
                    # (plus up to half again, so refused consoles do not return as one wave)
                    # instead of backing off; the poll resumes from the same ``since``.
                    self._set_health(status="degraded", last_error=str(e)[:300])
                    self._stop_event.wait(e.retry_after * (1 + 0.5 * self._rng.random()))
                    continue
                self._failed("degraded", str(e), delay)
                delay = min(delay * 2, self.backoff_max_s)
            except (ValueError, KeyError, TypeError) as e:  # a broken page: say so, retry
                log.warning("bad response from the backend: %s", e)
                self._failed("degraded", f"bad response: {e}", delay)
                delay = min(delay * 2, self.backoff_max_s)
        self._set_health(status="stopped")

    def _failed(self, status: str, error: str, delay: float) -> None:
        """Report the failure, then wait ``delay`` with jitter: consoles must not stampede."""
        self._set_health(status=status, last_error=error[:300])
        self._stop_event.wait(delay * (0.5 + self._rng.random()))

    # ---- the work ----------------------------------------------------------------------
    def _bootstrap_from_snapshot(self) -> None:
        reference: dict[str, Any] = self.client.get("/api/v1/reference", timeout=30)
        if reference == self._reference:
            # The same facts (a daily roll, a reconnect): hand on the object the consumers
            # built their caches and views on, so nothing is rebuilt (the map keeps its zoom)
            # and no second copy of the grid's ~10^5 lists lives on in a cache.
            reference = self._reference
        self._reference = reference
        snapshot: Snapshot = self.client.get("/api/v1/snapshot", timeout=30, streamed=True)
        feed_id = snapshot.get("feed_id")
        if self.feed_id is not None and feed_id != self.feed_id:
            # Another database behind the same URL: this file's seqs mean nothing there.
            log.warning(
                "backend feed changed (%s -> %s): continuing from its snapshot",
                self.feed_id,
                feed_id,
            )
            self.since = int(snapshot["seq"])
            if self.roll is not None and self.log.last_seq():
                new = self.roll(self.log, None)  # its seqs must not mix with the old feed's
                if new is not None:
                    self._switch(new)
        elif self.since > int(snapshot["seq"]) or (self.since == 0 and not self.history):
            self.since = int(snapshot["seq"])
        self.feed_id = feed_id
        self.log.set_meta("feed_id", str(feed_id))
        # A rolled file holds no change yet: its bootstrap comes after the stream position,
        # so merged with the day before it folds in its place.
        after = self.since if self._rolled else self.log.last_seq()
        bootstrap_id = self.log.add_bootstrap(
            snapshot, reference, after_seq=after, fresh=self._fresh
        )
        self._fresh = self._rolled = False
        self._set_health(status="connected", last_seq=self.since, last_error="")
        self.on_batch(Batch([], snapshot=snapshot, reference=reference, bootstrap_id=bootstrap_id))

    def _switch(self, new: ShiftLog) -> None:
        old, self.log = self.log, new
        self.on_roll(new)
        old.close()

    def _poll(self) -> bool:
        """One long poll; True when the feed says we must bootstrap again."""
        body: ChangePage = self.client.get(
            "/api/v1/changes",
            params={"since": self.since, "wait": self.wait_s, "limit": self.page},
            timeout=self.wait_s + 10,
        )
        if self._stop_event.is_set():
            return False  # stopping: the page is fetched again from the log's last seq
        if body.get("feed_id") not in (None, self.feed_id) or body.get("reset"):
            log.warning("feed reset at since=%d: bootstrapping again", self.since)
            return True
        good, bad = validate.split(body.get("changes"))
        good = [ch for ch in good if ch["seq"] > self.since]
        if good or bad:
            self.log.append(good, bad)
        last = int(body.get("last_seq", self.since))
        if good:
            last = max(last, good[-1]["seq"])
        self.since = max(self.since, last)
        lag = None
        if body.get("server_time") and good:
            lag = max(
                0.0,
                (
                    datetime.fromisoformat(body["server_time"])
                    - datetime.fromisoformat(good[-1]["ts"])
                ).total_seconds(),
            )
        self._set_health(
            status="connected",
            last_seq=self.since,
            last_error="",
            lag_s=lag if lag is not None else 0.0,
            quarantined=self.health.quarantined + len(bad),
        )
        if good:
            self.on_batch(Batch(good))
            new = self.roll(self.log, good[-1]["ts"]) if self.roll is not None else None
            if new is not None:
                self._switch(new)
                self._rolled = True
                return True  # the new file starts with a snapshot, so it replays on its own
        return False
