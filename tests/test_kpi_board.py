"""The 量化考核 board: periods and their previous periods, ranking, grades, trends and
sparklines from hand-built answers in the wire contract's shape (tests/kpi_payloads.py), the
drill-down's requests, the board widget, and the monthly report as .xlsx and .pdf."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

import main
from console.domain.china_time import CST
from console.kpiboard import (
    GROUPS,
    BoardError,
    build_board,
    cases_request,
    fetch_board,
    fetch_boards,
    month_period,
    period,
)
from tests.kpi_payloads import departments, payload, users
from tests.test_report import pdf_text

NOW = datetime(2026, 11, 12, 10, 30, tzinfo=CST)  # a Thursday


# ---- periods ----------------------------------------------------------------------------------
def test_periods_are_hangzhou_calendar_units_up_to_now():
    today = period("today", NOW)
    assert today.start == datetime(2026, 11, 12, tzinfo=CST) and today.end == NOW
    week = period("week", NOW)
    assert week.start == datetime(2026, 11, 9, tzinfo=CST)  # Monday
    month = period("month", NOW)
    assert month.start == datetime(2026, 11, 1, tzinfo=CST)
    # a custom period needs its start before its end
    with pytest.raises(BoardError):
        period("custom", NOW, NOW, NOW)
    with pytest.raises(BoardError):
        period("fortnight", NOW)


def test_the_previous_period_is_the_same_stretch_of_the_previous_unit():
    prev = period("today", NOW).previous()
    assert (prev.start, prev.end) == (datetime(2026, 11, 11, tzinfo=CST), NOW - timedelta(days=1))
    prev = period("week", NOW).previous()
    assert prev.start == datetime(2026, 11, 2, tzinfo=CST) and prev.end == NOW - timedelta(days=7)
    prev = period("month", NOW).previous()
    assert prev.start == datetime(2026, 10, 1, tzinfo=CST)
    assert prev.end == datetime(2026, 10, 12, 10, 30, tzinfo=CST)
    # March 31 against February: the previous month ends where March begins, not on "Feb 31"
    prev = period("month", datetime(2026, 3, 31, 12, tzinfo=CST)).previous()
    assert (prev.start, prev.end) == (
        datetime(2026, 2, 1, tzinfo=CST),
        datetime(2026, 3, 1, tzinfo=CST),
    )
    a, b = datetime(2026, 11, 3, tzinfo=CST), datetime(2026, 11, 6, tzinfo=CST)
    prev = period("custom", NOW, a, b).previous()
    assert (prev.start, prev.end) == (datetime(2026, 10, 31, tzinfo=CST), a)


def test_sparkline_days_are_the_periods_days_and_at_least_a_week():
    days = period("month", NOW).days()
    assert len(days) == 12 and days[0].start == datetime(2026, 11, 1, tzinfo=CST)
    assert days[-1].end == NOW  # today so far
    days = period("today", NOW).days()
    assert len(days) == 7 and days[0].start == datetime(2026, 11, 6, tzinfo=CST)


def test_month_period_parses_and_refuses():
    p = month_period("2026-11")
    assert p.start == datetime(2026, 11, 1, tzinfo=CST)
    assert p.end == datetime(2026, 12, 1, tzinfo=CST)
    # a whole month against the whole previous month (31 days, not November's 30)
    prev = p.previous()
    assert (prev.start, prev.end) == (datetime(2026, 10, 1, tzinfo=CST), p.start)
    assert month_period("2026-11", NOW).end == NOW
    for bad in ("2026-13", "11/2026", ""):
        with pytest.raises(BoardError):
            month_period(bad)
    with pytest.raises(BoardError):
        month_period("2027-01", NOW)


# ---- the board from answers -------------------------------------------------------------------
def test_ranking_grades_and_trend_deltas():
    p = period("month", NOW)
    board = build_board("department", p, departments(), previous=departments(scale=0.8))
    assert [(r.name, r.rank, r.score, r.grade) for r in board.rows] == [
        ("城管执法", 1, 91.5, "A"),
        ("交警大队", 2, 62.0, "C"),  # equal scores share a rank, then by name
        ("环卫处", 2, 62.0, "C"),
        ("市政园林", 4, None, None),  # no score: last
    ]
    assert [r.delta for r in board.rows] == [18.3, 12.4, 12.4, None]
    # indicator columns in the definitions' order, with their counts
    assert board.indicators == [
        "disposal_rate",
        "on_time_disposal_rate",
        "rework_rate",
        "overdue_unhandled",
    ]
    cell = board.rows[0].cells["disposal_rate"]
    assert (cell.numerator, cell.denominator, cell.value) == (19, 20, 0.95)
    # a row that was not there the previous period has no trend
    prev = payload("department", departments()["rows"][:1])
    board = build_board("department", p, departments(), previous=prev)
    assert [r.key for r in board.rows if r.delta is not None] == ["hw"]


def test_a_role_group_is_the_user_rows_of_that_role():
    p = period("week", NOW)
    board = build_board("supervisor", p, users())
    assert [(r.key, r.rank) for r in board.rows] == [("s2", 1), ("s1", 2)]
    assert [r.key for r in build_board("operator", p, users()).rows] == ["o1"]
    assert build_board("shift_lead", p, users()).rows == []


class FakeApi:
    """Answers like the backend for the month of NOW: the previous month at 80 %, each day of
    the sparkline at its own level; records every request."""

    def __init__(self, fail: Exception | None = None):
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.fail = fail
        self.month = period("month", NOW)

    def __call__(self, path: str, params: dict[str, str]) -> dict:
        self.requests.append((path, params))
        if self.fail is not None:
            raise self.fail
        if path.endswith("/kpis/cases"):
            return {"case_ids": [f"{params['key']}-{params['part'][:3]}-{i}" for i in range(3)]}
        if params["by"] == "user":
            return users()
        if params["by"] == "duty":
            return duty_api(path, params)
        if params["by"] == "river":
            return {"rows": []}
        span = {"from": params["from"], "to": params["to"]}
        if span == self.month.params():
            return departments()
        if span == self.month.previous().params():
            return departments(scale=0.8)
        day = datetime.fromisoformat(params["from"]).astimezone(CST).day
        return departments(scale=day / 12)


def test_fetch_board_asks_for_the_period_the_previous_and_each_day():
    api = FakeApi()
    board = fetch_board(api, "department", period("month", NOW))
    kpis = [q for p, q in api.requests if p == "/api/v1/kpis"]
    assert len(kpis) == 2 + 12 and {q["by"] for q in kpis} == {"department"}
    assert kpis[0]["from"] == "2026-10-31T16:00:00Z" and kpis[0]["to"] == "2026-11-12T02:30:00Z"
    assert kpis[1]["from"] == "2026-09-30T16:00:00Z"
    top = board.rows[0]
    assert top.key == "cg" and len(top.spark) == 12
    assert top.spark[0] == pytest.approx(91.5 / 12) and top.spark[-1] == pytest.approx(91.5)


def test_the_four_roles_share_one_user_request():
    api = FakeApi()
    boards = fetch_boards(api, GROUPS, month_period("2026-10"))
    assert [b.group for b in boards] == list(GROUPS)
    by = [q["by"] for _, q in api.requests]
    # seven groupings × (the month, the previous month); the roles' by=user asked once each
    assert len(by) == 14 and by.count("user") == 2 and by.count("duty") == 2


def test_drill_down_asks_for_the_cells_cases():
    p = period("today", NOW)
    path, params = cases_request("supervisor", "s1", "valid_report_rate", "numerator", p)
    assert path == "/api/v1/kpis/cases"
    assert params == {
        "by": "user",
        "key": "s1",
        "indicator": "valid_report_rate",
        "part": "numerator",
        "from": "2026-11-11T16:00:00Z",
        "to": "2026-11-12T02:30:00Z",
    }
    with pytest.raises(BoardError):
        cases_request("department", "hw", "disposal_rate", "both", p)


def test_a_sparkline_is_at_least_ten_points_tall():
    from widgets.board.model import spark_scale

    assert spark_scale([90.0, None, 91.0]) == (85.5, 95.5)
    assert spark_scale([40.0, 80.0]) == (40.0, 80.0)
    assert spark_scale([None]) == (0.0, 100.0)


# ---- the widget -------------------------------------------------------------------------------
@pytest.fixture
def board_widget(qtbot, ui):
    from widgets.board.board import KpiBoard
    from widgets.common.workers import Workers

    workers = Workers()
    made = []

    def make(api):
        w = KpiBoard(api, NOW.timestamp, workers)
        qtbot.addWidget(w)
        w.resize(1600, 700)
        w.show()
        made.append(w)
        return w

    yield make
    workers.shutdown()


@pytest.mark.ui
def test_board_shows_the_ranking_with_grades_trends_and_sparklines(qtbot, board_widget):
    from PySide6.QtCore import Qt

    from widgets.board.model import FIXED, SPARK_ROLE
    from widgets.common.style import GRADE_COLORS

    api = FakeApi()
    w = board_widget(api)
    qtbot.waitUntil(lambda: w.model.rowCount() == 4)
    m = w.model
    col = {k: FIXED.index(k) for k in FIXED}

    def text(r, c):
        return m.data(m.index(r, c))

    assert [text(r, col["name"]) for r in range(4)] == [
        "城管执法",
        "交警大队",
        "环卫处",
        "市政园林",
    ]
    assert [text(r, col["grade"]) for r in range(4)] == ["A", "C", "C", "—"]
    assert m.data(m.index(0, col["grade"]), Qt.ItemDataRole.BackgroundRole).name() == (
        GRADE_COLORS["A"].lower()
    )
    assert text(0, col["trend"]) == "▲ 18.3" and text(3, col["trend"]) == "—"
    spark, grade, lo, hi = m.data(m.index(0, col["spark"]), SPARK_ROLE)
    assert len(spark) == 12 and grade == "A"
    # the row's own scale, at least 10 points tall
    assert (lo, hi) == (pytest.approx(91.5 / 12), pytest.approx(91.5))
    assert w.summary.text() == "共 4 个 · A 1 · B 0 · C 2 · D 0 · E 0"
    first = len(FIXED)
    assert m.headerData(first, Qt.Orientation.Horizontal) == "处置率"
    tip = m.headerData(first, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "已处置 / 应处置" in tip and "GB/T 30428.7" in tip
    assert text(0, first) == "95.0%"  # 19/20
    assert text(3, first) == "—"  # denominator 0
    assert text(0, first + 3) == "2"  # a count shows its numerator
    assert "分子 19 / 分母 20" in m.data(m.index(0, first), Qt.ItemDataRole.ToolTipRole)
    # another grouping asks the backend again
    w.group_box.setCurrentIndex(list(GROUPS).index("supervisor"))
    qtbot.waitUntil(lambda: w.model.rowCount() == 2)
    assert text(0, col["name"]) == "监督员丙"


@pytest.mark.ui
def test_double_click_on_a_cell_lists_its_cases_and_opens_one(qtbot, board_widget):
    from widgets.board.model import FIXED

    api = FakeApi()
    w = board_widget(api)
    qtbot.waitUntil(lambda: w.model.rowCount() == 4)
    w.drill_down(w.model.index(0, len(FIXED)))  # 城管执法 · 处置率
    qtbot.waitUntil(lambda: w.drill is not None and w.drill.isVisible())
    asked = [q for p, q in api.requests if p == "/api/v1/kpis/cases"]
    assert [(q["key"], q["indicator"], q["part"]) for q in asked] == [
        ("cg", "disposal_rate", "numerator"),
        ("cg", "disposal_rate", "denominator"),
    ]
    assert asked[0]["from"] == "2026-10-31T16:00:00Z"
    lst = w.drill.lists["denominator"]
    # the fake's denominator shares no id with its numerator: every case is marked ✗
    assert [lst.item(i).text() for i in range(lst.count())] == [
        "cg-den-0  ✗",
        "cg-den-1  ✗",
        "cg-den-2  ✗",
    ]
    with qtbot.waitSignal(w.case_requested) as sig:
        lst.itemDoubleClicked.emit(lst.item(1))
    assert sig.args == ["cg-den-1"]
    # a cell that is not an indicator says how to drill, and asks nothing
    n = len(api.requests)
    w.drill_down(w.model.index(0, FIXED.index("score")))
    assert w.notice.isVisible() and len(api.requests) == n


def duty_api(path: str, params: dict[str, str]) -> dict:
    """Answers ``by=duty`` from the person-days of test_kpi_time with the domain's functions."""
    from console.domain import kpi_time
    from console.domain.kpi import definitions
    from tests.test_kpi_time import DAYS

    if path.endswith("/kpis/items"):
        return {"items": kpi_time.duty_items(DAYS, params["key"], params["indicator"])}
    assert path == "/api/v1/kpis" and params["by"] == "duty", (path, params)
    return {"rows": kpi_time.duty_rows(DAYS, {"A": "湖滨街道"}), "definitions": definitions()}


