"""Shared fixtures: a real backend over HTTP on loopback, on SQLite and (in CI) PostgreSQL.

Set ``ZHCG_TEST_PG`` to a PostgreSQL URL to run every ``backend`` test on PostgreSQL too;
``.ci/run`` does. Qt runs offscreen in every test.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test starts the demo basemap's background build (console.tiles.defaults.demo_sources):
# each test's fresh data folder would start one, a minute of CPU outliving the test.
os.environ["ZHCG_BASEMAP_BUILD"] = "0"
# The console's files (shift logs, the demo database, the derived-data cache) go to a folder of
# this test run, never to the user's own data folder; tests that need their own set it again.
if "CONSOLE_DATA_DIR" not in os.environ:
    _DATA = tempfile.mkdtemp(prefix="zhcg-tests-")
    os.environ["CONSOLE_DATA_DIR"] = _DATA
    atexit.register(shutil.rmtree, _DATA, ignore_errors=True)

import pytest
import requests

from console.clock import VirtualClock
from console.domain.china_time import CST
from console.server.context import Settings
from console.server.login_guard import Throttle
from console.server.run import BackendThread, free_port
from console.server.seed import DEMO_OPEN311_KEY

#: A Monday 09:00 in Hangzhou, so SLA clocks run from the first second of a test.
TEST_START = datetime(2026, 11, 23, 9, 0, tzinfo=CST)
PG_URL = os.environ.get("ZHCG_TEST_PG")
ROOT = Path(__file__).resolve().parents[1]
#: The team's design folder beside a developer's clone. Nothing at run time may read it: a fresh
#: clone has none, so what the tests or the package need is copied in (tests/fixtures/,
#: resources/) with its provenance.
SHARED = ROOT.parent / "shared"


def _refuse_shared(event: str, args: tuple) -> None:
    """Audit hook: opening or listing anything under ``../shared`` fails where it happens."""
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], str | Path):
        path = os.path.abspath(args[0])
        if path == str(SHARED) or path.startswith(str(SHARED) + os.sep):
            raise PermissionError(f"tests and the package must not read {SHARED}: {path}")


sys.addaudithook(_refuse_shared)


def _db_params():
    params = [pytest.param("sqlite", id="sqlite")]
    params.append(pytest.param("postgres", id="postgres", marks=pytest.mark.postgres))
    return params


def fresh_db_url(kind: str, tmp_path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'backend.db'}"
    if not PG_URL:
        if os.environ.get("ZHCG_REQUIRE_PG"):
            pytest.fail("ZHCG_REQUIRE_PG is set but ZHCG_TEST_PG is not")
        pytest.skip("ZHCG_TEST_PG not set (CI sets it; see .ci/run)")
    from console.server.db import Database

    db = Database(PG_URL)
    db.drop_all()
    db.dispose()
    return PG_URL


def start_backend(db_url: str, speed: float = 1.0, http: str = "auto", **kw) -> BackendThread:
    settings = Settings(
        db_url=db_url,
        demo=True,
        clock=VirtualClock(speed=speed, start=kw.pop("start", TEST_START)),
        open311_keys=frozenset({DEMO_OPEN311_KEY}),
        tick_seconds=kw.pop("tick_seconds", 0.2),
        **kw,
    )
    b = BackendThread(settings, http=http).start()
    _BACKENDS.append(b)
    return b


#: Every backend this test process started: their login throttles are reset between tests.
_BACKENDS: list[BackendThread] = []


@pytest.fixture(autouse=True)
def _fresh_login_throttles():
    """Every test's client comes from 127.0.0.1, so one test's deliberate failed logins (the
    fuzz, the lockout tests) would lock the address out of a shared backend for the tests
    after it: each test starts with the throttles of a backend that has just started."""
    yield
    for b in _BACKENDS:
        guard = b.ctx.login_guard
        guard.accounts = Throttle(guard.accounts.policy)
        guard.addresses = Throttle(guard.addresses.policy)


@pytest.fixture(scope="module", params=_db_params())
def backend(request, tmp_path_factory):
    """One backend per test module and database kind (tests make their own cases)."""
    url = fresh_db_url(request.param, tmp_path_factory.mktemp("db"))
    b = start_backend(url)
    yield b
    b.stop()


@pytest.fixture(scope="module", params=_db_params())
def still_backend(request, tmp_path_factory):
    """A backend whose district time moves only when a test moves it (speed 1e-6; the tests
    step it with ``VirtualClock.advance``), one per test module and database kind."""
    b = start_backend(fresh_db_url(request.param, tmp_path_factory.mktemp("db")), speed=1e-6)
    yield b
    b.stop()


class Api:
    """A logged-in HTTP client for one demo user, as a console or the simulator would be."""

    def __init__(self, base: str, username: str, password: str = "demo"):
        self.base = base
        self.http = requests.Session()
        r = self.http.post(
            f"{base}/api/v1/session", json={"username": username, "password": password}, timeout=10
        )
        assert r.status_code == 200, r.text
        self.user = r.json()["user"]
        self.http.headers["Authorization"] = f"Bearer {r.json()['token']}"

    def get(self, path, **kw):
        return self.http.get(self.base + path, timeout=kw.pop("timeout", 30), **kw)

    def post(self, path, key: str | None = None, **kw):
        headers = kw.pop("headers", {})
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.http.post(
            self.base + path, headers=headers, timeout=kw.pop("timeout", 30), **kw
        )

    def report(self, category="06010", lon=120.17, lat=30.25, source="supervisor", **extra) -> dict:
        r = self.post(
            "/api/v1/cases",
            key=uuid.uuid4().hex,
            json={
                "source": source,
                "category_code": category,
                "location": {"lon": lon, "lat": lat},
                **extra,
            },
        )
        assert r.status_code == 200, r.text
        return r.json()

    def act(self, case: dict, action: str, **body):
        body.setdefault("expected_version", case["version"])
        return self.post(
            f"/api/v1/cases/{case['id']}/actions",
            key=uuid.uuid4().hex,
            json={"action": action, **body},
        )


def logins(url: str):
    """``login(username)`` → that demo user's Api on the backend at ``url``, logged in once."""
    cache: dict[str, Api] = {}

    def _login(username: str) -> Api:
        if username not in cache:
            cache[username] = Api(url, username)
        return cache[username]

    return _login


