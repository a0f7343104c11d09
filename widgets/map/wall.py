"""The map wall: the district, its grid, cases by SLA light, vehicles with heading and
trails, alerts flashing on their subject, a case heatmap; hover, click, follow, pick.

Web Mercator metres (so raster tiles can sit underneath later); everything is drawn from
CityState's numpy columns, one item per layer, updated at most REDRAW_HZ times a second for
whatever the ticks' Diffs touched, plus a 1 Hz pass for SLA lights that turn with time alone.

At city scale (2,000 vehicles, 50,000 open cases: ``python main.py bench scale``) the wall
draws by level of detail (``widgets.map.lod``): trails simplified to within a pixel of their
full path for the zoom, rebuilt per vehicle when its fixes arrive (all of them only when the
zoom crosses a power of two), and only those near the view handed to the curve; cases in
clusters with their counts and lights where a screen bin holds more than a few, exact markers
elsewhere and for every red case; the outlines cached as pixmaps per zoom.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols
from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPixmapCache
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QLabel, QVBoxLayout, QWidget

from console.domain import rivers
from console.domain.documents import AlertDoc
from console.domain.maintenance import ASSET_STATE
from console.domain.queues import NO_QUEUE
from console.domain.sla import GREEN, NO_LIGHT, RED, YELLOW
from console.geo.crs import lonlat_to_mercator, mercator_to_lonlat
from console.geo.outlines import grid_polyline, neighbour_districts, polyline, rings_of
from console.state import VEHICLE_STATUSES, CityState
from widgets.common.i18n import labels
from widgets.common.river_states import STATE_COLORS as RIVER_COLORS
from widgets.common.river_states import state_names
from widgets.common.style import LIGHT_COLORS, SEVERITY_COLORS, VEHICLE_COLORS, theme
from widgets.map import asset_layer
from widgets.map.asset_layer import AssetLayer
from widgets.map.basemap import Basemap
from widgets.map.layers import ScaleBar, heading_arrow, heat_image
from widgets.map.lod import (
    CLUSTER_PX,
    DENSE_MARKERS,
    CaseClusters,
    TrailPieces,
    cluster_cases,
    density_scale,
    trail_tolerance,
)
from widgets.map.markers import COUNT_PX, OUTLINE, Clusters, Markers
from widgets.map.river_layer import NAMES_MAX_VIEW_M, RiverLayer
from widgets.map.staff_layer import MAX_VIEW_M as STAFF_MAX_VIEW_M
from widgets.map.staff_layer import STATE_COLORS as STAFF_COLORS
from widgets.map.staff_layer import StaffLayer

LAYERS = (
    "neighbours",
    "district",
    "grid",
    "rivers",
    "heatmap",
    "trails",
    "assets",
    "cases",
    "vehicles",
    "staff",
    "alerts",
)
DEFAULT_OFF = frozenset({"heatmap"})
GRID_MAX_VIEW_M = 6000.0  # the unit grid appears when the view is narrower than this
HIT_PX = 12.0
TRAIL_MINUTES = 20.0
# A trail whose vehicle sends nothing is trimmed to TRAIL_MINUTES when it is this much
# older: a minute's grace spares rebuilding every trail on every redraw as time moves.
TRAIL_STALE_S = 60.0
REDRAW_HZ = 4
PIXMAP_CACHE_KB = 160 * 1024  # the static layers' caches on a 4K wall (3 x 33 MB), with room
# The cases' marker styles (Markers' style codes), in this order of the lights; red last, so
# an overdue case is drawn over the others.
LIGHT_STYLES = (NO_LIGHT, GREEN, YELLOW, RED)
_STYLE_OF_LIGHT = np.zeros(max(LIGHT_STYLES) - min(LIGHT_STYLES) + 1, dtype=np.int64)
_STYLE_OF_LIGHT[np.array(LIGHT_STYLES) - min(LIGHT_STYLES)] = np.arange(len(LIGHT_STYLES))
# Points drawn around the view, in shares of its size each way: a pan shows what was off
# screen at once, before the next redraw culls again.
VIEW_MARGIN = 0.5


def _lonlat(doc: Mapping[str, Any]) -> tuple[float, float] | None:
    """``doc``'s lon/lat, or None when it has no position (not a (None, None) to centre on)."""
    lon, lat = doc.get("lon"), doc.get("lat")
    return None if lon is None or lat is None else (lon, lat)


