"""``python main.py wall``: the video wall on every screen (or the ones given), following the
embedded demo, a backend (as the read-only wall account) or a replayed shift log.

The data path is the console's own (``ConsoleApp``: one CityState, the bridge, the session
with its live source, or a replay controller); only the windows differ. The live source
reconnects and re-bootstraps by itself when the backend goes away and comes back, and the
wall's windows keep showing the state they hold meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from console import CommandError
from console.paths import data_dir
from console.session import Session
from console.store.daily_logs import DailyLogs
from console.tiles.config import SourceConfig
from widgets.app.console_app import ConsoleApp
from widgets.app.console_start import qt_app
from widgets.map.wall import MapWall
from widgets.wall.playlist import load_playlist
from widgets.wall.scale import WallScale
from widgets.wall.scenes import SCENES, RankingScene
from widgets.wall.window import WallContext, WallWindow

log = logging.getLogger(__name__)

WALL_USER = "demo-wall"  # the read-only wall account (role ``wall``, console.server.seed)
WALL_PASSWORD = "demo"


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise CommandError(f"--size {text!r}: use WxH, e.g. 3840x2160") from None
    if not (320 <= w <= 16384 and 240 <= h <= 16384):
        raise CommandError(f"--size {text!r}: out of range")
    return w, h


def parse_screens(text: str | None, count: int) -> list[int]:
    if not text:
        return list(range(count))
    try:
        wanted = [int(v) for v in text.split(",")]
    except ValueError:
        raise CommandError(f"--screens {text!r}: use numbers, e.g. 0,1") from None
    bad = [i for i in wanted if not 0 <= i < count]
    if bad:
        raise CommandError(f"--screens: no screen {bad[0]} (this desktop has {count})")
    return wanted


#: Map symbols on a wall, in shares of the screen height (as its text: widgets/wall/scale.py).
#: On a 65" 4K panel a pixel is 0.375 mm, so at 5 m a pixel subtends 0.26 arc-minutes: a case
#: (35-37 px) ~9', enough to tell ■ from ● and a light's colour without hiding its neighbours
#: in a busy street (a desk's 11 px marker would be under 3' there); a vehicle's arrow (56 px)
#: ~14', so its heading reads; an alert's ring (86 px) stands clear of its subject.
MARKER_SHARES = {
    "cases_component": 0.016,
    "cases_event": 0.017,
    "vehicles": 0.026,
    "alerts": 0.040,
    "selection": 0.034,
}


def wall_map(
    state, now, scale: WallScale, heat: bool = False, basemap: Sequence[SourceConfig] = ()
) -> MapWall:
    """The console's map for a wall scene: symbols, lines, the neighbours' names and the
    scale bar sized from the wall's height (a desk's sizes are for a 1080p screen at arm's
    length), not interactive, its small legend off (the scenes draw their own, large)."""
    m = MapWall(state, now)
    m.legend.hide()
    f = scale.height / 1080
    for name, share in MARKER_SHARES.items():
        getattr(m, name).setSize(scale.px(share))
    m.vehicles.setPen(pg.mkPen("#0b1119", width=1.2 * f))
    m.selection.setPen(pg.mkPen("#ffffff", width=3 * f))
    m.set_trail_width(1.6 * f)
    m.set_far(scale.small, f)
    m.set_layer_visible("heatmap", heat)
    m.set_layer_visible("trails", not heat)
    m.plot.setMouseEnabled(False, False)
    m.configure_basemap(basemap)  # no status bar on a wall: a failing source is logged
    m.attribution.setStyleSheet(
        f"color: #8a94a6; background: transparent; font-size: {scale.small // 2}px;"
    )
    return m


def wall_context(
    state,
    now,
    workers,
    fetch,
    height: int,
    basemap: Sequence[SourceConfig] = (),
    made: list[MapWall] | None = None,
) -> WallContext:
    """``made``: where each map the scenes build is kept, for a basemap that comes later."""
    scale = WallScale(height)

    def make_map(heat: bool) -> MapWall:
        m = wall_map(state, now, scale, heat, basemap)
        if made is not None:
            made.append(m)
        return m

    return WallContext(state, now, workers, fetch, scale, make_map)


class Wall:
    """The wall's windows over one ConsoleApp (the data), created and stopped together."""

    def __init__(
        self, console: ConsoleApp, fetch, screens: list[int], sizes: list[tuple[int, int]]
    ):
        self.console = console
        self.windows: list[WallWindow] = []
        self.maps: list[MapWall] = []  # every scene's map, for the demo basemap's late arrival
        for screen, (w, h) in zip(screens, sizes, strict=True):
            ctx = wall_context(
                console.state, console.now, console.workers, fetch, h, console.basemap, self.maps
            )
            window = WallWindow(ctx, load_playlist(screen, set(SCENES) - {"focus"}))
            window.resize(w, h)
            console.view_changed.connect(window.on_diff)
            self.windows.append(window)
        console.basemap_found.connect(self._basemap_found)

    def _basemap_found(self, configs: Sequence[SourceConfig]) -> None:
        """The demo basemap's first build finished while the wall ran: every map shows it, as
        the console's window does (``ConsoleApp._poll_basemap``)."""
        for m in self.maps:
            m.configure_basemap(configs)

    def stop(self) -> None:
        for w in self.windows:
            w.stop()
        self.console.stop()