@pytest.fixture(scope="module")
def login(backend):
    return logins(backend.url)


def fleet_of(reference: dict) -> list[dict]:
    """The reference's sanitation vehicles, in its order: the tests that drive a vehicle along
    its route (people and river patrols are vehicles too, with no such route)."""
    from console.domain.field_units import is_sanitation

    return [v for v in reference["vehicles"] if is_sanitation(v["type"])]


class LiveConsole:
    """A console following ``backend`` as the wall account, for the tests that hold a replay
    to what was live: a LiveSource folds every batch into ``state`` (under ``lock``; ``diffs``
    keeps each batch's Diff) and writes the shift log at ``path``; ``replayed()`` folds that
    log again from its bytes alone. Use as ``with LiveConsole(...) as live:``."""

    def __init__(self, backend, path: Path):
        from console.state import CityState
        from console.store.shiftlog import ShiftLog
        from console.sync.client import RestClient
        from console.sync.live import LiveSource

        self.state, self.lock, self.path, self.diffs = CityState(), threading.Lock(), path, []
        log = ShiftLog(path, backend_url=backend.url, user="demo-wall")
        client = RestClient(backend.url, "demo-wall", "demo")
        self.source = LiveSource(client, log, self._on_batch, wait_s=0.5)

    def _on_batch(self, b) -> None:
        with self.lock:
            if b.snapshot is not None:
                self.diffs.append(self.state.bootstrap(b.snapshot, b.reference))
            else:
                self.diffs.append(self.state.apply(b.changes))

    def __enter__(self) -> LiveConsole:
        self.source.start()
        return self

    def __exit__(self, *exc) -> None:
        self.source.stop()
        self.source.join(5)

    def replayed(self):
        from console.replay.fold import fold_log
        from console.store.shiftlog import ShiftLog

        return fold_log(ShiftLog(self.path, readonly=True), use_checkpoints=False)


