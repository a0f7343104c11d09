"""Finished cases leave the live picture (``console.domain.retention``): the rule on hand-built
cases, the fold dropping them at the district clock's hours whatever the batching, a queue
keeping its operator's selection across the renumbering, and the backend's snapshot over HTTP
holding exactly what the rule keeps."""

from __future__ import annotations

import random
from datetime import timedelta

import numpy as np
import pytest
from conftest import TEST_START, fresh_db_url, logins, start_backend
from test_state import case_doc

from console.domain.retention import KEEP_CALLBACK, KEEP_FINISHED, retained
from console.state import CityState


def doc(cid: str, state: str, age: timedelta, source: str = "supervisor", **kw) -> dict:
    d = case_doc(cid, 1, state=state)
    d.update(source=source, updated_at=(TEST_START - age).isoformat(), **kw)
    return d


H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("state", "age", "source", "extra", "kept"),
    [
        ("dispatched", 400 * H, "supervisor", {}, True),  # open work never leaves
        ("closed", KEEP_FINISHED, "supervisor", {}, True),
        ("closed", KEEP_FINISHED + H, "supervisor", {}, False),
        ("void", KEEP_FINISHED + H, "public", {}, False),  # no 回访 on a voided report
        ("closed", 3 * 24 * H, "public", {}, True),  # waits for its 回访
        (
            "closed",
            3 * 24 * H,
            "public",
            {"satisfaction": "unreached", "callback_attempts": 2},
            True,
        ),
        (
            "closed",
            3 * 24 * H,
            "public",
            {"satisfaction": "satisfied", "callback_attempts": 1},
            False,
        ),
        (
            "closed",
            3 * 24 * H,
            "public",
            {"satisfaction": "unreached", "callback_attempts": 3},
            False,
        ),
        ("closed", KEEP_CALLBACK + H, "public", {}, False),
        ("closed", 3 * 24 * H, "video", {}, False),  # nobody to call back
    ],
)
def test_the_rule(state, age, source, extra, kept):
    assert retained(doc("C", state, age, source, **extra), TEST_START) is kept


def test_a_case_without_a_readable_time_stays():
    d = doc("C", "closed", 100 * H)
    for bad in (None, "yesterday", 17):
        d["updated_at"] = bad
        assert retained(d, TEST_START)


def _stream(n_hours: int, seed: int) -> list[dict]:
    """Changes over ``n_hours`` district hours: cases reported, closed some hours later."""
    rng = random.Random(seed)
    out = []
    for seq, minute in enumerate(range(0, n_hours * 60, 7), 1):
        at = TEST_START + timedelta(minutes=minute)
        cid = f"C{seq:04d}"
        state = rng.choice(["dispatched", "closed", "closed", "void"])
        d = case_doc(cid, 1, state=state)
        d.update(updated_at=at.isoformat(), source=rng.choice(["supervisor", "public"]))
        out.append({"seq": seq, "ts": at.isoformat(), "kind": "case", "case": d})
    return out


def test_the_fold_drops_finished_cases_at_the_hour_whatever_the_batching():
    changes = _stream(60, seed=5)
    whole = CityState()
    whole.ts = TEST_START.isoformat()
    d = whole.apply(changes)
    rng = random.Random(1)
    split = CityState()
    split.ts = TEST_START.isoformat()
    i = 0
    while i < len(changes):
        n = rng.randint(1, 40)
        split.apply(changes[i : i + n])
        i += n
    assert split.digest() == whole.digest()
    assert d.cases_evicted and not (d.cases_evicted & set(whole.cases))
    last = TEST_START + timedelta(minutes=(60 * 60 - 1) // 7 * 7)
    hour = last.replace(minute=0, second=0, microsecond=0)
    # What stays is what the rule keeps at the last hour's start, plus what came after it.
    for c in changes:
        cid = c["case"]["id"]
        assert (cid in whole.cases) == (retained(c["case"], hour) or c["ts"] >= hour.isoformat()), (
            cid
        )
    # The columns moved with the documents: each row is its case.
    a = whole.case_arrays()
    for cid in whole.cases:
        row = whole.case_row(cid)
        assert row is not None and whole.case_ids()[row] == cid
        assert a["state"][row] >= 0
    assert len(a["state"]) == len(whole.cases)


def test_the_diff_remaps_rows_so_a_consumer_behind_can_catch_up():
    changes = _stream(50, seed=9)
    s = CityState()
    s.ts = TEST_START.isoformat()
    s.apply(changes[:200])
    before = list(s.case_ids())
    merged = s.apply(changes[200:260]).merge(s.apply(changes[260:]))
    assert merged.case_rows is not None and len(merged.case_rows) >= len(before)
    for old, cid in enumerate(before):
        new = int(merged.case_rows[old])
        if cid in s.cases:
            assert s.case_ids()[new] == cid
        else:
            assert new == -1 and cid in merged.cases_evicted


def test_the_queue_keeps_its_selection_across_an_eviction(qtbot, ui):
    from widgets.common.row_sync import table_view
    from widgets.panels.case_table import COLUMNS, CaseTableModel

    s = CityState()
    s.ts = TEST_START.isoformat()
    changes = _stream(30, seed=3)
    s.apply(changes[:150])
    model = CaseTableModel(s, now=lambda: TEST_START.timestamp())
    model.refresh()
    view = table_view(model, 24, (80,) * len(COLUMNS))
    qtbot.addWidget(view)
    # Select an open case (it never leaves), then fold hours in which closed ones do.
    open_id = next(cid for cid, c in s.cases.items() if c["state"] == "dispatched")
    view.selectRow(model.view_row(open_id))
    d = s.apply(changes[150:])
    assert d.cases_evicted
    model.on_diff(d)
    selected = view.selectionModel().selectedRows()
    assert [model.case_id(i.row()) for i in selected] == [open_id]
    shown = {model.case_id(r) for r in range(model.rowCount())}
    assert shown == set(s.cases)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_snapshot_holds_what_the_rule_keeps(tmp_path, kind):
    from test_api_people import closed_public_case

    b = start_backend(fresh_db_url(kind, tmp_path))
    try:
        login = logins(b.url)

        waiting = closed_public_case(login)  # a 回访 still to make
        answered = closed_public_case(login)
        answered = login("demo-operator").act(answered, "callback", satisfaction="satisfied").json()
        opened = login("demo-supervisor").report()

        def snap_ids() -> set[str]:
            r = login("demo-wall").get("/api/v1/snapshot")
            assert r.status_code == 200, r.text
            return {c["id"] for c in r.json()["cases"]}

        assert {waiting["id"], answered["id"], opened["id"]} <= snap_ids()
        b.settings.clock.advance((KEEP_FINISHED + H).total_seconds())
        ids = snap_ids()
        assert waiting["id"] in ids and opened["id"] in ids and answered["id"] not in ids
        b.settings.clock.advance((KEEP_CALLBACK - KEEP_FINISHED).total_seconds())
        ids = snap_ids()
        assert opened["id"] in ids and waiting["id"] not in ids
    finally:
        b.stop()


def test_rows_remap_composes():
    from console.state import compose_rows

    first = np.array([0, -1, 1, 2])  # row 1 left; 2, 3 moved up
    then = np.array([-1, 0, 1, 2])  # row 0 left (old row 0); a row added since is row 2
    assert compose_rows(first, then).tolist() == [-1, -1, 0, 1]
    assert compose_rows(None, then) is then
