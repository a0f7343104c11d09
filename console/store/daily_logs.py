"""One shift-log file per district day for a console that runs for months (the video wall).

Why: a wall records what it receives like any console (a debrief replays it), about 5 MB per
district hour at the demo's pace (mostly vehicle fixes), so a single file would grow by GBs a
month and every tool that opens it (replay, export, merge) would slow with it. So the wall
writes ``<prefix>-YYYY-MM-DD.zhcg``, one per China-time day of the *district* clock (the
changes' ``ts``, so a demo at 60x rolls every 24 wall minutes, like a real wall at midnight),
and deletes the files older than ``keep_days`` when it rolls.

Each new file begins with a bootstrap from the backend's snapshot (``console.sync.live``), so it
replays on its own; its ``after_seq`` is the stream position it came at, so the days merged
(``console.replay.logfiles``) fold as the live wall did. A file resumed on the same day (the
wall restarted) continues where it stopped, as a console's per-day file does.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from pathlib import Path

from console.domain.case import parse_time
from console.domain.china_time import CST

from .shiftlog import ShiftLog

log = logging.getLogger(__name__)

#: Two weeks of walls: enough to replay last week's incident, bounded on disk (~1.7 GB at the
#: demo's pace of ~120 MB per district day).
KEEP_DAYS = 14


class DailyLogs:
    def __init__(
        self,
        directory: str | Path,
        prefix: str,
        *,
        backend_url: str = "",
        user: str = "",
        keep_days: int = KEEP_DAYS,
    ):
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", prefix):
            raise ValueError(f"log prefix {prefix!r}: letters, digits, _ . - only")
        self.directory = Path(directory)
        self.prefix = prefix
        self.backend_url = backend_url
        self.user = user
        self.keep_days = keep_days
        self._pattern = re.compile(
            rf"{re.escape(prefix)}-(\d{{4}}-\d{{2}}-\d{{2}})(?:\.(\d+))?\.zhcg"
        )

    def path(self, day: date, part: int = 0) -> Path:
        """The file of ``day``; a later ``part`` when another feed took over that day (a demo
        restarted on a fresh database: its seqs must not mix with the first one's)."""
        tail = f".{part}" if part else ""
        return self.directory / f"{self.prefix}-{day.isoformat()}{tail}.zhcg"

    def _parts(self, day: date) -> list[int]:
        out = []
        for p in self.directory.glob(f"{self.prefix}-{day.isoformat()}*.zhcg"):
            m = self._pattern.fullmatch(p.name)
            if m:
                out.append(int(m.group(2) or 0))
        return sorted(out)

    def day_of(self, shiftlog: ShiftLog) -> date | None:
        m = self._pattern.fullmatch(shiftlog.path.name)
        return date.fromisoformat(m.group(1)) if m else None

    def open(self, day: date, new_part: bool = False) -> ShiftLog:
        """The day's last file (resumed), or a new part; files older than ``keep_days`` go."""
        self.directory.mkdir(parents=True, exist_ok=True)
        parts = self._parts(day)
        part = (parts[-1] + 1 if new_part else parts[-1]) if parts else 0
        path = self.path(day, part)
        shiftlog = ShiftLog(path, backend_url=self.backend_url, user=self.user)
        log.info("shift log %s", path.name)
        self.prune(day)
        return shiftlog

    def roll(self, current: ShiftLog, ts: str | None) -> ShiftLog | None:
        """The next file when the change time ``ts`` falls on a later district day than
        ``current``'s, or a new part of the day when ``ts`` is None (another feed); None to
        keep writing ``current``."""
        have = self.day_of(current)
        if ts is None:
            return self.open(have or today(), new_part=True)
        try:
            t = parse_time(ts)
        except (TypeError, ValueError):
            return None
        day = t.astimezone(CST).date() if t is not None else None
        if day is None or (have is not None and day <= have):
            return None
        return self.open(day)

    def prune(self, today: date) -> list[Path]:
        """Delete this prefix's files of days more than ``keep_days`` before ``today``."""
        gone = []
        for p in self.directory.glob(f"{self.prefix}-*.zhcg"):
            m = self._pattern.fullmatch(p.name)
            if m and (today - date.fromisoformat(m.group(1))).days > self.keep_days:
                for side in (p, p.with_name(p.name + "-wal"), p.with_name(p.name + "-shm")):
                    side.unlink(missing_ok=True)
                gone.append(p)
        if gone:
            log.info("deleted %d shift logs older than %d days", len(gone), self.keep_days)
        return gone


def today() -> date:
    """The China-time date on this machine's clock (a wall's first file, before the backend
    has said what district day it is)."""
    return datetime.now(CST).date()