def wait_until(fn, timeout: float = 20.0, step: float = 0.05):
    """Poll ``fn`` until it returns something true (returned), or fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(step)
    raise AssertionError(f"not reached within {timeout} s")


@pytest.fixture
def tile_http():
    """A tile server on a loopback port (``tests/tile_server.py``: every tile a colour naming
    its address), stopped after the test."""
    from tile_server import TileServer

    s = TileServer()
    yield s
    s.stop()


@pytest.fixture
def ui(qapp):
    """The application as the widget tests see it: dark theme, Chinese (restored after)."""
    from widgets.common.i18n import set_language
    from widgets.common.style import apply_theme

    apply_theme(qapp, "dark")
    set_language("zh")
    yield qapp
    set_language("zh")


@pytest.fixture
def console_factory(qtbot, tmp_path, monkeypatch):
    """UI tests: ``make(url, user)`` → → a started ConsoleApp whose window is shown; all are stopped at
    the end of the test."""
    monkeypatch.setenv("CONSOLE_DATA_DIR", str(tmp_path / "data"))
    from PySide6.QtWidgets import QApplication

    from widgets.app.console_app import ConsoleApp
    from widgets.common.i18n import set_language
    from widgets.common.style import apply_theme

    apply_theme(QApplication.instance(), "dark")
    set_language("zh")
    made = []

    def make(url: str, user: str = "demo-console", name: str | None = None) -> ConsoleApp:
        from console.session import Session

        session = Session(
            url, user, "demo", tmp_path / f"{name or user}-{len(made)}.zhcg", wait_s=1
        )
        app = ConsoleApp(session, sound=False)
        window = app.start()
        qtbot.addWidget(window)
        made.append(app)
        return app

    yield make
    for app in made:
        if app.window is not None:
            app.window.close()
        app.stop()
    set_language("zh")


@pytest.fixture
def replay(qtbot, recorded_shift, tmp_path, monkeypatch):
    """UI tests: a ConsoleApp replaying ``recorded_shift`` in its window (dark, Chinese)."""
    monkeypatch.setenv("CONSOLE_DATA_DIR", str(tmp_path / "data"))
    from PySide6.QtWidgets import QApplication

    from console.store.shiftlog import ShiftLog
    from widgets.app.console_app import ConsoleApp
    from widgets.common.i18n import set_language
    from widgets.common.style import apply_theme

    apply_theme(QApplication.instance(), "dark")
    set_language("zh")
    app = ConsoleApp(None, replay_log=ShiftLog(recorded_shift.path, readonly=True), sound=False)
    window = app.show()
    qtbot.addWidget(window)
    yield app
    window.close()
    app.stop()


class BackendProcess:
    """``python main.py serve --demo`` (its own process, like a deployed backend) on a fixed port and database, killable and restartable."""

    def __init__(self, db_path: Path, env: dict[str, str] | None = None):
        self.db = f"sqlite:///{db_path}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen | None = None

    def start(self) -> BackendProcess:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "main.py"),
                "serve",
                "--demo",
                "--db",
                self.db,
                "--port",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=self.env,
        )
        wait_until(self._ready, 60)
        return self

    def _ready(self) -> bool:
        try:
            return requests.get(self.url + "/readyz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def backend_proc(tmp_path):
    """A backend process a test can kill and restart (same port, same database)."""
    b = BackendProcess(tmp_path / "backend.db").start()
    yield b
    b.kill()


@dataclass
class RecordedShift:
    """A shift log recorded from the real backend and simulator by a real Session, with the
    digest the live fold held at the end, a few operator actions and two bookmarks."""

    path: Path
    live_digest: str
    actions: int
    bookmarks: list[str]


@pytest.fixture(scope="session")
def recorded_shift(tmp_path_factory) -> RecordedShift:
    """~24 district minutes at 60x (fleet of 40 at a fix every 5 s, the simulator's case load),
    checkpointed every 1500 items like a console; recorded once per test session."""
    import threading

    from console.replay.fold import LiveFold
    from console.session import Session
    from console.sim.district import run_headless

    tmp = tmp_path_factory.mktemp("recorded")
    b = start_backend(fresh_db_url("sqlite", tmp), speed=60.0, tick_seconds=0.5)
    path = tmp / "shift.zhcg"
    fold = LiveFold(checkpoint_every=1500)
    state, lock = fold.state, fold.lock
    session = Session(b.url, "demo-console", "demo", path, on_batch=fold.on_batch, wait_s=1)
    fold.attach(session.shiftlog)
    session.start()
    sim = threading.Thread(
        target=run_headless, args=(b.url, b.settings.clock, 0.4, None), daemon=True
    )
    sim.start()
    acted: set[str] = set()
    labels = ["开始巡查", "暴雨预警，注意积水点"]
    marks: list[str] = []
    while sim.is_alive():
        time.sleep(1.0)
        with lock:
            fresh = [c for c in state.cases.values() if c["state"] == "reported"]
            ts, seq = state.ts, state.log_seq
        for case in fresh[: max(0, 3 - len(acted))]:
            if case["id"] not in acted:
                session.act(case, "accept")
                acted.add(case["id"])
        if labels and len(acted) >= 1 + len(marks) and ts:
            session.shiftlog.add_bookmark(seq, ts, labels[0])
            marks.append(labels.pop(0))
    sim.join()
    wait_until(lambda: session.outbox.pending() == 0, 30)
    time.sleep(2.0)  # the last fixes and the actions' own changes come through the feed
    session.stop()
    session.live.join(30)
    fold.close()
    b.stop()
    with lock:
        digest = state.digest()
    return RecordedShift(path, digest, len(acted), marks)


# ---- recorded change pages: widgets tested on their own, no backend ------------------------

PAGES_FILE = ROOT / "tests" / "fixtures" / "change_pages.json.gz"


@pytest.fixture(scope="session")
def change_pages() -> dict:
    """Real pages recorded from the backend and simulator (``tests/fixtures/make_pages.py``):
    ``snapshot``, ``reference``, ``pages`` (lists of changes, in arrival order), ``digest``."""
    import gzip
    import json

    return json.loads(gzip.decompress(PAGES_FILE.read_bytes()))


@pytest.fixture(scope="session")
def pages_log(change_pages, tmp_path_factory):
    """A shift log written from the recorded pages as the LiveSource writes one (the bootstrap,
    then each page in one transaction), with two bookmarks; read-only for tests."""
    from console.store.shiftlog import ShiftLog

    log_ = ShiftLog(tmp_path_factory.mktemp("pages") / "pages.zhcg", user="demo-console")
    log_.add_bootstrap(change_pages["snapshot"], change_pages["reference"], after_seq=0, fresh=True)
    for page in change_pages["pages"]:
        arrived = datetime.fromisoformat(page[-1]["ts"]).timestamp()
        log_.append(page, arrived_at=arrived)
    changes = [ch for page in change_pages["pages"] for ch in page]
    for ch, label in ((changes[len(changes) // 3], "开始巡查"), (changes[-5], "暴雨预警")):
        log_.add_bookmark(ch["seq"], ch["ts"], label)
    yield log_
    log_.close()


@pytest.fixture
def city_state(pages_log):
    """The CityState those pages fold to, by the console's own fold (``console.replay.fold``,
    what a replay and a rewind show); a fresh object per test."""
    from console.replay.fold import fold_log

    return fold_log(pages_log, use_checkpoints=False)


# ---- no test may leave threads or Qt timers running -----------------------------------------

LEAK_GRACE_S = 3.0
T = TypeVar("T")


def _backend_running(before: set[threading.Thread]) -> bool:
    return any(t.name == "backend" and t.is_alive() for t in before)


def _excused(t: threading.Thread, before: set[threading.Thread]) -> bool:
    """Threads a long-lived fixture grows on demand while a test uses it: a module- or
    session-scoped backend (uvicorn in a thread, started before the test) runs its sync
    endpoints in AnyIO's worker pool, whose threads stay for 10 s after their last job, and
    hashes passwords in its login pool (``hash_*``, started on the first login, ended when
    the backend stops) and stores JT/T 808 fixes in its gateway's writer (``jt808-ingest*``,
    started on the first terminal message, ended with the gateway). Only excused while such a
    backend, older than the test, is running."""
    grown = t.name == "AnyIO worker thread" or t.name.startswith(("hash_", "jt808-ingest"))
    return grown and _backend_running(before)


def _still_there(find: Callable[[], list[T]], grace_s: float) -> list[T]:
    """What ``find()`` still returns after up to ``grace_s`` of letting things stop (Qt's
    deferred deletes processed between looks)."""
    deadline = time.monotonic() + grace_s
    while True:
        _process_qt_events()
        found = find()
        if not found or time.monotonic() >= deadline:
            return found
        time.sleep(0.05)


def leaked_threads(
    before: set[threading.Thread], grace_s: float = LEAK_GRACE_S
) -> list[threading.Thread]:
    """Threads alive now that were not in ``before`` (and are not excused), after giving
    threads that are stopping up to ``grace_s`` to end."""
    return _still_there(
        lambda: [
            t
            for t in threading.enumerate()
            if t not in before and t.is_alive() and not _excused(t, before)
        ],
        grace_s,
    )


def _process_qt_events() -> None:
    """Let deleteLater() happen (pytest-qt closes and deleteLater()s the widgets a test
    registered with qtbot), so a deleted widget's timers are gone before they are counted."""
    from PySide6.QtCore import QCoreApplication, QEvent

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        QCoreApplication.processEvents()


