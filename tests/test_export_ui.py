"""文件 → 导出 driven as an operator would, against the real backend over HTTP (Qt offscreen):
the dialog comes preselected, the file is written by a worker and opens in its real reader,
and the status bar says so (or says why not)."""

from __future__ import annotations

import csv
import json
import math
from datetime import UTC, datetime

import gpxpy
import openpyxl
import pytest
from conftest import Api, fleet_of
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

import main
from console.domain.china_time import CST
from console.exports.periods import shift_start
from console.replay.player import TRACK_SLACK_S
from widgets.panels.case_table import COLUMNS

pytestmark = pytest.mark.ui


def post_track(url: str, n: int = 12) -> tuple[str, list[dict]]:
    """``n`` fixes of the first vehicle over the last few minutes of the backend's clock."""
    gw, lead = Api(url, "demo-gateway"), Api(url, "demo-lead")
    vehicle = fleet_of(lead.get("/api/v1/reference").json())[0]
    now = datetime.fromisoformat(lead.get("/api/v1/clock").json()["server_time"]).timestamp()
    lon, lat = vehicle["route"]["lon"][0], vehicle["route"]["lat"][0]
    fixes = [
        {"vehicle_id": vehicle["id"], "t": now - 600 + 15 * i, "lon": lon + i * 2e-5,
         "lat": lat, "speed_kmh": 12.0, "heading": 90.0, "flags": 1}
        for i in range(n)
    ]  # fmt: skip
    assert gw.post("/api/v1/telemetry", json={"fixes": fixes}).status_code == 200
    return vehicle["id"], fixes


def accept(dlg) -> None:
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_a_vehicle_track_from_the_menu(qtbot, backend, console_factory, tmp_path):
    vid, fixes = post_track(backend.url)
    app = console_factory(backend.url)
    w = app.window
    qtbot.waitUntil(lambda: w.vehicles.model.rowCount() > 0, timeout=10_000)
    w.vehicles.select_vehicle(vid)
    assert w.export_tools.track_action in w.menu_export.actions()
    w.export_tools.track_action.trigger()
    dlg = w.export_tools.dialog
    assert dlg is not None and dlg.isVisible()
    assert dlg.vehicle.currentData() == vid  # the selected vehicle, preselected
    start = dlg.start.dateTime().toString("yyyy-MM-dd HH:mm")
    shift = shift_start(app.now()).astimezone(CST).strftime("%Y-%m-%d %H:%M")
    assert start == shift  # the shift under way
    out = tmp_path / "out" / "track.gpx"
    dlg.path.setText(str(out))
    accept(dlg)
    qtbot.waitUntil(lambda: "车辆轨迹已导出" in w.status.notice.text(), timeout=20_000)
    assert str(out) in w.status.notice.text() and f"{len(fixes)} 个定位点" in w.status.notice.text()
    points = [p for s in gpxpy.parse(out.read_text("utf-8")).tracks[0].segments for p in s.points]
    assert [p.time for p in points] == [datetime.fromtimestamp(f["t"], UTC) for f in fixes]