class MapWall(QWidget):
    case_clicked = Signal(str)
    vehicle_clicked = Signal(str)
    river_clicked = Signal(str)  # a river segment's id
    component_clicked = Signal(str)  # a 部件's 16-digit code
    location_picked = Signal(float, float)  # lon, lat (after pick_location())

    def __init__(self, state: CityState, now, parent: QWidget | None = None):
        """``now()`` gives district epoch seconds (the backend's clock, or a replay's)."""
        super().__init__(parent)
        self.state = state
        self.now = now
        t = theme()
        self.plot = pg.PlotWidget(background=t["map_bg"])
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        pi = self.plot.getPlotItem()
        pi.hideAxis("left")
        pi.hideAxis("bottom")
        self.view = pi.getViewBox()
        self.view.setAspectLocked(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot)

        self.visible = {name: name not in DEFAULT_OFF for name in LAYERS}
        self._alert_pens: dict[str, Any] = {}
        self.alert_width = 3.0
        self._ref_id: int | None = None
        self._component_majors = np.empty(0, dtype=np.int16)
        self._lights_key: tuple[int, bytes] | None = None
        # Every open case with a position (state rows, view x/y, light, is a component):
        # what hover, click and the heatmap read, and what the clusters are made from.
        self._case_xy = (np.empty(0), np.empty(0))
        self._case_rows = np.empty(0, dtype=np.int64)
        self._case_light = np.empty(0, dtype=np.int8)
        self._case_comp = np.empty(0, dtype=bool)
        self._case_shown = np.empty(0, dtype=bool)  # has its own marker (not only a count)
        # View x/y and is-a-component for every case row of the state, computed once per case
        # version: the first ``_known`` rows are current but for the ids in ``_changed``.
        self._row_x, self._row_y = np.empty(0), np.empty(0)
        self._row_comp = np.empty(0, dtype=bool)
        self._known = 0
        self._changed: set[str] = set()
        self.case_lod: tuple[np.ndarray, CaseClusters] | None = None  # (in view, clusters)
        self.cluster_unit = 1.0
        self._trails = TrailPieces.empty()
        self._trail_t0 = np.empty(0)  # each vehicle's oldest trail point drawn (epoch s)
        self._trail_last = np.empty(0)  # each vehicle's last fix when its trail was drawn
        self._trail_tol: float | None = None
        self._veh_rows = np.empty(0, dtype=np.int64)
        self._veh_xy = (np.empty(0), np.empty(0))
        self._selected_case: str | None = None
        self._selected_vehicle: str | None = None
        self._selected_component: str | None = None
        self._follow: str | None = None
        self._picking = False
        self._flash_on = True
        self._items: dict[str, list] = {name: [] for name in LAYERS}
        self._build_items(t)

        self.scalebar = ScaleBar(self.plot, self.metres_per_px)
        self.scalebar.color = QColor(t["text"])
        self.hover = QLabel(self.plot)
        self.hover.setObjectName("notice")
        self.hover.hide()
        self.legend = QLabel(self.plot)
        self.legend.setObjectName("notice")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        # Raster tiles under everything (none until configure_basemap gives sources), and
        # their attribution in the corner, as a tile provider's terms ask.
        self.basemap = Basemap(self.view, self)
        self.attribution = QLabel(self.plot)
        self.attribution.setObjectName("attribution")
        self.attribution.setStyleSheet(
            f"color: {t['dim']}; background: transparent; font-size: 11px;"
        )
        self.attribution.hide()
        self.basemap.source_changed.connect(self._basemap_changed)
        self.retranslate()

        self.view.sigRangeChanged.connect(self._range_changed)
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)
        self.plot.scene().sigMouseClicked.connect(self._mouse_clicked)
        self._light_timer = QTimer(self, interval=1000)
        self._light_timer.timeout.connect(self.refresh_lights)
        self._light_timer.start()
        self._flash_timer = QTimer(self, interval=500)
        self._flash_timer.timeout.connect(self._flash)
        self._flash_timer.start()
        self._dirty: set[str] = set()
        # A pan or zoom redraws the level of detail once the view has settled in this turn of
        # the event loop, not at the next 4 Hz tick (clusters of the old zoom would show).
        self._view_timer = QTimer(self, singleShot=True, interval=0)
        self._view_timer.timeout.connect(self._redraw)
        self.frames = 0  # redraws that drew something (the replay benchmark counts them)
        self._redraw_timer = QTimer(self, interval=int(1000 / REDRAW_HZ))
        self._redraw_timer.timeout.connect(self._redraw)
        self._redraw_timer.start()

    # ---- items -----------------------------------------------------------------------------
    def _build_items(self, t: dict) -> None:
        add = self.plot.addItem
        self.neighbours = pg.PlotCurveItem()
        self.district = QGraphicsPathItem()
        fill = QColor(t["district_fill"])
        fill.setAlpha(140)
        self.district.setBrush(fill)
        self.grid = pg.PlotCurveItem()
        self._outline_pens(t, 1.0)
        self.heat = pg.ImageItem()
        # Thousands of vertices (the boundary with a fill), unchanged between zooms: paint
        # once per zoom level into a pixmap, not on every repaint of a marker above them.
        for static in (self.district, self.neighbours, self.grid):
            static.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        # Those caches live in QPixmapCache: three screens' worth (8 MB each at 1080p, 33 MB
        # at 4K) overflow its default 10 MB, and then each evicts the others on every frame
        # (the grid's 90,000 lines redrawn: ~12 ms a frame at street view, measured).
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), PIXMAP_CACHE_KB))
        self.trails = pg.PlotCurveItem(skipFiniteCheck=True)
        self.trail_width = 1.6  # px, a desk's (a wall's is wider: set_trail_width)
        self._trail_pen_width = 0.0
        self._set_trail_pen(self.trail_width)
        self.trails.setOpacity(0.65)
        # Many short solid lines: drawn as separate segments (QPainter.drawLines), not one
        # path whose antialiased stroke Qt computes as a whole. pyqtgraph picks this only
        # without antialiasing; forced here it cut the trails' paint from ~35 ms to ~3 ms
        # and the outlines' from ~17 ms to ~2 ms (the wall's scene switch, 1080p); where
        # two segments meet, the overlap is a pixel under the item's opacity.
        for lines in (self.trails, self.neighbours, self.grid):
            lines.setSegmentedLineMode("on")
        lit = [LIGHT_COLORS[v] for v in LIGHT_STYLES]
        self.cases_component = Markers([(Symbols["s"], c) for c in lit], 11, pg.mkPen(OUTLINE))
        self.cases_event = Markers([(Symbols["o"], c) for c in lit], 12, pg.mkPen(OUTLINE))
        self.clusters = Clusters(labels=False)
        self.cluster_counts = Clusters(labels=True)
        arrow = heading_arrow()
        self.vehicles = Markers(
            [(arrow, VEHICLE_COLORS[s]) for s in VEHICLE_STATUSES], 20, pg.mkPen(OUTLINE, width=1.2)
        )
        self.staff = StaffLayer()  # people, apart from the fleet (staff_layer.py)
        self.alerts = pg.ScatterPlotItem(size=30, symbol="o", brush=None)
        self.selection = pg.ScatterPlotItem(
            size=26, symbol="o", brush=None, pen=pg.mkPen("#ffffff", width=2.5)
        )
        self.track = pg.PlotCurveItem(pen=pg.mkPen("#ffffff", width=2, style=Qt.PenStyle.DashLine))
        self.assets = AssetLayer()
        self.pick_marker = pg.ScatterPlotItem(
            size=22, symbol="star", brush=pg.mkBrush("#ff85c0"), pen=pg.mkPen("#ffffff")
        )
        self.neighbour_labels: list[pg.TextItem] = []
        self.label_px: int | None = None  # None: Qt's default size (a desk's map)
        self.river = RiverLayer(self.plot, t["text"])
        self.river.set_z(2.5)  # over the grid, under the heatmap, trails and markers
        for item in self.river.items():
            add(item)
        for z, item in enumerate(
            (
                self.neighbours,
                self.district,
                self.grid,
                self.heat,
                self.trails,
                self.track,
                self.assets.item,
                self.clusters,
                self.cases_component,
                self.cases_event,
                self.vehicles,
                *self.staff.items(),
                self.cluster_counts,
                self.alerts,
                self.selection,
                self.pick_marker,
            )
        ):
            item.setZValue(z)
            add(item)
        self._items = {
            "neighbours": [self.neighbours],
            "district": [self.district],
            "grid": [self.grid],
            "rivers": self.river.items(),
            "heatmap": [self.heat],
            "trails": [self.trails],
            "assets": [self.assets.item],
            "cases": [self.cases_component, self.cases_event, self.clusters, self.cluster_counts],
            "vehicles": [self.vehicles],
            "staff": self.staff.items(),
            "alerts": [self.alerts],
        }
        for name in LAYERS:
            self._apply_visibility(name)

    def layer_names(self) -> dict[str, str]:
        return {
            "neighbours": self.tr("相邻城区"),
            "district": self.tr("辖区边界"),
            "grid": self.tr("单元网格"),
            "rivers": self.tr("河道"),
            "heatmap": self.tr("案件热力图"),
            "trails": self.tr("车辆轨迹"),
            "assets": self.tr("部件（放大后显示）"),
            "cases": self.tr("案件"),
            "vehicles": self.tr("车辆"),
            "staff": self.tr("人员"),
            "alerts": self.tr("告警"),
        }

    def retranslate(self) -> None:
        def dot(color: str, shape: str) -> str:
            return f'<span style="color:{color}; font-size:16px">{shape}</span>'

        ok, risk, late = self.tr("正常"), self.tr("临期"), self.tr("超期")
        component, event, vehicle = self.tr("部件"), self.tr("事件"), self.tr("车辆")
        working, moving = self.tr("作业"), self.tr("行驶")
        stopped, offline = self.tr("停驶"), self.tr("离线")
        vc = VEHICLE_COLORS
        rows = [
            f"{dot(LIGHT_COLORS[0], '●')} {ok}  {dot(LIGHT_COLORS[1], '●')} {risk}  "
            f"{dot(LIGHT_COLORS[2], '●')} {late}",
            f"■ {component}  ● {event}  ▲ {vehicle}",
            f"{dot(vc['working'], '▲')} {working} {dot(vc['moving'], '▲')} {moving} "
            f"{dot(vc['stopped'], '▲')} {stopped} {dot(vc['offline'], '▲')} {offline}",
            # People (staff_layer): a glyph per type, coloured by duty state.
            f"{self.tr('人员')} "
            + " ".join(
                f"{dot(STAFF_COLORS[k], '◆')} {name}"
                for k, name in (
                    ("on_duty", self.tr("在岗")),
                    ("off_grid", self.tr("离岗")),
                    ("silent", self.tr("失联")),
                    ("off_shift", self.tr("休息")),
                )
            ),
        ]
        sc = asset_layer.STATE_COLORS  # the 部件 layer's states (shown when zoomed in)
        states, damaged, repairing = self.tr("部件状态"), self.tr("损坏"), self.tr("维修中")
        normal = self.tr("正常", "a component's state")  # not the SLA light's 正常 (on time)
        rows.append(
            f"{states} {dot(sc['normal'], '★')} {normal} {dot(sc['damaged'], '★')} {damaged} "
            f"{dot(sc['repairing'], '★')} {repairing}"
        )
        river_states = state_names()  # the river layer's patrol states
        rows.append(
            self.tr("河道")
            + " "
            + " ".join(f"{dot(RIVER_COLORS[k], '━')} {name}" for k, name in river_states.items())
        )
        self.legend.setText("<br>".join(rows))
        self.legend.adjustSize()
        self._place_overlays()
        self._draw_neighbour_labels()

    def set_far(self, label_px: int, line: float) -> None:
        """For a map watched from afar (the video wall): the neighbours' names and the scale
        bar ``label_px`` high, outlines and alert rings ``line`` times as thick. A desk's map
        never calls this and keeps the sizes it is built with."""
        self.label_px = label_px
        self.scalebar.set_text_px(label_px)
        self._outline_pens(theme(), line)
        self.alert_width = 3 * line
        self._alert_pens.clear()
        self.cluster_unit = line
        for clusters in (self.clusters, self.cluster_counts):
            clusters.set_text_px(round(COUNT_PX * line), line)
        self._draw_neighbour_labels()
        self._place_overlays()

    def _outline_pens(self, t: dict, line: float) -> None:
        """The neighbours', the district's and the grid's lines, ``line`` times a desk's."""
        self.neighbours.setPen(pg.mkPen(t["neighbour_line"], width=1.5 * line))
        self.district.setPen(pg.mkPen(t["district_line"], width=3 * line, cosmetic=True))
        self.grid.setPen(pg.mkPen(t["grid_line"], width=1 * line))

    def set_layer_visible(self, name: str, on: bool) -> None:
        self.visible[name] = bool(on)
        self._apply_visibility(name)
        if on:
            self.update_all()

    def _apply_visibility(self, name: str) -> None:
        on = self.visible[name]
        if name == "grid":
            on = bool(on and self._view_width() < GRID_MAX_VIEW_M)
        if name == "assets":
            on = bool(on and self._view_width() < asset_layer.MAX_VIEW_M)
        if name == "staff":
            on = bool(on and self._view_width() < STAFF_MAX_VIEW_M)
        for item in self._items[name]:
            item.setVisible(on)
        if name == "rivers":
            self.river.show_names(bool(on and self._view_width() < NAMES_MAX_VIEW_M))
        if name == "neighbours":
            for label in self.neighbour_labels:
                label.setVisible(self._neighbour_labels_on())

    def _neighbour_labels_on(self) -> bool:
        """The neighbours' names, unless a basemap shows (it names them itself: twice, the
        names stood a few hundred metres apart)."""
        return self.visible["neighbours"] and self.basemap.source is None

    # ---- geometry --------------------------------------------------------------------------
    def _ensure_reference(self) -> None:
        ref = self.state.reference
        if not ref or id(ref) == self._ref_id:
            return
        self._ref_id = id(ref)
        district = ref.get("district") or {}
        x, y, c = polyline(rings_of(district.get("boundary") or {}))
        self.district.setPath(pg.arrayToQPath(x, y, connect=c))
        self._bounds = (x.min(), y.min(), x.max(), y.max()) if len(x) else None
        nx, ny, nc = polyline([r for _, rings in neighbour_districts() for r in rings])
        self.neighbours.setData(nx, ny, connect=nc)
        self._draw_neighbour_labels()
        gx, gy, gc = grid_polyline(ref.get("grid") or {})
        if len(gx):
            mx, my = lonlat_to_mercator(gx, gy)
            self.grid.setData(mx, my, connect=gc)
        self._known = 0  # a component or not: by the reference's categories
        cats = ref.get("categories") or []
        self._component_majors = np.array(
            sorted({int(c["major_code"]) for c in cats if c.get("kind") == "component"}),
            dtype=np.int16,
        )
        self.fit_district()

    def _draw_neighbour_labels(self) -> None:
        for label in self.neighbour_labels:
            self.plot.removeItem(label)
        self.neighbour_labels = []
        if not getattr(self, "_bounds", None):
            return
        color = theme()["dim"]
        for name, rings in neighbour_districts():
            if not rings:
                continue
            ring = max(rings, key=len)
            x, y = lonlat_to_mercator(ring[:, 0], ring[:, 1])
            label = pg.TextItem(name, color=color, anchor=(0.5, 0.5))
            if self.label_px is not None:
                font = label.textItem.font()
                font.setPixelSize(self.label_px)
                label.setFont(font)
            label.setPos(float(np.mean(x)), float(np.mean(y)))
            label.setZValue(1)
            label.setVisible(self._neighbour_labels_on())
            self.plot.addItem(label)
            self.neighbour_labels.append(label)

    def fit_district(self) -> None:
        b = getattr(self, "_bounds", None)
        if b:
            self.view.setRange(xRange=(b[0], b[2]), yRange=(b[1], b[3]), padding=0.03)

    def _view_width(self) -> float:
        (x0, x1), _ = self.view.viewRange()
        return x1 - x0

    # ---- updates ---------------------------------------------------------------------------
    def on_diff(self, diff) -> None:
        """Note what the tick changed; ``_redraw`` draws it at most REDRAW_HZ times a second
        (fixes arrive on nearly every bridge tick)."""
        if diff.case_rows is not None and not diff.reset:  # picks stay right until the redraw
            rows = diff.case_rows[self._case_rows]
            live = rows >= 0
            self._case_rows = rows[live]
            self._case_xy = (self._case_xy[0][live], self._case_xy[1][live])
            self._case_light, self._case_comp = self._case_light[live], self._case_comp[live]
            if len(self._case_shown) == len(live):
                self._case_shown = self._case_shown[live]
            self._remap_known(diff.case_rows)
        if diff.reset:
            self._known = 0
        self._changed |= diff.cases - diff.cases_evicted
        if diff.reset or diff.cases:
            self._dirty |= {"cases", "alerts"}
        if diff.reset or diff.vehicles or diff.fixes:
            self._dirty |= {"vehicles", "alerts"}
            # Fixes the snapshot already held add trail points but move no vehicle (its last
            # fix stays): which trails grew is not said, so all are rebuilt (after a
            # bootstrap only).
            if diff.reset or (diff.fixes and not diff.vehicles):
                self._dirty.add("all trails")
        if diff.alerts:
            self._dirty.add("alerts")
        if any(t == "duty" for t, _ in diff.records):
            self._dirty.add("vehicles")  # a person's colour or coverage
        if diff.reset or any(t == rivers.RECORD_TYPE for t, _ in diff.records):
            self._dirty.add("rivers")
        if diff.reset or any(t == ASSET_STATE for t, _ in diff.records):
            self.assets.set_states(self.state.records_of(ASSET_STATE))
            self._dirty.add("assets")
        if diff.reset:
            self._redraw()

    def set_redraw_hz(self, hz: float) -> None:
        """A replay playing at 64x moves every vehicle 12 times a second: draw more often."""
        self._redraw_timer.setInterval(int(1000 / hz))

    def _redraw(self) -> None:
        dirty, self._dirty = self._dirty, set()
        if not dirty:
            return
        self.frames += 1
        self._ensure_reference()
        if "cases" in dirty:
            self._draw_cases(force=True)
            self._draw_heat()
        elif "view" in dirty:
            self._draw_case_lod()
        if "vehicles" in dirty:
            self._draw_vehicles()
        elif "view" in dirty:
            self.vehicles.set_density(density_scale(self._in_view(*self._veh_xy)))
        if dirty & {"vehicles", "view", "all trails"}:
            self._draw_trails(rebuild="all trails" in dirty)
        if "alerts" in dirty:
            self._draw_alerts()
        if "rivers" in dirty:
            self._draw_rivers()
        if dirty & {"assets", "view"}:
            self._draw_assets()

    def update_all(self, rebuild_trails: bool = False) -> None:
        """Every layer from the state. A vehicle's simplified trail is reused while its last
        fix and the zoom level are those it was drawn for (``rebuild_trails``: not even then)."""
        self._ensure_reference()
        self._known = 0
        self._draw_cases(force=True)
        self._draw_heat()
        self._draw_vehicles()
        self._draw_trails(rebuild=rebuild_trails)
        self._draw_alerts()
        self._draw_rivers()
        self._draw_assets()

    def refresh_lights(self) -> None:
        """Lights turn with time alone: re-draw only when some light actually changed."""
        if self.visible["cases"]:
            self._draw_cases(force=False)
        if self.visible["rivers"]:  # a segment falls due at midnight with no record changed
            self._draw_rivers()

    def _draw_rivers(self) -> None:
        self.river.update(self.state.records_of(rivers.RECORD_TYPE), self.now())

    def _open_case_rows(self) -> np.ndarray:
        a = self.state.case_arrays()
        ok = (a["queue"] != NO_QUEUE) & np.isfinite(a["lon"]) & np.isfinite(a["lat"])
        return np.flatnonzero(ok)

    def _remap_known(self, remap: np.ndarray) -> None:
        """Cases left the state and rows moved up (``remap[old] = new``, -1: gone)."""
        m = min(len(remap), self._known)
        live = np.flatnonzero(remap[:m] >= 0)
        for name in ("_row_x", "_row_y", "_row_comp"):
            a = getattr(self, name)
            a[remap[live]] = a[live]
        self._known = len(live)

    def _update_rows(self) -> None:
        """Positions and kinds of the case rows new since the last draw, or changed."""
        a = self.state.case_arrays()
        n = len(a["lon"])
        if len(self._row_x) < n:
            grow = max(n, 2 * len(self._row_x)) - len(self._row_x)
            self._row_x, self._row_y = (
                np.r_[self._row_x, np.zeros(grow)],
                np.r_[self._row_y, np.zeros(grow)],
            )
            self._row_comp = np.r_[self._row_comp, np.zeros(grow, dtype=bool)]
        index = self.state.case_row
        rows = np.r_[
            np.fromiter((r for r in map(index, self._changed) if r is not None), np.int64),
            np.arange(min(self._known, n), n),
        ].astype(np.int64)
        self._changed.clear()
        self._known = n
        x, y = lonlat_to_mercator(a["lon"][rows], a["lat"][rows])
        self._row_x[rows], self._row_y[rows] = x, y
        self._row_comp[rows] = np.isin(a["major"][rows], self._component_majors)

    def _draw_cases(self, force: bool) -> None:
        # The heatmap reads the case positions found here: find them when either shows.
        if not (self.visible["cases"] or self.visible["heatmap"]):
            return
        rows = self._open_case_rows()
        lights = self.state.case_lights(self.now())[rows]
        key = (len(self.state.case_ids()), lights.tobytes())
        if not force and key == self._lights_key:
            return
        self._lights_key = key
        self._update_rows()
        self._case_rows, self._case_xy = rows, (self._row_x[rows], self._row_y[rows])
        self._case_light, self._case_comp = lights, self._row_comp[rows]
        self._draw_case_lod()
        self._draw_selection()

    def _view_rect(self, margin: float) -> tuple[float, float, float, float]:
        """The view (x0, y0, x1, y1) grown by ``margin`` of its size on each side."""
        (x0, x1), (y0, y1) = self.view.viewRange()
        mx, my = (x1 - x0) * margin, (y1 - y0) * margin
        return x0 - mx, y0 - my, x1 + mx, y1 + my

    def _in_view(self, x: np.ndarray, y: np.ndarray) -> int:
        x0, y0, x1, y1 = self._view_rect(0.0)
        return int(np.count_nonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)))

    def _draw_case_lod(self) -> None:
        """Clusters and exact markers for the open cases near the view (module docstring)."""
        if not self.visible["cases"]:
            return
        x, y = self._case_xy
        x0, y0, x1, y1 = self._view_rect(VIEW_MARGIN)
        near = np.flatnonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
        px = self.view.viewPixelSize()[0]
        cell = CLUSTER_PX * self.cluster_unit * px if math.isfinite(px) else 0.0
        lod = cluster_cases(x[near], y[near], self._case_light[near], cell)
        self.case_lod = (near, lod)
        exact = near[lod.exact]
        self._case_shown = np.zeros(len(x), dtype=bool)
        self._case_shown[exact] = True
        exact = exact[np.argsort(self._case_light[exact], kind="stable")]  # red drawn last
        style = _STYLE_OF_LIGHT[self._case_light[exact] - min(LIGHT_STYLES)]
        comp = self._case_comp[exact]
        scale = density_scale(self._in_view(x[exact], y[exact]))
        for item, m in ((self.cases_component, comp), (self.cases_event, ~comp)):
            item.set_density(scale)
            item.setData(x[exact][m], y[exact][m], style[m])
        for clusters in (self.clusters, self.cluster_counts):
            clusters.setData(lod.x, lod.y, lod.count, lod.lights)

    def _draw_heat(self) -> None:
        b = getattr(self, "_bounds", None)
        if not self.visible["heatmap"] or not b:
            return
        x, y = self._case_xy
        self.heat.setImage(heat_image(x, y, b), autoLevels=False)
        self.heat.setRect(b[0], b[1], b[2] - b[0], b[3] - b[1])

    def _draw_vehicles(self) -> None:
        v = self.state.vehicle_arrays()
        ok = np.isfinite(v["lon"]) & np.isfinite(v["lat"])
        people = np.zeros(len(ok), dtype=bool)
        people[self.state.person_rows()] = True
        self._draw_staff(np.flatnonzero(ok & people), v)
        rows = np.flatnonzero(ok & ~people)  # people are the staff layer's, not trucks
        x, y = lonlat_to_mercator(v["lon"][rows], v["lat"][rows])
        x, y = np.atleast_1d(x), np.atleast_1d(y)
        self._veh_rows, self._veh_xy = rows, (x, y)
        if self.visible["vehicles"]:
            heading = np.nan_to_num(v["heading"][rows], nan=0.0)
            self.vehicles.set_density(density_scale(self._in_view(x, y)))
            self.vehicles.setData(x, y, v["status"][rows], rotation=heading)
        if self._follow is not None:
            self._centre_on_vehicle(self._follow)
        self._draw_selection()

    def _draw_staff(self, rows: np.ndarray, v: dict[str, np.ndarray]) -> None:
        x, y = lonlat_to_mercator(v["lon"][rows], v["lat"][rows])
        ids = self.state.vehicle_ids()
        vehicles = self.state.vehicles
        kinds = [
            vehicles[ids[r]].get("type") if ids[r] in vehicles else None for r in rows.tolist()
        ]
        duty = self.state.records_of("duty")
        self.staff.set_people(rows, np.atleast_1d(x), np.atleast_1d(y), kinds, duty, ids)
        self.staff.select(self._selected_vehicle, duty.get(self._selected_vehicle or ""))

    def set_trail_width(self, px: float) -> None:
        """The trails' pen where few vehicles are in view (many: thinner, see _draw_trails)."""
        self.trail_width = px
        self._set_trail_pen(px)

    def _set_trail_pen(self, px: float) -> None:
        if px != self._trail_pen_width:
            self._trail_pen_width = px
            self.trails.setPen(pg.mkPen(theme()["trail"], width=px))

    def _draw_trails(self, rebuild: bool = False) -> None:
        """Rebuild the simplified trails of the vehicles with a new last fix, of those whose
        oldest point left the window a while ago, and of every vehicle when the zoom crossed a
        power of two (or ``rebuild``); then hand those near the view to the curve."""
        if not self.visible["trails"]:
            return
        last = self.state.vehicle_arrays()["t"]
        n = len(last)
        since = self.now() - TRAIL_MINUTES * 60.0
        tol = trail_tolerance(self.view.viewPixelSize()[0])
        if rebuild or tol != self._trail_tol or n < len(self._trail_t0):  # (a replay's seek)
            self._trails = TrailPieces.empty()
            self._trail_t0, self._trail_last = np.full(n, np.inf), np.full(n, np.inf)
            rows = np.arange(n)
        else:
            grow = np.full(n - len(self._trail_t0), np.inf)
            self._trail_t0, self._trail_last = (
                np.r_[self._trail_t0, grow],
                np.r_[self._trail_last, grow],
            )
            drawn = self._trail_last
            same = (last == drawn) | (np.isnan(last) & np.isnan(drawn))
            stale = self._trail_t0 < since - TRAIL_STALE_S
            rows = np.flatnonzero(stale)
            grown = np.flatnonzero(~same & ~stale)
            if len(grown):
                self._rebuild_trails(grown, since, tol, grown=True)
                self._trail_last[grown] = last[grown]
        self._trail_tol = tol
        if len(rows):
            self._rebuild_trails(rows, since, tol)
            self._trail_last[rows] = last[rows]
        x, y, connect = self._trails.polyline(self._view_rect(VIEW_MARGIN))
        # Many trails in view: lines of a desk's pixel, not 1.6 (Qt's wide-pen path: 5 of the
        # district frame's 18 ms at 2,000 vehicles, and a mesh that hides the streets).
        dense = self._in_view(*self._veh_xy) > DENSE_MARKERS
        self._set_trail_pen(self.trail_width / 1.6 if dense else self.trail_width)
        self.trails.setData(x, y, connect=connect)

    def _rebuild_trails(
        self, rows: np.ndarray, since: float, tol: float, grown: bool = False
    ) -> None:
        """Simplify the trails of ``rows`` again: whole (from ``since``), or for trails that
        only ``grown`` at their end, from their last-but-one kept fix on."""
        anchor = self._trails.anchors(rows) if grown else None
        start = since if anchor is None else np.where(anchor > -np.inf, anchor, since)
        pts, owner = self.state.trails(rows, start)
        x, y = lonlat_to_mercator(pts[:, 1], pts[:, 2])
        self._trails.put(rows, pts[:, 0], np.atleast_1d(x), np.atleast_1d(y), owner, tol, anchor)
        first = np.r_[True, owner[1:] != owner[:-1]] if len(owner) else np.empty(0, dtype=bool)
        whole = rows if anchor is None else rows[anchor == -np.inf]
        self._trail_t0[whole] = np.inf
        head = owner[first]
        self._trail_t0[head] = np.minimum(self._trail_t0[head], pts[first, 0])

    def _draw_assets(self) -> None:
        """The components in view, when zoomed in (``asset_layer``)."""
        self.assets.draw(self._view_rect(0.0), self._view_width(), self.visible["assets"])

    def alert_positions(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Lon, lat and severity of every unacknowledged alert whose subject has a place."""
        lons, lats, sev = [], [], []
        for a in self.state.alerts.values():
            if a.get("state") != "raised":
                continue
            pos = self.subject_position(a)
            if pos is not None:
                lons.append(pos[0])
                lats.append(pos[1])
                sev.append(a.get("severity", "info"))
        return np.array(lons, dtype=float), np.array(lats, dtype=float), sev

    def subject_position(self, alert: AlertDoc) -> tuple[float, float] | None:
        kind, sid = alert.get("subject_type"), alert.get("subject_id")
        if kind == "case" and sid in self.state.cases:
            loc = self.state.cases[sid].get("location") or {}
            return _lonlat(loc)
        if kind == "vehicle" and sid is not None:
            row = self.state.vehicle_row(sid)
            v = self.state.vehicle_arrays()
            if row is not None and math.isfinite(v["lon"][row]):
                return float(v["lon"][row]), float(v["lat"][row])
        if kind == "sensor" and sid in self.state.sensors:
            return _lonlat(self.state.sensors[sid])
        d = alert.get("detail") or {}
        if isinstance(d.get("lon"), (int, float)) and isinstance(d.get("lat"), (int, float)):
            return d["lon"], d["lat"]
        return None

    def _draw_alerts(self) -> None:
        if not self.visible["alerts"]:
            return
        lon, lat, sev = self.alert_positions()
        x, y = lonlat_to_mercator(lon, lat)
        pens = [self._alert_pen(s) for s in sev]
        self.alerts.setData(x=np.atleast_1d(x), y=np.atleast_1d(y), pen=pens)

    def _alert_pen(self, severity: str):
        """One pen per severity, kept: pyqtgraph's symbol atlas keys its cached symbols by
        the pen object's identity, so a fresh pen per redraw added atlas entries forever
        (~2 MB an hour of redraws on a wall)."""
        pen = self._alert_pens.get(severity)
        if pen is None:
            pen = self._alert_pens[severity] = pg.mkPen(
                SEVERITY_COLORS.get(severity, "#ffffff"), width=self.alert_width
            )
        return pen

    def _flash(self) -> None:
        self._flash_on = not self._flash_on
        self.alerts.setOpacity(1.0 if self._flash_on else 0.2)

    # ---- selection, follow, track ----------------------------------------------------------
    def select_case(self, case_id: str | None, centre: bool = False) -> None:
        self._selected_case, self._selected_vehicle = case_id, None
        self._selected_component = None
        self._draw_selection()
        doc = self.state.cases.get(case_id or "")
        if centre and doc:
            x, y = lonlat_to_mercator(doc["location"]["lon"], doc["location"]["lat"])
            self.centre_on(float(x), float(y))

    def zoom_to_case(self, case_id: str, width_m: float) -> None:
        """Select a case and show it ``width_m`` metres across (a street's width of view)."""
        self.select_case(case_id)
        doc = self.state.cases.get(case_id)
        if doc:
            x, y = lonlat_to_mercator(doc["location"]["lon"], doc["location"]["lat"])
            self.centre_on(float(x), float(y), width_m)

    def show_river(self, seg_id: str) -> None:
        """Outline a river segment and centre the view on it, wide enough to show all of it."""
        self.river.select(seg_id)
        i = next(k for k, s in enumerate(self.river.segments) if s.id == seg_id)
        x, y = self.river.lines[i]
        width = max(float(x.max() - x.min()), float(y.max() - y.min())) * 1.6
        self.centre_on(float(x.mean()), float(y.mean()), width_m=max(width, 1500.0))

    def select_vehicle(self, vehicle_id: str | None, follow: bool = False) -> None:
        self._selected_vehicle, self._selected_case = vehicle_id, None
        self._selected_component = None
        self._follow = vehicle_id if follow else None
        self.staff.select(vehicle_id, self.state.records_of("duty").get(vehicle_id or ""))
        self._draw_selection()
        if vehicle_id and follow:
            self._centre_on_vehicle(vehicle_id)

    def select_component(self, code: str | None, width_m: float | None = None) -> None:
        """Ring a component (by its code); with ``width_m``, also show it that wide."""
        self._selected_component, self._selected_case, self._selected_vehicle = code, None, None
        self._follow = None
        self._draw_selection()
        pos = self.assets.position(code) if code else None
        if pos is not None and width_m is not None:
            self.centre_on(pos[0], pos[1], width_m)

    def following(self) -> str | None:
        return self._follow

    def centre_on(self, x: float, y: float, width_m: float | None = None) -> None:
        (x0, x1), (y0, y1) = self.view.viewRange()
        w = width_m or min(x1 - x0, 3000.0)
        h = w * (y1 - y0) / max(x1 - x0, 1e-9)
        self.view.setRange(xRange=(x - w / 2, x + w / 2), yRange=(y - h / 2, y + h / 2), padding=0)

    def _centre_on_vehicle(self, vid: str) -> None:
        row = self.state.vehicle_row(vid)
        if row is None:
            return
        v = self.state.vehicle_arrays()
        if math.isfinite(v["lon"][row]):
            x, y = lonlat_to_mercator(v["lon"][row], v["lat"][row])
            (x0, x1), _ = self.view.viewRange()
            self.centre_on(float(x), float(y), width_m=x1 - x0)

    def _draw_selection(self) -> None:
        pos = None
        if self._selected_case in self.state.cases:
            loc = self.state.cases[self._selected_case]["location"]
            pos = lonlat_to_mercator(loc["lon"], loc["lat"])
        elif self._selected_vehicle is not None:
            row = self.state.vehicle_row(self._selected_vehicle)
            v = self.state.vehicle_arrays()
            if row is not None and math.isfinite(v["lon"][row]):
                pos = lonlat_to_mercator(v["lon"][row], v["lat"][row])
        elif self._selected_component is not None:
            pos = self.assets.position(self._selected_component)
        if pos is None:
            self.selection.setData(x=[], y=[])
        else:
            self.selection.setData(x=[float(pos[0])], y=[float(pos[1])])

    def show_track(self, lon, lat) -> None:
        """A vehicle's track for a chosen period (backend, or shift log), over the trails."""
        x, y = lonlat_to_mercator(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        self.track.setData(np.atleast_1d(x), np.atleast_1d(y))

    def clear_track(self) -> None:
        self.track.setData([], [])

    def pick_location(self) -> None:
        """The next click on the map is a location (new case), not a selection."""
        self._picking = True
        self.plot.setCursor(Qt.CursorShape.CrossCursor)

    def set_pick_marker(self, lon: float | None, lat: float | None) -> None:
        if lon is None or lat is None:
            self.pick_marker.setData(x=[], y=[])
            return
        x, y = lonlat_to_mercator(lon, lat)
        self.pick_marker.setData(x=[float(x)], y=[float(y)])

    # ---- hit testing -----------------------------------------------------------------------
    def hit(self, x: float, y: float) -> tuple[str, str] | None:
        """The vehicle or case marker nearest to view point (x, y) within HIT_PX pixels, else
        the case cluster whose disc is there (its index as the id)."""
        if self._view_timer.isActive():  # the view moved this turn: its level of detail first
            self._view_timer.stop()
            self._redraw()
        px = self.view.viewPixelSize()[0] or 1.0
        best = None
        layers = []
        if self.visible["vehicles"]:
            layers.append(("vehicle", self._veh_xy, self.state.vehicle_ids(), self._veh_rows))
        if self.visible["staff"] and self._view_width() < STAFF_MAX_VIEW_M:
            layers.append(("vehicle", self.staff.xy, self.state.vehicle_ids(), self.staff.rows))
        if self.visible["cases"]:
            shown = self._case_shown
            if len(shown) != len(self._case_rows):  # not drawn since the cases changed
                shown = np.ones(len(self._case_rows), dtype=bool)
            xy = (self._case_xy[0][shown], self._case_xy[1][shown])
            layers.append(("case", xy, self.state.case_ids(), self._case_rows[shown]))
        for kind, (xs, ys), ids, rows in layers:
            if not len(xs):
                continue
            d2 = (xs - x) ** 2 + (ys - y) ** 2
            k = int(np.argmin(d2))
            dist_px = math.sqrt(d2[k]) / px
            if dist_px <= HIT_PX and (best is None or dist_px < best[0]):
                best = (dist_px, kind, ids[rows[k]])
        if self.visible["assets"]:  # a case or vehicle on the component is picked first
            a = self.assets.hit(x, y, HIT_PX * px)
            if a is not None and (best is None or a[0] / px < best[0] - 2.0):
                best = (a[0] / px, "component", a[1])
        if best is None and self.visible["rivers"]:
            seg = self.river.hit(x, y, HIT_PX * px)
            if seg is not None:
                return "river", seg
        if best is None and self.visible["cases"] and len(self.cluster_counts.data):
            c = self.cluster_counts.data
            d_px = np.hypot(c["x"] - x, c["y"] - y) / px
            k = int(np.argmin(d_px))
            if d_px[k] <= Clusters.radius_px(c["count"][k], self.cluster_unit):
                return "cluster", str(k)
        return None if best is None else (best[1], best[2])

    def _mouse_moved(self, pos: QPointF) -> None:
        p = self.view.mapSceneToView(pos)
        h = self.hit(p.x(), p.y())
        if h is None:
            self.hover.hide()
            return
        self.hover.setText(self.describe(*h))
        self.hover.adjustSize()
        self.hover.move(int(pos.x()) + 16, int(pos.y()) + 16)
        self.hover.show()

    def describe(self, kind: str, id_: str) -> str:
        lb = labels()
        if kind == "cluster":
            c = self.cluster_counts.data[int(id_)]
            words = {"red": self.tr("超期"), "yellow": self.tr("临期"), "green": self.tr("正常")}
            counts = "  ".join(f"{w} {int(c[k])}" for k, w in words.items())
            return self.tr("{0} 件案件 · 点击放大").format(int(c["count"])) + "\n" + counts
        if kind == "river":
            return self._describe_river(id_)
        if kind == "vehicle":
            info: Mapping[str, Any] = self.state.vehicles.get(id_) or {}
            row = self.state.vehicle_row(id_)
            speed = self.state.vehicle_arrays()["speed_kmh"][row] if row is not None else 0
            return (
                f"{info.get('plate', id_)}  {lb.name('vehicle_type', info.get('type'))}\n"
                f"{lb.name('vehicle_status', info.get('status'))}  {speed:.0f} km/h"
            )
        if kind == "component":
            return self.describe_component(id_)
        doc: Mapping[str, Any] = self.state.cases.get(id_) or {}
        cat = next(
            (
                c
                for c in self.state.reference.get("categories", [])
                if c["code"] == doc.get("category_code")
            ),
            None,
        )
        return f"{id_}  {lb.category(cat, doc.get('category_code', ''))}\n{lb.name('state', doc.get('state'))}"

    def _describe_river(self, seg_id: str) -> str:
        seg = rivers.by_id()[seg_id]
        doc: Mapping[str, Any] = self.state.records_of(rivers.RECORD_TYPE).get(seg_id) or {}
        state = self.river.states.get(seg_id, "overdue")
        return (
            f"{seg.name_zh}  {state_names()[state]}\n"
            + self.tr("河长 {0}（区级）{1}（街道级）").format(
                seg.chief("district"), seg.chief("street")
            )
            + "\n"
            + self.tr("今日覆盖 {0:.0%}").format(float(doc.get("coverage") or 0.0))
        )

    def describe_component(self, code: str) -> str:
        """Code, category and state of a component (the hover's text)."""
        lb = labels()
        cat_code = code[6:11]
        cat = next(
            (c for c in self.state.reference.get("categories", []) if c["code"] == cat_code),
            None,
        )
        names = {
            "normal": self.tr("正常"),
            "damaged": self.tr("损坏"),
            "missing": self.tr("缺失"),
            "disabled": self.tr("停用"),
            "repairing": self.tr("维修中"),
        }
        st = self.assets.state_of(code)
        component = self.tr("部件")
        return f"{code}  {lb.category(cat, cat_code)}\n{component} · {names.get(st, st)}"

    def _mouse_clicked(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        p = self.view.mapSceneToView(ev.scenePos())
        if self._picking:
            self._picking = False
            self.plot.unsetCursor()
            lon, lat = mercator_to_lonlat(p.x(), p.y())
            self.set_pick_marker(float(lon), float(lat))
            self.location_picked.emit(float(lon), float(lat))
            return
        h = self.hit(p.x(), p.y())
        if h is None:
            return
        kind, id_ = h
        if kind == "cluster":  # what is in it: closer, until its cases are markers
            c = self.cluster_counts.data[int(id_)]
            self.centre_on(float(c["x"]), float(c["y"]), width_m=self._view_width() / 4)
        elif kind == "vehicle":
            self.select_vehicle(id_)
            self.vehicle_clicked.emit(id_)
        elif kind == "river":
            self.river_clicked.emit(id_)
        elif kind == "component":
            self.select_component(id_)
            self.component_clicked.emit(id_)
        else:
            self.select_case(id_)
            self.case_clicked.emit(id_)

    # ---- overlays --------------------------------------------------------------------------
    def _range_changed(self, *_args) -> None:
        self._apply_visibility("grid")
        self._apply_visibility("rivers")
        self._apply_visibility("assets")
        self._apply_visibility("staff")
        self.scalebar.update()
        self._dirty.add("view")
        self._view_timer.start()

    def metres_per_px(self) -> float:
        """Ground metres per screen pixel at the view's centre (Mercator is 1/cos φ long)."""
        (x0, x1), (y0, y1) = self.view.viewRange()
        px = self.view.viewPixelSize()[0]
        lat = float(mercator_to_lonlat((x0 + x1) / 2, (y0 + y1) / 2)[1])
        return px * math.cos(math.radians(lat)) if math.isfinite(px) else 0.0

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._place_overlays()
        self._range_changed()

    def _place_overlays(self) -> None:
        u = self.scalebar.unit
        self.scalebar.move(
            round(16 * u), self.plot.height() - self.scalebar.height() - round(12 * u)
        )
        self.legend.move(self.plot.width() - self.legend.width() - 12, 12)
        self.attribution.move(
            self.plot.width() - self.attribution.width() - 6,
            self.plot.height() - self.attribution.height() - 4,
        )

    def configure_basemap(self, configs, notice=None, choice: int | None = 0) -> None:
        """The basemap sources on offer (``console.tiles.defaults``) and the one shown (the
        first by default). ``notice(text, level)`` tells the operator when one fails (the
        status bar's)."""
        self.basemap.configure(configs, notice, choice)

    def _basemap_changed(self) -> None:
        """Another source (or none): its attribution in the corner, and the neighbours' names
        shown only without a basemap (``_neighbour_labels_on``)."""
        self._apply_visibility("neighbours")
        text = self.basemap.attribution()
        self.attribution.setText(text)
        self.attribution.adjustSize()
        self.attribution.setVisible(bool(text))
        self._place_overlays()

    def frame_time_ms(self, repeats: int = 5) -> float:
        """Median time to render the plot once, for the benchmark."""
        samples = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            self.plot.grab()
            samples.append((time.perf_counter() - t0) * 1000.0)
        return float(np.median(samples))
