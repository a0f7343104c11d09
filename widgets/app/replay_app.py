"""``python main.py replay FILE...``: a shift log in the console's own window, with no backend.

Several files (consecutive shifts) are merged once into a cached file and replayed as one.
The window is the live console's, read-only, with a banner saying what is shown and when.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from console import CommandError
from console.domain.china_time import CST
from console.paths import data_dir
from console.replay.logfiles import open_logs
from console.replay.timeparse import parse_clock
from console.store.shiftlog import ShiftLog
from console.sync.live import Health
from console.tiles.config import SourceConfig
from widgets.app.console_app import ConsoleApp
from widgets.app.console_start import qt_app

log = logging.getLogger(__name__)


def banner_text(shiftlog: ShiftLog, files: list[str], start: float, end: float) -> str:
    meta = shiftlog.meta()
    fmt = "%m-%d %H:%M"
    period = (
        f"{datetime.fromtimestamp(start, CST):{fmt}} – {datetime.fromtimestamp(end, CST):{fmt}}"
    )
    names = ", ".join(Path(f).name for f in files)
    word = QCoreApplication.translate("ReplayApp", "回放")
    return f"{word} · {names} · {meta.get('user', '')} · {period}"


def initial_time(at: str, start: float, end: float) -> float:
    named = {"start": start, "middle": (start + end) / 2, "end": end}
    if at in named:
        return named[at]
    t = parse_clock(at, start)
    if t is None:
        raise ValueError(f"--at {at!r}: use start, middle, end, HH:MM[:SS] or an ISO time")
    return t


def run_replay(
    files: list[str],
    *,
    at: str = "start",
    speed: float | None = None,
    lang: str = "zh",
    theme: str = "dark",
    screenshot: str | None = None,
    quit_after: float | None = None,
    basemap: Sequence[SourceConfig] = (),
) -> int:
    """Raises CommandError when the files or ``at`` cannot be shown."""
    app = qt_app(lang, theme, offscreen_ok=screenshot is not None)
    try:
        shiftlog = open_logs(files, data_dir() / "replays")
    except (ValueError, OSError) as e:
        raise CommandError(str(e)) from e
    console = ConsoleApp(None, replay_log=shiftlog, theme=theme, sound=False, basemap=basemap)
    controller = console.replay
    assert controller is not None  # a ConsoleApp on a log has its controller
    start, end = controller.span()
    try:
        if not len(controller.replayer.index):
            raise ValueError(f"{files[0]}: the shift log holds no changes")
        t0 = initial_time(at, start, end)
    except ValueError as e:
        console.stop()
        raise CommandError(str(e)) from e
    controller.seek(t0)
    console.banner = banner_text(shiftlog, files, start, end)
    window = console.show()
    window.status.set_health(Health(status="replay", last_seq=controller.replayer.seq))
    controller.moved.connect(
        lambda _t: window.status.set_health(
            Health(status="replay", last_seq=controller.replayer.seq)
        )
    )
    window.resize(1920, 1080)
    if speed is not None:
        controller.set_speed(speed)
        window.timeline.speed.setCurrentIndex(window.timeline.speed.findData(speed))
        controller.play()
    return console.exec(app, screenshot, quit_after or (5.0 if screenshot else None))
