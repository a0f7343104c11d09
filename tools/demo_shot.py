"""What the screenshot tools share: the embedded demo and a console window on it, offscreen,
its default layout (not the one a last run saved), a stage set after some seconds of the
district, and the pictures taken once the map has drawn.

A tool gives ``shoot`` its stage: ``stage(console, window)`` zooms and selects, and returns the
steps that take the pictures (each run ``settle_s`` after the one before: tiles, layers and
docks draw in between), or None when the district has nothing to show yet (exit status 1).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ZHCG_BASEMAP_BUILD", "0")  # a tool never starts the basemap's build

Stage = Callable[[Any, Any], Sequence[Callable[[], None]] | None]


def shoot(
    after_s: float,
    stage: Stage,
    *,
    speed: float | None = None,
    lang: str = "zh",
    settle_s: float = 3.0,
    size: tuple[int, int] = (1920, 1080),
) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from console.demo_process import DEMO_PASSWORD, DEMO_USER, DemoProcess, fresh_sqlite
    from console.session import Session
    from widgets.app.console_app import ConsoleApp
    from widgets.common.i18n import set_language
    from widgets.common.style import apply_theme

    app = QApplication([])
    apply_theme(app)
    set_language(lang)
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        pace = {} if speed is None else {"speed": speed}
        demo = DemoProcess(fresh_sqlite(Path(tmp) / "demo.db"), **pace).start()
        session = Session(demo.url, DEMO_USER, DEMO_PASSWORD, Path(tmp) / "shot.zhcg")
        console = ConsoleApp(session, sound=False)
        window = console.start()
        window.reset_layout()
        window.resize(*size)

        def run(steps: list[Callable[[], None]]) -> None:
            steps.pop(0)()
            if steps:
                QTimer.singleShot(int(settle_s * 1000), lambda: run(steps))
            else:
                app.quit()

        def set_stage() -> None:
            nonlocal status
            steps = stage(console, console.window)
            if not steps:
                print("nothing to show yet: try a larger --after", file=sys.stderr)
                status = 1
                app.quit()
                return
            QTimer.singleShot(int(settle_s * 1000), lambda: run(list(steps)))

        QTimer.singleShot(int(after_s * 1000), set_stage)
        app.exec()
        console.stop()
        demo.stop()
    return status


def saved(widget, path: str | Path) -> None:
    widget.grab().save(str(path))
    print(f"saved {path}")
