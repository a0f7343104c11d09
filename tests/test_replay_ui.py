"""The replay window and the live console's rewind, driven like an operator would."""

from __future__ import annotations

import logging
import threading

import numpy as np
import pytest
from conftest import Api, start_backend
from PySide6.QtCore import Qt

from console.domain.queues import QUEUE_KEYS
from console.replay.fold import fold_log
from console.sim.district import DistrictSimulator
from console.store.shiftlog import ShiftLog
from widgets.timeline.strip import clock_text

pytestmark = pytest.mark.ui


def test_the_replay_window_shows_the_state_at_the_cursor(qtbot, replay, recorded_shift):
    c, w = replay.replay, replay.window
    start, end = c.span()
    assert not w.act_new_case.isEnabled() and not w.act_bookmark.isEnabled()
    assert w.banner.property("replay") is True
    for frac in (0.8, 0.3):  # forward, then back
        t = start + (end - start) * frac
        c.seek(t)
        log = c.replayer.log
        want = fold_log(log, c.replayer.index.seq_at(t), use_checkpoints=False)
        assert replay.state.digest() == want.digest()
        assert replay.now() == t  # lights, ages and the status clock are of then
        qtbot.waitUntil(lambda want=want: w.case_model.rowCount() == len(want.cases))  # 全部
        assert w.queues.tabs.tabText(len(QUEUE_KEYS) - 1).endswith(str(len(want.cases)))
        assert abs(w.timeline.cursor_line.value() - t) < 1e-6
    assert w.banner.text().endswith(clock_text(c.t))  # what is shown, and when
    assert w.vehicles.track_action.isEnabled()  # a track, from the log
    w.vehicles.table.selectRow(0)
    w.vehicles.load_track()

    def track_points() -> int:
        x = w.map.track.getData()[0]
        return 0 if x is None else len(x)

    qtbot.waitUntil(lambda: track_points() > 10, timeout=20000)
    marks = [b["label"] for b in c.replayer.index.bookmarks]
    assert marks == recorded_shift.bookmarks
    assert len(w.timeline.marks.data) == len(marks)


def test_keys_step_play_and_loop(qtbot, replay):
    c, w = replay.replay, replay.window
    start, end = c.span()
    c.seek(start)
    qtbot.keyClick(w, Qt.Key_Right)
    ev = c.replayer.index.event_times()
    first = float(ev[np.searchsorted(ev, start + 0.5, side="right")])
    assert c.t == first
    qtbot.keyClick(w, Qt.Key_Right)
    assert c.t > first
    qtbot.keyClick(w, Qt.Key_Left)
    assert c.t == first
    qtbot.keyClick(w, Qt.Key_End)
    assert c.t == end
    qtbot.keyClick(w, Qt.Key_Home)
    assert c.t == start
    w.timeline.speed.setCurrentIndex(w.timeline.speed.findData(64.0))
    qtbot.keyClick(w, Qt.Key_Space)
    assert c.playing
    qtbot.wait(1000)
    qtbot.keyClick(w, Qt.Key_Space)
    assert not c.playing
    assert 30 < c.t - start < 64 * 3  # ~64 district seconds per wall second
    assert replay.state.digest() == fold_log(c.replayer.log, c.replayer.seq).digest()
    a = start + (end - start) / 2
    w.timeline.loop.setChecked(True)
    w.timeline.loop_region.setRegion((a, a + 20))
    w.timeline.loop_region.sigRegionChangeFinished.emit(w.timeline.loop_region)
    c.seek(a)
    c.play()
    qtbot.wait(1200)  # 64x: the 20 s range comes round several times
    c.pause()
    assert c.replayer.seeks >= 3 and a <= c.t <= a + 20 + 64 * 0.2
    w.timeline.time_edit.setText("not a time")
    w.timeline._typed()
    assert "ff4d4f" in w.timeline.time_edit.styleSheet()  # said, not crashed
    from datetime import datetime

    from console.replay.timeparse import CST

    w.timeline.time_edit.setText(datetime.fromtimestamp(a + 60, CST).strftime("%H:%M:%S"))
    w.timeline._typed()
    assert abs(c.t - (a + 60)) < 1.0


def test_report_and_export_from_the_menu_cover_the_loop_range(qtbot, replay, tmp_path):
    """文件 → 交接班报告 / 导出时间段 in a replay: the loop range when set, in workers."""
    c, w = replay.replay, replay.window
    start, end = c.span()
    a, b = start + (end - start) * 0.25, start + (end - start) * 0.75
    w.timeline.loop.setChecked(True)
    w.timeline.loop_region.setRegion((a, b))
    w.timeline.loop_region.sigRegionChangeFinished.emit(w.timeline.loop_region)
    report, excerpt = tmp_path / "out" / "handover.html", tmp_path / "out" / "excerpt.zhcg"
    w.handover_report(str(report))
    qtbot.waitUntil(lambda: "交接班报告已保存" in w.status.notice.text(), timeout=30000)
    html = report.read_text(encoding="utf-8")
    assert "交接班报告" in html and html.count("data:image/png;base64,") == 3
    w.export_range(str(excerpt))
    qtbot.waitUntil(lambda: "已导出" in w.status.notice.text(), timeout=30000)
    out = ShiftLog(excerpt, readonly=True)
    idx = c.replayer.index
    seqs = out.seqs()
    assert seqs and idx.seq_at(a) < seqs[-1] <= idx.seq_at(b)
    assert fold_log(out).digest() == fold_log(c.replayer.log, seqs[-1]).digest()
    w.export_range(str(excerpt))  # never overwrites: said in the status bar
    qtbot.waitUntil(lambda: "导出失败" in w.status.notice.text(), timeout=30000)


