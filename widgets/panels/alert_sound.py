"""Alert sound: one WAV per severity, repeating until every alert is acknowledged, with a mute
that expires (an operator who mutes for the lunch hour must not mute the night shift). New
alerts sound once per burst (``NEW_GAP_S``); a flood the backend grouped sounds once, as its
group row.

QtMultimedia's QSoundEffect when this Qt has it (PySide6-Addons); otherwise the desktop's
``paplay``/``aplay`` started detached; otherwise the system beep. Which one is in use is
reported in ``backend`` so the status bar can say "no sound device".
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QTimer, QUrl, Signal
from PySide6.QtWidgets import QApplication

from resources import resource_path

SOUNDS = resource_path("sounds")
RANK = {"critical": 3, "warning": 2, "info": 1}
REPEAT_S = {"critical": 10, "warning": 30}  # info alerts make one sound, no repeats
#: A new alert sounds at most once in this many seconds unless it is louder than the last
#: sound: a burst that reaches the console over several frames (before the backend folds it
#: into a group) makes one sound, not one per alert. The repeat timer keeps reminding.
NEW_GAP_S = 5.0


class AlertSound(QObject):
    played = Signal(str)  # severity (tests and the status bar listen)
    mute_changed = Signal(float)  # mute-until epoch (0: not muted)

    def __init__(self, parent: QObject | None = None, enabled: bool = True):
        super().__init__(parent)
        self.enabled = enabled
        self.muted_until = 0.0
        self._worst: str | None = None
        self._last_new: tuple[float, int] = (
            -1e9,
            0,
        )  # (monotonic time, rank) of the last new-alert sound
        self._effects = {}
        self.backend = "beep"
        try:  # PySide6-Addons
            from PySide6.QtMultimedia import QSoundEffect

            for sev in RANK:
                e = QSoundEffect(self)
                e.setSource(QUrl.fromLocalFile(str(SOUNDS / f"alert_{sev}.wav")))
                self._effects[sev] = e
            self.backend = "qtmultimedia"
        except ImportError:
            self._player = shutil.which("paplay") or shutil.which("aplay")
            if self._player:
                self.backend = Path(self._player).name
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._repeat)

    # ---- state from the alerts pane --------------------------------------------------------
    def update(self, open_severities: list[str], raised_now: list[str]) -> None:
        """``open_severities``: unacknowledged alerts; ``raised_now``: new since last call."""
        self._worst = max(open_severities, key=lambda s: RANK.get(s, 0), default=None)
        if raised_now:
            loudest = max(raised_now, key=lambda s: RANK.get(s, 0))
            t, rank = time.monotonic(), RANK.get(loudest, 0)
            if t - self._last_new[0] >= NEW_GAP_S or rank > self._last_new[1]:
                self._last_new = (t, rank)
                self.play(loudest)
        every = REPEAT_S.get(self._worst or "")
        if every is None:
            self._timer.stop()
        elif not self._timer.isActive() or self._timer.interval() != every * 1000:
            self._timer.start(every * 1000)

    def _repeat(self) -> None:
        if self._worst in REPEAT_S:
            self.play(self._worst)

    def play(self, severity: str) -> None:
        if not self.enabled or self.is_muted():
            return
        if self.backend == "qtmultimedia":
            self._effects.get(severity, self._effects["info"]).play()
        elif self.backend != "beep" and self._player is not None:
            QProcess.startDetached(self._player, [str(SOUNDS / f"alert_{severity}.wav")])
        else:
            QApplication.beep()
        self.played.emit(severity)

    # ---- mute ------------------------------------------------------------------------------
    def mute(self, minutes: float) -> None:
        self.muted_until = time.time() + minutes * 60 if minutes > 0 else 0.0
        self.mute_changed.emit(self.muted_until)

    def is_muted(self) -> bool:
        if self.muted_until and time.time() >= self.muted_until:
            self.muted_until = 0.0  # the mute expired: sound resumes on its own
            self.mute_changed.emit(0.0)
        return bool(self.muted_until)
