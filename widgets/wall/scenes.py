"""The wall's scenes: each a widget over the wall's CityState, refreshed while it shows.

A scene is built once and refreshed in place (labels re-texted, painted charts given new
short lists), never rebuilt, so rotating through them for months allocates nothing that
stays. ``ctx`` is the wall's ``WallContext``: ``state``, ``now()``, ``workers``,
``fetch(path, **params)`` (None in a replay: no backend), ``scale`` and ``make_map(heat)``
(the console's map wall, handed in by the app: rooms do not import each other).
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from console import wall_figures as wf
from console.domain import enforcement as enf
from console.domain.cameras import SEES_WITHIN_M, distance_m
from console.domain.sla import NO_LIGHT, RED
from console.geo.crs import lonlat_to_mercator
from console.geo.grid import UnitGrid
from console.labels import PlaceNames, local_time
from widgets.common.i18n import labels, penalty_text
from widgets.common.style import LIGHT_COLORS, SEVERITY_COLORS, VEHICLE_COLORS, theme
from widgets.wall.paint import BandRow, Bands, Bar, Bars, Columns, RankRow, RankTable

#: The ranking board asks the backend again after this long: 考核 moves with closed work,
#: minutes apart, and a wall must not load the backend like a desk does.
KPI_REFRESH_S = 300.0
#: The two indicators a ranking row shows beside its score: what a department is assessed on
#: first (on time, then at all), and a street's closure (at all, then on time).
HEADLINE = {
    "department": ("on_time_disposal_rate", "disposal_rate"),
    "street": ("closure_rate", "on_time_closure_rate"),
}
#: The hotspots legend: the heatmap's colours from sparse to dense (matplotlib's inferno from
#: 0.15 to 1, as ``widgets.map.layers.heat_image`` draws them).
HEAT_RAMP = ("#2b0b57", "#731a6e", "#b63457", "#eb6627", "#fcb317", "#fcffa4")
#: The flow scene's "催办" list: cases shown per stage, and where its columns start (案件号,
#: 问题, 街道 · 社区, 超期).
WAIT_ROWS = 3
WAIT_COLUMNS = (0.0, 0.19, 0.48, 0.76)
#: The cameras scene: six pictures a page, the next page this often, over the cameras that
#: watch the most open cases (three pages: the wall shows where work is, not every camera).
CAMERA_TILES = 6
CAMERA_PAGES = 3
CAMERA_PAGE_S = 10.0
#: The 阳光执法 scene asks the public feed again after this long (decisions come minutes
#: apart), and shows at most this many.
SUNSHINE_REFRESH_S = 60.0
SUNSHINE_ROWS = 20
FOCUS_WIDTH_M = (
    4000.0  # the focus map: the subject and ~2 km each side (its street, its neighbours)
)


class Scene(QWidget):
    """A titled full-screen page; subclasses fill ``self.body`` and implement ``refresh``."""

    name = ""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        s = ctx.scale
        lay = QVBoxLayout(self)
        lay.setContentsMargins(s.gap * 2, s.gap, s.gap * 2, s.gap)
        lay.setSpacing(s.gap)
        head = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setStyleSheet(f"font-size:{s.title}px; font-weight:bold")
        self.clock = QLabel()
        self.clock.setStyleSheet(f"font-size:{s.title}px; color:{theme()['dim']}")
        head.addWidget(self.heading, 1)
        head.addWidget(self.clock)
        lay.addLayout(head)
        self.body = QHBoxLayout()
        self.body.setSpacing(s.gap * 2)
        lay.addLayout(self.body, 1)

    def title(self) -> str:
        raise NotImplementedError

    def refresh(self) -> None:
        self.heading.setText(self.title())
        clock = wf.hour_label(self.ctx.now())
        # No backend means a replayed shift: the wall says so, a debrief is not the live day.
        replay = self.tr("回放")  # (outside f-strings: lupdate reads only plain calls)
        self.clock.setText(clock if self.ctx.fetch is not None else f"{replay} {clock}")

    def on_diff(self, diff) -> None:
        """Maps follow the bridge's diffs; the rest refresh on the wall's timer."""

    def label(self, px: int, color: str | None = None, bold: bool = False) -> QLabel:
        q = QLabel()
        style = f"font-size:{px}px;" + (f"color:{color};" if color else "")
        q.setStyleSheet(style + ("font-weight:bold;" if bold else ""))
        q.setWordWrap(True)
        return q


class MapScene(Scene):
    """A scene with the district map on the left and a side column."""

    heat = False

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.map = ctx.make_map(heat=self.heat)
        self.body.addWidget(self.map, 62)
        self.side = QVBoxLayout()
        self.side.setSpacing(ctx.scale.gap)
        self.body.addLayout(self.side, 38)

    def on_diff(self, diff) -> None:
        # A hidden scene's map does not redraw: it draws everything when it shows again.
        if self.isVisible():
            self.map.on_diff(diff)

    def showEvent(self, ev) -> None:
        super().showEvent(ev)
        self.map.update_all()
        self.map.fit_district()


class OverviewScene(MapScene):
    """The district map with today's live counters."""

    name = "overview"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        s = ctx.scale
        grid = QGridLayout()
        grid.setVerticalSpacing(s.gap)
        self.figures: dict[str, QLabel] = {}
        colors = {
            "overdue": "#ff4d4f",
            "closed": "#2ecc71",
            "working": VEHICLE_COLORS["working"],
            "offline": VEHICLE_COLORS["offline"],
            "idle": VEHICLE_COLORS["moving"],
        }
        self.captions: dict[str, QLabel] = {}
        for i, key in enumerate(
            ("reported", "registered", "closed", "overdue", "working", "idle", "offline", "open")
        ):
            fig = self.label(s.figure, colors.get(key), bold=True)
            cap = self.label(s.body, theme()["dim"])
            cell = QVBoxLayout()
            cell.setSpacing(0)
            cell.addWidget(fig)
            cell.addWidget(cap)
            grid.addLayout(cell, i // 2, i % 2)
            self.figures[key], self.captions[key] = fig, cap
        self.side.addLayout(grid)
        self.side.addStretch(1)
        self.legend = self.label(s.body)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.side.addWidget(self.legend)

    def title(self) -> str:
        return self.tr("城区态势")

    def refresh(self) -> None:
        super().refresh()
        c = wf.counters(self.ctx.state, self.ctx.now())
        names = {
            "reported": self.tr("今日上报"),
            "registered": self.tr("今日立案"),
            "closed": self.tr("今日结案"),
            "overdue": self.tr("超期在办"),
            "working": self.tr("车辆作业"),
            "idle": self.tr("车辆空闲"),
            "offline": self.tr("车辆离线"),
            "open": self.tr("在办案件"),
        }
        for key, fig in self.figures.items():
            fig.setText(str(getattr(c, key)))
            self.captions[key].setText(names[key])
        self.legend.setText(self._legend())

    def _legend(self) -> str:
        """Lights, case kinds and vehicle states, a line each, the symbols at title size so
        they are as large as the map's markers they explain."""
        big = self.ctx.scale.title

        def dot(color: str, shape: str, text: str) -> str:
            return f'<span style="color:{color}; font-size:{big}px">{shape}</span> {text}　'

        text = theme()["text"]
        lights = (
            dot(LIGHT_COLORS[0], "●", self.tr("正常"))
            + dot(LIGHT_COLORS[1], "●", self.tr("临期"))
            + dot(LIGHT_COLORS[2], "●", self.tr("超期"))
            + dot(LIGHT_COLORS[NO_LIGHT], "●", self.tr("不计时"))
        )
        kinds = dot(text, "■", self.tr("部件")) + dot(text, "●", self.tr("事件"))
        lb = labels()
        fleet = "".join(
            dot(VEHICLE_COLORS[k], "▲", lb.name("vehicle_status", k))
            for k in ("working", "moving", "stopped", "offline")
        )
        return f"{lights}<br>{kinds}<br>{fleet}"


class RankingScene(Scene):
    """The 考核 ranking: departments and streets by 综合指标值 with grades, from the backend's
    ``GET /api/v1/kpis`` (today so far), asked every KPI_REFRESH_S through the workers."""

    name = "ranking"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.tables = {
            "department": RankTable(ctx.scale, self.tr("部门排名")),
            "street": RankTable(ctx.scale, self.tr("街道排名")),
        }
        for t in self.tables.values():
            self.body.addWidget(t, 1)
        self._asked_at = -math.inf
        self._answers: dict[str, dict] = {}

    def title(self) -> str:
        return self.tr("量化考核 · 今日")

    def refresh(self) -> None:
        super().refresh()
        if self.ctx.fetch is None:
            for t in self.tables.values():
                t.set_items(
                    [], self.tr("回放中不显示考核：考核由后端按考核期计算，请在考核窗口查看")
                )
            return
        if time.monotonic() - self._asked_at >= KPI_REFRESH_S:
            self._asked_at = time.monotonic()
            t0, t1 = wf.today_range(self.ctx.now())
            for by in self.tables:
                self.ctx.workers.submit(
                    _kpi_job(self.ctx.fetch, by, t0.isoformat(), t1.isoformat()),
                    lambda doc, by=by: self._show(by, doc),
                    owner=self,
                    on_error=lambda _e, by=by: self._failed(by),
                    what=self.tr("考核排名"),
                )
        for by, doc in self._answers.items():
            self._show(by, doc)

    def ask_now(self) -> None:
        """Ask the backend again at once (a screenshot wants today's numbers, not those of
        the last rotation)."""
        self._asked_at = -math.inf
        self.refresh()

    def _failed(self, by: str) -> None:
        self._asked_at = -math.inf  # ask again at the next refresh
        if by not in self._answers:
            self.tables[by].set_items([], self.tr("考核数据暂不可用，稍后重试"))

    def _show(self, by: str, doc: dict) -> None:
        self._answers[by] = doc
        defs = doc.get("definitions") or {}
        rows = sorted(
            doc.get("rows") or [],
            key=lambda r: (r.get("score") is None, -(r.get("score") or 0.0)),
        )
        out = []
        for r in rows:
            ind = r.get("indicators") or {}
            detail = []
            for key in HEADLINE.get(by, ()):
                v = ind.get(key)
                if isinstance(v, dict) and v.get("value") is not None:
                    d = defs.get(key) or {}
                    value = v["value"]
                    text = f"{value:.0f}" if d.get("unit") == "count" else f"{100 * value:.0f}%"
                    detail.append(f"{d.get('zh') or key} {text}")
            out.append(
                RankRow(
                    self._name(by, r),
                    r.get("score"),
                    r.get("grade"),
                    "  ".join(detail),
                )
            )
        self.tables[by].set_items(out, self.tr("今日暂无考核数据"))

    def _name(self, by: str, row: dict) -> str:
        """The row's name; a backend that answers only with keys gets the reference's names
        (departments by id, streets by code)."""
        key = str(row.get("key") or "")
        name = row.get("name")
        if name and name != key:
            return str(name)
        ref = self.ctx.state.reference
        if by == "department":
            names = {d["id"]: d["name"] for d in ref.get("departments") or []}
        else:
            names = {x["code"]: x["name"] for x in ref.get("streets") or []}
        return str(names.get(key, key))


def _kpi_job(fetch: Callable[..., dict], by: str, t0: str, t1: str) -> Callable[[], Any]:
    return lambda: fetch("/api/v1/kpis", by=by, **{"from": t0, "to": t1})


class FlowScene(Scene):
    """The case flow of the day: 上报→立案→派遣→处置→核查→结案, how many passed each step
    today, and the open cases waiting before each (overdue ones in red)."""

    name = "flow"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        s = ctx.scale
        grid = QGridLayout()
        grid.setHorizontalSpacing(s.gap * 2)
        self.cells: list[tuple[QLabel, QLabel, QLabel, QLabel]] = []
        for i, _stage in enumerate(wf.FLOW_STAGES):
            name = self.label(s.title, bold=True)
            passed = self.label(s.figure, "#4fa3ff", bold=True)
            waiting = self.label(s.title)
            overdue = self.label(s.title, "#ff4d4f")
            for r, w in enumerate((name, passed, waiting, overdue)):
                w.setAlignment(Qt.AlignmentFlag.AlignCenter)
                grid.addWidget(w, r, 2 * i)
            if i:
                arrow = self.label(s.figure, theme()["dim"])
                arrow.setText("→")
                grid.addWidget(arrow, 1, 2 * i - 1)
            self.cells.append((name, passed, waiting, overdue))
        # Below the funnel: where the open cases wait (a bar per stage, filling the height)
        # and, on the same band as each bar, the cases furthest past that stage's deadline.
        self.bars = Bars(s, label_share=0.2, fill=True)
        self.waits = Bands(s, WAIT_COLUMNS)
        self.stuck_title = self.label(s.title, bold=True)
        self.waits_title = self.label(s.title, bold=True)
        lower = QGridLayout()
        lower.setHorizontalSpacing(s.gap * 4)
        lower.addWidget(self.stuck_title, 0, 0)
        lower.addWidget(self.waits_title, 0, 1)
        lower.addWidget(self.bars, 1, 0)
        lower.addWidget(self.waits, 1, 1)
        lower.setColumnStretch(0, 2)
        lower.setColumnStretch(1, 3)
        lower.setRowStretch(1, 1)
        col = QVBoxLayout()
        col.setSpacing(s.gap * 2)
        col.addLayout(grid)
        col.addLayout(lower, 1)
        self.parked = self.label(s.body, theme()["dim"])
        col.addWidget(self.parked)
        self.body.addLayout(col)

    def title(self) -> str:
        return self.tr("今日案件流转")

    def stage_names(self) -> dict[str, str]:
        return {
            "reported": self.tr("上报"),
            "registered": self.tr("立案"),
            "dispatched": self.tr("派遣"),
            "handled": self.tr("处置"),
            "checking": self.tr("核查"),
            "closed": self.tr("结案"),
        }

    def refresh(self) -> None:
        super().refresh()
        f = wf.flow(self.ctx.state, self.ctx.now())
        names = self.stage_names()
        for stage, (name, passed, waiting, overdue) in zip(wf.FLOW_STAGES, self.cells, strict=True):
            name.setText(names[stage])
            passed.setText(str(f.passed[stage]))
            waiting.setText(self.tr("待办 %n", "", f.waiting[stage]) if stage != "closed" else "")
            overdue.setText(self.tr("超期 %n", "", f.overdue[stage]) if f.overdue[stage] else "")
        self.stuck_title.setText(self.tr("卡在哪里（在办案件所处环节）"))
        self.bars.set_items(
            [
                Bar(
                    names[k],
                    f.waiting[k],
                    f"{f.waiting[k]}",
                    "#ff4d4f" if f.overdue[k] else "#4fa3ff",
                )
                for k in wf.FLOW_STAGES[:-1]
            ]
        )
        self.waits_title.setText(self.tr("催办：各环节最紧迫的在办案件"))
        st = self.ctx.state
        matters, places = _category_names(st), PlaceNames(st.reference)
        self.waits.set_items(
            [
                [self._wait_row(w, matters, places) for w in ws]
                for ws in wf.longest_waiting(st, self.ctx.now(), WAIT_ROWS).values()
            ],
            self.tr("无在办案件"),
        )
        self.parked.setText(self.tr("挂账/缓办 %n 件（不计入流转）", "", f.parked))

    def _wait_row(self, w: wf.Waiting, matters: dict[str, str], places: PlaceNames) -> BandRow:
        """案件号 · 问题 · 街道 · 社区 · how far past the stage's deadline (or time left)."""
        community, street = places.of(w.grid_code)
        place = f"{street} · {community}" if street else community
        matter = matters.get(w.category_code, w.category_code)
        if w.minutes_left is None:  # no clock runs: say how long it has waited
            waited = (self.ctx.now() - w.since) / 60 if math.isfinite(w.since) else math.nan
            text = self.tr("已等 %1").replace("%1", self._duration(waited))
            return BandRow((w.case_id, matter, place, text))
        if w.minutes_left < 0:
            text = self.tr("超期 %1").replace("%1", self._duration(-w.minutes_left))
            return BandRow((w.case_id, matter, place, text), LIGHT_COLORS[RED])
        text = self.tr("剩 %1").replace("%1", self._duration(w.minutes_left))
        return BandRow((w.case_id, matter, place, text))

    def _duration(self, minutes: float) -> str:
        """Minutes as 45分 / 3小时05分 / 26小时 (on the stage's clock: working hours for a
        department, so no days: a working day is not 24 hours)."""
        if not math.isfinite(minutes):
            return "—"
        m = max(0, round(minutes))
        if m < 60:
            return self.tr("%1分").replace("%1", str(m))
        if m < 600:
            return self.tr("%1小时%2分").replace("%1", str(m // 60)).replace("%2", f"{m % 60:02d}")
        return self.tr("%1小时").replace("%1", str(m // 60))


class FleetScene(MapScene):
    """The fleet: vehicles and their last hour of trails, status counts, grid coverage and
    the open alerts about vehicles."""

    name = "fleet"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        UnitGrid.load()  # built once (~0.35 s): at start, not on the first switch here
        self.map.set_layer_visible("cases", False)  # the vehicles are the subject here
        s = ctx.scale
        self.coverage = self.label(s.figure, VEHICLE_COLORS["working"], bold=True)
        self.coverage_caption = self.label(s.body, theme()["dim"])
        self.status = Bars(s, label_share=0.3)
        self.incidents_title = self.label(s.title, bold=True)
        self.incidents = self.label(s.body)
        self.incidents.setAlignment(Qt.AlignmentFlag.AlignTop)
        for w, k in (
            (self.coverage, 0),
            (self.coverage_caption, 0),
            (self.status, 3),
            (self.incidents_title, 0),
            (self.incidents, 4),
        ):
            self.side.addWidget(w, k)

    def title(self) -> str:
        return self.tr("车辆作业")

    def refresh(self) -> None:
        super().refresh()
        f = wf.fleet(self.ctx.state, self.ctx.now())
        lb = labels()
        self.coverage.setText(f"{100 * f.coverage:.0f}%")
        self.coverage_caption.setText(
            self.tr("近1小时网格覆盖率（%1/%2 个单元网格）")
            .replace("%1", str(f.cells_passed))
            .replace("%2", str(f.cells))
        )
        self.status.set_items(
            [
                Bar(lb.name("vehicle_status", k), v, str(v), VEHICLE_COLORS[k])
                for k, v in f.by_status.items()
                if k != "unknown" or v
            ]
        )
        self.incidents_title.setText(self.tr("车辆异常 %n 起", "", len(f.incidents)))
        lines = []
        for aid in f.incidents[:6]:
            a = self.ctx.state.alerts[aid]
            plate = (self.ctx.state.vehicles.get(a["subject_id"]) or {}).get("plate") or a[
                "subject_id"
            ]
            color = SEVERITY_COLORS.get(a.get("severity", ""), theme()["text"])
            lines.append(
                f'<span style="color:{color}">●</span> {plate} {lb.name("alert_kind", a["kind"])}'
                f' <span style="color:{theme()["dim"]}">{local_time(a.get("raised_at"), "%H:%M")}</span>'
            )
        self.incidents.setText("<br>".join(lines) or self.tr("无"))


class AlertsScene(Scene):
    """The open alerts, loudest and newest first, as many as the screen holds."""

    name = "alerts"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.list = self.label(ctx.scale.title)
        self.list.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.list.setTextFormat(Qt.TextFormat.RichText)
        self.body.addWidget(self.list)

    def title(self) -> str:
        return self.tr("告警滚动")

    def refresh(self) -> None:
        super().refresh()
        st, lb = self.ctx.state, labels()
        order = {"critical": 0, "warning": 1, "info": 2}
        alerts = sorted(
            st.alerts.values(), key=lambda a: str(a.get("raised_at") or ""), reverse=True
        )
        alerts.sort(key=lambda a: order.get(str(a.get("severity")), 3))
        rows = max(1, int(self.height() / (self.ctx.scale.title * 1.7)) - 1)
        lines = []
        acked_word = self.tr("已确认")
        for a in alerts[:rows]:
            color = SEVERITY_COLORS.get(a.get("severity", ""), theme()["text"])
            acked = a.get("state") == "acknowledged"
            lines.append(
                f'<span style="color:{color}">■ {lb.name("severity", a.get("severity"))}</span>'
                f" {local_time(a.get('raised_at'), '%H:%M')} {lb.name('alert_kind', a['kind'])}"
                f" · {_subject_text(st, a)}"
                + (
                    f' <span style="color:{theme()["dim"]}">（{acked_word}）</span>'
                    if acked
                    else ""
                )
            )
        self.list.setText("<br>".join(lines) or self.tr("当前无告警"))


def _subject_text(st, a) -> str:
    kind, sid = a.get("subject_type"), a.get("subject_id")
    if kind == "vehicle":
        return str((st.vehicles.get(sid) or {}).get("plate") or sid)
    if kind == "case" and sid in st.cases:
        doc = st.cases[sid]
        return f"{sid} {PlaceNames(st.reference).address(doc)}"
    return str(sid)


def _category_names(state) -> dict[str, str]:
    lb = labels()
    return {c["code"]: lb.category(c, c["code"]) for c in state.reference.get("categories") or []}


class HotspotsScene(MapScene):
    """Where today's cases come from: the heatmap, the top matters and the top grids."""

    name = "hotspots"
    heat = True

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        for layer in ("cases", "vehicles", "trails"):  # the heat is the subject here
            self.map.set_layer_visible(layer, False)
        s = ctx.scale
        self.matters_title = self.label(s.title, bold=True)
        self.matters = Bars(s, label_share=0.5)
        self.grids_title = self.label(s.title, bold=True)
        self.grids = Bars(s, label_share=0.5)
        self.heat_legend = self.label(s.body)
        self.heat_legend.setTextFormat(Qt.TextFormat.RichText)
        for w, k in (
            (self.matters_title, 0),
            (self.matters, 1),
            (self.grids_title, 0),
            (self.grids, 1),
            (self.heat_legend, 0),
        ):
            self.side.addWidget(w, k)

    def title(self) -> str:
        return self.tr("高发热点 · 今日")

    def refresh(self) -> None:
        super().refresh()
        st, now = self.ctx.state, self.ctx.now()
        names = _category_names(st)
        places = PlaceNames(st.reference)
        low, high = self.tr("案件密度　低"), self.tr("高")
        ramp = "".join(
            f'<span style="color:{c}; font-size:{self.ctx.scale.title}px">■</span>'
            for c in HEAT_RAMP
        )
        self.heat_legend.setText(f"{low} {ramp} {high}")
        self.matters_title.setText(self.tr("高发问题"))
        self.grids_title.setText(self.tr("高发网格"))
        none = self.tr("今日暂无案件")
        self.matters.set_items(
            [
                Bar(names.get(k, k), v, str(v), "#f5a623")
                for k, v in wf.top_today(st, now, "category_code", 6)
            ],
            none,
        )
        self.grids.set_items(
            [
                Bar(f"{places.of(k)[0]} {k[-3:]}", v, str(v), "#ff7a45")
                for k, v in wf.top_today(st, now, "grid_code", 6)
            ],
            none,
        )


class TrendsScene(Scene):
    """Cases reported per hour today (from the state) against the same weekday last week: a
    live wall asks the backend for that day once (``GET /api/v1/cases/hourly``; consoles
    keep finished cases a day only), a replay shows it as far as the log holds it."""

    name = "trends"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        col = QVBoxLayout()
        self.legend = self.label(ctx.scale.body)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.chart = Columns(ctx.scale)
        col.addWidget(self.legend)
        col.addWidget(self.chart, 1)
        self.body.addLayout(col)
        self._last_week: dict[str, list[int]] = {}  # the day asked (YYYY-MM-DD) → its hours
        self._asking: str | None = None

    def title(self) -> str:
        return self.tr("每小时上报趋势")

    def refresh(self) -> None:
        super().refresh()
        now = self.ctx.now()
        today, last = wf.hourly(self.ctx.state, now)
        if self.ctx.fetch is not None:
            last = self._asked_last_week(now)
        hour = int(wf.hour_label(now)[:2])
        self.chart.set_series(today, last, hour)
        today_word, last_word = self.tr("今日"), self.tr("上周同日")
        missing = self.tr("上周同日：暂无该日数据")
        text = f'<span style="color:#4fa3ff">■</span> {today_word} {sum(today)}　'
        if last is None:
            text += f'<span style="color:{theme()["dim"]}">{missing}</span>'
        else:
            text += f'<span style="color:#f5a623">━</span> {last_word} {sum(last)}'
        self.legend.setText(text)

    def _asked_last_week(self, now: float) -> list[int] | None:
        """The backend's hours of the same weekday last week; asked once per day (again after
        a failure, at the next refresh)."""
        day = wf.last_week_day(now)
        if day in self._last_week:
            return self._last_week[day]
        if self._asking != day and self.ctx.fetch is not None:
            self._asking = day
            fetch = self.ctx.fetch
            self.ctx.workers.submit(
                lambda: fetch("/api/v1/cases/hourly", day=day),
                lambda doc, day=day: self._got(day, doc),
                owner=self,
                on_error=lambda _e: setattr(self, "_asking", None),
                what=self.tr("上周同日趋势"),
            )
        return None

    def _got(self, day: str, doc: dict) -> None:
        self._asking = None
        created = doc.get("created")
        if isinstance(created, list) and len(created) == 24:
            self._last_week = {day: [int(v) for v in created]}
            if self.isVisible():
                self.refresh()


class FocusScene(Scene):
    """A subject thrown to the wall: the map zoomed to it and its card."""

    name = "focus"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.map = ctx.make_map(heat=False)
        self.body.addWidget(self.map, 62)
        self.card = self.label(ctx.scale.title)
        self.card.setTextFormat(Qt.TextFormat.RichText)
        self.card.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.body.addWidget(self.card, 38)
        self.subject: tuple[str, str] | None = None

    def title(self) -> str:
        return self.tr("大屏聚焦")

    def on_diff(self, diff) -> None:
        if self.isVisible():
            self.map.on_diff(diff)

    def focus(self, subject_type: str, subject_id: str) -> None:
        self.subject = (subject_type, subject_id)
        self.map.update_all()
        self.refresh()

    def refresh(self) -> None:
        super().refresh()
        if self.subject is None:
            self.card.setText("")
            return
        kind, sid = self.subject
        st = self.ctx.state
        pos = None
        if kind == "case":
            self.map.select_case(sid)
            doc = st.cases.get(sid)
            pos = _case_pos(doc)
            self.card.setText(self._case_card(sid, doc))
        elif kind == "vehicle":
            self.map.select_vehicle(sid)
            row = st.vehicle_row(sid)
            v = st.vehicle_arrays()
            if row is not None and math.isfinite(v["lon"][row]):
                pos = (float(v["lon"][row]), float(v["lat"][row]))
            self.card.setText(self._vehicle_card(sid, row))
        else:
            a = st.alerts.get(sid)
            pos = self.map.subject_position(a) if a else None
            self.card.setText(self._alert_card(sid, a))
        if pos is not None:
            x, y = lonlat_to_mercator(pos[0], pos[1])
            self.map.centre_on(float(x), float(y), width_m=FOCUS_WIDTH_M)

    def _rows(self, head: str, rows: list[tuple[str, str]]) -> str:
        dim, s = theme()["dim"], self.ctx.scale
        body = "".join(
            f'<tr><td style="color:{dim}; padding-right:{s.gap}px">{k}</td><td>{v}</td></tr>'
            for k, v in rows
            if v
        )
        return f'<div style="font-size:{s.figure * 0.6:.0f}px; font-weight:bold">{head}</div><table style="font-size:{s.title}px">{body}</table>'

    def _case_card(self, sid: str, doc) -> str:
        if doc is None:
            return self._rows(sid, [(self.tr("状态"), self.tr("本屏未持有该案件"))])
        lb, st = labels(), self.ctx.state
        cat = next(
            (
                c
                for c in st.reference.get("categories") or []
                if c["code"] == doc.get("category_code")
            ),
            None,
        )
        return self._rows(
            f"{lb.category(cat, doc.get('category_code', ''))}",
            [
                (self.tr("案件"), sid),
                (self.tr("状态"), lb.name("state", doc.get("state"))),
                (self.tr("地址"), PlaceNames(st.reference).address(doc)),
                (self.tr("来源"), lb.name("source", doc.get("source"))),
                (self.tr("上报"), local_time(doc.get("created_at"), "%H:%M")),
                (self.tr("时限"), local_time(doc.get("deadline"), "%m-%d %H:%M")),
                (self.tr("描述"), str(doc.get("description") or "")[:60]),
            ],
        )

    def _vehicle_card(self, sid: str, row: int | None) -> str:
        lb, st = labels(), self.ctx.state
        info = st.vehicles.get(sid) or {}
        speed = "" if row is None else f"{st.vehicle_arrays()['speed_kmh'][row]:.0f} km/h"
        return self._rows(
            str(info.get("plate") or sid),
            [
                (self.tr("车型"), lb.name("vehicle_type", info.get("type"))),
                (self.tr("状态"), lb.name("vehicle_status", info.get("status"))),
                (self.tr("速度"), speed),
            ],
        )

    def _alert_card(self, sid: str, a) -> str:
        if a is None:
            return self._rows(sid, [(self.tr("状态"), self.tr("告警已解除"))])
        lb = labels()
        return self._rows(
            lb.name("alert_kind", a["kind"]),
            [
                (self.tr("级别"), lb.name("severity", a.get("severity"))),
                (self.tr("对象"), _subject_text(self.ctx.state, a)),
                (self.tr("发生"), local_time(a.get("raised_at"), "%H:%M")),
                (self.tr("状态"), lb.name("alert_state", a.get("state"))),
            ],
        )


class CamerasScene(Scene):
    """视频巡查 on the wall: six cameras at a time, those watching the most open cases
    first (within ``SEES_WITHIN_M``), each picture the backend's still with the camera's
    name under it; the next six every ``CAMERA_PAGE_S``. In a replay (no backend) the names
    show without pictures: a shift log holds no video."""

    name = "cameras"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        grid = QGridLayout()
        grid.setSpacing(ctx.scale.gap)
        self.tiles: list[tuple[QLabel, QLabel]] = []
        for k in range(CAMERA_TILES):
            pic = QLabel()
            pic.setAlignment(Qt.AlignmentFlag.AlignCenter)
            pic.setStyleSheet("background:#000;")
            pic.setMinimumSize(32, 18)
            cap = self.label(ctx.scale.small)
            box = QVBoxLayout()
            box.addWidget(pic, 1)
            box.addWidget(cap)
            grid.addLayout(box, k // 3, k % 3)
            self.tiles.append((pic, cap))
        self.body.addLayout(grid)
        self.page = 0
        self._turned = 0.0
        self.shown: list[str] = []

    def title(self) -> str:
        return self.tr("视频巡查")

    def watched(self) -> list[str]:
        """Camera ids, those with the most open cases in sight first (then by id)."""
        cams = self.ctx.state.records_of("camera")
        pts = [
            d["location"]
            for d in self.ctx.state.cases.values()
            if d.get("state") not in ("closed", "void") and d.get("location")
        ]

        def seen(c) -> int:
            return sum(
                distance_m(c["lon"], c["lat"], p["lon"], p["lat"]) <= SEES_WITHIN_M for p in pts
            )

        return sorted(cams, key=lambda k: (-seen(cams[k]), k))

    def refresh(self) -> None:
        super().refresh()
        now = time.monotonic()
        if not self.shown or now - self._turned >= CAMERA_PAGE_S:
            ids = self.watched()[: CAMERA_TILES * CAMERA_PAGES]
            pages = max(1, math.ceil(len(ids) / CAMERA_TILES))
            self.page = (self.page + 1) % pages if self.shown else 0
            self.shown = ids[self.page * CAMERA_TILES : (self.page + 1) * CAMERA_TILES]
            self._turned = now
        cams = self.ctx.state.records_of("camera")
        fetch = getattr(self.ctx, "fetch_bytes", None)
        for k, (pic, cap) in enumerate(self.tiles):
            cid = self.shown[k] if k < len(self.shown) else None
            cap.setText("" if cid is None else f"{cid}  {cams[cid]['name']}")
            if cid is None or fetch is None:
                pic.setPixmap(QPixmap())
                pic.setText("" if cid is None else self.tr("回放：无视频"))
                continue
            self.ctx.workers.submit(
                lambda c=cid: fetch(f"/api/v1/cameras/{c}/still"),
                lambda data, pic=pic: self._show(pic, data),
                owner=pic,
                on_error=lambda _e: None,  # the next refresh asks again
            )

    @staticmethod
    def _show(pic: QLabel, data: bytes) -> None:
        pm = QPixmap()
        if pm.loadFromData(data):
            pic.setPixmap(
                pm.scaled(
                    pic.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )


class SunshineScene(Scene):
    """阳光执法: the latest enforcement decisions as the public sees them (the backend's
    ``GET /api/v1/public/enforcement``: personal data masked, docs/rules/enforcement.md),
    asked every SUNSHINE_REFRESH_S. In a replay (no backend) the state's enforcement records
    in the same public form (``console.domain.enforcement.public_view``)."""

    name = "sunshine"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.list = self.label(ctx.scale.body)
        self.list.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.list.setTextFormat(Qt.TextFormat.RichText)
        column = QVBoxLayout()
        column.addWidget(self.list, 1)
        self.footer = self.label(ctx.scale.small, theme()["dim"])
        column.addWidget(self.footer)
        self.body.addLayout(column)
        self._asked_at = -math.inf
        self._items: list[dict[str, Any]] | None = None

    def title(self) -> str:
        return self.tr("阳光执法 · 行政处罚决定公示")

    def refresh(self) -> None:
        super().refresh()
        if self.ctx.fetch is None:
            recs = self.ctx.state.records_of("enforcement").values()
            decided = [r for r in recs if r.get("state") in enf.PUBLIC_STATES]
            items = [enf.public_view(r) for r in decided]
            self._show(sorted(items, key=lambda i: i["decided_at"], reverse=True))
            return
        if time.monotonic() - self._asked_at >= SUNSHINE_REFRESH_S:
            self._asked_at = time.monotonic()
            fetch = self.ctx.fetch
            self.ctx.workers.submit(
                lambda: fetch("/api/v1/public/enforcement", page_size=SUNSHINE_ROWS),
                lambda doc: self._show(doc.get("items") or []),
                owner=self,
                on_error=lambda _e: self._failed(),
                what=self.tr("阳光执法"),
            )
        if self._items is not None:
            self._show(self._items)

    def ask_now(self) -> None:
        """Ask the backend again at once (a screenshot wants the latest decisions)."""
        self._asked_at = -math.inf
        self.refresh()

    def _failed(self) -> None:
        self._asked_at = -math.inf
        if self._items is None:
            self.list.setText(self.tr("公示数据暂不可用，稍后重试"))

    def _show(self, items: list[dict[str, Any]]) -> None:
        self._items = items
        dim, e = theme()["dim"], html.escape
        rows = max(1, int(self.height() / (self.ctx.scale.body * 2.2)) - 2)
        heads = (
            self.tr("决定书文号"),
            self.tr("决定日期"),
            self.tr("当事人"),
            self.tr("违法事项"),
            self.tr("处罚"),
            self.tr("街道"),
        )
        pad = f"padding:{self.ctx.scale.gap // 2}px {self.ctx.scale.gap}px"
        out = [
            "<table width='100%' cellspacing='0'><tr>"
            + "".join(f"<th align='left' style='color:{dim};{pad}'>{h}</th>" for h in heads)
            + "</tr>"
        ]
        for i in items[:rows]:
            penalty = penalty_text(i.get("penalty") or {})
            parties = "<br>".join(
                f"{e(p.get('name', ''))} <span style='color:{dim}'>{e(p.get('id_number', ''))}</span>"
                for p in i.get("parties") or []
            )
            cells = (
                f"<b>{e(i.get('doc_number', ''))}</b>",
                local_time(i.get("decided_at"), "%Y-%m-%d"),
                parties,
                e(i.get("category", "")),
                f"<span style='color:{LIGHT_COLORS[RED]}'>{e(penalty)}</span>",
                e(i.get("street", "")),
            )
            out.append("<tr>" + "".join(f"<td style='{pad}'>{c}</td>" for c in cells) + "</tr>")
        out.append("</table>")
        if not items:
            out = [e(self.tr("暂无公示的处罚决定"))]
        self.list.setText("".join(out))
        self.footer.setText(
            self.tr("依据《行政处罚法》第四十八条公开；个人信息已依法作去标识化处理。")
        )


def _case_pos(doc) -> tuple[float, float] | None:
    loc = (doc or {}).get("location") or {}
    lon, lat = loc.get("lon"), loc.get("lat")
    return None if lon is None or lat is None else (lon, lat)


#: Every scene by its playlist name (the focus scene is shown by a throw, not listed).
SCENES: dict[str, type[Scene]] = {
    cls.name: cls
    for cls in (
        OverviewScene,
        RankingScene,
        FlowScene,
        FleetScene,
        AlertsScene,
        HotspotsScene,
        TrendsScene,
        SunshineScene,
        FocusScene,
        CamerasScene,
    )
}
