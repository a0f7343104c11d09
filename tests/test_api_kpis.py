"""量化考核 over real HTTP: the wire contract, the drill-down lists exactly the cases counted,
old stuck work counts however old, bad input is a 400, and the numbers a shift log's fold gives
are the backend's for the same period (live = replay)."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest
from conftest import TEST_START, Api, fresh_db_url, start_backend, wait_until

from console.domain.case import iso
from console.domain.kpi import definitions

BYS = ("department", "street", "community", "grid", "user")


def ok(r) -> dict:
    assert r.status_code == 200, r.text
    return r.json()


def walk(login, *, complete: bool = True) -> dict:
    op, lead, disp, sup = (
        login(u) for u in ("demo-operator", "demo-lead", "demo-dispatcher", "demo-supervisor")
    )
    c = ok(op.act(sup.report(), "accept"))
    c = ok(lead.act(c, "register"))
    c = ok(disp.act(c, "dispatch", department_id="sanitation"))
    if complete:
        c = ok(login("demo-dept").act(c, "complete", note="已清理"))
    return c


def test_rows_carry_indicators_score_grade_and_the_definitions(login):
    walk(login)
    wall = login("demo-wall")
    for by in BYS:
        body = ok(wall.get("/api/v1/kpis", params={"by": by}))
        assert body["by"] == by and body["rows"], by
        assert set(body["definitions"]) == set(definitions())
        for d in body["definitions"].values():
            assert {"zh", "en", "formula", "source", "higher_is_better", "unit"} <= set(d)
        for row in body["rows"]:
            assert {"key", "name", "role", "indicators", "score", "grade"} <= set(row)
            assert (row["role"] is not None) == (by == "user")
            for cell in row["indicators"].values():
                n, d = cell["numerator"], cell["denominator"]
                if d:
                    assert 0 <= n <= d and cell["value"] == round(n / d, 4)
    names = {r["key"]: r["name"] for r in ok(wall.get("/api/v1/kpis"))["rows"]}
    assert names["sanitation"]  # departments are named


def test_drill_down_lists_exactly_the_cases_counted(login):
    done = walk(login)
    walk(login, complete=False)
    wall = login("demo-wall")
    for by in ("department", "street", "user"):
        rows = ok(wall.get("/api/v1/kpis", params={"by": by}))["rows"]
        for row in rows:
            for iid, cell in row["indicators"].items():
                for part in ("numerator", "denominator"):
                    q = {"by": by, "key": row["key"], "indicator": iid, "part": part}
                    ids = ok(wall.get("/api/v1/kpis/cases", params=q))["case_ids"]
                    assert len(ids) == cell[part] == len(set(ids)), (by, row["key"], iid, part)
    q = {"by": "department", "key": "sanitation", "part": "numerator"}
    handled = ok(wall.get("/api/v1/kpis/cases", params={**q, "indicator": "disposal_rate"}))
    assert done["id"] in handled["case_ids"]


def test_bad_drill_down_is_400(login):
    wall = login("demo-wall")
    base = {"by": "department", "key": "sanitation", "indicator": "disposal_rate"}
    assert wall.get("/api/v1/kpis/cases", params={**base, "part": "numerator"}).status_code == 200
    for bad in ({"indicator": "happiness"}, {"part": "half"}, {"by": "planet"}):
        q = {"part": "numerator", **base, **bad}
        r = wall.get("/api/v1/kpis/cases", params=q)
        assert r.status_code == 400, (bad, r.text)
    assert wall.get("/api/v1/kpis", params={"by": "planet"}).status_code == 400


def test_old_stuck_work_counts_as_overdue_however_old(login):
    """A case untouched since long before the window still counts in 超期未处置 (the window
    used to read only cases updated inside it)."""
    stuck = walk(login, complete=False)
    deadline = datetime.fromisoformat(stuck["deadline"])
    start = datetime.fromisoformat(stuck["updated_at"]) + timedelta(seconds=1)
    q = {"from": iso(start), "to": iso(deadline + timedelta(days=1))}
    wall = login("demo-wall")
    ids = ok(
        wall.get(
            "/api/v1/kpis/cases",
            params={
                **q,
                "by": "department",
                "key": "sanitation",
                "indicator": "overdue_unhandled",
                "part": "numerator",
            },
        )
    )["case_ids"]
    assert stuck["id"] in ids


# ---- live = replay --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_and_log(tmp_path_factory):
    """A backend driven by the simulator for ~20 district minutes at 60×, recorded by a real
    Session into a shift log; the backend's /kpis for the whole run, fetched before it stops."""
    from console.replay.fold import LiveFold
    from console.session import Session
    from console.sim.district import run_headless

    tmp = tmp_path_factory.mktemp("kpi-live")
    b = start_backend(fresh_db_url("sqlite", tmp), speed=60.0, tick_seconds=0.5)
    path = tmp / "shift.zhcg"
    fold = LiveFold(checkpoint_every=1500)
    session = Session(b.url, "demo-console", "demo", path, on_batch=fold.on_batch, wait_s=1)
    fold.attach(session.shiftlog)
    session.start()
    sim = threading.Thread(
        target=run_headless, args=(b.url, b.settings.clock, 0.35, None), daemon=True
    )
    sim.start()
    sim.join()
    time.sleep(2.0)  # the last changes come through the feed
    end = datetime.fromtimestamp(b.settings.clock.epoch()).astimezone(TEST_START.tzinfo)
    window = {"from": iso(TEST_START), "to": iso(end)}
    wall = Api(b.url, "demo-wall")
    live = {by: ok(wall.get("/api/v1/kpis", params={"by": by, **window})) for by in BYS}
    wait_until(lambda: session.outbox.pending() == 0, 30)
    time.sleep(1.0)
    session.stop()
    session.live.join(30)
    fold.close()
    b.stop()
    yield live, path, TEST_START, end


def test_live_equals_replay(live_and_log):
    """The backend's numbers for the run and those computed from the shift log's fold (what a
    replay shows) are the same, row by row, indicator by indicator."""
    from console.replay.fold import fold_log
    from console.replay.kpis import state_kpis
    from console.store.shiftlog import ShiftLog

    live, path, start, end = live_and_log
    log_ = ShiftLog(path, user="demo-console", readonly=True)
    try:
        state = fold_log(log_, use_checkpoints=False)
    finally:
        log_.close()
    assert len(state.cases) > 20
    counted = 0
    for by in BYS:
        want = {(r["key"], r["role"]): r for r in live[by]["rows"]}
        got = {(r["key"], r["role"]): r for r in state_kpis(state, start, end, by)}
        assert set(got) == set(want), by
        for k, row in got.items():
            assert row == want[k], (by, k)
            counted += sum(c["denominator"] + c["numerator"] for c in row["indicators"].values())
    assert counted > 50  # the run was busy enough to compare something
