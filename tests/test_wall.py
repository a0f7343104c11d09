"""The video wall: every scene renders from a folded CityState, the playlist rotates and
resumes after a throw, a throw from one console's action reaches a wall window through the
real backend over HTTP, and a wall follows its backend through a restart. Qt offscreen; the
timers are driven by hand (no timings)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from conftest import TEST_START, Api, start_backend

from console import CommandError
from console import wall_figures as wf
from widgets.app.wall_app import MARKER_SHARES, wall_context
from widgets.common.workers import Workers
from widgets.wall.playlist import Entry, Playlist, load_playlist
from widgets.wall.scale import WallScale
from widgets.wall.scenes import SCENES
from widgets.wall.window import WallWindow

pytestmark = pytest.mark.ui

PLAYABLE = set(SCENES) - {"focus"}


@pytest.fixture(scope="module")
def wall_backend(tmp_path_factory):
    b = start_backend(f"sqlite:///{tmp_path_factory.mktemp('wall') / 'backend.db'}")
    yield b
    b.stop()


def make_wall(qtbot, state, entries, fetch=None, height=1080):
    workers = Workers()
    now = datetime.fromisoformat(state.ts).timestamp()
    ctx = wall_context(state, lambda: now, workers, fetch, height)
    w = WallWindow(ctx, Playlist(tuple(Entry(n, s) for n, s in entries)))
    qtbot.addWidget(w)
    w.resize(height * 16 // 9, height)
    w.show()
    return w, workers


def test_every_scene_renders_from_a_city_state(qtbot, ui, city_state):
    w, workers = make_wall(qtbot, city_state, [(n, 10) for n in sorted(PLAYABLE)])
    try:
        now = w.ctx.now()
        for name in SCENES:
            w.show_scene(name)
            image = w.grab().toImage()
            assert not image.isNull() and image.height() == 1080, name
        c = wf.counters(city_state, now)
        over = w.scenes["overview"]
        assert over.figures["reported"].text() == str(c.reported) and c.reported > 0
        assert over.figures["working"].text() == str(c.working)
        f = wf.flow(city_state, now)
        assert [cell[1].text() for cell in w.scenes["flow"].cells] == [
            str(f.passed[s]) for s in wf.FLOW_STAGES
        ]
        # Beside each stage's bar, its most pressing open cases (a band per stage).
        assert len(w.scenes["flow"].waits.items) == len(wf.FLOW_STAGES) - 1
        # Every open case waits at exactly one stage, or is parked.
        open_ = [d for d in city_state.cases.values() if d["state"] not in ("closed", "void")]
        assert sum(f.waiting.values()) + f.parked == len(open_)
        assert w.scenes["ranking"].tables["department"].empty_text.startswith("回放中")
        assert "上周同日" in w.scenes["trends"].legend.text()
        # The maps' symbols, names and scale bar grow with the wall (a desk's map keeps its).
        m = over.map
        assert m.label_px == WallScale(1080).small == m.scalebar.text_px
        assert m.vehicles.opts["size"] == WallScale(1080).px(MARKER_SHARES["vehicles"])
        # A 4K wall's body text is at least 40 px (readable at 5 m: widgets/wall/scale.py).
        assert WallScale(2160).body >= 40 and WallScale(2160).small >= 40
    finally:
        w.stop()
        workers.shutdown()


def test_longest_waiting_lists_the_most_overdue_cases_of_each_stage():
    """Hand-built cases on the calendar clock (minutes are wall minutes) at 12:00: per stage
    the most overdue first, then the least time left, at most ``per_stage``; a case with no
    running clock comes after them with the time it entered its state; parked and closed
    cases wait nowhere."""
    from console.domain.calendar import WorkCalendar
    from console.domain.case import Case
    from console.domain.limits import TimeLimits
    from console.state import CityState

    now = TEST_START + timedelta(hours=3)

    def doc(cid: str, state: str, ago: float | None, limit: float | None = 60.0) -> dict:
        stage = {"dispatched": "dispose", "registered": "dispatch"}.get(state)
        started = None if ago is None else now - timedelta(minutes=ago)
        c = Case(
            id=cid,
            source="supervisor",
            category_code="06010",
            grid_code="330102001001001",
            lon=120.17,
            lat=30.25,
            created_at=TEST_START,
            state=state,
            stage=stage,
            stage_started_at=started if stage else None,
            stage_limit_minutes=limit if stage else None,
            stage_clock="calendar",
            events=[{"at": (now - timedelta(minutes=ago or 0)).isoformat(), "to_state": state}],
        )
        return c.to_dict(now, WorkCalendar.default(), TimeLimits.default())

    state = CityState()
    docs = [
        doc("D-late40", "dispatched", 100),
        doc("D-left50", "dispatched", 10),  # the fourth of its stage: not shown
        doc("D-late120", "dispatched", 180),
        doc("D-left30", "dispatched", 30),
        doc("R-late10", "registered", 20, limit=10),
        doc("H-noclock", "handled", 45),
        doc("P-parked", "parked", 500),
        doc("C-closed", "closed", 500),
    ]
    state.apply(
        [
            {"seq": i + 1, "ts": now.isoformat(), "kind": "case", "case": d}
            for i, d in enumerate(docs)
        ]
    )
    out = wf.longest_waiting(state, now.timestamp(), per_stage=3)
    assert list(out) == list(wf.FLOW_STAGES[:-1])
    assert [w.case_id for w in out["dispatched"]] == ["D-late120", "D-late40", "D-left30"]
    # Red starts a second past the limit, so "overdue by" is that second short of round.
    assert [w.minutes_left for w in out["dispatched"]] == pytest.approx(
        [-120 + 1 / 60, -40 + 1 / 60, 30 + 1 / 60]
    )
    assert [(w.case_id, round(w.minutes_left or 0)) for w in out["registered"]] == [
        ("R-late10", -10)
    ]
    (h,) = out["handled"]
    assert h.case_id == "H-noclock" and h.minutes_left is None
    assert h.since == (now - timedelta(minutes=45)).timestamp()
    assert h.category_code == "06010" and h.grid_code == "330102001001001"
    assert out["reported"] == [] and out["checking"] == []


def test_the_hotspots_heat_follows_new_cases(qtbot, ui, change_pages):
    from console.state import CityState, Diff

    state = CityState()
    state.bootstrap(change_pages["snapshot"], change_pages["reference"])
    w, workers = make_wall(qtbot, state, [("hotspots", 10)])
    try:
        hot = w.scenes["hotspots"].map
        assert not hot.cases_event.isVisible()  # the markers are off: the heat is the subject
        before = 0.0 if hot.heat.image is None else float(hot.heat.image.sum())
        diff = Diff()
        for page in change_pages["pages"]:
            diff.merge(state.apply(page))
        assert diff.cases
        w.on_diff(diff)
        hot._redraw()
        assert hot.heat.image is not None and float(hot.heat.image.sum()) > before
    finally:
        w.stop()
        workers.shutdown()


def test_ranking_board_orders_by_score_with_grades(qtbot, ui, city_state):
    answers = {
        "department": {
            "rows": [
                {"key": "a", "name": "环卫", "score": 71.0, "grade": "C", "indicators": {}},
                {
                    "key": "b",
                    "name": "市政",
                    "score": 93.5,
                    "grade": "A",
                    "indicators": {
                        "disposal_rate": {"numerator": 9, "denominator": 10, "value": 0.9}
                    },
                },
                {"key": "c", "name": "园林", "score": None, "grade": None, "indicators": {}},
            ],
            "definitions": {"disposal_rate": {"zh": "处置率"}},
        },
        "street": {
            "rows": [
                {
                    "key": "330102001",
                    "name": "湖滨",
                    "score": 88.0,
                    "grade": "B",
                    # a count first, as the backend may send it: the row shows its closure
                    "indicators": {
                        "registered_count": {"numerator": 92, "denominator": 0, "value": 92.0},
                        "closure_rate": {"numerator": 8, "denominator": 10, "value": 0.8},
                        "on_time_closure_rate": {"numerator": 7, "denominator": 8, "value": 0.875},
                    },
                }
            ],
            "definitions": {
                "registered_count": {"zh": "立案数", "unit": "count"},
                "closure_rate": {"zh": "结案率", "unit": "rate"},
                "on_time_closure_rate": {"zh": "按期结案率", "unit": "rate"},
            },
        },
    }
    asked = []

    def fetch(path, **params):
        asked.append((path, params["by"]))
        return answers[params["by"]]

    w, workers = make_wall(qtbot, city_state, [("ranking", 10)], fetch=fetch)
    try:
        table = w.scenes["ranking"].tables["department"]
        qtbot.waitUntil(lambda: len(table.items) == 3, timeout=10_000)
        assert [r.name for r in table.items] == ["市政", "环卫", "园林"]
        assert table.items[0].grade == "A" and table.items[0].detail == "处置率 90%"
        assert sorted(asked) == [("/api/v1/kpis", "department"), ("/api/v1/kpis", "street")]
        streets = w.scenes["ranking"].tables["street"]
        qtbot.waitUntil(lambda: len(streets.items) == 1, timeout=10_000)
        assert streets.items[0].detail == "结案率 80%  按期结案率 88%"
        w.refresh()  # within KPI_REFRESH_S: shown again from the answers, not asked again
        assert len(asked) == 2
        w.scenes["ranking"].ask_now()  # a screenshot asks at once
        qtbot.waitUntil(lambda: len(asked) == 4, timeout=10_000)  # asked on the workers
    finally:
        w.stop()
        workers.shutdown()


def test_playlist_rotates_and_resumes_after_a_throw(qtbot, ui, city_state):
    w, workers = make_wall(qtbot, city_state, [("overview", 30), ("flow", 20), ("trends", 15)])
    try:
        seen = [w.current().name]
        assert w._rotate.isActive() and w._rotate.interval() == 30_000
        for _ in range(3):
            w._rotate.timeout.emit()
            seen.append(w.current().name)
        assert seen == ["overview", "flow", "trends", "overview"]
        assert w._rotate.interval() == 30_000
        case_id = next(iter(city_state.cases))
        w.focus("case", case_id, 45)
        assert w.current().name == "focus" and w._rotate.interval() == 45_000
        assert case_id in w.scenes["focus"].card.text()
        w._rotate.timeout.emit()
        assert w.current().name == "overview"  # the scene the throw interrupted, again
        w._rotate.timeout.emit()
        assert w.current().name == "flow"
    finally:
        w.stop()
        workers.shutdown()


def test_a_pinned_screen_stays(qtbot, ui, city_state):
    w, workers = make_wall(qtbot, city_state, [("ranking", 3600)])
    try:
        assert w.current().name == "ranking" and not w._rotate.isActive()
    finally:
        w.stop()
        workers.shutdown()


def test_playlist_file(tmp_path):
    shipped = load_playlist(3, PLAYABLE)
    assert len(shipped.entries) >= 5 and shipped.entries[0].scene == "overview"
    p = tmp_path / "wall_playlist.json"
    p.write_text(
        json.dumps(
            {
                "screens": {
                    "*": {"scenes": [{"scene": "flow", "seconds": 12}]},
                    "1": {"pinned": "ranking"},
                }
            }
        )
    )
    assert load_playlist(0, PLAYABLE, p).entries == (Entry("flow", 12),)
    assert load_playlist(1, PLAYABLE, p).pinned
    p.write_text(json.dumps({"screens": {"*": {"scenes": [{"scene": "nope", "seconds": 12}]}}}))
    with pytest.raises(CommandError, match="unknown scene 'nope'"):
        load_playlist(0, PLAYABLE, p)
    p.write_text(json.dumps({"screens": {"*": {"scenes": [{"scene": "flow", "seconds": 1}]}}}))
    with pytest.raises(CommandError, match="lasts 1.0 s"):
        load_playlist(0, PLAYABLE, p)
    p.write_text("{")
    with pytest.raises(CommandError, match="not a wall playlist"):
        load_playlist(0, PLAYABLE, p)


def test_throw_endpoint_roles_and_bad_input(wall_backend):
    case = Api(wall_backend.url, "demo-supervisor").report()
    desk = Api(wall_backend.url, "demo-operator")
    ok = desk.post("/api/v1/wall/focus", json={"subject_type": "case", "subject_id": case["id"]})
    assert ok.status_code == 200, ok.text
    assert ok.json()["wall_focus"]["seconds"] == 60
    changes = desk.get("/api/v1/changes", params={"since": ok.json()["seq"] - 1}).json()
    assert changes["changes"][0]["kind"] == "wall_focus"
    assert changes["changes"][0]["wall_focus"]["subject_id"] == case["id"]
    for who in ("demo-wall", "demo-supervisor"):
        r = Api(wall_backend.url, who).post(
            "/api/v1/wall/focus", json={"subject_type": "case", "subject_id": case["id"]}
        )
        assert r.status_code == 403, who
    for body in (
        {"subject_type": "case", "subject_id": "no-such-case"},
        {"subject_type": "planet", "subject_id": case["id"]},
        {"subject_type": "case", "subject_id": case["id"], "seconds": 0},
        {"subject_type": "case"},
    ):
        assert desk.post("/api/v1/wall/focus", json=body).status_code == 400, body


def test_a_shift_log_plays_on_the_wall(qtbot, ui, pages_log):
    from console.store.shiftlog import ShiftLog
    from widgets.app.console_app import ConsoleApp
    from widgets.app.wall_app import Wall

    console = ConsoleApp(None, replay_log=ShiftLog(pages_log.path, readonly=True), sound=False)
    wall = Wall(console, None, [0], [(1280, 720)])
    window = wall.windows[0]
    qtbot.addWidget(window)
    window.show()
    try:
        controller = console.replay
        start, end = controller.span()
        controller.seek(end)
        window.show_scene("overview")
        c = wf.counters(console.state, end)
        assert c.reported > 0
        assert window.scenes["overview"].figures["reported"].text() == str(c.reported)
        assert window.scenes["overview"].clock.text().startswith("回放")
        controller.seek(start)
        window.refresh()
        assert window.scenes["overview"].figures["reported"].text() == str(
            wf.counters(console.state, start).reported
        )
    finally:
        wall.stop()


def _wall_on(qtbot, url, tmp_path):
    from console.session import Session
    from widgets.app.console_app import ConsoleApp
    from widgets.app.wall_app import Wall

    session = Session(url, "demo-wall", "demo", tmp_path / "wall.zhcg", wait_s=1)
    console = ConsoleApp(session, sound=False)
    wall = Wall(console, session.fetch, [0], [(1280, 720)])
    for w in wall.windows:
        qtbot.addWidget(w)
        w.show()
    session.start()
    return wall


def test_a_throw_from_a_console_shows_on_a_wall(qtbot, wall_backend, console_factory, tmp_path):
    desk = console_factory(wall_backend.url)
    wall = _wall_on(qtbot, wall_backend.url, tmp_path)
    try:
        case = Api(wall_backend.url, "demo-supervisor").report(lon=120.18, lat=30.26)
        qtbot.waitUntil(lambda: case["id"] in desk.state.cases, timeout=10_000)
        qtbot.waitUntil(lambda: case["id"] in wall.console.state.cases, timeout=10_000)
        desk.window.select_case(case["id"])
        assert desk.window.wall_throw.case.isEnabled()
        desk.window.wall_throw.case.trigger()
        window = wall.windows[0]
        qtbot.waitUntil(lambda: window.current().name == "focus", timeout=10_000)
        assert window.scenes["focus"].subject == ("case", case["id"])
        assert case["id"] in window.scenes["focus"].card.text()
    finally:
        wall.stop()


def test_the_wall_survives_a_backend_restart(qtbot, ui, backend_proc, tmp_path):
    wall = _wall_on(qtbot, backend_proc.url, tmp_path)
    try:
        state = wall.console.state
        qtbot.waitUntil(lambda: bool(state.reference), timeout=20_000)
        backend_proc.kill()
        backend_proc.start()
        case = Api(backend_proc.url, "demo-supervisor").report(lon=120.17, lat=30.25)
        qtbot.waitUntil(lambda: case["id"] in state.cases, timeout=30_000)
        r = Api(backend_proc.url, "demo-console").post(
            "/api/v1/wall/focus", json={"subject_type": "case", "subject_id": case["id"]}
        )
        assert r.status_code == 200, r.text
        window = wall.windows[0]
        qtbot.waitUntil(lambda: window.current().name == "focus", timeout=20_000)
        window.refresh()  # the overview's figures still compute after the restart
    finally:
        wall.stop()


def test_trends_compare_with_the_backends_same_day_last_week(qtbot, ui, tmp_path):
    """A live wall no longer holds last week's cases (a day's retention): it asks the backend
    for that day's hours, once."""
    from conftest import TEST_START

    from console.domain.china_time import CST
    from console.state import CityState
    from console.sync.client import RestClient

    b = start_backend(f"sqlite:///{tmp_path / 'trend.db'}")
    try:
        sup = Api(b.url, "demo-supervisor")
        for _ in range(3):
            sup.report()
        b.settings.clock.advance(7 * 86400)
        wall = Api(b.url, "demo-wall")
        r = wall.get("/api/v1/cases/hourly", params={"day": "yesterday"})
        assert r.status_code == 400 and "YYYY-MM-DD" in r.json()["error"]["message"]
        assert wall.get("/api/v1/cases/hourly").status_code == 400  # no day
        client = RestClient(b.url, "demo-wall", "demo")
        asked = []

        def fetch(path, **params):
            asked.append(params)
            return client.get(path, params=params)

        state = CityState()
        state.bootstrap(wall.get("/api/v1/snapshot").json())
        w, workers = make_wall(qtbot, state, [("trends", 10)], fetch=fetch)
        try:
            chart = w.scenes["trends"].chart
            qtbot.waitUntil(lambda: chart.last is not None, timeout=10_000)
            want = [0] * 24
            want[TEST_START.astimezone(CST).hour] = 3
            assert chart.last == want
            assert asked == [{"day": TEST_START.astimezone(CST).date().isoformat()}]
            w.refresh()
            assert len(asked) == 1  # that day's hours do not change: asked once
        finally:
            w.stop()
            workers.shutdown()
    finally:
        b.stop()


