"""One wall screen: every scene built once in a stack, the playlist rotating them, the
current scene refreshed every few seconds, and a throw shown on the focus scene for its
seconds before the playlist resumes.

Frameless, full-screen and cursorless on its screen. What it reads comes from the wall's
CityState through the bridge's diffs (``on_diff``); nothing here holds a growing list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from console.state import CityState
from widgets.wall.playlist import Playlist
from widgets.wall.scale import WallScale
from widgets.wall.scenes import SCENES, Scene

REFRESH_MS = 2000  # the current scene's figures; maps redraw on the bridge's diffs


@dataclass
class WallContext:
    """What the scenes read: the state, district time, the workers and, when a backend is
    there (not in a replay), ``fetch(path, **params)`` for the ranking board;
    ``make_map(heat=bool)`` builds the district map a map scene shows."""

    state: CityState
    now: Any
    workers: Any
    fetch: Any
    scale: WallScale
    make_map: Any
    #: ``fetch_bytes(path)`` (a camera's still), when a backend is there.
    fetch_bytes: Any = None


class WallWindow(QWidget):
    def __init__(self, ctx: WallContext, playlist: Playlist, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.playlist = playlist
        self.setWindowTitle(self.tr("指挥大屏"))
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint)
        self.setCursor(Qt.CursorShape.BlankCursor)
        self.stack = QStackedWidget()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.stack)
        self.scenes: dict[str, Scene] = {}
        for name, cls in SCENES.items():
            self.scenes[name] = cls(ctx)
            self.stack.addWidget(self.scenes[name])
        self.position = -1
        self.focusing = False
        self._rotate = QTimer(self, singleShot=True)
        self._rotate.timeout.connect(self.advance)
        self._refresh = QTimer(self, interval=REFRESH_MS)
        self._refresh.timeout.connect(self.refresh)
        self._refresh.start()
        self.advance()

    # ---- playlist --------------------------------------------------------------------------
    def current(self) -> Scene:
        return self.stack.currentWidget()  # type: ignore[return-value]

    def advance(self) -> None:
        """The next scene of the playlist (after a focus: where the playlist was)."""
        self.focusing = False
        self.position = (self.position + 1) % len(self.playlist.entries)
        entry = self.playlist.entries[self.position]
        self.show_scene(entry.scene)
        if not self.playlist.pinned:
            self._rotate.start(int(entry.seconds * 1000))

    def show_scene(self, name: str) -> None:
        scene = self.scenes[name]
        self.stack.setCurrentWidget(scene)
        scene.refresh()

    def refresh(self) -> None:
        self.current().refresh()

    # ---- data ------------------------------------------------------------------------------
    def on_diff(self, diff) -> None:
        for scene in self.scenes.values():
            scene.on_diff(diff)
        focus = self.ctx.state.wall_focus
        if diff.wall_focus and focus is not None:
            self.focus(focus["subject_type"], focus["subject_id"], focus.get("seconds"))

    def focus(self, subject_type: str, subject_id: str, seconds: float | None = None) -> None:
        """Show a thrown subject, then resume the playlist where it was."""
        self.focusing = True
        self.position -= 1  # resume with the scene the throw interrupted
        scene = self.scenes["focus"]
        self.stack.setCurrentWidget(scene)
        scene.focus(subject_type, subject_id)  # type: ignore[attr-defined]
        self._rotate.start(int(1000 * (seconds or self.playlist.focus_seconds)))

    def stop(self) -> None:
        self._rotate.stop()
        self._refresh.stop()