@pytest.mark.ui
def test_a_duty_cell_lists_its_person_days_and_opens_a_person(qtbot, board_widget):
    from PySide6.QtCore import Qt

    from widgets.board.drill import ItemsDialog
    from widgets.board.model import FIXED

    w = board_widget(duty_api)
    w.group_box.setCurrentIndex(list(GROUPS).index("duty"))
    qtbot.waitUntil(lambda: w.board is not None and w.board.group == "duty")
    assert w.model.rowCount() == 2 and w.model.data(w.model.index(0, 1)) == "湖滨街道"
    assert w.board.indicators == ["on_duty_rate", "patrol_coverage"]
    assert w.model.data(w.model.index(0, len(FIXED))) == "87.6%"  # 1261 / 1440 min
    tip = w.model.data(w.model.index(0, len(FIXED)), Qt.ItemDataRole.ToolTipRole)
    assert "分子 1261 / 分母 1440（双击查看明细）" in tip
    w.drill_down(w.model.index(0, len(FIXED)))
    qtbot.waitUntil(lambda: isinstance(w.drill, ItemsDialog) and w.drill.isVisible())
    t = w.drill.table
    rows = [[t.item(r, c).text() for c in range(4)] for r in range(t.rowCount())]
    assert rows == [
        ["人员S1  ✗", "2026-11-29", "360 / 480 分钟", "75.0%"],
        ["人员S2  ✗", "2026-11-29", "421 / 480 分钟", "87.7%"],
        ["人员S1", "2026-11-28", "480 / 480 分钟", "100.0%"],
    ]
    with qtbot.waitSignal(w.item_requested) as sig:
        t.itemDoubleClicked.emit(t.item(1, 0))
    assert sig.args == ["person_day", "S2"]


