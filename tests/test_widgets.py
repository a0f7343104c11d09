"""The console's widgets on their own, against the CityState that real recorded change pages
fold to (``tests/fixtures/change_pages.json.gz``): no backend, no network, no window.

What each test expects is computed from the raw pages (the latest version of each case, its
queue by ``console.domain.queues``, fixes by vehicle), not read back from the widget's own
model, so a widget that drops, duplicates or misplaces something fails.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import datetime

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication

from console.domain.queues import QUEUE_KEYS, queue_of
from console.geo.crs import lonlat_to_mercator
from console.labels import local_time
from console.replay.fold import fold_log
from console.replay.player import LANES
from console.state import CityState
from console.sync.live import Batch
from widgets.common.bridge import StateBridge
from widgets.common.i18n import labels

SHOTS = "/tmp"


# ---- what the pages say, computed without CityState ---------------------------------------
def changes_of(pages: dict) -> list[dict]:
    return [ch for page in pages["pages"] for ch in page]


def latest_cases(pages: dict, upto_ts: str | None = None) -> dict[str, dict]:
    docs = {d["id"]: d for d in pages["snapshot"].get("cases") or []}
    for ch in changes_of(pages):
        if upto_ts is not None and ch["ts"] > upto_ts:
            break
        if ch["kind"] == "case":
            doc = ch["case"]
            if doc["version"] >= docs.get(doc["id"], {}).get("version", -1):
                docs[doc["id"]] = doc
    return docs


def open_cases(pages: dict) -> dict[str, dict]:
    """Cases waiting in some queue (not closed or void) with a place: what the map draws."""
    return {
        cid: d
        for cid, d in latest_cases(pages).items()
        if queue_of(d["state"], d.get("stage")) is not None
        and math.isfinite(d["location"]["lon"])
        and math.isfinite(d["location"]["lat"])
    }


def last_fixes(pages: dict) -> dict[str, tuple[float, float, float]]:
    """Vehicle id → (t, lon, lat) of its newest fix."""
    out: dict[str, tuple[float, float, float]] = {}
    for v in pages["snapshot"].get("vehicles") or []:
        fix = v.get("last_fix")
        if fix and fix.get("lon") is not None:
            out[v["id"]] = (fix["t"], fix["lon"], fix["lat"])
    for ch in changes_of(pages):
        if ch["kind"] != "fixes":
            continue
        for vid, t, lon, lat in zip(ch["vehicle_id"], ch["t"], ch["lon"], ch["lat"], strict=True):
            if vid not in out or t >= out[vid][0]:
                out[vid] = (t, lon, lat)
    return out


def district_now(pages: dict) -> float:
    """The instant the recording ended (the last change's backend time)."""
    return datetime.fromisoformat(changes_of(pages)[-1]["ts"]).timestamp()


def component_codes(pages: dict) -> set[str]:
    return {c["code"] for c in pages["reference"]["categories"] if c.get("kind") == "component"}


def sorted_xy(x, y) -> np.ndarray:
    a = np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])
    return a[np.lexsort((a[:, 1], a[:, 0]))]


# ---- the fixture itself -------------------------------------------------------------------
def test_the_pages_fold_to_what_the_live_console_held(qtbot, change_pages, city_state):
    """Folded from the shift log (replay's fold) and through the live bridge (the console's
    GUI-thread fold), the pages give the digest the recording's live fold held."""
    assert city_state.digest() == change_pages["digest"]
    live = CityState()
    bridge = StateBridge(live)
    try:
        bridge.submit(Batch([], change_pages["snapshot"], change_pages["reference"], 1))
        for page in change_pages["pages"]:
            bridge.submit(Batch(page))
        while bridge.pending():
            bridge.drain()
    finally:
        bridge.stop()
    assert live.digest() == change_pages["digest"]
    # Enough in it for the widget tests to mean something.
    queues = Counter(
        queue_of(d["state"], d.get("stage")) for d in latest_cases(change_pages).values()
    )
    assert len([q for q in queues if q]) >= 4, queues
    assert len(last_fixes(change_pages)) >= 30
    assert any(len(d["events"]) >= 3 for d in latest_cases(change_pages).values())


# ---- map wall -----------------------------------------------------------------------------
@pytest.fixture
def wall(ui, qtbot, city_state, change_pages):
    from widgets.map.wall import MapWall

    now = district_now(change_pages)
    w = MapWall(city_state, lambda: now)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    w.update_all()
    QApplication.processEvents()
    return w


