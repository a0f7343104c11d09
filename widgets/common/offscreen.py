"""A QGuiApplication for commands that paint without a window (reports, tile builds)."""

from __future__ import annotations

import os
import sys
from typing import cast

from PySide6.QtGui import QGuiApplication


def ensure_gui_app() -> QGuiApplication:
    """Fonts and painting need a QGuiApplication; with no display, the offscreen platform."""
    app = QGuiApplication.instance()
    if app is None:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([sys.argv[0] if sys.argv else "zhcg-console"])
    return cast(QGuiApplication, app)