def live_wall(
    url: str, user: str, password: str, basemap: Sequence[SourceConfig] = ()
) -> tuple[Session, ConsoleApp]:
    """The data side of a live wall: the wall account's session writing one shift log per
    district day, and a console without a rewind index (a wall runs for months)."""
    daily = DailyLogs(data_dir() / "shifts", "wall", backend_url=url, user=user)
    session = Session(url, user, password, None, daily=daily)
    return session, ConsoleApp(session, sound=False, rewind=False, basemap=basemap)


def run_wall(
    *,
    backend: str | None = None,
    user: str = WALL_USER,
    password: str = WALL_PASSWORD,
    replay: list[str] | None = None,
    screens: str | None = None,
    speed: float = 20.0,
    lang: str = "zh",
    screenshot: str | None = None,
    size: str | None = None,
    scene: str | None = None,
    quit_after: float | None = None,
    basemap: Sequence[SourceConfig] = (),
) -> int:
    app = qt_app(lang, "dark", offscreen_ok=screenshot is not None)
    shots = list(SCENES) if scene == "all" else [scene] if scene else [None]
    if any(name is not None and name not in SCENES for name in shots):
        raise CommandError(f"--scene {scene!r}: all, or one of {', '.join(SCENES)}")
    if screenshot and len(shots) > 1 and "{scene}" not in screenshot:
        raise CommandError("--scene all needs {scene} in the --screenshot path")
    from console.demo_process import DemoProcess, fresh_sqlite

    demo = None
    if replay:
        from console.replay.logfiles import open_logs

        try:
            shiftlog = open_logs(replay, data_dir() / "replays")
        except (ValueError, OSError) as e:
            raise CommandError(str(e)) from e
        console = ConsoleApp(None, replay_log=shiftlog, sound=False, basemap=basemap)
        fetch = None
    else:
        url = backend
        if url is None:
            demo = DemoProcess(fresh_sqlite(data_dir() / "wall-demo.db"), speed=speed).start()
            url = demo.url
        _check_account(url, user, password)
        session, console = live_wall(url, user, password, basemap)
        fetch = session.fetch
    if screenshot:
        sizes = [parse_size(size or "3840x2160")]
        chosen = [0]
    else:
        geoms = [s.geometry() for s in QGuiApplication.screens()]
        chosen = parse_screens(screens, len(geoms))
        sizes = [(geoms[i].width(), geoms[i].height()) for i in chosen]
    wall = Wall(console, fetch, chosen, sizes)
    if console.session is not None:
        console.session.start()
    elif console.replay is not None:
        controller = console.replay
        start, _end = controller.span()
        controller.seek(start)
        controller.set_speed(64)
        controller.play()
    if not screenshot:  # nobody points at a wall: no cursor over it, whatever widget is under
        app.setOverrideCursor(Qt.CursorShape.BlankCursor)
    for i, window in zip(chosen, wall.windows, strict=True):
        if screenshot:
            window.show()
        else:
            window.setScreen(QGuiApplication.screens()[i])
            window.setGeometry(QGuiApplication.screens()[i].geometry())
            window.showFullScreen()
    if screenshot:
        window = wall.windows[0]

        def shoot() -> None:
            for name in shots:
                if name:
                    window.show_scene(name)
                    if name == "focus":
                        _focus_something(window)
                for _ in range(3):  # layout, a refresh with the final sizes, the maps' redraw
                    QApplication.processEvents()
                    window.current().refresh()
                path = screenshot.replace("{scene}", name or "wall")
                window.grab().save(path)
                log.info("wall screenshot saved to %s", path)
            app.quit()

        after = quit_after or 20.0
        # The ranking board asks the backend in a worker: ask a few seconds before the shot.
        ranking = window.scenes["ranking"]
        assert isinstance(ranking, RankingScene)
        QTimer.singleShot(int(1000 * max(0.0, after - 5)), ranking.ask_now)
        QTimer.singleShot(int(1000 * after), shoot)
    elif quit_after:
        QTimer.singleShot(int(quit_after * 1000), app.quit)
    try:
        return app.exec()
    finally:
        wall.stop()
        if demo is not None:
            demo.stop()


def _check_account(url: str, user: str, password: str) -> None:
    """Refuse a wall account the backend refuses (said once, at start); a backend that does
    not answer yet is waited for, like any later outage (the live source keeps trying)."""
    import requests

    from console.sync.client import ApiError, RestClient

    try:
        RestClient(url, user, password).login()
    except ApiError as e:
        raise CommandError(f"{url}: the backend refused {user!r} ({e.status})") from e
    except requests.RequestException as e:
        log.warning("backend %s not answering yet (%s); the wall waits for it", url, e)


def _focus_something(window: WallWindow) -> None:
    """For a focus screenshot: the open case that has waited longest, as if thrown."""
    st = window.ctx.state
    open_ = [c for c in st.cases.values() if c.get("state") not in ("closed", "void")]
    if open_:
        case = min(open_, key=lambda c: c["created_at"])
        window.focus("case", case["id"])