def test_map_wall_layers_and_point_counts(wall, change_pages):
    from widgets.map.wall import DEFAULT_OFF, LAYERS

    items = wall.plot.getPlotItem().items
    for name in LAYERS:
        for item in wall._items[name]:
            assert item in items, name
            # The grid, the 部件 (GRID_MAX_VIEW_M, asset_layer), the people on duty
            # (staff_layer) and the rivers' names show only when zoomed in.
            if name not in ("grid", "assets", "staff") and item not in wall.river.labels:
                assert item.isVisible() == (name not in DEFAULT_OFF), name
    assert not wall.district.path().isEmpty()
    assert len(wall.neighbours.getData()[0]) > 0

    cases = open_cases(change_pages)
    comp = component_codes(change_pages)
    n_comp = sum(d["category_code"] in comp for d in cases.values())
    assert len(wall.cases_component.data) == n_comp
    assert len(wall.cases_event.data) == len(cases) - n_comp
    assert len(cases) >= 20
    # ... and each where its case is.
    lon = [d["location"]["lon"] for d in cases.values()]
    lat = [d["location"]["lat"] for d in cases.values()]
    drawn = (
        np.r_[wall.cases_component.data["x"], wall.cases_event.data["x"]],
        np.r_[wall.cases_component.data["y"], wall.cases_event.data["y"]],
    )
    np.testing.assert_allclose(
        sorted_xy(*drawn), sorted_xy(*lonlat_to_mercator(np.array(lon), np.array(lat)))
    )

    fixes = last_fixes(change_pages)
    assert len(wall.vehicles.data) == len(fixes)
    fx = np.array([(f[1], f[2]) for f in fixes.values()])
    np.testing.assert_allclose(
        sorted_xy(wall.vehicles.data["x"], wall.vehicles.data["y"]),
        sorted_xy(*lonlat_to_mercator(fx[:, 0], fx[:, 1])),
    )
    wall.grab().save(f"{SHOTS}/wt_map_wall.png")


def _isolated(xy: np.ndarray, others: np.ndarray, min_dist: float) -> list[int]:
    """Indexes of points in ``xy`` with nothing of ``others`` (self excluded) within min_dist."""
    out = []
    for i, p in enumerate(xy):
        d = np.hypot(*(others - p).T)
        if np.sort(d)[1] > min_dist:  # [0] is the point itself
            out.append(i)
    return out


def test_map_wall_hover_and_click_pick_the_entity_under_the_mouse(wall, qtbot, change_pages):
    from widgets.map.wall import HIT_PX

    px = wall.view.viewPixelSize()[0]
    cases = open_cases(change_pages)
    ids = list(cases)
    cxy = np.column_stack(
        lonlat_to_mercator(
            np.array([cases[c]["location"]["lon"] for c in ids]),
            np.array([cases[c]["location"]["lat"] for c in ids]),
        )
    )
    fixes = last_fixes(change_pages)
    vids = list(fixes)
    vxy = np.column_stack(
        lonlat_to_mercator(
            np.array([fixes[v][1] for v in vids]), np.array([fixes[v][2] for v in vids])
        )
    )
    everything = np.r_[cxy, vxy]
    lone_cases = [i for i in _isolated(cxy, everything, 3 * HIT_PX * px)]
    lone_vehicles = [i for i in _isolated(vxy, everything, 3 * HIT_PX * px)]
    assert lone_cases and lone_vehicles

    case_id = ids[lone_cases[0]]
    x, y = cxy[lone_cases[0]]
    # Hover a few pixels off the point: the tooltip names that case.
    scene = wall.view.mapViewToScene(QPointF(x + 3 * px, y))
    wall._mouse_moved(scene)
    assert wall.hover.isVisible()
    assert wall.hover.text().startswith(case_id)
    assert labels().name("state", cases[case_id]["state"]) in wall.hover.text()
    # A click there selects it and says so.
    viewport_pos = wall.plot.mapFromScene(scene)
    with qtbot.waitSignal(wall.case_clicked, timeout=2000) as sig:
        qtbot.mouseClick(wall.plot.viewport(), Qt.LeftButton, pos=viewport_pos)
    assert sig.args == [case_id]
    sel = wall.selection.data
    assert len(sel) == 1 and math.isclose(sel["x"][0], x) and math.isclose(sel["y"][0], y)

    vid = vids[lone_vehicles[0]]
    vx, vy = vxy[lone_vehicles[0]]
    assert wall.hit(vx, vy - 2 * px) == ("vehicle", vid)
    wall._mouse_moved(wall.view.mapViewToScene(QPointF(vx, vy)))
    assert wall.hover.text().startswith(wall.state.vehicles[vid]["plate"])
    # Far from everything: nothing is hit, the tooltip goes.
    far = everything.max(axis=0) + 100 * HIT_PX * px
    assert wall.hit(*far) is None
    wall._mouse_moved(wall.view.mapViewToScene(QPointF(*far)))
    assert not wall.hover.isVisible()


