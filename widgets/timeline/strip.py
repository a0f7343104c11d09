"""The timeline strip: the shift at a glance and the cursor to move through it.

Four lanes of change density (cases, fleet, alerts, the operator's own actions) as one bar
item each, bookmarks as flags with their notes, the cursor (drag it, or click anywhere), a loop
range, and the controls: play/pause, speeds 0.25x to 64x, step to the previous/next event,
start/end, a time box (HH:MM[:SS] Hangzhou time), skip idle stretches, loop; in the live
console "back to live" with a badge counting alerts raised meanwhile. Keys: space, ←/→,
Home/End (in a replay window-wide, except in text fields; on the live desk in the strip).
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pyqtgraph as pg
import qtawesome as qta
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.china_time import CST
from console.replay.player import LANES
from console.replay.timeparse import parse_clock
from widgets.common.style import theme
from widgets.timeline.controller import SPEEDS, ReplayController

LANE_COLORS = ("#5b8ff9", "#36cfc9", "#ff7a45", "#f6bd16")
BINS = 240
MAX_MARK_TEXTS = 40
#: Live, the strip's range runs this share of its span ahead of now: moved whenever now passed
#: its end, the range changed on every tick at 60x and the time axis laid out its labels
#: again each time (pyqtgraph's AxisItem.generateDrawSpecs, seen in ``bench gui --stacks``).
LIVE_LEAD = 0.05
DRAG_SEEK_MS = 120  # while dragging, seek at most this often (a seek costs up to ~0.2 s)


TICK_STEPS = (10, 30, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


class TimeAxis(pg.AxisItem):
    """Epoch seconds shown as Hangzhou clock time, whatever the machine's zone, with ticks on
    round clock times (whole hours are whole hours in UTC+8 too)."""

    def tickSpacing(self, minVal, maxVal, size):
        span = max(maxVal - minVal, 1.0)
        want = max(2, int(size / 90))  # a label needs ~90 px
        major = next((s for s in TICK_STEPS if span / s <= want), TICK_STEPS[-1])
        minor = next((s for s in reversed(TICK_STEPS) if s < major and major % s == 0), major)
        return [(major, 0), (minor, 0)]

    def tickStrings(self, values, scale, spacing):
        fmt = "%H:%M:%S" if spacing < 60 else "%H:%M"
        out = []
        for v in values:
            try:
                out.append(datetime.fromtimestamp(v, CST).strftime(fmt))
            except (OverflowError, OSError, ValueError):
                out.append("")
        return out


def clock_text(t: float) -> str:
    return datetime.fromtimestamp(t, CST).strftime("%H:%M:%S") if math.isfinite(t) else "--:--"


class Timeline(QWidget):
    def __init__(self, controller: ReplayController, parent=None):
        super().__init__(parent)
        self.c = controller
        self.setObjectName("timeline")
        t = theme()
        self.plot = pg.PlotWidget(axisItems={"bottom": TimeAxis(orientation="bottom")})
        self.plot.setBackground(t["base"])
        self.plot.setMinimumHeight(110)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=True, y=False)
        pi = self.plot.getPlotItem()
        pi.showGrid(x=True, y=False, alpha=0.15)
        pi.setYRange(-0.1, len(LANES) + 1.5, padding=0)  # lanes, bookmark row, cursor label
        left = pi.getAxis("left")
        left.setWidth(64)
        self.bars = []
        for i, color in enumerate(LANE_COLORS):
            bar = pg.BarGraphItem(x=[0], height=[0], width=1, y0=i, brush=color, pen=None)
            pi.addItem(bar)
            self.bars.append(bar)
        self.marks = pg.ScatterPlotItem(symbol="t", size=13, brush="#f5c518", pen=pg.mkPen(None))
        self.marks.setToolTip("")
        self.marks.sigHovered.connect(self._hover_mark)
        pi.addItem(self.marks)
        self.mark_texts: list[pg.TextItem] = []
        self.mark_lines = pg.PlotCurveItem(
            pen=pg.mkPen("#f5c518", width=1, style=Qt.PenStyle.DashLine)
        )
        pi.addItem(self.mark_lines)
        self.loop_region = pg.LinearRegionItem(brush=pg.mkBrush(91, 143, 249, 40))
        self.loop_region.setVisible(False)
        self.loop_region.sigRegionChangeFinished.connect(self._loop_moved)
        pi.addItem(self.loop_region)
        self.now_line = pg.InfiniteLine(angle=90, pen=pg.mkPen("#2ecc71", width=2))
        self.now_line.setVisible(controller.live_mode)
        pi.addItem(self.now_line)
        self.cursor_line = pg.InfiniteLine(
            angle=90,
            movable=True,
            pen=pg.mkPen("#ffffff" if t["text"] != "#1d2533" else "#1d2533", width=2),
            hoverPen=pg.mkPen("#f5c518", width=3),
            label="",
            labelOpts={
                "position": 0.95,
                "color": t["text"],
                "fill": t["alt"],
                "anchors": [(0, 0.5), (1, 0.5)],  # the side away from the nearer edge
            },
        )
        self.cursor_line.sigDragged.connect(self._dragging)
        self.cursor_line.sigPositionChangeFinished.connect(self._drag_done)
        pi.addItem(self.cursor_line)
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        self._drag_timer = QTimer(self, singleShot=True, interval=DRAG_SEEK_MS)
        self._drag_timer.timeout.connect(lambda: self.c.seek(self.cursor_line.value()))
        self._build_controls()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.setSpacing(2)
        lay.addLayout(self.controls)
        lay.addWidget(self.plot, 1)
        self._keys()
        self._connect()
        self.retranslate()
        self.redraw_density()
        self._moved(self.c.t)

    # ---- construction ----------------------------------------------------------------------
    def _button(self, icon: str, slot) -> QToolButton:
        b = QToolButton()
        b.setIcon(qta.icon(icon, color=theme()["text"]))
        b.setAutoRaise(True)
        b.clicked.connect(slot)
        self.controls.addWidget(b)
        return b

    def _build_controls(self) -> None:
        self.controls = QHBoxLayout()
        self.controls.setSpacing(4)
        self.btn_home = self._button("mdi6.skip-backward", self.c.home)
        self.btn_prev = self._button("mdi6.skip-previous", lambda: self.c.step(-1))
        self.btn_play = self._button("mdi6.play", self.c.toggle)
        self.btn_next = self._button("mdi6.skip-next", lambda: self.c.step(1))
        self.btn_end = self._button("mdi6.skip-forward", self.c.end)
        self.speed = QComboBox()
        for s in SPEEDS:
            self.speed.addItem(f"{s:g}×", s)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.currentIndexChanged.connect(lambda i: self.c.set_speed(SPEEDS[i]))
        self.controls.addWidget(self.speed)
        self.time_edit = QLineEdit()
        self.time_edit.setFixedWidth(96)
        self.time_edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.time_edit.returnPressed.connect(self._typed)
        self.controls.addWidget(self.time_edit)
        self.skip_idle = QCheckBox()
        self.skip_idle.toggled.connect(lambda on: setattr(self.c, "skip_idle", on))
        self.controls.addWidget(self.skip_idle)
        self.loop = QCheckBox()
        self.loop.toggled.connect(self._loop_toggled)
        self.controls.addWidget(self.loop)
        self.controls.addStretch(1)
        self.mode = QLabel()
        self.mode.setObjectName("timeline_mode")
        self.controls.addWidget(self.mode)
        self.badge = QLabel()
        self.badge.setObjectName("timeline_badge")
        self.badge.setStyleSheet(
            "background:#ff4d4f;color:white;border-radius:9px;padding:1px 7px;font-weight:bold"
        )
        self.badge.setVisible(False)
        self.controls.addWidget(self.badge)
        self.btn_live = QToolButton()
        self.btn_live.setIcon(qta.icon("mdi6.broadcast", color="#2ecc71"))
        self.btn_live.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.btn_live.clicked.connect(self.c.back_to_live)
        self.btn_live.setVisible(False)
        self.controls.addWidget(self.btn_live)

    def _keys(self) -> None:
        keys = {
            Qt.Key.Key_Space: self.c.toggle,
            Qt.Key.Key_Left: lambda: self.c.step(-1),
            Qt.Key.Key_Right: lambda: self.c.step(1),
            Qt.Key.Key_Home: self.c.home,
            Qt.Key.Key_End: self.c.end,
        }
        self.key_actions = []
        # A replay window is all timeline; on the live desk Home or ← must not rewind the wall
        # from a table, so there the keys work when the strip has the focus.
        context = (
            Qt.ShortcutContext.WidgetWithChildrenShortcut
            if self.c.live_mode
            else Qt.ShortcutContext.WindowShortcut
        )
        for key, slot in keys.items():
            a = QAction(self)
            a.setShortcut(QKeySequence(key))
            a.setShortcutContext(context)
            a.triggered.connect(slot)
            self.addAction(a)
            self.key_actions.append(a)

    def _connect(self) -> None:
        self.c.moved.connect(self._moved)
        self.c.play_state.connect(self._play_state)
        self.c.live_changed.connect(self._live_changed)
        self.c.badge.connect(self._badge)
        self.c.index_changed.connect(self.redraw_density)
        self._live_changed(not self.c.rewound)

    def retranslate(self) -> None:
        self.btn_home.setToolTip(self.tr("到开始 (Home)"))
        self.btn_prev.setToolTip(self.tr("上一事件 (←)"))
        self.btn_play.setToolTip(self.tr("播放/暂停 (空格)"))
        self.btn_next.setToolTip(self.tr("下一事件 (→)"))
        self.btn_end.setToolTip(self.tr("到结束 (End)"))
        self.speed.setToolTip(self.tr("播放速度"))
        self.time_edit.setToolTip(self.tr("输入时间 HH:MM[:SS]，回车跳转"))
        self.skip_idle.setText(self.tr("跳过空闲"))
        self.loop.setText(self.tr("循环区间"))
        self.btn_live.setText(self.tr("回到实时"))
        names = [self.tr("案件"), self.tr("车辆"), self.tr("告警"), self.tr("操作")]
        self.plot.getPlotItem().getAxis("left").setTicks(
            [[(i + 0.4, n) for i, n in enumerate(names)]]
        )
        self._live_changed(not self.c.rewound)

    # ---- drawing ---------------------------------------------------------------------------
    def redraw_density(self) -> None:
        """Bars per lane, each lane scaled to its own peak (fixes outnumber cases 50 to 1)."""
        start, end = self.c.span()
        idx = self.c.replayer.index
        edges = np.linspace(start, end, BINS + 1)
        dens = idx.density(edges)
        centres, width = (edges[:-1] + edges[1:]) / 2, edges[1] - edges[0]
        for lane, bar in enumerate(self.bars):
            peak = dens[lane].max()
            h = np.sqrt(dens[lane] / peak) * 0.8 if peak else np.zeros(BINS)
            bar.setOpts(x=centres, height=h, width=width * 0.9, y0=lane)
        self._draw_marks()
        self.plot.getPlotItem().setXRange(start, end, padding=0.01)
        if self.c.live_mode:
            self.now_line.setValue(end)

    def _draw_marks(self) -> None:
        marks = [b for b in self.c.replayer.index.bookmarks if math.isfinite(b["t"])]
        top = len(LANES) + 0.45
        xs = np.array([b["t"] for b in marks])
        self.marks.setData(
            x=xs, y=np.full(len(xs), top), data=[b["label"] for b in marks], symbol="t"
        )
        lx = np.repeat(xs, 2)
        ly = np.tile([-0.1, top], len(xs))
        self.mark_lines.setData(lx, ly, connect="pairs")
        # The notes themselves, readable on the wall without hovering (a few dozen at most).
        pi = self.plot.getPlotItem()
        for item in self.mark_texts:
            pi.removeItem(item)
        self.mark_texts = []
        for b in marks[:MAX_MARK_TEXTS]:
            label = b["label"] if len(b["label"]) <= 14 else b["label"][:13] + "…"
            text = pg.TextItem(label, color="#f5c518", anchor=(0, 0.5))
            text.setPos(b["t"], top)
            pi.addItem(text)
            self.mark_texts.append(text)

    def _hover_mark(self, _item, points, _ev) -> None:
        text = "\n".join(
            f"{clock_text(p.pos().x())}  {p.data()}" for p in points if p.data() is not None
        )
        self.marks.setToolTip(text)

    # ---- controller → view -----------------------------------------------------------------
    def _moved(self, t: float) -> None:
        if not math.isfinite(t):
            return
        if not self.cursor_line.moving:
            self.cursor_line.blockSignals(True)
            self.cursor_line.setValue(t)
            self.cursor_line.blockSignals(False)
        self.cursor_line.label.setFormat(clock_text(t))
        if not self.time_edit.hasFocus():
            self.time_edit.setText(clock_text(t))
        if self.c.live_mode:
            now = self.c.app.live_now()
            self.now_line.setValue(now)
            pi = self.plot.getPlotItem()
            if now > pi.vb.viewRange()[0][1]:  # keep now in view between index reads
                start = self.c.span()[0]
                pi.setXRange(start, now + LIVE_LEAD * max(now - start, 60.0), padding=0.01)

    def _play_state(self, playing: bool) -> None:
        self.btn_play.setIcon(
            qta.icon("mdi6.pause" if playing else "mdi6.play", color=theme()["text"])
        )

    def _live_changed(self, live: bool) -> None:
        if self.c.live_mode:
            self.mode.setText(self.tr("实时") if live else self.tr("回看中"))
            self.btn_live.setVisible(not live)
            for w in (self.btn_play, self.speed, self.skip_idle, self.loop):
                w.setEnabled(not live)
        else:
            self.mode.setText(self.tr("回放"))
        self.mode.setStyleSheet(
            "color:#2ecc71;font-weight:bold"
            if live and self.c.live_mode
            else "color:#5b8ff9;font-weight:bold"
        )

    def _badge(self, n: int) -> None:
        self.badge.setVisible(n > 0)
        self.badge.setText(self.tr("新告警 %1").replace("%1", str(n)))

    # ---- view → controller -----------------------------------------------------------------
    def _dragging(self) -> None:
        self.cursor_line.label.setFormat(clock_text(self.cursor_line.value()))
        if not self._drag_timer.isActive():
            self._drag_timer.start()

    def _drag_done(self) -> None:
        self._drag_timer.stop()
        self.c.seek(self.cursor_line.value())

    def _clicked(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton or ev.isAccepted():
            return
        vb = self.plot.getPlotItem().vb
        if vb.sceneBoundingRect().contains(ev.scenePos()):
            self.c.seek(vb.mapSceneToView(ev.scenePos()).x())

    def _typed(self) -> None:
        t = parse_clock(self.time_edit.text(), self.c.t)
        if t is None:
            self.time_edit.setStyleSheet("border:1px solid #ff4d4f")
            return
        self.time_edit.setStyleSheet("")
        self.c.seek(t)
        self.time_edit.clearFocus()

    def _loop_toggled(self, on: bool) -> None:
        if on:
            start, end = self.c.span()
            t = self.c.t
            width = max(60.0, (end - start) / 10)
            a = max(start, t - width / 2)
            self.loop_region.setRegion((a, min(end, a + width)))
        self.loop_region.setVisible(on)
        self.c.set_loop(self.loop_region.getRegion() if on else None)

    def _loop_moved(self) -> None:
        if self.loop.isChecked():
            self.c.set_loop(self.loop_region.getRegion())