@pytest.mark.ui
def test_a_failing_backend_shows_a_notice_on_the_board(qtbot, board_widget):
    w = board_widget(FakeApi(fail=OSError("连接被拒绝")))
    qtbot.waitUntil(lambda: w.notice.isVisible())
    assert "连接被拒绝" in w.notice.text() and w.model.rowCount() == 0


@pytest.mark.ui
def test_export_asks_for_the_month_of_the_shown_period(qtbot, board_widget, tmp_path):
    w = board_widget(FakeApi())
    qtbot.waitUntil(lambda: w.model.rowCount() == 4)
    with qtbot.waitSignal(w.export_requested) as sig:
        w.export_month(str(tmp_path / "k.xlsx"))
    assert sig.args == ["2026-11", str(tmp_path / "k.xlsx")]


# ---- the monthly report -------------------------------------------------------------------------
@pytest.fixture
def month_boards():
    return fetch_boards(FakeApi(), GROUPS, period("month", NOW))


def test_xlsx_holds_a_ranking_table_and_a_chart_per_group(qapp, month_boards, tmp_path):
    from widgets.report.kpi_report import write_kpi_report

    out = write_kpi_report(month_boards, tmp_path / "kpi.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == ["指标说明", "专业部门", "街道", "社区", "网格", "监督员", "受理员",
                             "派遣员", "值班长", "人员在岗（街道）", "河段"]  # fmt: skip
    ws = wb["专业部门"]
    head = [c.value for c in ws[1]]
    assert head[:6] == ["排名", "对象", "等级", "综合指标值", "较上期", "处置率"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [r[:4] for r in rows] == [
        [1, "城管执法", "A", 91.5],
        [2, "交警大队", "C", 62.0],
        [2, "环卫处", "C", 62.0],
        [4, "市政园林", None, None],
    ]
    assert rows[0][4] == pytest.approx(18.3) and rows[0][5] == pytest.approx(0.95)
    assert ws["C2"].fill.fgColor.rgb.endswith("2E9E44")  # grade A's colour
    assert [r[1] for r in wb["监督员"].iter_rows(min_row=2, values_only=True)] == [
        "监督员丙",
        "监督员甲",
    ]
    defs = [r[0] for r in wb["指标说明"].iter_rows(values_only=True)]
    assert "处置率" in defs and "有效上报率" in defs
    # openpyxl does not read charts back: they are in the package, one per group with rows
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 8  # every group but the shift leads and rivers (no rows)
        xml = z.read(charts[0]).decode()
    assert "<barChart>" in xml and "'专业部门'!$D$2:$D$5" in xml, xml


def test_pdf_has_the_tables_and_the_grades(qapp, month_boards, tmp_path):
    from widgets.report.kpi_report import write_kpi_report

    out = write_kpi_report(month_boards, tmp_path / "kpi.pdf")
    # pypdf breaks lines where the font changes (Latin / CJK): compare without white space
    text = re.sub(r"\s+", "", pdf_text(out))
    for s in ("月度考核报告", "专业部门", "城管执法", "91.5", "95.0%19/20", "▲18.3",
              "监督员丙", "指标说明", "已处置/应处置", "GB/T30428.7"):  # fmt: skip
        assert s in text, s
    en = re.sub(r"\s+", "", pdf_text(write_kpi_report(month_boards, tmp_path / "e.pdf", "en")))
    assert "Monthlyperformanceevaluation" in en and "Disposalrate" in en


def test_kpi_report_refuses_bad_input(tmp_path, capsys):
    for args, said in (
        (["--month", "2026-11", "--out", str(tmp_path / "x.docx")], "unsupported format"),
        (["--month", "Nov", "--out", str(tmp_path / "x.pdf")], "expected YYYY-MM"),
    ):
        code = main.main(["kpi-report", "--backend", "http://127.0.0.1:9", *args])
        assert code == 2 and said in capsys.readouterr().err
    code = main.main(["kpi-report", "--backend", "http://127.0.0.1:9", "--month", "2026-11",
                      "--out", str(tmp_path / "x.xlsx")])  # fmt: skip
    assert code == 2 and "127.0.0.1:9" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def test_kpi_report_from_a_real_backend(backend, login, tmp_path, capsys):
    """The command over HTTP against the reference backend (whatever its rows hold today)."""
    login("demo-supervisor").report()
    # The backend's district month, not the wall clock's: they part at China midnight of a
    # month's last day (a run crossing 16:00 UTC on 30 November asked for a December not begun).
    month = f"{backend.settings.clock.now().astimezone(CST):%Y-%m}"
    out = tmp_path / "kpi.xlsx"
    code = main.main(["kpi-report", "--backend", backend.url, "--month", month,
                      "--out", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert load_workbook(out).sheetnames[1] == "专业部门"


# ---- replay: the same requests answered from the log's cases -------------------------------------
def test_a_replay_answers_the_board_from_the_logs_cases(city_state):
    """The board over a folded shift log (recorded backend + simulator pages): rows from
    ``state_kpis``, and each cell's drill-down lists as many cases as the cell counts."""
    from console.kpiboard import Period
    from widgets.app.kpi_tools import replay_get

    times = [
        datetime.fromisoformat(e["at"]) for c in city_state.cases.values() for e in c["events"]
    ]
    p = Period(min(times), max(times) + timedelta(seconds=1), "custom")
    get = replay_get(city_state, p.end.timestamp)
    checked = 0
    for group in ("department", "street", "supervisor", "operator"):
        board = fetch_board(get, group, p, sparklines=False)
        assert board.rows, group
        assert "disposal_rate" in board.definitions
        for row in board.rows[:3]:
            for ind, cell in row.cells.items():
                ids = {
                    part: get(*cases_request(group, row.key, ind, part, p))["case_ids"]
                    for part in ("numerator", "denominator")
                }
                assert (len(ids["numerator"]), len(ids["denominator"])) == (
                    cell.numerator,
                    cell.denominator,
                ), (group, row.key, ind)
                checked += cell.numerator + cell.denominator
    assert checked > 20
    # 在岗率 over more than a day is the backend's (a log holds each person's latest day): the
    # board says so, and the monthly report leaves that group out rather than guess.
    week = Period(p.end - timedelta(days=7), p.end, "custom")
    with pytest.raises(BoardError, match="more than one day"):
        fetch_board(get, "duty", week, sparklines=False)
    assert [b.group for b in fetch_boards(get, GROUPS, week)] == [g for g in GROUPS if g != "duty"]


# ---- in the console ------------------------------------------------------------------------------
@pytest.mark.ui
def test_the_board_opens_from_the_view_menu_on_a_live_console(qtbot, backend, console_factory):
    app = console_factory(backend.url)
    window = app.window
    assert window.act_kpi_board in window.menu_view.actions()
    window.act_kpi_board.trigger()
    board = window.kpi_tools.board
    assert board is not None and board.isVisible() and board.isWindow()
    qtbot.waitUntil(lambda: "加载中" not in board.period_label.text(), timeout=20_000)
    assert not board.notice.isVisible(), board.notice.text()


@pytest.mark.ui
def test_a_duty_drill_down_opens_the_person_in_the_duty_panel(qtbot, backend, console_factory):
    """Live: today's 人员在岗 board from the backend, a street's person-days, and a double-click
    on one selects that person in the duty panel (and so on the map)."""
    from PySide6.QtCore import Qt

    from console.kpiboard import PERIODS
    from widgets.board.drill import ItemsDialog
    from widgets.board.model import FIXED

    app = console_factory(backend.url)
    window = app.window
    window.act_kpi_board.trigger()
    board = window.kpi_tools.board
    board.period_box.setCurrentIndex(PERIODS.index("today"))
    board.group_box.setCurrentIndex(list(GROUPS).index("duty"))
    qtbot.waitUntil(
        lambda: bool(board.board and board.board.group == "duty" and board.model.rowCount()),
        timeout=20_000,
    )
    assert not board.notice.isVisible(), board.notice.text()
    assert board.board.indicators == ["on_duty_rate", "patrol_coverage"]
    board.drill_down(board.model.index(0, len(FIXED)))
    qtbot.waitUntil(lambda: isinstance(board.drill, ItemsDialog), timeout=20_000)
    table = board.drill.table
    assert table.rowCount() > 0
    item = table.item(table.rowCount() - 1, 0)
    pid = item.data(Qt.ItemDataRole.UserRole)
    qtbot.waitUntil(lambda: window.duty.model.key_of(pid) is not None, timeout=20_000)
    table.itemDoubleClicked.emit(item)
    assert window.duty.model.person_id(window.duty.table.currentIndex().row()) == pid
    assert window.docks["duty"].isVisible()
    # A segment-day of the 河段 board opens its segment in the river panel, outlined on the map.
    with qtbot.waitSignal(window.rivers.segment_selected) as sig:
        window.kpi_tools.open_item("segment_day", "ZH01")
    assert sig.args == ["ZH01"] and window.docks["rivers"].isVisible()


@pytest.mark.ui
def test_a_drilled_case_the_console_no_longer_holds_comes_from_the_backend(
    qtbot, console_factory, tmp_path
):
    """Finished a day ago, a case has left the console (console.domain.retention); the board's
    drill-down still opens it: asked from the backend, shown as history, no actions."""
    from conftest import logins, start_backend

    from console.domain.retention import KEEP_FINISHED
    from tests.test_api_people import closed_public_case

    b = start_backend(f"sqlite:///{tmp_path / 'b.db'}")
    try:
        login = logins(b.url)

        done = closed_public_case(login)
        done = login("demo-operator").act(done, "callback", satisfaction="satisfied").json()
        app = console_factory(b.url)
        window = app.window
        qtbot.waitUntil(lambda: done["id"] in app.state.cases, timeout=20_000)
        b.settings.clock.advance(KEEP_FINISHED.total_seconds() + 3600)
        login("demo-supervisor").report()  # a change in a later hour: the fold lets go
        qtbot.waitUntil(lambda: done["id"] not in app.state.cases, timeout=20_000)
        window.kpi_tools.open_case(done["id"])
        qtbot.waitUntil(lambda: window.detail.title.text() == done["id"], timeout=20_000)
        assert window.current_case == done["id"]
        assert "满意" in window.detail.fields["callback"].text()
        assert not any(a.isEnabled() for a in window.case_qactions.values())
    finally:
        b.stop()