def test_the_counters_follow_a_new_version_and_let_go_of_evicted_cases(city_state):
    """The stage times are read once per case version (a cache): a case closed after a first
    count counts as closed at the next, and cases the state dropped leave the cache."""
    import copy

    st = city_state
    now = datetime.fromisoformat(st.ts).timestamp()
    before = wf.counters(st, now)
    doc = next(d for d in st.cases.values() if d["state"] not in ("closed", "void"))
    closed = copy.deepcopy(doc)
    closed.update(state="closed", version=doc["version"] + 1)
    closed["events"] = [*doc["events"], {"at": st.ts, "action": "close", "to_state": "closed"}]
    st.apply([{"seq": st.seq + 1, "ts": st.ts, "kind": "case", "case": closed}])
    assert wf.counters(st, now).closed == before.closed + 1
    seq = st.seq + 1
    extra = []
    for i in range(200):  # cases that come and go (the retention lets finished ones go)
        seq += 1
        extra.append({"seq": seq, "ts": st.ts, "kind": "case", "case": {**doc, "id": f"X{i}"}})
    st.apply(extra)
    wf.counters(st, now)
    for i in range(200):
        del st.cases[f"X{i}"]
    wf.counters(st, now)
    assert wf._TIMES[st].keys() <= st.cases.keys()
