"""The headless recorder: follow the feed and write the shift log, with no window.

A centre runs one so that a shift is recorded even when no console is open. It stops
cleanly on SIGINT/SIGTERM and resumes on the same file after any crash: the log's last seq
is where the stream continues, and a change is stored once however often it arrives. It folds
what it records into a CityState and writes periodic checkpoints into the log, as a console
does, so a replay can seek in its files quickly.
"""

from __future__ import annotations

import logging
import signal
import threading

from console import CommandError
from console.replay.fold import LiveFold
from console.store.shiftlog import ShiftLog

from .client import RestClient
from .live import LiveSource

log = logging.getLogger(__name__)


def record(
    backend: str,
    user: str,
    password: str,
    out: str,
    *,
    status_every_s: float = 30.0,
    stop: threading.Event | None = None,
    checkpoint_every: int | None = None,
) -> int:
    stop = stop or threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        shiftlog = ShiftLog(out, backend_url=backend, user=user)
    except (ValueError, OSError) as e:  # not a shift log, another backend's or user's, unwritable
        raise CommandError(str(e)) from e
    client = RestClient(backend, user, password)
    fold = LiveFold(checkpoint_every).attach(shiftlog)

    source = LiveSource(client, shiftlog, fold.on_batch)
    log.info("recording %s as %s into %s from seq %d", backend, user, out, source.since)
    source.start()
    while not stop.wait(status_every_s):
        h = source.health
        log.info(
            "recorder %s: seq %d, lag %s s, quarantined %d %s",
            h.status,
            h.last_seq,
            h.lag_s,
            h.quarantined,
            h.last_error,
        )
    source.stop()
    source.join(timeout=2)  # it may sit in a long poll; close() then refuses its late page
    fold.close()
    shiftlog.close()
    log.info("recorder stopped at seq %d", source.since)
    return 0