def test_a_track_that_fails_to_load_is_said_in_the_status_bar_and_logged(
    qtbot, replay, monkeypatch, caplog
):
    """The vehicle panel handles only success: its failure takes Workers' default path."""
    c, w = replay.replay, replay.window
    start, end = c.span()
    c.seek((start + end) / 2)
    qtbot.waitUntil(lambda: w.vehicles.model.rowCount() > 0)

    def unreadable(*_args):
        raise OSError("database disk image is malformed")

    monkeypatch.setattr(replay.replay.replayer, "track", unreadable)
    w.vehicles.table.selectRow(0)
    assert w.vehicles.current_vehicle() is not None
    with caplog.at_level(logging.ERROR, logger="widgets.common.workers"):
        w.vehicles.load_track()
        qtbot.waitUntil(lambda: "加载车辆轨迹失败" in w.status.notice.text(), timeout=10000)
    assert "malformed" in w.status.notice.text()
    assert "#ff4d4f" in w.status.notice.styleSheet()  # an error's colour
    assert any(r.exc_info and "unreadable" in caplog.text for r in caplog.records)


def test_the_file_menu_actions_ask_for_a_label_or_path(replay, monkeypatch):
    """triggered(bool) must not reach the slots as their label/path (it did: label=False)."""
    w = replay.window
    calls = []
    for name in ("add_bookmark", "report", "export"):
        monkeypatch.setattr(w.shift_tools, name, lambda arg, name=name: calls.append((name, arg)))
    for action in (w.act_bookmark, w.act_report, w.act_export):
        action.setEnabled(True)
        action.trigger()
    assert calls == [("add_bookmark", None), ("report", None), ("export", None)]


@pytest.fixture
def living(tmp_path):
    b = start_backend(f"sqlite:///{tmp_path / 'live.db'}", speed=60.0, tick_seconds=0.5)
    sim = DistrictSimulator(b.url, b.settings.clock)
    runner = threading.Thread(target=sim.run, kwargs={"hours": 0.5}, daemon=True)
    runner.start()
    yield b
    # The simulator stops before its backend (it went on posting into a closed port for the
    # rest of its half hour, and its threads outlived the test).
    sim.stop()
    runner.join(10)
    b.stop()


def test_live_rewind_keeps_recording_badges_alerts_and_comes_back(qtbot, living, console_factory):
    app = console_factory(living.url)
    c, w = app.replay, app.window
    qtbot.waitUntil(lambda: len(app.state.cases) > 5 and app.state.log_seq > 100, timeout=60000)
    assert not c.rewound and w.timeline.btn_live.isHidden()
    w.add_bookmark("交通管制开始")
    qtbot.waitUntil(lambda: len(app.session.shiftlog.bookmarks()) == 1)
    qtbot.waitUntil(lambda: len(c.replayer.index.bookmarks) == 1)
    c.refresh_index()
    back_to = c.replayer.index.end - 120
    c.seek(back_to)
    assert c.rewound and not w.timeline.btn_live.isHidden()
    qtbot.waitUntil(w.banner.isVisible)  # the toolbar shows it on its next layout
    assert w.banner.text().startswith("回看")
    seq_then = c.replayer.index.seq_at(back_to)
    assert app.state.digest() == fold_log(app.session.shiftlog, seq_then).digest()
    shown = app.state.log_seq
    # Meanwhile the live state goes on (recording too), and a new alert shows on the badge.
    gw, wall = Api(living.url, "demo-gateway"), Api(living.url, "demo-wall")
    sensor = next(
        x for x in wall.get("/api/v1/reference").json()["sensors"] if x["kind"] == "manhole_tilt"
    )
    t = living.settings.clock.epoch()
    gw.post(
        "/api/v1/telemetry", json={"readings": [{"sensor_id": sensor["id"], "t": t, "value": 55.0}]}
    )
    qtbot.waitUntil(lambda: c.new_alerts >= 1, timeout=20000)
    assert w.timeline.badge.isVisible() and "新告警" in w.timeline.badge.text()
    assert app.state.log_seq == shown  # the window still shows the past
    live_seq = c.live_seq()
    assert live_seq > shown and app.session.shiftlog.last_seq() >= live_seq
    w.timeline.btn_live.click()
    assert not c.rewound and app.view_time is None and app.state.log_seq >= live_seq
    assert app.bridge.state is app.state
    assert not w.timeline.badge.isVisible()
    qtbot.waitUntil(lambda: not w.banner.isVisible())
    qtbot.waitUntil(lambda: app.state.log_seq > live_seq, timeout=20000)  # live again


def test_replay_refuses_what_it_cannot_show(qapp, tmp_path, capsys, recorded_shift, monkeypatch):
    """A missing file, a text file, a log with no changes, an unreadable --at: a message and
    exit status 2, never a traceback or a window on nothing."""
    import main

    monkeypatch.setenv("CONSOLE_DATA_DIR", str(tmp_path / "data"))
    text = tmp_path / "notes.zhcg"
    text.write_text("not a database\n" * 100)
    empty = tmp_path / "empty.zhcg"
    ShiftLog(empty, user="x").close()
    cases = {
        "missing": ([str(tmp_path / "nope.zhcg")], "start", "no such shift log"),
        "text": ([str(text)], "start", "not a shift log"),
        "empty": ([str(empty)], "start", "holds no changes"),
        "at": ([str(recorded_shift.path)], "half past nine", "--at"),
    }
    for files, at, said in cases.values():
        argv = ["replay", *files, "--at", at, "--screenshot", str(tmp_path / "x.png")]
        assert main.main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("main.py replay: ") and err.count("main.py") == 1, err
        assert said in err and "Traceback" not in err, err
    assert not (tmp_path / "x.png").exists()