def test_map_wall_layer_toggles(wall, change_pages):
    cases = open_cases(change_pages)
    cid, doc = next(iter(cases.items()))
    x, y = lonlat_to_mercator(doc["location"]["lon"], doc["location"]["lat"])
    wall.set_layer_visible("vehicles", False)
    assert wall.hit(float(x), float(y)) == ("case", cid)
    wall.set_layer_visible("cases", False)
    assert not wall.cases_component.isVisible() and not wall.cases_event.isVisible()
    assert wall.hit(float(x), float(y)) is None  # hidden points are not picked
    wall.set_layer_visible("cases", True)
    assert wall.cases_event.isVisible() and wall.hit(float(x), float(y)) == ("case", cid)
    assert not wall.vehicles.isVisible()

    assert not wall.heat.isVisible()  # off by default
    wall.set_layer_visible("heatmap", True)
    assert wall.heat.isVisible()
    img = wall.heat.image
    assert img is not None and img.shape[0] > 10 and np.count_nonzero(img) > 0
    wall.set_layer_visible("heatmap", False)
    assert not wall.heat.isVisible()


# ---- queues -------------------------------------------------------------------------------
@pytest.fixture
def queues(ui, qtbot, city_state, change_pages):
    from widgets.panels.case_table import CaseTableModel
    from widgets.panels.queues import QueuePanel

    now = district_now(change_pages)
    model = CaseTableModel(city_state, lambda: now)
    model.refresh()
    panel = QueuePanel(model, [])
    qtbot.addWidget(panel)
    panel.resize(1400, 700)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def expected_queue_counts(pages: dict, now: float | None = None) -> dict[str, int]:
    docs = latest_cases(pages)
    now = district_now(pages) if now is None else now
    counts = Counter(queue_of(d["state"], d.get("stage")) for d in docs.values())
    out = {k: counts.get(k, 0) for k in QUEUE_KEYS}
    out["all"] = len(docs)
    # 超期: open cases whose deadline (the backend's, for the running stage) has passed.
    out["overdue"] = sum(
        1
        for d in docs.values()
        if queue_of(d["state"], d.get("stage")) is not None
        and d.get("deadline")
        and datetime.fromisoformat(d["deadline"]).timestamp() <= now
    )
    return out


def tab_counts(panel) -> dict[str, int]:
    return {
        key: int(re.search(r"(\d+)$", panel.tabs.tabText(i)).group(1))
        for i, key in enumerate(QUEUE_KEYS)
    }


def test_queue_tabs_count_what_the_pages_hold(queues, change_pages):
    expected = expected_queue_counts(change_pages)
    assert tab_counts(queues) == expected
    lb = labels()
    for i, key in enumerate(QUEUE_KEYS):
        assert queues.tabs.tabText(i).startswith(lb.name("queue", key))
    docs = latest_cases(change_pages)
    for i, key in enumerate(QUEUE_KEYS):
        if key in ("overdue",):
            continue
        queues.tabs.setCurrentIndex(i)
        shown = [queues.model.case_id(r) for r in range(queues.model.rowCount())]
        assert len(shown) == expected[key], key
        if key != "all":
            assert {queue_of(docs[c]["state"], docs[c].get("stage")) for c in shown} <= {key}
    queues.tabs.setCurrentIndex(QUEUE_KEYS.index("dispatch") if expected["dispatch"] else 0)
    queues.grab().save(f"{SHOTS}/wt_queues.png")