def test_the_queue_as_shown_to_xlsx_and_csv(qtbot, backend, console_factory, tmp_path):
    sup = Api(backend.url, "demo-supervisor")
    made = [sup.report(lon=120.17 + i * 1e-3, lat=30.25, address=f"清泰街{i}号") for i in range(3)]
    app = console_factory(backend.url)
    w = app.window
    qtbot.waitUntil(
        lambda: all(w.case_model.view_row(c["id"]) is not None for c in made), timeout=10_000
    )
    header = w.queues.table.horizontalHeader()
    header.moveSection(COLUMNS.index("address"), 0)  # the operator dragged 地址 first
    header.setSectionHidden(COLUMNS.index("grid"), True)  # and hid 网格
    shown = ["地址", "编号", "剩余时限", "类别", "处置部门", "来源", "状态", "已用时"]
    rows = w.case_model.rowCount()
    for suffix in ("xlsx", "csv"):
        w.export_tools.queue_action.trigger()
        dlg = w.export_tools.dialog
        out = tmp_path / f"queue.{suffix}"
        dlg.format.setCurrentIndex(dlg.format.findData(f".{suffix}"))
        dlg.path.setText(str(out))
        w.status.show_notice("")
        accept(dlg)
        qtbot.waitUntil(lambda: "当前队列已导出" in w.status.notice.text(), timeout=20_000)
        assert f"（{rows} 件）" in w.status.notice.text()
    ws = openpyxl.load_workbook(tmp_path / "queue.xlsx").active
    assert [c.value for c in ws[1]] == [*shown, "上报时间（北京时间）"]
    assert ws.freeze_panes == "A2" and ws.max_row == rows + 1
    addresses = {r[0] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert {c["address"] for c in made} <= addresses
    assert all(isinstance(r[-1], datetime) for r in ws.iter_rows(min_row=2, values_only=True))
    # The words on screen: a row of the file is the row the table shows (the clock's columns
    # aside, which move while the file is written).
    first = next(ws.iter_rows(min_row=2, max_row=2, values_only=True))
    model = w.case_model
    on_screen = [model.data(model.index(0, c)) for c in range(len(COLUMNS))]
    order = [COLUMNS.index(k) for k in ("address", "id", "countdown", "category", "department",
                                         "source", "state", "age")]  # fmt: skip
    for i, c in enumerate(order):
        if COLUMNS[c] not in ("countdown", "age"):
            assert first[i] == (on_screen[c] or None), COLUMNS[c]
    table = list(csv.reader((tmp_path / "queue.csv").open(encoding="utf-8-sig")))
    assert table[0] == [*shown, "上报时间（北京时间）"] and len(table) == rows + 1


def test_cases_of_a_period_to_geojson_and_a_failure_said(qtbot, backend, console_factory, tmp_path):
    case = Api(backend.url, "demo-supervisor").report(lon=120.18, lat=30.26)
    app = console_factory(backend.url)
    w = app.window
    # (the console's clock is the backend's once it has bootstrapped)
    qtbot.waitUntil(lambda: case["id"] in app.state.cases, timeout=10_000)
    w.export_tools.cases_action.trigger()
    dlg = w.export_tools.dialog
    assert dlg.format.currentData() == ".geojson"
    out = tmp_path / "cases.geojson"
    dlg.path.setText(str(out))
    accept(dlg)
    qtbot.waitUntil(lambda: "案件已导出" in w.status.notice.text(), timeout=20_000)
    doc = json.loads(out.read_text("utf-8"))
    assert case["id"] in {f["id"] for f in doc["features"]}
    # A file where a folder should be: the worker fails, the status bar says so in red.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    w.export_tools.cases_action.trigger()
    dlg = w.export_tools.dialog
    dlg.path.setText(str(blocker / "cases.geojson"))
    accept(dlg)
    qtbot.waitUntil(lambda: "导出案件失败" in w.status.notice.text(), timeout=20_000)
    assert "#ff4d4f" in w.status.notice.styleSheet()


def test_the_dialog_refuses_what_it_cannot_export(qtbot, backend, console_factory):
    app = console_factory(backend.url)
    w = app.window
    w.export_tools.cases_action.trigger()
    dlg = w.export_tools.dialog
    dlg.path.setText("/tmp/cases.kml")
    accept(dlg)
    assert dlg.isVisible() and ".geojson" in dlg.error.text()
    dlg.path.setText("/tmp/cases.geojson")
    dlg.end.setDateTime(dlg.start.dateTime().addSecs(-60))
    accept(dlg)
    assert dlg.isVisible() and dlg.error.text() == "结束须晚于开始"
    dlg.reject()
    qtbot.waitUntil(lambda: w.vehicles.model.rowCount() > 0, timeout=10_000)
    w.export_tools.track_action.trigger()  # no vehicle selected: none preselected either
    dlg = w.export_tools.dialog
    assert dlg.vehicle.currentText() == "" and dlg.vehicle.count() > 0
    accept(dlg)
    assert dlg.isVisible() and dlg.error.text() == "请选择车辆"
    dlg.reject()


def test_the_file_dialog_is_qts_own_offscreen(qtbot, backend, console_factory, tmp_path):
    app = console_factory(backend.url)
    w = app.window
    w.export_tools.queue_action.trigger()
    dlg = w.export_tools.dialog
    files = dlg.browse()
    assert files.testOption(QFileDialog.Option.DontUseNativeDialog) and files.isVisible()
    files.selectFile(str(tmp_path / "chosen.csv"))
    QTimer.singleShot(0, files.accept)
    qtbot.waitUntil(lambda: dlg.path.text().endswith("chosen.csv"), timeout=5_000)
    assert dlg.format.currentData() == ".csv"  # the format follows the file chosen
    dlg.reject()


def logged_fixes(shiftlog, vehicle_id: str) -> list[float]:
    """The times of one vehicle's fixes in the log, read straight from its changes."""
    times = []
    for ch in shiftlog.changes(kind="fixes"):
        times += [t for v, t in zip(ch["vehicle_id"], ch["t"], strict=True) if v == vehicle_id]
    return sorted(times)


def test_a_replay_exports_from_its_shift_log(qtbot, replay, recorded_shift, tmp_path):
    """No backend: the track and the cases come from the log; the period is the log's span."""
    w = replay.window
    shiftlog = replay.replay.replayer.log
    vid = shiftlog.changes(kind="fixes", limit=1)[0]["vehicle_id"][0]
    expected = logged_fixes(shiftlog, vid)
    start, end = replay.replay.span()
    replay.replay.seek((start + end) / 2)
    qtbot.waitUntil(lambda: w.vehicles.model.rowCount() > 0)
    w.vehicles.select_vehicle(vid)
    w.export_tools.track_action.trigger()
    dlg = w.export_tools.dialog
    assert dlg.vehicle.currentData() == vid
    start, end = start - TRACK_SLACK_S, end + TRACK_SLACK_S  # the span, with the fixes' slack
    assert dlg.start.dateTime().toSecsSinceEpoch() == int(start)
    assert start <= expected[0] and expected[-1] <= end
    out = tmp_path / "replayed.geojson"
    dlg.format.setCurrentIndex(dlg.format.findData(".geojson"))
    dlg.path.setText(str(out))
    accept(dlg)
    qtbot.waitUntil(lambda: "车辆轨迹已导出" in w.status.notice.text(), timeout=30_000)
    features = json.loads(out.read_text("utf-8"))["features"]
    times = []
    for f in features:
        nested = f["properties"]["coordTimes"]
        times += [t for part in nested for t in part] if isinstance(nested[0], list) else nested
    # (times to the microsecond: the simulator's fixes carry finer float fractions)
    got = sorted(datetime.fromisoformat(t).timestamp() for t in times)
    assert got == pytest.approx(expected, abs=1e-6)
    # The same track from the command line, from the same log.
    cli_out = tmp_path / "cli.gpx"
    a = datetime.fromtimestamp(int(start), UTC).isoformat()
    b = datetime.fromtimestamp(math.ceil(end), UTC).isoformat()
    assert main.main(["export-track", "--log", str(recorded_shift.path), "--vehicle", vid,
                      "--from", a, "--to", b, "--out", str(cli_out)]) == 0  # fmt: skip
    gpx = gpxpy.parse(cli_out.read_text("utf-8"))
    got = [p.time.timestamp() for s in gpx.tracks[0].segments for p in s.points]
    assert got == pytest.approx(expected, abs=1e-6)
    # Cases: those the console held that were reported in the log's span.
    w.export_tools.cases_action.trigger()
    dlg = w.export_tools.dialog
    dlg.path.setText(str(tmp_path / "cases.geojson"))
    accept(dlg)
    qtbot.waitUntil(lambda: "案件已导出" in w.status.notice.text(), timeout=30_000)
    ids = {f["id"] for f in json.loads((tmp_path / "cases.geojson").read_text("utf-8"))["features"]}
    held = {cid for cid, doc in replay.state.cases.items()
            if int(start) <= datetime.fromisoformat(doc["created_at"]).timestamp() < math.ceil(end)}  # fmt: skip
    assert ids == held and ids