def active_timers() -> dict[int, str]:
    """Every active QTimer reachable from the application object and the top-level widgets,
    by C++ address, each with a description (interval, owner chain)."""
    import shiboken6
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtWidgets import QApplication

    app = QCoreApplication.instance()
    if app is None:
        return {}
    roots = [app] + (list(QApplication.topLevelWidgets()) if isinstance(app, QApplication) else [])
    out: dict[int, str] = {}
    for root in roots:
        if not shiboken6.isValid(root):
            continue
        timers = root.findChildren(QTimer)
        if isinstance(root, QTimer):
            timers.append(root)
        for tm in timers:
            if not tm.isActive():
                continue
            chain, p = [], tm.parent()
            while p is not None and len(chain) < 6:
                chain.append(
                    f"{type(p).__name__}{'(' + p.objectName() + ')' if p.objectName() else ''}"
                )
                p = p.parent()
            out[shiboken6.getCppPointer(tm)[0]] = (
                f"QTimer(interval={tm.interval()} ms{', single shot' if tm.isSingleShot() else ''})"
                f" in {' < '.join(chain) or 'no parent'}"
            )
    return out


def leaked_timers(before: dict[int, str], grace_s: float = LEAK_GRACE_S) -> list[str]:
    """Active timers now that were not active before, after processing deferred deletes."""
    return _still_there(
        lambda: [desc for addr, desc in active_timers().items() if addr not in before], grace_s
    )


@pytest.fixture(autouse=True)
def _no_leaks(request):
    """Fail a test that leaves a thread or an active Qt timer behind it (its fixtures'
    teardowns included: this fixture is set up first and torn down last of the function
    scope; threads of module/session fixtures already exist when it starts)."""
    threads_before = set(threading.enumerate())
    timers_before = active_timers() if "PySide6.QtCore" in sys.modules else {}
    yield
    problems = []
    threads = leaked_threads(threads_before)
    if threads:
        problems.append(
            "threads left running: "
            + ", ".join(f"{t.name} ({'daemon' if t.daemon else 'non-daemon'})" for t in threads)
        )
    if "PySide6.QtCore" in sys.modules:
        timers = leaked_timers(timers_before)
        if timers:
            problems.append("Qt timers left active: " + "; ".join(timers))
    if problems:
        pytest.fail(f"{request.node.nodeid} leaked: " + " | ".join(problems), pytrace=False)