def test_overdue_tab_counts_cases_past_their_deadline_later_on(ui, qtbot, city_state, change_pages):
    """Two hours on (nothing new folded), cases still waiting are past their deadlines: the
    超期 tab counts and lists exactly those, by the backend's own deadline for each."""
    from widgets.panels.case_table import CaseTableModel
    from widgets.panels.queues import QueuePanel

    later = district_now(change_pages) + 2 * 3600
    model = CaseTableModel(city_state, lambda: later)
    model.refresh()
    panel = QueuePanel(model, [])
    qtbot.addWidget(panel)
    expected = expected_queue_counts(change_pages, later)
    assert expected["overdue"] > 0
    assert tab_counts(panel) == expected
    panel.tabs.setCurrentIndex(QUEUE_KEYS.index("overdue"))
    assert model.rowCount() == expected["overdue"]
    docs = latest_cases(change_pages)
    for r in range(model.rowCount()):
        doc = docs[model.case_id(r)]
        assert datetime.fromisoformat(doc["deadline"]).timestamp() <= later
        assert model.data(model.index(r, 1)).startswith("-")  # the countdown is negative


def test_queue_search_finds_by_id_address_and_category(queues, qtbot, change_pages):
    docs = latest_cases(change_pages)
    cats = {c["code"]: c for c in change_pages["reference"]["categories"]}
    queues.tabs.setCurrentIndex(QUEUE_KEYS.index("all"))

    def haystack(d: dict) -> str:
        c = cats.get(d["category_code"], {})
        fields = (d["id"], d["category_code"], c.get("name_zh"), c.get("name_en"))
        return " ".join(
            str(x or "")
            for x in fields + (d.get("address"), d.get("description"), d.get("grid_code"))
        ).lower()

    # The most common category's Chinese name, and one case's id.
    code = Counter(d["category_code"] for d in docs.values()).most_common(1)[0][0]
    needles = [cats[code]["name_zh"], sorted(docs)[len(docs) // 2]]
    for needle in needles:
        queues.search.clear()
        if needle.isascii():
            qtbot.keyClicks(queues.search, needle)  # typed, key by key
        else:  # QTest cannot type CJK (no key code): as an input method commits it
            queues.search.setText(needle)
        assert queues.model.search == needle
        want = {cid for cid, d in docs.items() if needle.lower() in haystack(d)}
        shown = {queues.model.case_id(r) for r in range(queues.model.rowCount())}
        assert shown == want and want, needle
    # Selecting a row says which case.
    cid = sorted(want)[0]
    with qtbot.waitSignal(queues.case_selected, timeout=1000) as sig:
        assert queues.select_case(cid)
    assert sig.args == [cid] and queues.current_case() == cid
    queues.search.clear()
    assert queues.model.rowCount() == len(docs)


# ---- case detail --------------------------------------------------------------------------
def test_case_detail_shows_the_chosen_case_and_its_history(ui, qtbot, city_state, change_pages):
    from widgets.common.workers import Workers
    from widgets.panels.case_detail import CaseDetail

    docs = latest_cases(change_pages)
    # The case with the longest history, preferring one the console itself acted on.
    doc = max(docs.values(), key=lambda d: (len(d["events"]), d["id"] in change_pages["accepted"]))
    now = district_now(change_pages)
    workers = Workers()
    detail = CaseDetail(city_state, [], lambda: now, None, workers)
    qtbot.addWidget(detail)
    try:
        detail.resize(600, 900)
        detail.show()
        assert detail.title.text() == "未选择案件"
        detail.show_case(doc["id"])
        lb = labels()
        f = {k: lab.text() for k, lab in detail.fields.items()}
        assert detail.title.text() == doc["id"]
        assert f["state"].startswith(lb.name("state", doc["state"]))
        assert f["source"] == lb.name("source", doc["source"])
        assert f["address"] == (doc["address"] or "—")
        assert f["description"] == (doc["description"] or "—")
        assert f["grid"].startswith(doc["grid_code"] + " / ")
        assert f["grid"].endswith(" / " + doc["community_code"])
        assert f["category"].startswith(doc["category_code"] + " ")
        name = next(
            c["name_zh"]
            for c in change_pages["reference"]["categories"]
            if c["code"] == doc["category_code"]
        )
        assert name in f["category"]
        assert f["reporter"] == (doc["reporter"] or "—")
        assert f["created"] == local_time(doc["created_at"], "%Y-%m-%d %H:%M:%S")
        # History: one row per event, in order, with who did it.
        users = {u["id"]: u["name"] for u in change_pages["reference"]["users"]}
        h = detail.history
        assert h.topLevelItemCount() == len(doc["events"]) >= 2
        for i, ev in enumerate(doc["events"]):
            item = h.topLevelItem(i)
            assert item.text(0) == local_time(ev["at"])
            assert item.text(1) == lb.name("action", ev["action"])
            assert item.text(2).startswith(users.get(ev["user"], ev["user"]))
            assert item.text(4) == ("" if ev["on_time"] is None else "✔" if ev["on_time"] else "✘")
        # The mini-map's marker on the case.
        mx, my = lonlat_to_mercator(doc["location"]["lon"], doc["location"]["lat"])
        m = detail.minimap.marker.data
        assert len(m) == 1 and math.isclose(m["x"][0], mx) and math.isclose(m["y"][0], my)
        detail.grab().save(f"{SHOTS}/wt_case_detail.png")
        # Another case replaces it all; none clears it.
        other = next(d for d in docs.values() if len(d["events"]) != len(doc["events"]))
        detail.show_case(other["id"])
        assert detail.title.text() == other["id"]
        assert h.topLevelItemCount() == len(other["events"])
        detail.show_case(None)
        assert detail.title.text() == "未选择案件" and h.topLevelItemCount() == 0
        assert all(lab.text() == "" for lab in detail.fields.values())
    finally:
        workers.shutdown()


# ---- timeline strip -----------------------------------------------------------------------
@pytest.fixture
def replay(ui, qtbot, pages_log, tmp_path, monkeypatch):
    """A replay console over the shift log written from the pages (no window)."""
    monkeypatch.setenv("CONSOLE_DATA_DIR", str(tmp_path / "data"))
    from widgets.app.console_app import ConsoleApp

    console = ConsoleApp(None, replay_log=pages_log, sound=False)
    yield console
    console.stop()
    console.replay._cache_thread.join(10)


def test_timeline_strip_lanes_bookmarks_and_cursor(replay, qtbot, change_pages, pages_log):
    from widgets.timeline.strip import BINS, Timeline, clock_text

    strip = Timeline(replay.replay)
    qtbot.addWidget(strip)
    strip.resize(1400, 200)
    strip.show()
    qtbot.waitExposed(strip)
    changes = changes_of(change_pages)
    ts = np.array([datetime.fromisoformat(ch["ts"]).timestamp() for ch in changes])
    start, end = replay.replay.span()
    assert math.isclose(start, ts.min()) and math.isclose(end, max(ts.max(), ts.min() + 60))
    # One bar per bin in each lane; a lane is drawn where its changes are and only there.
    lane_of = {"case": 0, "fixes": 1, "vehicle": 1, "alert": 2}
    edges = np.linspace(start, end, BINS + 1)
    for lane in range(len(LANES) - 1):
        t_lane = np.array(
            [t for t, ch in zip(ts, changes, strict=True) if lane_of.get(ch["kind"]) == lane]
        )
        want = np.histogram(t_lane, edges)[0] > 0
        opts = strip.bars[lane].opts
        assert len(opts["x"]) == BINS
        np.testing.assert_array_equal(np.asarray(opts["height"]) > 0, want, err_msg=LANES[lane])
    # Bookmarks: a flag at each, with its note.
    marks = pages_log.bookmarks()
    assert len(strip.marks.data) == len(marks) == 2
    want_t = sorted(datetime.fromisoformat(b["at"]).timestamp() for b in marks)
    np.testing.assert_allclose(sorted(strip.marks.data["x"]), want_t)
    assert sorted(t.toPlainText() for t in strip.mark_texts) == sorted(b["label"] for b in marks)
    # Seeking moves the cursor and the time box, and the state is the pages folded to then.
    t = float(ts[len(ts) // 2]) + 0.5
    replay.replay.seek(t)
    assert math.isclose(strip.cursor_line.value(), t)
    assert strip.time_edit.text() == clock_text(t)
    upto = max(ch["ts"] for ch in changes if datetime.fromisoformat(ch["ts"]).timestamp() <= t)
    assert set(replay.state.cases) == set(latest_cases(change_pages, upto))
    seq = max(ch["seq"] for ch in changes if ch["ts"] <= upto)
    assert replay.state.digest() == fold_log(pages_log, seq, use_checkpoints=False).digest()
    # Typing a time in the box seeks there.
    target = float(ts[len(ts) // 4])
    strip.time_edit.setText(clock_text(target))
    qtbot.keyClick(strip.time_edit, Qt.Key_Return)
    assert abs(replay.replay.t - target) < 1.0
    strip.grab().save(f"{SHOTS}/wt_timeline.png")
