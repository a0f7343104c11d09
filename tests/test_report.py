"""The handover report (交接班报告) of a real recorded shift: its numbers against independent
counts from the log's changes, the PDF's text (Chinese included), the HTML's embedded charts,
and the command's answers to bad input."""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import unicodedata
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from console.domain.field_units import is_sanitation
from console.domain.sla import RED, YELLOW
from console.domain.vehicle_rules import ROUTE_WORK_TYPES
from console.replay.fold import fold_log
from console.replay.logfiles import open_logs
from console.replay.report import ReportInputError, build_report, callback_counts
from console.state import STATE_NAMES
from console.store.shiftlog import ShiftLog


@pytest.fixture(scope="module")
def log(recorded_shift):
    return open_logs([recorded_shift.path], recorded_shift.path.parent)


@pytest.fixture(scope="module")
def changes(log):
    return log.changes()


@pytest.fixture(scope="module")
def report(log):
    return build_report(log)


def first_seen_cases(changes) -> dict[str, dict]:
    """Each case id's first change: in a log that starts on an empty district, its report."""
    out: dict[str, dict] = {}
    for ch in changes:
        if ch["kind"] == "case":
            out.setdefault(ch["case"]["id"], ch)
    return out


# ---- numbers ----------------------------------------------------------------------------------
def test_period_and_cases_match_the_log(report, changes, log):
    p = report.period
    assert (p.first_seq, p.last_seq, p.changes) == (
        changes[0]["seq"],
        changes[-1]["seq"],
        len(changes),
    )
    assert (p.start, p.end) == (changes[0]["ts"], changes[-1]["ts"])
    assert p.user == log.meta()["user"] and p.user_name  # named from the reference

    first = first_seen_cases(changes)
    assert report.created == len(first) > 0
    assert sum(b.count for b in report.cases_per_hour) == report.created
    by_cat = Counter(ch["case"]["category_code"] for ch in first.values())
    top = sorted(by_cat.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert [(b.key, b.count) for b in report.top_categories] == top
    assert all(re.search("[\u4e00-\u9fff]", b.zh) for b in report.top_categories)
    by_grid = Counter(ch["case"]["grid_code"] for ch in first.values())
    assert [b.count for b in report.top_grids] == sorted(by_grid.values(), reverse=True)[:10]


def test_counts_at_the_end_add_up(report, log):
    end = fold_log(log)
    assert report.cases_at_end == len(end.cases) == sum(report.by_state.values())
    assert list(report.by_state) == list(STATE_NAMES)
    waiting = sum(
        d["state"] not in ("closed", "void")
        or (
            d["source"] == "public"
            and d["state"] == "closed"
            and d.get("satisfaction") in (None, "unreached")
            and d.get("callback_attempts", 0) < 3
        )
        for d in end.cases.values()
    )
    assert sum(report.by_queue.values()) == waiting  # open, or closed awaiting the 回访
    assert report.voided == report.by_state["void"]  # the log starts on an empty district


def test_lights_listed_as_the_state_says(report, log):
    end = fold_log(log)
    lights = end.case_lights(datetime.fromisoformat(report.period.end))
    ids = end.case_ids()
    for listed, light in ((report.overdue, RED), (report.at_risk, YELLOW)):
        want = {
            ids[i]
            for i in range(len(ids))
            if lights[i] == light and end.cases[ids[i]]["state"] not in ("closed", "void")
        }
        assert {c.id for c in listed} == want
    assert all(c.minutes_left is not None and c.minutes_left < 0 for c in report.overdue)
    assert all(c.minutes_left is not None and c.minutes_left >= 0 for c in report.at_risk)


def test_alerts_bookmarks_and_actions(report, changes, recorded_shift):
    alert_ids = {ch["alert"]["id"] for ch in changes if ch["kind"] == "alert"}
    assert sum(a.raised for a in report.alerts) == len(alert_ids)
    assert [b.label for b in report.bookmarks] == recorded_shift.bookmarks
    assert report.actions.total == recorded_shift.actions
    assert report.actions.by_action == {"accept": recorded_shift.actions}
    assert report.actions.failed == [] and report.actions.pending == 0


def test_vehicle_fixes_and_coverage(report, changes, log):
    vehicles = fold_log(log).reference["vehicles"]
    fleet = {v["id"] for v in vehicles if is_sanitation(v["type"])}
    fixes = Counter(v for ch in changes if ch["kind"] == "fixes" for v in ch["vehicle_id"])
    by_id = {v.id: v for v in report.vehicles}
    # The fleet's work only: people report on the same path and are not in the table.
    assert by_id.keys() == fleet and set(fixes) - fleet
    assert {v: by_id[v].fixes for v in fixes if v in fleet} == {
        v: n for v, n in fixes.items() if v in fleet
    }
    routed = {v["id"] for v in vehicles if v.get("route") and v["type"] in ROUTE_WORK_TYPES}
    assert routed <= by_id.keys()
    assert all(0.0 <= by_id[v].coverage <= 1.0 for v in routed)
    assert any(by_id[v].coverage > 0.5 for v in routed)  # the simulated fleet works its routes
    # Collection, patrol and haulage drive routes without working them: no coverage, not 0 %.
    driving = {v["id"] for v in vehicles if v["type"] not in ROUTE_WORK_TYPES} & fleet
    assert driving and all(by_id[v].coverage is None for v in driving)
    assert all(v.distance_km > 0 for v in report.vehicles if v.fixes > 1)


def test_report_is_json(report):
    again = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert again["created"] == report.created
    assert again["bookmarks"][0]["label"] == report.bookmarks[0].label


def test_two_halves_add_up_to_the_whole(log, changes, report, recorded_shift):
    """Split where the district clock moves (changes with one ts belong to the same instant)."""
    mid = next(
        i
        for i in range(len(changes) // 2, len(changes))
        if changes[i]["ts"] != changes[i - 1]["ts"]
    )
    split = changes[mid]["seq"]
    a, b = build_report(log, end_seq=split - 1), build_report(log, start_seq=split)
    assert (a.period.last_seq, b.period.first_seq) == (split - 1, split)
    first = first_seen_cases(changes)
    assert b.created == sum(ch["seq"] >= split for ch in first.values())
    assert a.created + b.created == report.created
    assert a.actions.total + b.actions.total == recorded_shift.actions
    assert len(a.bookmarks) + len(b.bookmarks) == len(recorded_shift.bookmarks)
    fleet = {v["id"] for v in fold_log(log).reference["vehicles"] if is_sanitation(v["type"])}
    fixes_b = sum(
        v in fleet for ch in changes[mid:] if ch["kind"] == "fixes" for v in ch["vehicle_id"]
    )
    assert sum(v.fixes for v in b.vehicles) == fixes_b


def test_callbacks_count_by_answer_within_the_period(report):
    def ev(action, hour, answer=None):
        at = f"2026-11-23T{hour:02d}:00:00+00:00"
        return {"action": action, "at": at, "data": {"satisfaction": answer} if answer else {}}

    docs = [
        {"events": [ev("close", 1), ev("callback", 2, "unreached")]},
        {"events": [ev("callback", 2, "unreached"), ev("callback", 3, "satisfied")]},
        {"events": [ev("callback", 9, "unsatisfied")]},  # after the period
    ]
    assert callback_counts(docs, "2026-11-23T00:00:00Z", "2026-11-23T05:00:00Z") == {
        "satisfied": 1,
        "basically_satisfied": 0,
        "unsatisfied": 0,
        "unreached": 2,
    }
    assert set(report.callbacks) == {"satisfied", "basically_satisfied", "unsatisfied", "unreached"}


def test_alert_lifecycle_incidents_and_failed_actions(recorded_shift, tmp_path):
    """Alerts raised, acknowledged and resolved on a vehicle, and an action the backend
    refused, appended to a copy of the recorded shift."""
    path = tmp_path / "more.zhcg"
    with sqlite3.connect(recorded_shift.path) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    shift = ShiftLog(path)
    last = shift.changes()[-1]
    t = datetime.fromisoformat(last["ts"])

    def at(minutes: int) -> str:
        return (t + timedelta(minutes=minutes)).isoformat()

    def alert(seq, aid, state, **kw):
        doc = {
            "id": aid,
            "kind": "vehicle_overspeed",
            "severity": "warning",
            "subject_type": "vehicle",
            "subject_id": "V001",
            "state": state,
            "raised_at": at(1),
            "acked_at": None,
            "resolved_at": None,
            **kw,
        }
        return {"seq": seq, "ts": at(seq - last["seq"]), "kind": "alert", "alert": doc}

    s = last["seq"]
    shift.append(
        [
            alert(s + 1, "X1", "raised"),
            alert(s + 2, "X2", "raised"),
            alert(s + 3, "X1", "acknowledged", acked_at=at(3)),
            alert(s + 4, "X1", "resolved", acked_at=at(3), resolved_at=at(4)),
            # A late case's one alert climbing to 督办, and the flood group around it (a fold,
            # not an alert: neither raised nor open).
            alert(s + 5, "X3", "raised", kind="case_disposal", subject_type="case",
                  level="supervise", group_id="G1",
                  history=[{"at": at(1), "step": "raised", "level": "yellow"},
                           {"at": at(2), "step": "level", "level": "red"},
                           {"at": at(5), "step": "level", "level": "supervise"}]),
            alert(s + 6, "G1", "raised", kind="case_disposal", subject_type="group"),
        ]
    )  # fmt: skip
    shift.outbox_add("k-fail", "demo-console", "2026112300001", "close", {"action": "close"})
    shift.outbox_finish("k-fail", 409, {"detail": "stale version"})
    r = build_report(shift)
    over = next(a for a in r.alerts if a.kind == "vehicle_overspeed")
    assert (over.raised, over.acknowledged, over.resolved, over.open) == (2, 1, 1, 1)
    late = next(a for a in r.alerts if a.kind == "case_disposal")
    assert (late.raised, late.open, late.supervised) == (1, 1, 1)
    assert next(v for v in r.vehicles if v.id == "V001").incidents == {"vehicle_overspeed": 2}
    assert r.actions.total == recorded_shift.actions + 1
    assert r.actions.failed == [
        {"case_id": "2026112300001", "action": "close", "status": 409, "error": "stale version"}
    ]
    shift.engine.dispose()


def test_empty_period_is_refused(log):
    with pytest.raises(ReportInputError, match="no changes"):
        build_report(log, start_seq=10**9)


# ---- documents --------------------------------------------------------------------------------
#: The simplified forms in CJK Radicals Supplement that some fonts' ToUnicode maps give for
#: the ideograph (Noto Sans CJK: 门 → ⻔ U+2ED4); NFKC does not fold this block.
_SIMPLIFIED_RADICALS = str.maketrans(
    "⻅⻆⻈⻉⻋⻐⻓⻔⻙⻚⻛⻜⻠⻢⻥⻦⻧⻨⻩⻬⻮⻰⻳",
    "见角讠贝车钅长门韦页风飞饣马鱼鸟卤麦黄齐齿龙龟",
)


def pdf_text(path) -> str:
    """The text a reader's search finds (pypdf reads the fonts' ToUnicode maps, as a viewer
    does; no system tool needed on a fresh machine). NFKC folds the Kangxi radicals some CJK
    glyphs map to (⾬ U+2FAC) into the ideographs a search box holds (雨), the simplified
    radicals are folded by hand, and the tabs pypdf puts between words become spaces."""
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    text = unicodedata.normalize("NFKC", text).translate(_SIMPLIFIED_RADICALS)
    return re.sub(r"[\t\xa0]", " ", text)


def test_pdf_has_chinese_text(qapp, report, tmp_path):
    from widgets.common.style import cjk_family
    from widgets.report.document import write_report

    if (
        cjk_family() is None
    ):  # the README names the font; CI installs it (.ci/run), so it runs there
        if os.environ.get("CI"):
            pytest.fail("no CJK font in CI: .ci/run installs fonts-noto-cjk")
        pytest.skip("no CJK font installed (Debian/Ubuntu: fonts-noto-cjk): 汉字 would be boxes")

    out = write_report(report, tmp_path / "handover.pdf")
    assert out.read_bytes()[:5] == b"%PDF-"
    text = pdf_text(out)
    assert "交接班报告" in text
    assert report.top_categories[0].zh in text
    assert "开始巡查" in text  # a bookmark label
    # Numbers in Latin runs stay searchable (Noto Sans CJK's own digits lose their mapping).
    p = report.period
    assert f"seq {p.first_seq}–{p.last_seq}" in text and p.backend in text


def test_pdf_in_english(qapp, report, tmp_path):
    from widgets.report.document import write_report

    text = pdf_text(write_report(report, tmp_path / "handover.pdf", lang="en"))
    assert "Shift handover report" in text and "交接班报告" not in text
    assert report.top_categories[0].en.split()[0] in text


def test_html_is_self_contained(qapp, report, tmp_path):
    from widgets.report.document import write_report

    text = write_report(report, tmp_path / "handover.html").read_text(encoding="utf-8")
    assert "<title>交接班报告</title>" in text
    uris = re.findall(r'src="data:image/png;base64,([^"]+)"', text)
    assert len(uris) == 3  # cases per hour, top categories, top grids
    assert all(base64.b64decode(u)[:8] == b"\x89PNG\r\n\x1a\n" for u in uris)
    assert not re.search(r'(src|href)="(http|file)', text)
    assert all(b.label in text for b in report.bookmarks)


def test_charts_are_drawn(qapp):
    """Bars are painted to scale: the 6 bar is twice the 3 bar."""
    import numpy as np
    from PySide6.QtGui import QColor, QImage

    from widgets.report.document import BAR, bar_chart, column_chart, font_families, nice_ticks

    assert nice_ticks(6) == [0, 2, 4, 6] and nice_ticks(0) == [0, 1] and nice_ticks(43)[-1] >= 43
    img = bar_chart("高发问题", [("暴露垃圾", 6), ("乱堆杂物", 3)], "案件数", font_families(), "zh")
    img = img.convertToFormat(QImage.Format_RGB32)
    px = np.frombuffer(img.constBits(), np.uint32).reshape(img.height(), -1)[:, : img.width()]
    blue_per_row = ((px & 0xFFFFFF) == (QColor(BAR).rgb() & 0xFFFFFF)).sum(axis=1)
    lengths = sorted(set(blue_per_row[blue_per_row > 0]))
    assert lengths[-1] == pytest.approx(2 * lengths[0], rel=0.02)
    empty = column_chart("每小时新增案件", [], "时", "案件数", font_families(), "zh")
    assert not empty.isNull()


# ---- the command ------------------------------------------------------------------------------
def test_command_writes_the_report(qapp, recorded_shift, tmp_path):
    from widgets.report.document import report_command

    out = tmp_path / "r.pdf"
    assert report_command([str(recorded_shift.path)], str(out)) == 0
    assert "交接班报告" in pdf_text(out)


@pytest.mark.parametrize("case", ["missing", "not_sqlite", "empty", "not_a_shift_log"])
def test_command_refuses_bad_logs(qapp, tmp_path, capsys, case):
    import main

    path = tmp_path / "in.zhcg"
    if case == "not_sqlite":
        path.write_text("just text, no database\n" * 50)
    elif case == "empty":
        path.write_bytes(b"")
    elif case == "not_a_shift_log":
        with sqlite3.connect(path) as c:
            c.execute("CREATE TABLE t (x)")
    before = path.read_bytes() if path.exists() else None
    out = tmp_path / "r.pdf"
    assert main.main(["report", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("main.py report: ") and err.count("main.py") == 1, err
    assert str(path) in err and ("no such shift log" in err or "not a shift log" in err)
    assert not out.exists()
    assert (path.read_bytes() if path.exists() else None) == before  # the input is untouched


def test_command_refuses_unknown_format_and_reports_several_logs_as_one(
    qapp, recorded_shift, tmp_path, capsys, monkeypatch
):
    import main
    from widgets.report.document import report_command

    out = tmp_path / "r.docx"
    assert main.main(["report", str(recorded_shift.path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"main.py report: {out}: unsupported report format '.docx'"), err
    assert not out.exists()
    monkeypatch.setenv("CONSOLE_DATA_DIR", str(tmp_path / "data"))
    twice = ["report", *[str(recorded_shift.path)] * 2, "--out", str(tmp_path / "r.pdf")]
    assert main.main(twice) == 2
    err = capsys.readouterr().err
    assert err.startswith("main.py report: ") and "given twice" in err
    half = tmp_path / "second-half.zhcg"
    log = open_logs([recorded_shift.path], tmp_path)
    seqs = log.seqs()
    from console.replay.logfiles import export_logs
    from console.replay.player import LogIndex

    idx = LogIndex.read(log)
    mid = datetime.fromtimestamp(float(idx.t[len(seqs) // 2]), UTC)
    export_logs([recorded_shift.path], half, start=mid)
    out = tmp_path / "both.html"
    assert report_command([str(recorded_shift.path), str(half)], str(out)) == 0
    assert out.exists() and list((tmp_path / "data" / "replays").glob("merged-*.zhcg"))
