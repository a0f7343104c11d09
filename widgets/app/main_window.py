"""The operator workstation: the map wall in the middle, queues, case detail, alerts and the
fleet in docks, menus and keys, the status bar. Everything reads one CityState, refreshed once
per bridge tick by the Diff, plus a 1 Hz tick for what moves with time alone (lights,
countdowns, ages, the clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import qtawesome as qta
from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMessageBox, QToolBar

from console.domain.documents import AlertDoc, CaseDoc
from console.geo.crs import lonlat_to_mercator
from console.paths import data_dir
from console.state import Diff
from widgets.app.camera_tools import CameraTools
from widgets.app.export_tools import ExportTools
from widgets.app.kpi_tools import KpiTools
from widgets.app.shift_tools import ShiftTools
from widgets.app.wall_throw import WallThrow
from widgets.common.i18n import labels, language
from widgets.common.style import theme
from widgets.dialogs.case_actions import DESK_ACTIONS, SHORTCUTS, CaseActions
from widgets.dialogs.new_case import NewCaseDialog
from widgets.map.wall import LAYERS, MapWall
from widgets.panels.alerts import AlertPane
from widgets.panels.case_detail import CaseDetail
from widgets.panels.case_table import CaseTableModel
from widgets.panels.duty import DutyPanel
from widgets.panels.enforcement import EnforcementPanel
from widgets.panels.fleet import VehiclePanel
from widgets.panels.queues import QueuePanel
from widgets.panels.rivers import RiverPanel
from widgets.panels.status_bar import ConsoleStatusBar
from widgets.panels.work_orders import WorkOrderPanel
from widgets.timeline.strip import Timeline, clock_text

ACTION_ICONS = {
    "accept": "mdi6.inbox-arrow-down",
    "accept_corrected": "mdi6.inbox-arrow-down-outline",
    "send_verify": "mdi6.account-search",
    "register": "mdi6.file-document-edit",
    "register_corrected": "mdi6.file-document-edit-outline",
    "dispatch": "mdi6.send",
    "redispatch": "mdi6.send-circle",
    "send_back": "mdi6.undo-variant",
    "send_check": "mdi6.clipboard-check",
    "close": "mdi6.check-decagram",
    "close_self": "mdi6.check-decagram-outline",
    "approve_extension": "mdi6.clock-plus",
    "deny_extension": "mdi6.clock-remove",
    "approve_park": "mdi6.pause-octagon",
    "deny_park": "mdi6.pause-octagon-outline",
    "park": "mdi6.pause-circle",
    "resume": "mdi6.play-circle",
    "void": "mdi6.delete",
    "callback": "mdi6.phone-return",
    "add_assist": "mdi6.account-multiple-plus",
    "arbitrate": "mdi6.scale-balance",
    "assist_accept": "mdi6.account-check",
    "assist_complete": "mdi6.account-multiple-check",
    "assist_return": "mdi6.account-arrow-left",
}
LAYOUT_VERSION = 1
#: Default heights of the bottom docks: the strip keeps its lanes readable, and the queue gets
#: the rest so a desk sees about ten cases at 1080p without scrolling.
TIMELINE_HEIGHT = 180
QUEUE_HEIGHT = 340
#: The left (fleet, people, rivers, enforcement) and right (detail, 部件与养护, cameras; alerts)
#: columns' widths at a first start: the tables' columns fit, the map keeps the middle.
SIDE_WIDTHS = (360, 470)
REPLAY_REDRAW_HZ = 12  # a replay at 64x brings a fix batch every ~80 ms
BASEMAP_OPACITIES = (100, 80, 60, 40)  # 视图 → 底图 → 不透明度, percent


#: The map's layers of a layout saved before layouts saved the list of layers they knew.
PRE_RIVER_LAYERS = (
    "neighbours",
    "district",
    "grid",
    "heatmap",
    "trails",
    "cases",
    "vehicles",
    "alerts",
)


def settings() -> QSettings:
    return QSettings(str(data_dir() / "console.ini"), QSettings.Format.IniFormat)


class MainWindow(QMainWindow):
    language_requested = Signal(str)
    theme_requested = Signal(str)

    def __init__(self, ctx, parent=None) -> None:
        """``ctx``: the ConsoleApp (state, bridge, session, now, workers, user, banner)."""
        super().__init__(parent)
        self.ctx = ctx
        self.state, self.session, self.now = ctx.state, ctx.session, ctx.now
        self.setObjectName("MainWindow")
        self.setDockNestingEnabled(True)
        self.map = MapWall(self.state, self.now)
        if ctx.read_only:
            self.map.set_redraw_hz(REPLAY_REDRAW_HZ)
        self.setCentralWidget(self.map)
        # (a window rebuilt for a language or theme switch shows what the last one did)
        self.map.configure_basemap(ctx.basemap, self._basemap_notice, ctx.basemap_choice)
        if ctx.basemap_opacity is not None:
            self.map.basemap.set_opacity(ctx.basemap_opacity)
        self.case_actions = CaseActions(self.session, self.state, self, self.now)
        self.case_qactions = self._make_case_actions()
        self.case_model = CaseTableModel(self.state, self.now, self)
        self.queues = QueuePanel(self.case_model, list(self.case_qactions.values()))
        self.detail = CaseDetail(
            self.state, list(self.case_qactions.values()), self.now, self.session, ctx.workers
        )
        self.alerts = AlertPane(
            self.state,
            self.now,
            self.session,
            sound=ctx.sound,
            workers=ctx.workers,
            digest=ctx.alert_digest,
        )
        self.vehicles = VehiclePanel(
            self.state, self.now, self.session, ctx.workers, tracks=ctx.vehicle_track
        )
        self.duty = DutyPanel(self.state)
        self.rivers = RiverPanel(self.state, self.now)
        self.work_orders = WorkOrderPanel(self.state, self.now, self.session, ctx.workers)
        self.enforcement = EnforcementPanel(self.state, self.now, self.session, ctx.workers)
        self.docks = {
            "queues": self._dock("queues", self.queues, Qt.DockWidgetArea.BottomDockWidgetArea),
            "detail": self._dock("detail", self.detail, Qt.DockWidgetArea.RightDockWidgetArea),
            "alerts": self._dock("alerts", self.alerts, Qt.DockWidgetArea.RightDockWidgetArea),
            "vehicles": self._dock("vehicles", self.vehicles, Qt.DockWidgetArea.LeftDockWidgetArea),
            "rivers": self._dock("rivers", self.rivers, Qt.DockWidgetArea.LeftDockWidgetArea),
            "duty": self._dock("duty", self.duty, Qt.DockWidgetArea.LeftDockWidgetArea),
            "enforcement": self._dock(
                "enforcement", self.enforcement, Qt.DockWidgetArea.LeftDockWidgetArea
            ),
        }
        self.tabifyDockWidget(self.docks["vehicles"], self.docks["duty"])
        self.tabifyDockWidget(self.docks["vehicles"], self.docks["rivers"])
        self.tabifyDockWidget(self.docks["vehicles"], self.docks["enforcement"])
        self.docks["vehicles"].raise_()
        self.splitDockWidget(self.docks["detail"], self.docks["alerts"], Qt.Orientation.Vertical)
        self.docks["work_orders"] = self._dock(
            "work_orders", self.work_orders, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.tabifyDockWidget(self.docks["detail"], self.docks["work_orders"])
        self.docks["detail"].raise_()
        if ctx.replay is not None:
            self.timeline = Timeline(ctx.replay)
            self.docks["timeline"] = self._dock(
                "timeline", self.timeline, Qt.DockWidgetArea.BottomDockWidgetArea
            )
            self.splitDockWidget(
                self.docks["timeline"], self.docks["queues"], Qt.Orientation.Vertical
            )
        self.status = ConsoleStatusBar()
        self.setStatusBar(self.status)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setProperty("replay", ctx.read_only)
        self.banner.setText(ctx.banner or "")
        self.shift_tools = ShiftTools(self, ctx) if ctx.replay is not None else None
        self.kpi_tools = KpiTools(self, ctx)
        self.export_tools = ExportTools(self, ctx)
        self.wall_throw = WallThrow(self)
        self._build_menus_and_toolbar()
        self._wire()
        self.camera_tools = CameraTools(self, ctx)  # the camera layer, viewer dock, 视频巡查
        self.current_case: str | None = None
        self._new_case: NewCaseDialog | None = None
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self.tick)
        self._tick.start()
        self.retranslate()
        self.resize(1600, 960)
        if not self.restore_layout():
            # Docks take their sizes once the window has its own: set them then.
            QTimer.singleShot(0, self._first_layout)

    def _first_layout(self) -> None:
        """The layout of a first start: each tab group on its first panel, the side columns
        no wider than their panels need (the 部件与养护 tab widened the right one to ~750 px
        and the map shrank to a third of the window: looked at), the strip its height."""
        self._open_first_tabs()
        self.resizeDocks(
            [self.docks["vehicles"], self.docks["detail"]],
            [SIDE_WIDTHS[0], SIDE_WIDTHS[1]],
            Qt.Orientation.Horizontal,
        )
        if "timeline" in self.docks:
            self.resizeDocks(
                [self.docks["timeline"], self.docks["queues"]],
                [TIMELINE_HEIGHT, QUEUE_HEIGHT],
                Qt.Orientation.Vertical,
            )

    def _open_first_tabs(self) -> None:
        for first in ("vehicles", "detail"):
            self.docks[first].raise_()

    # ---- construction ----------------------------------------------------------------------
    def _dock(self, name: str, widget, area) -> QDockWidget:
        d = QDockWidget(self)
        d.setObjectName(f"dock_{name}")
        d.setWidget(widget)
        d.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, d)
        return d

    def _make_case_actions(self) -> dict[str, QAction]:
        out = {}
        for name in DESK_ACTIONS:
            a = QAction(qta.icon(ACTION_ICONS[name], color=theme()["text"]), "", self)
            a.setShortcut(QKeySequence(SHORTCUTS[name]))
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            a.setEnabled(False)
            a.triggered.connect(lambda _=False, n=name: self.take_action(n))
            out[name] = a
        return out

    def _build_menus_and_toolbar(self) -> None:
        mb = self.menuBar()
        self.menu_file = mb.addMenu("")
        self.act_new_case = QAction(qta.icon("mdi6.phone-plus", color="#36cfc9"), "", self)
        self.act_new_case.setShortcut(QKeySequence.StandardKey.New)
        self.act_new_case.triggered.connect(self.new_case)
        self.act_new_case.setEnabled(self.session is not None)
        self.act_quit = QAction(self)
        self.act_quit.setShortcut(QKeySequence.StandardKey.Quit)
        self.act_quit.triggered.connect(self.close)
        self.act_bookmark = QAction(qta.icon("mdi6.bookmark-plus", color="#f5c518"), "", self)
        self.act_bookmark.setShortcut("Ctrl+B")
        # triggered(bool) would hand its `checked` to the first parameter (label=False)
        self.act_bookmark.triggered.connect(lambda: self.add_bookmark())
        self.act_bookmark.setEnabled(self.session is not None)
        self.act_report = QAction(qta.icon("mdi6.file-chart", color=theme()["text"]), "", self)
        self.act_report.triggered.connect(lambda: self.handover_report())
        self.act_export = QAction(qta.icon("mdi6.content-cut", color=theme()["text"]), "", self)
        self.act_export.triggered.connect(lambda: self.export_range())
        for a in (self.act_report, self.act_export):
            a.setEnabled(self.ctx.replay is not None)
        self.menu_file.addActions([self.act_new_case, self.act_bookmark])
        self.menu_file.addSeparator()
        self.menu_file.addActions([self.act_report, self.act_export])
        self.menu_export = self.menu_file.addMenu(
            qta.icon("mdi6.export", color=theme()["text"]), ""
        )
        self.menu_export.addActions(self.export_tools.actions())
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_quit)
        self.menu_case = mb.addMenu("")
        self.menu_case.addActions(list(self.case_qactions.values()))
        self.menu_case.addSeparator()
        self.menu_case.addActions(
            [self.wall_throw.case, self.wall_throw.vehicle, self.wall_throw.alert]
        )
        self.detail.toolbar.addAction(self.wall_throw.case)
        self.menu_view = mb.addMenu("")
        self.act_fit = QAction(qta.icon("mdi6.fit-to-screen", color=theme()["text"]), "", self)
        self.act_fit.setShortcut("F")
        self.act_fit.triggered.connect(self.map.fit_district)
        self.menu_view.addAction(self.act_fit)
        self.act_kpi_board = QAction(qta.icon("mdi6.podium", color=theme()["text"]), "", self)
        self.act_kpi_board.setShortcut("Ctrl+Shift+K")
        self.act_kpi_board.triggered.connect(lambda: self.kpi_tools.show())
        self.menu_view.addAction(self.act_kpi_board)
        self.menu_layers = self.menu_view.addMenu("")
        self.layer_actions = {}
        for name in LAYERS:
            a = QAction(self, checkable=True)
            a.setChecked(self.map.visible[name])
            a.toggled.connect(lambda on, n=name: self.map.set_layer_visible(n, on))
            self.layer_actions[name] = a
            self.menu_layers.addAction(a)
        self._build_basemap_menu()
        self.menu_panels = self.menu_view.addMenu("")
        for d in self.docks.values():
            self.menu_panels.addAction(d.toggleViewAction())
        self.act_reset_layout = QAction(self)
        self.act_reset_layout.triggered.connect(self.reset_layout)
        self.menu_view.addAction(self.act_reset_layout)
        self.menu_theme = self.menu_view.addMenu("")
        group = QActionGroup(self)
        self.theme_actions = {}
        for name in ("dark", "light"):
            a = QAction(self, checkable=True)
            a.setChecked(self.ctx.theme == name)
            a.triggered.connect(lambda _=False, n=name: self.theme_requested.emit(n))
            group.addAction(a)
            self.theme_actions[name] = a
            self.menu_theme.addAction(a)
        self.menu_lang = self.menu_view.addMenu("")
        group = QActionGroup(self)
        self.lang_actions = {}
        for lang, text in (("zh", "中文"), ("en", "English")):
            a = QAction(text, self, checkable=True)
            a.setChecked(language() == lang)
            a.triggered.connect(lambda _=False, la=lang: self.language_requested.emit(la))
            group.addAction(a)
            self.lang_actions[lang] = a
            self.menu_lang.addAction(a)
        self.menu_help = mb.addMenu("")
        self.act_about = QAction(self)
        self.act_about.triggered.connect(self.about)
        self.menu_help.addAction(self.act_about)
        tb = QToolBar()
        tb.setObjectName("main_toolbar")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tb.addAction(self.act_new_case)
        tb.addAction(self.act_bookmark)
        tb.addAction(self.act_report)
        tb.addAction(self.act_fit)
        tb.addSeparator()
        self.banner_action = tb.addWidget(self.banner)  # a toolbar widget shows by its action
        self.banner_action.setVisible(bool(self.ctx.banner))
        self.addToolBar(tb)
        self.toolbar = tb

    def _build_basemap_menu(self) -> None:
        """视图 → 底图: none or one of the configured sources, and its opacity."""
        self.menu_basemap = self.menu_view.addMenu("")
        self.menu_basemap.setIcon(qta.icon("mdi6.map-outline", color=theme()["text"]))
        self._fill_basemap_menu()

    def _fill_basemap_menu(self) -> None:
        self.menu_basemap.clear()
        group = QActionGroup(self)
        self.basemap_actions: list[QAction] = []
        for i in [None, *range(len(self.ctx.basemap))]:
            a = QAction(self, checkable=True)
            a.setChecked(i == self.ctx.basemap_choice)
            a.triggered.connect(lambda _=False, i=i: self.choose_basemap(i))
            group.addAction(a)
            self.basemap_actions.append(a)
            self.menu_basemap.addAction(a)
        self.menu_basemap.addSeparator()
        self.menu_opacity = self.menu_basemap.addMenu("")
        group = QActionGroup(self)
        self.opacity_actions: dict[int, QAction] = {}
        for pct in BASEMAP_OPACITIES:
            a = QAction(f"{pct} %", self, checkable=True)
            a.triggered.connect(lambda _=False, p=pct: self.set_basemap_opacity(p / 100))
            group.addAction(a)
            self.opacity_actions[pct] = a
            self.menu_opacity.addAction(a)
        self._check_opacity()

    def basemap_arrived(self) -> None:
        """The demo basemap's first build is done (``ConsoleApp._poll_basemap``): on offer in
        the menu, and shown."""
        self.map.configure_basemap(self.ctx.basemap, self._basemap_notice, self.ctx.basemap_choice)
        self._fill_basemap_menu()
        self._name_basemaps()

    def _basemap_notice(self, text: str, level: str) -> None:
        self.status.show_notice(text, level)

    def choose_basemap(self, index: int | None) -> None:
        """A source's own opacity (its config) comes with it."""
        self.ctx.basemap_choice, self.ctx.basemap_opacity = index, None
        self.map.basemap.choose(index)
        self._check_opacity()

    def set_basemap_opacity(self, opacity: float) -> None:
        self.ctx.basemap_opacity = opacity
        self.map.basemap.set_opacity(opacity)

    def _check_opacity(self) -> None:
        pct = round(self.map.basemap.opacity * 100)
        for p, a in self.opacity_actions.items():
            a.setChecked(p == pct)

    def _name_basemaps(self) -> None:
        self.menu_opacity.setTitle(self.tr("不透明度"))
        self.basemap_actions[0].setText(self.tr("无"))
        for a, cfg in zip(self.basemap_actions[1:], self.ctx.basemap, strict=True):
            a.setText(cfg.name)

    def _wire(self) -> None:
        self.ctx.view_changed.connect(self.on_diff)
        self.ctx.bridge.health_changed.connect(self.status.set_health)
        self.ctx.outcomes.connect(self.on_outcome)
        self.case_actions.notice.connect(self.status.show_notice)
        self.enforcement.notice.connect(self.status.show_notice)
        self.queues.case_selected.connect(self.select_case)
        self.queues.case_opened.connect(lambda cid: self.select_case(cid, centre=True))
        self.map.case_clicked.connect(lambda cid: self.select_case(cid, from_map=True))
        self.map.vehicle_clicked.connect(self.vehicles.select_vehicle)
        self.map.vehicle_clicked.connect(self.duty.select_person)
        self.duty.person_selected.connect(self.map.select_vehicle)
        self.map.component_clicked.connect(self.show_component)
        self.work_orders.order_selected.connect(lambda code: self.map.select_component(code, 600))
        self.vehicles.vehicle_selected.connect(
            lambda vid, follow: self.map.select_vehicle(vid, follow=follow)
        )
        self.vehicles.track_loaded.connect(lambda _vid, lon, lat: self.map.show_track(lon, lat))
        self.map.river_clicked.connect(self.show_river)
        self.rivers.segment_selected.connect(self.map.show_river)
        self.alerts.jump_to.connect(self.jump_to_alert)
        if self.ctx.replay is not None:
            self.ctx.replay.live_changed.connect(self._update_banner)
            self.ctx.replay.moved.connect(lambda _t: self._update_banner())
            self._update_banner()

    def retranslate(self) -> None:
        lb = labels()
        self.setWindowTitle(
            self.tr("智慧城管指挥中心 · %1").replace("%1", self.ctx.user_label or "")
        )
        titles = {
            "queues": self.tr("案件队列"),
            "detail": self.tr("案件详情"),
            "alerts": self.tr("告警"),
            "vehicles": self.tr("环卫车辆"),
            "duty": self.tr("人员在岗"),
            "rivers": self.tr("河道"),
            "work_orders": self.tr("部件与养护"),
            "enforcement": self.tr("行政执法"),
            "timeline": self.tr("时间轴"),
        }
        for k, d in self.docks.items():
            d.setWindowTitle(titles[k])
        for name, a in self.case_qactions.items():
            a.setText(lb.name("action", name))
            a.setToolTip(f"{lb.name('action', name)} ({SHORTCUTS[name]})")
        self.menu_file.setTitle(self.tr("文件(&F)"))
        self.menu_case.setTitle(self.tr("案件(&C)"))
        self.menu_view.setTitle(self.tr("视图(&V)"))
        self.menu_help.setTitle(self.tr("帮助(&H)"))
        self.menu_layers.setTitle(self.tr("图层"))
        self.menu_export.setTitle(self.tr("导出"))
        self.export_tools.retranslate()
        self.camera_tools.retranslate()
        self.menu_panels.setTitle(self.tr("面板"))
        self.menu_basemap.setTitle(self.tr("底图"))
        self._name_basemaps()
        self.menu_theme.setTitle(self.tr("主题"))
        self.menu_lang.setTitle(self.tr("语言"))
        self.theme_actions["dark"].setText(self.tr("深色（大屏）"))
        self.theme_actions["light"].setText(self.tr("浅色"))
        self.act_new_case.setText(self.tr("新建热线案件"))
        self.act_bookmark.setText(self.tr("添加书签"))
        self.act_report.setText(self.tr("交接班报告"))
        self.act_export.setText(self.tr("导出时间段"))
        self.act_quit.setText(self.tr("退出"))
        self.act_fit.setText(self.tr("适应辖区"))
        self.act_kpi_board.setText(self.tr("量化考核看板"))
        self.act_reset_layout.setText(self.tr("恢复默认布局"))
        self.act_about.setText(self.tr("关于"))
        names = self.map.layer_names()
        for name, a in self.layer_actions.items():
            a.setText(names[name])
        self.status.set_user(self.ctx.user_label or "")

    # ---- updates ---------------------------------------------------------------------------
    def on_diff(self, diff) -> None:
        self.map.on_diff(diff)
        self.camera_tools.on_diff(diff)
        self.case_model.on_diff(diff)
        self.alerts.on_diff(diff)
        self.vehicles.on_diff(diff)
        self.duty.on_diff(diff)
        self.rivers.on_diff(diff)
        self.work_orders.on_diff(diff)
        self.enforcement.on_diff(diff)
        if diff.reset or diff.cases:
            self.queues.update_counts()
            if diff.reset or self.current_case in diff.cases:
                self.detail.refresh()
                self._update_action_states()

    def show_river(self, seg_id: str) -> None:
        """A segment clicked on the map: outlined, and its row in the river panel brought
        forward (without the panel's selection moving the map the user just clicked on)."""
        self.map.river.select(seg_id)
        self.docks["rivers"].show()
        self.docks["rivers"].raise_()
        self.rivers.blockSignals(True)
        try:
            self.rivers.select_segment(seg_id)
        finally:
            self.rivers.blockSignals(False)

    def show_component(self, code: str) -> None:
        """A component clicked on the map: its detail in the 部件与养护 dock, brought up."""
        self.work_orders.show_component(code)
        self.docks["work_orders"].show()
        self.docks["work_orders"].raise_()

    def on_diff_all(self) -> None:
        """A new window on a state that is already full: draw everything once."""
        self.on_diff(Diff(reset=True))

    def tick(self) -> None:
        self.case_model.tick()
        self.alerts.model.tick()
        self.vehicles.model.tick()
        self.queues.update_counts()
        now = self.now()
        t = datetime.fromtimestamp(now, UTC)
        working = self.state.calendar.working_minutes_between(t, t + timedelta(minutes=1)) > 0
        self.status.set_clock(now, working)
        self.status.set_calendar(self.state.uncovered_years(now))
        self.status.set_outbox(self.ctx.outbox_pending())
        h = self.status.health
        if h is not None and h.status in ("offline", "degraded"):
            self.status.set_health(h)  # the "offline for N s" counter

    def on_outcome(self, outcome) -> None:
        self.case_actions.on_outcome(outcome)
        if outcome.action == "create_case":
            if outcome.ok:
                cid = (outcome.case or {}).get("id", "")
                self.status.show_notice(self.tr("热线案件已立：%1").replace("%1", cid))
            else:
                self.status.show_notice(
                    self.tr("热线案件上报失败：%1").replace("%1", outcome.message), "error"
                )
        elif outcome.action == "ack_alert" and not outcome.ok:
            self.status.show_notice(
                self.tr("告警确认失败：%1").replace("%1", outcome.message), "error"
            )

    # ---- selection and actions -------------------------------------------------------------
    def select_case(self, case_id: str, centre: bool = False, from_map: bool = False) -> None:
        self.current_case = case_id
        self.detail.show_case(case_id)
        self.map.select_case(case_id, centre=centre)
        if from_map:
            self.queues.select_case(case_id)
        self._update_action_states()

    def show_archived_case(self, doc: CaseDoc) -> None:
        """A finished case the backend sent (no longer in the live picture): its detail, no
        actions, nothing selected on the map or in the queues."""
        self.current_case = doc.get("id")
        self.detail.show_archived(doc)
        self.map.select_case(None)
        self._update_action_states()
        self.status.show_notice(
            self.tr("历史案件 %1：已不在实时数据中，由后端调阅").replace("%1", str(doc.get("id")))
        )

    def _update_action_states(self) -> None:
        allowed = set(self.case_actions.available(self.state.cases.get(self.current_case or "")))
        for name, a in self.case_qactions.items():
            a.setEnabled(name in allowed)
            a.setVisible(name in allowed)

    def take_action(self, name: str, params: dict | None = None) -> str | None:
        if self.current_case is None:
            return None
        return self.case_actions.run(self.current_case, name, params)

    def jump_to_alert(self, alert: AlertDoc) -> None:
        if alert.get("subject_type") == "case" and alert.get("subject_id") in self.state.cases:
            self.select_case(alert["subject_id"], centre=True, from_map=True)
            return
        if alert.get("subject_type") == "vehicle":
            self.vehicles.select_vehicle(alert["subject_id"])
            self.map.select_vehicle(alert["subject_id"], follow=False)
        pos = self.map.subject_position(alert)
        if pos is not None:
            x, y = lonlat_to_mercator(*pos)
            self.map.centre_on(float(x), float(y), width_m=1500)

    def new_case(self) -> NewCaseDialog | None:
        if self.session is None:
            return None
        session = self.session
        dlg = NewCaseDialog(
            self.state.reference,
            self,
            geocode=lambda **params: session.fetch("/api/v1/geocode", **params),
            workers=self.ctx.workers,
        )
        dlg.pick_requested.connect(self.map.pick_location)
        self.map.location_picked.connect(dlg.set_location)
        dlg.located.connect(self.show_picked)
        dlg.submitted.connect(self.session.new_case)
        dlg.finished.connect(lambda _r: self.map.set_pick_marker(None, None))
        dlg.show()
        self._new_case = dlg
        return dlg

    def show_picked(self, lon: float, lat: float) -> None:
        """Mark a place picked in the hotline dialog on the map wall and bring it into view."""
        self.map.set_pick_marker(lon, lat)
        x, y = lonlat_to_mercator(lon, lat)
        self.map.centre_on(float(x), float(y), width_m=1500)

    def _update_banner(self, live: bool | None = None) -> None:
        """Say what the window shows and when, where the eye goes first: a replay's file and
        instant, or that the live desk is looking back (and at when)."""
        c = self.ctx.replay
        rewound = c.rewound
        if live is not None:  # the live desk changed mode: restyle once
            self.banner.setProperty("replay", rewound)
            self.banner.style().polish(self.banner)
            self.banner_action.setVisible(rewound or bool(self.ctx.banner))
        if self.ctx.read_only:
            shown = self.tr("显示 %1").replace("%1", clock_text(c.t))
            self.banner.setText(f"{self.ctx.banner} · {shown}")
        elif rewound:
            self.banner.setText(self.tr("回看 %1 · 实时记录继续").replace("%1", clock_text(c.t)))
        elif live is not None:
            self.banner.setText(self.ctx.banner or "")

    def add_bookmark(self, label: str | None = None) -> None:
        if self.shift_tools is not None:
            self.shift_tools.add_bookmark(label)

    def handover_report(self, path: str | None = None) -> None:
        if self.shift_tools is not None:
            self.shift_tools.report(path)

    def export_range(self, path: str | None = None) -> None:
        if self.shift_tools is not None:
            self.shift_tools.export(path)

    def about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("关于"),
            self.tr("智慧城管指挥中心操作台\n案件闭环、环卫车辆、告警与交接班记录。"),
        )

    # ---- layout ----------------------------------------------------------------------------
    def _layout_key(self) -> str:
        return f"layout/{self.ctx.user_id or 'anonymous'}"

    def save_layout(self) -> None:
        s = settings()
        s.setValue(f"{self._layout_key()}/geometry", self.saveGeometry())
        s.setValue(f"{self._layout_key()}/state", self.saveState(LAYOUT_VERSION))
        s.setValue(f"{self._layout_key()}/layers", [n for n, on in self.map.visible.items() if on])
        s.setValue(f"{self._layout_key()}/layers_known", list(LAYERS))
        s.sync()

    def restore_layout(self) -> bool:
        s = settings()
        self._default_state = self.saveState(LAYOUT_VERSION)
        geometry = s.value(f"{self._layout_key()}/geometry")
        state = s.value(f"{self._layout_key()}/state")
        layers = s.value(f"{self._layout_key()}/layers")
        known = s.value(f"{self._layout_key()}/layers_known")
        if layers is not None:
            on = set([layers] if isinstance(layers, str) else layers)
            # A layer newer than the saved layout keeps its default: it was not turned off.
            was = set([known] if isinstance(known, str) else known or PRE_RIVER_LAYERS)
            for name, a in self.layer_actions.items():
                if name in was:
                    a.setChecked(name in on)
        if geometry is not None:
            self.restoreGeometry(geometry)
        return bool(state is not None and self.restoreState(state, LAYOUT_VERSION))

    def reset_layout(self) -> None:
        self.restoreState(self._default_state, LAYOUT_VERSION)
        for d in self.docks.values():
            d.show()
        self._open_first_tabs()

    def closeEvent(self, ev) -> None:
        self.save_layout()
        super().closeEvent(ev)
