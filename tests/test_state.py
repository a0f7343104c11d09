"""CityState: the fold of change batches, its trails, lights, diffs, checkpoints and digest;
and, against the real backend with the simulator, that folding the recorded shift log gives
the live console's digest."""

from __future__ import annotations

import math
import threading
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from conftest import TEST_START, fresh_db_url, start_backend
from hypothesis import given, settings
from hypothesis import strategies as st
from test_workflow import ACTIONS, ACTORS, PARAMS, report

from console.domain.calendar import WorkCalendar
from console.domain.case import Case, apply_action, case_light_times, light_times_batch
from console.domain.china_time import CST
from console.domain.limits import TimeLimits
from console.domain.sla import GREEN, NO_LIGHT, RED, YELLOW
from console.domain.workflow import WorkflowError
from console.replay.fold import LiveFold, fold_log
from console.sim.district import SimConfig, run_headless
from console.state import CODED_FIELDS, STATE_CODE, CityState
from console.store.shiftlog import ShiftLog
from console.sync.client import RestClient
from console.sync.live import LiveSource

T0 = TEST_START.timestamp()
CAL, LIMITS = WorkCalendar.default(), TimeLimits.default()


def case_doc(cid: str, version: int, state: str = "dispatched", **kw) -> dict:
    start = kw.pop("stage_started_at", TEST_START)
    c = Case(
        id=cid,
        source="supervisor",
        category_code=kw.pop("category_code", "06010"),
        lon=120.17,
        lat=30.25,
        created_at=TEST_START,
        state=state,
        version=version,
        stage="dispose" if state == "dispatched" else None,
        stage_started_at=start if state == "dispatched" else None,
        stage_limit_minutes=120.0 if state == "dispatched" else None,
        **kw,
    )
    return c.to_dict(TEST_START, CAL, LIMITS)


def ch(seq: int, kind: str, **payload) -> dict:
    return {
        "seq": seq,
        "ts": (TEST_START + timedelta(seconds=seq)).isoformat(),
        "kind": kind,
        **payload,
    }


def fixes(seq: int, rows: list[tuple[str, float, float, float]]) -> dict:
    return ch(
        seq,
        "fixes",
        vehicle_id=[r[0] for r in rows],
        t=[r[1] for r in rows],
        lon=[r[2] for r in rows],
        lat=[r[3] for r in rows],
        speed_kmh=[10.0] * len(rows),
        heading=[90.0] * len(rows),
        flags=[1] * len(rows),
    )


def alert(seq: int, aid: str, state: str) -> dict:
    return ch(
        seq, "alert", alert={"id": aid, "kind": "overspeed", "state": state, "subject_id": "V1"}
    )


def test_latest_case_version_wins_and_the_diff_names_it():
    s = CityState()
    d = s.apply([ch(1, "case", case=case_doc("C1", 2)), ch(2, "case", case=case_doc("C1", 1))])
    assert d.cases == {"C1"} and d.changes == 2 and (d.first_seq, d.last_seq) == (1, 2)
    assert s.cases["C1"]["version"] == 2
    closed = case_doc("C1", 3, state="closed")
    assert s.apply([ch(3, "case", case=closed)]).cases == {"C1"}
    assert s.case_arrays()["state"][s.case_row("C1")] == STATE_CODE["closed"]
    assert s.case_lights(T0)[0] == NO_LIGHT  # no clock runs on a closed case


def test_case_lights_at_any_instant_match_the_domain_clock():
    s = CityState()
    docs = [
        case_doc(f"C{i}", 1, stage_started_at=TEST_START - timedelta(minutes=37 * i))
        for i in range(12)
    ]
    s.apply([ch(i + 1, "case", case=d) for i, d in enumerate(docs)])
    for hours in (0, 0.5, 1.7, 2.2, 5, 26, 80):
        at = TEST_START + timedelta(hours=hours)
        want = [Case.from_dict(d).light(at, CAL, LIMITS) for d in docs]
        codes = {"green": GREEN, "yellow": YELLOW, "red": RED, None: NO_LIGHT}
        assert s.case_lights(at).tolist() == [codes[w] for w in want], at


def test_vehicles_last_fix_trails_and_alerts():
    s = CityState(trail_points=4)
    d = s.apply(
        [
            fixes(
                1, [("V1", T0 + 5, 120.1, 30.2), ("V2", T0, 120.2, 30.3), ("V1", T0, 120.0, 30.1)]
            ),
            alert(2, "A1", "raised"),
        ]
    )
    assert d.fixes == 3 and d.vehicles == {"V1", "V2"} and d.alerts_raised == {"A1"}
    v = s.vehicle_arrays()
    i = s.vehicle_ids().index("V1")
    assert (v["t"][i], v["lon"][i]) == (T0 + 5, 120.1)  # the latest, though it came first
    assert s.trail("V1")[:, 0].tolist() == [T0, T0 + 5]
    s.apply([fixes(3, [("V1", T0 + k, 120.0 + k / 1000, 30.1) for k in range(6, 12)])])
    assert s.trail("V1")[:, 0].tolist() == [T0 + 8, T0 + 9, T0 + 10, T0 + 11]  # ring of 4
    s.apply([fixes(4, [("V1", T0 + 3, 0.0, 0.0)])])  # late: not in the trail or position
    assert s.trail("V1")[0, 0] == T0 + 8 and s.vehicle_arrays()["lon"][i] == 120.011
    d = s.apply([alert(5, "A1", "acknowledged"), alert(6, "A1", "resolved")])
    assert d.alerts == {"A1"} and not d.alerts_raised and "A1" not in s.alerts
    lon, lat, t, connect = s.trails_connect()
    assert len(lon) == 5 and connect.tolist() == [True, True, True, False, False]
    assert len(s.trails_connect(since=T0 + 10)[0]) == 2


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(0, 400)), max_size=40),
        min_size=1,
        max_size=12,
    ),
    st.integers(1, 9),
    st.lists(st.integers(-1, 401), min_size=3, max_size=3),
)
def test_trail_rings_equal_a_naive_list(batches, cap, since):
    """Whatever the batches, each ring holds the newest ``cap`` in-order fixes; the batch
    read of several rings from a time per ring equals each ring read whole and cut."""
    s, naive = CityState(trail_points=cap), {}
    for seq, batch in enumerate(batches, 1):
        s.apply([fixes(seq, [(v, float(t), 120.0, 30.0) for v, t in batch])])
        for v in sorted({v for v, _ in batch}):
            ts = sorted(t for w, t in batch if w == v)
            last = naive.get(v, [-math.inf])[-1]
            naive.setdefault(v, []).extend(float(t) for t in ts if t > last)
    for v, ts in naive.items():
        assert s.trail(v)[:, 0].tolist() == ts[-cap:]
    ids = s.vehicle_ids()
    rows = np.arange(len(ids))[::-1]  # any order of rows
    pts, owner = s.trails(rows, np.array(since[: len(ids)], dtype=float)[::-1])
    want = [(r, t) for r in rows for t in naive[ids[r]][-cap:] if t >= since[r]]
    assert list(zip(owner.tolist(), pts[:, 0].tolist(), strict=True)) == want


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.lists(
                st.tuples(st.sampled_from("ABCD"), st.integers(0, 60), st.integers(0, 3)),
                max_size=12,
            ),
            st.tuples(st.sampled_from("ABCD"), st.integers(0, 60)),  # a vehicle change
        ),
        min_size=1,
        max_size=14,
    ),
    st.integers(1, 6),
    st.integers(0, 8),
)
def test_a_page_of_fixes_folds_as_its_changes_one_at_a_time(items, cap, snapshot_seq):
    """``apply`` folds a page's fixes together: the trails, last positions and diff are what
    folding each change on its own gives, late and repeated fixes, vehicle changes between
    them and changes already inside the snapshot included."""
    page = []
    for seq, item in enumerate(items, 1):
        if isinstance(item, tuple):
            vid, t = item
            fix = {"t": T0 + t, "lon": 120.0 + seq, "lat": 30.0, "speed_kmh": 5.0}
            page.append(
                ch(seq, "vehicle", vehicle={"id": vid, "status": "moving", "last_fix": fix})
            )
        else:
            page.append(
                fixes(seq, [(v, T0 + t, 120.0 + seq + k / 10, 30.0 + k) for v, t, k in item])
            )
            page[-1]["flags"] = [seq * 10 + k for _, _, k in item]
    snapshot = {
        "seq": snapshot_seq,
        "vehicles": [
            {"id": "B", "status": "working", "last_fix": {"t": T0 + 30, "lon": 1.0, "lat": 2.0}}
        ],
    }
    together, one_by_one = CityState(trail_points=cap), CityState(trail_points=cap)
    for s in (together, one_by_one):
        s.bootstrap(snapshot)
    d = together.apply(page)
    diffs = [one_by_one.apply([c]) for c in page]
    assert together.digest() == one_by_one.digest()
    for k, a in together.vehicle_arrays().items():
        assert np.array_equal(a, one_by_one.vehicle_arrays()[k], equal_nan=True), k
    assert d.vehicles == set().union(*(x.vehicles for x in diffs))
    assert d.fixes == sum(x.fixes for x in diffs)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["C0", "C1", "C2", "C3"]),
            st.integers(1, 5),
            st.sampled_from(["dispatched", "closed"]),
            st.integers(0, 90),  # minutes since the change before
        ),
        min_size=1,
        max_size=16,
    ),
    st.integers(0, 4),
)
def test_a_page_of_case_versions_folds_as_its_changes_one_at_a_time(versions, snapshot_seq):
    """``apply`` puts a page's case versions together: the same cases, rows, columns and
    diff as one change at a time, across hours (when evictions run) and the snapshot."""
    page, at = [], TEST_START
    for seq, (cid, version, state, minutes) in enumerate(versions, 1):
        at += timedelta(minutes=minutes)
        doc = case_doc(cid, version, state, address=f"{cid} v{version}")
        page.append({"seq": seq, "ts": at.isoformat(), "kind": "case", "case": doc})
    together, one_by_one = CityState(), CityState()
    for s in (together, one_by_one):
        s.bootstrap({"seq": snapshot_seq, "cases": [case_doc("C9", 1)]})
    d = together.apply(page)
    diffs = [one_by_one.apply([c]) for c in page]
    assert together.digest() == one_by_one.digest()
    assert together.case_ids() == one_by_one.case_ids() and together.cases == one_by_one.cases
    for k, col in together.case_arrays().items():
        other = one_by_one.case_arrays()[k]
        if k in CODED_FIELDS:
            a, b = together.case_values(k), one_by_one.case_values(k)
            assert [a[c] for c in col] == [b[c] for c in other], k
        else:
            assert np.array_equal(col, other, equal_nan=True), k
    assert d.cases == set().union(*(x.cases for x in diffs))
    assert d.cases_evicted == set().union(*(x.cases_evicted for x in diffs))


def test_changes_inside_the_snapshot_only_add_trail_points():
    s = CityState()
    s.bootstrap(
        {
            "seq": 10,
            "cases": [case_doc("C1", 5)],
            "vehicles": [
                {"id": "V1", "status": "working", "last_fix": {"t": T0 + 9, "lon": 1.0, "lat": 2.0}}
            ],
            "alerts": [],
        }
    )
    d = s.apply(
        [
            ch(8, "case", case=case_doc("C1", 4)),
            alert(9, "A0", "raised"),
            fixes(7, [("V1", T0 + 1, 0.5, 0.5)]),
        ]
    )
    assert s.cases["C1"]["version"] == 5 and not s.alerts and not d.cases
    assert s.trail("V1")[:, 0].tolist() == [T0 + 9]  # the snapshot's fix; the older one is late
    assert s.seq == 10 and s.log_seq == 9


@pytest.mark.parametrize("form", ["json", "compact"])
def test_checkpoint_round_trip_keeps_the_digest(form):
    from console.store import checkpoint_form

    s = CityState(trail_points=8)
    s.apply([ch(1, "case", case=case_doc("C1", 1)), fixes(2, [("V1", T0, 120.0, 30.0)])])
    s.apply([alert(3, "A1", "raised"), ch(4, "sensor", sensor={"id": "S1", "last_value": 3.5})])
    encode = {"json": checkpoint_form.encode_json, "compact": checkpoint_form.encode_compact}
    cp = checkpoint_form.decode(encode[form](s.checkpoint()))
    again = CityState.from_checkpoint(cp)
    assert again.digest() == s.digest() and again.log_seq == 4
    again.apply([fixes(5, [("V1", T0 + 5, 120.1, 30.0)])])
    s.apply([fixes(5, [("V1", T0 + 5, 120.1, 30.0)])])
    assert again.digest() == s.digest()


@pytest.mark.parametrize("form", ["json", "compact"])
def test_rings_read_in_steps_hash_and_pack_as_one_read(form, monkeypatch):
    """The digest and the checkpoint read the trail rings ``GATHER_ROWS`` at a time (the GIL
    changes hands between steps): the same bytes, and so the same digest and checkpoint, as one
    read of them all; the steps cut through the fleet at uneven places."""
    import console.state as state_module
    from console.store import checkpoint_form

    s = CityState(trail_points=4)
    for k in range(11):  # rings full, wrapped and part-filled, by vehicle
        s.apply([fixes(k + 1, [(f"V{v:02d}", T0 + k, 120 + v / 100, 30.0) for v in range(k, 23)])])
    whole, whole_cp = s.digest(), s.checkpoint()
    for rows in (1, 5, 7):
        monkeypatch.setattr(state_module, "GATHER_ROWS", rows)
        assert s.digest() == whole
        cp = s.checkpoint()
        assert cp["trails"] == whole_cp["trails"]
        encode = {"json": checkpoint_form.encode_json, "compact": checkpoint_form.encode_compact}
        again = CityState.from_checkpoint(checkpoint_form.decode(encode[form](cp)))
        assert again.digest() == whole


def test_digest_sees_what_matters():
    a, b = CityState(), CityState()
    for s in (a, b):
        s.apply([ch(1, "case", case=case_doc("C1", 1)), fixes(2, [("V1", T0, 120.0, 30.0)])])
    assert a.digest() == b.digest()
    b.apply([fixes(3, [("V1", T0 + 5, 120.0, 30.0)])])
    assert a.digest() != b.digest()


# ---- against the real backend and simulator -----------------------------------------------
@pytest.fixture
def living_backend(tmp_path):
    b = start_backend(fresh_db_url("sqlite", tmp_path), speed=60.0, tick_seconds=0.5)
    yield b
    b.stop()


class Console:
    """What the Qt bridge does, without Qt: apply each batch to a CityState, checkpointing."""

    def __init__(self, url: str, log: ShiftLog):
        self.fold = LiveFold(checkpoint_every=1500).attach(log)
        self.state = self.fold.state
        client = RestClient(url, "demo-wall", "demo")
        self.source = LiveSource(client, log, self.fold.on_batch, wait_s=1)

    def run_until(self, stop: threading.Event) -> None:
        self.source.start()
        stop.wait()
        self.source.stop()
        self.source.join(30)


def test_folding_the_shift_log_gives_the_live_digest(living_backend, tmp_path):
    b = living_backend
    log = ShiftLog(tmp_path / "shift.db", backend_url=b.url, user="demo-wall")
    sim = threading.Thread(
        target=run_headless, args=(b.url, b.settings.clock, 0.3, SimConfig(seed=7)), daemon=True
    )
    sim.start()
    consoles = []
    for part in range(2):  # the console is restarted once on the same file
        stop = threading.Event()
        console = Console(b.url, log)
        consoles.append(console)
        th = threading.Thread(target=console.run_until, args=(stop,))
        th.start()
        (sim.join if part else lambda: sim.join(9))()
        stop.set()
        th.join(40)
    live = consoles[-1].state
    assert live.counts()["vehicles"] == 40 and sum(1 for _ in live.cases) > 3
    assert len(log.bootstraps()) == 2 and log.checkpoint_at() is not None
    assert len(live.trails_connect()[0]) > 1000

    assert fold_log(log, use_checkpoints=False).digest() == live.digest()
    assert fold_log(log).digest() == live.digest()
    seqs = log.seqs()
    for upto in np.random.default_rng(1).choice(seqs, 5):
        assert (
            fold_log(log, int(upto)).digest()
            == fold_log(log, int(upto), use_checkpoints=False).digest()
        )
    for at in (b.settings.clock.now(), b.settings.clock.now() + timedelta(hours=3)):
        docs = [live.cases[cid] for cid in live.case_ids()]
        want = [Case.from_dict(d).light(at, live.calendar, live.limits) for d in docs]
        codes = {"green": GREEN, "yellow": YELLOW, "red": RED, None: NO_LIGHT}
        assert live.case_lights(at).tolist() == [codes[w] for w in want]


def test_checkpoint_v3_is_exact_and_v2_v1_still_read():
    """Version 3 carries the cases' light instants (a seek then runs no domain clock);
    version 2 packs numeric columns as base64 arrays; version 1 (nested lists with None for
    NaN) was written by earlier consoles. All restore the same state, lights included."""
    import math

    import numpy as np

    from console.state import CHECKPOINT_VERSION, _unpack

    s = CityState(trail_points=8)
    docs = [
        case_doc(f"C{i}", 1, stage_started_at=TEST_START - timedelta(minutes=41 * i))
        for i in range(6)
    ] + [case_doc("C9", 3, state="closed")]
    s.bootstrap({"seq": 1, "cases": docs, "vehicles": [], "alerts": []})
    t0 = 1_795_400_000.0
    s.apply(
        [
            {
                "seq": 2,
                "ts": "2026-11-23T01:00:00+00:00",
                "kind": "fixes",
                "vehicle_id": ["V1", "V2", "V1"],
                "t": [t0, t0, t0 + 5],
                "lon": [120.17, 120.18, 120.171],
                "lat": [30.25, 30.26, 30.251],
                "speed_kmh": [10.0, math.nan, 12.0],
                "heading": [0.0, 90.0, 10.0],
                "flags": [1, 0, 1],
            }
        ]
    )
    cp = s.checkpoint()
    assert cp["version"] == CHECKPOINT_VERSION == 3
    hours = [TEST_START + timedelta(hours=h) for h in (0, 0.7, 1.5, 3, 30)]

    def same(restored: CityState) -> bool:
        return restored.digest() == s.digest() and all(
            restored.case_lights(at).tolist() == s.case_lights(at).tolist() for at in hours
        )

    assert len(set(s.case_lights(hours[2]).tolist())) >= 3  # the lights differ between cases
    assert same(CityState.from_checkpoint(cp))
    v2 = {k: v for k, v in cp.items() if k not in ("case_ids", "case_cols")}
    assert same(CityState.from_checkpoint(dict(v2, version=2)))
    v1 = dict(v2, version=1)
    for key in ("trails", "trail_n"):
        a = _unpack(cp[key], np.float64)
        v1[key] = np.where(np.isnan(a), None, a).tolist()
    v1["vehicle_cols"] = {
        k: np.where(np.isnan(a), None, a).tolist()
        for k, a in ((k, _unpack(v, np.float64)) for k, v in cp["vehicle_cols"].items())
    }
    assert same(CityState.from_checkpoint(v1))


# ---- the batch lights equal the domain's ------------------------------------------------------


def _limits_with_field_on_working_days() -> TimeLimits:
    """The shipped limits with the field calendar counted on working days only (a named
    calendar of ``days: working``, the one clock that shares the work calendar's holidays)."""
    cfg = LIMITS.to_dict()
    cfg["calendars"] = {
        **cfg["calendars"],
        "field": {**cfg["calendars"]["field"], "days": "working"},
    }
    return TimeLimits.from_dict(cfg)


_DAYS = st.dates(date(2026, 10, 1), date(2027, 6, 30))


@st.composite
def calendars(draw) -> WorkCalendar:
    """The shipped calendar, or one with its own periods, holidays and weekend workdays."""
    if draw(st.booleans()):
        return CAL
    periods = draw(
        st.sampled_from(
            [
                ((480, 720), (840, 1080)),
                ((0, 1440),),
                ((420, 1140),),
                ((0, 1), (600, 601), (1439, 1440)),
            ]
        )
    )
    holidays = draw(st.sets(_DAYS, max_size=30))
    workdays = draw(st.sets(_DAYS.filter(lambda d: d.weekday() >= 5), max_size=8)) - holidays
    return WorkCalendar(periods, holidays, workdays)


@settings(max_examples=150, deadline=None)
@given(
    calendar=calendars(),
    field_on_working_days=st.booleans(),
    source=st.sampled_from(["supervisor", "public", "video", "self"]),
    category=st.sampled_from(["06010", "01010", "99999"]),
    urgency=st.sampled_from(["normal", "urgent", "critical"]),
    start=st.datetimes(datetime(2026, 11, 1), datetime(2027, 3, 1), timezones=st.just(CST)),
    steps=st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.sampled_from(ACTORS), PARAMS, st.integers(0, 4000)),
        max_size=30,
    ),
)
def test_batch_light_times_equal_the_domain_on_random_histories(
    calendar, field_on_working_days, source, category, urgency, start, steps
):
    """Every version of a random history (stages, extensions, 缓办 and resumes, urgencies,
    categories) on a random calendar (holidays, weekend workdays, odd periods): the batch gives
    ``Case.light_times`` to the microsecond."""
    limits = _limits_with_field_on_working_days() if field_on_working_days else LIMITS
    c = report(source, category, start)
    c.urgency = urgency
    versions = [c]
    for action, actor, params, minutes in steps:
        at = datetime.fromisoformat(c.events[-1]["at"]) + timedelta(minutes=minutes)
        try:
            c, _ = apply_action(c, action, actor, at, calendar, limits, note="n", params=params)
        except WorkflowError:
            continue
        versions.append(c)
    yellow, red = light_times_batch([v.to_dict() for v in versions], calendar, limits)
    for v, y, r in zip(versions, yellow, red, strict=True):
        want = v.light_times(calendar, limits)
        if want is None:
            assert math.isnan(y) and math.isnan(r)
        else:
            assert (y, r) == (want[0].timestamp(), want[1].timestamp()), v.to_dict()


@settings(max_examples=150, deadline=None)
@given(
    calendar=calendars(),
    clocks=st.lists(
        st.tuples(
            st.datetimes(datetime(2026, 10, 1), datetime(2027, 6, 1), timezones=st.just(UTC)),
            st.floats(0, 60 * 24 * 40, allow_nan=False),
            st.floats(-30, 60 * 24 * 200, allow_nan=False),
            st.sampled_from(["working", "calendar", "centre", "field", "nowhere", ""]),
        ),
        min_size=1,
        max_size=50,
    ),
)
def test_batch_light_times_equal_the_domain_on_any_clock(calendar, clocks):
    """Raw clocks: any start (a period's edge, a holiday, a night), limits of minutes to weeks,
    time parked up to months (negative too), every clock name and ones nobody configured."""
    docs = [
        {
            **case_doc(f"C{i}", 1, stage_started_at=start),
            "stage_limit_minutes": minutes,
            "paused_minutes": paused,
            "stage_clock": clock,
        }
        for i, (start, minutes, paused, clock) in enumerate(clocks)
    ]
    yellow, red = light_times_batch(docs, calendar, LIMITS)
    want = [case_light_times(d, calendar, LIMITS) for d in docs]
    got = list(zip(yellow.tolist(), red.tolist(), strict=True))
    assert [tuple("nan" if math.isnan(x) else x for x in w) for w in want] == [
        tuple("nan" if math.isnan(x) else x for x in g) for g in got
    ]


def test_batch_light_times_read_what_the_domain_reads_and_refuse_what_it_refuses():
    good = case_doc("C0", 1)
    bad = [
        {**good, "stage_started_at": "yesterday"},
        {**good, "closed_at": 5},  # from_dict cannot parse it: no light, as the domain
        {**good, "stage_limit_minutes": "120"},
        {**good, "paused_minutes": None},
        {**good, "stage_clock": None},
        {**good, "stage_limit_minutes": -5.0},
        {k: v for k, v in good.items() if k != "source"},
        {**good, "location": None},
    ]
    yellow, red = light_times_batch([good, *bad], CAL, LIMITS)
    assert (yellow[0], red[0]) == case_light_times(good, CAL, LIMITS)
    assert not math.isnan(red[0]) and np.isnan(yellow[1:]).all() and np.isnan(red[1:]).all()


def test_cases_parsed_off_the_wire_share_their_repeated_strings_and_read_the_same():
    import json

    docs = [case_doc(f"C{i}", 1) for i in range(3)]
    for d in docs:
        d["events"] = [{"action": "report", "user": "sup-1", "at": d["created_at"]}]
    docs[2]["extension_hours"] = -0.0
    raw = json.dumps(docs)
    s = CityState()
    s.bootstrap({"seq": 1, "cases": json.loads(raw)})
    assert [s.cases[f"C{i}"] for i in range(3)] == json.loads(raw)  # the same documents
    a, b = s.cases["C0"], s.cases["C2"]
    assert a["state"] is b["state"] and a["category_code"] is b["category_code"]
    assert a["events"][0]["user"] is b["events"][0]["user"]
    assert a["paused_minutes"] is b["paused_minutes"]
    assert math.copysign(1, b["extension_hours"]) == -1  # -0.0 is not 0.0's copy
    assert a["created_at"] is a["events"][0]["at"]  # one instant, one string
    assert a["id"] is not b["id"]


def test_coded_case_columns_decode_to_each_case_through_changes_evictions_and_checkpoints():
    from unittest import mock

    import console.state
    from console.state import CODED_FIELDS

    def decoded(s: CityState) -> dict[str, dict[str, object]]:
        a = s.case_arrays()
        return {
            cid: {name: s.case_values(name)[a[name][s.case_row(cid)]] for name in CODED_FIELDS}
            for cid in s.case_ids()
        }

    def held(s: CityState) -> dict[str, dict[str, object]]:
        return {
            cid: {name: doc.get(key) for name, key in CODED_FIELDS.items()}
            for cid, doc in s.cases.items()
        }

    s = CityState()
    docs = [case_doc(f"C{i}", 1, address=f"路{i % 3}", grid_code=f"G{i}") for i in range(8)]
    s.bootstrap({"seq": 1, "cases": docs})
    assert decoded(s) == held(s)
    moved = [case_doc("C1", 2, address="新路", department_id="D9", grid_code="G1")]
    closed = [
        case_doc(f"C{i}", 2, state="closed", grid_code=f"G{i}", updated_at=TEST_START)
        for i in range(2, 7)
    ]
    s.apply([ch(2 + k, "case", case=c) for k, c in enumerate(moved + closed)])
    assert decoded(s) == held(s)
    with mock.patch.object(console.state, "COMPACT_FLOOR", 0):  # recode as soon as it may
        gone = s.evict(TEST_START + timedelta(days=30))
    assert len(gone) == 5 and decoded(s) == held(s)
    assert len(s.case_values("grid")) == len(s.cases)  # the evicted cases' cells left
    restored = CityState.from_checkpoint(s.checkpoint())
    assert decoded(restored) == held(restored) == held(s)


def test_a_copy_into_an_old_copy_reuses_its_rings_and_is_independent():
    s = CityState(trail_points=4)
    s.apply([fixes(1, [("V1", T0 + 1, 120.1, 30.2), ("V2", T0 + 1, 120.2, 30.3)])])
    old = s.copy()
    s.apply([fixes(2, [("V1", T0 + 2, 120.3, 30.4)])])
    rings = old._trail
    new = s.copy(into=old)
    assert new is old and new._trail is rings and new.digest() == s.digest()
    s.apply([fixes(3, [("V1", T0 + 3, 120.5, 30.5)])])
    assert new.digest() != s.digest() and new.trail("V1")[:, 0].tolist() == [T0 + 1, T0 + 2]
    s.apply([fixes(4, [(f"V{k}", T0 + 4, 120.0, 30.0) for k in range(3, 40)])])  # rings grew
    again = s.copy(into=new)
    assert again._trail is not rings and again.digest() == s.digest()


def test_a_reference_sizes_the_trail_rings_once_for_its_fleet():
    s = CityState(trail_points=4)
    s.apply([fixes(1, [("V0", T0, 120.0, 30.0)])])
    s.set_reference({"vehicles": [{"id": f"V{k}"} for k in range(300)]})
    assert len(s._trail) == len(s._trail_n) == 300  # V0 and 299 new: not 512 by doubling
    assert s.trail("V0")[:, 0].tolist() == [T0]  # what it held stays
    s.set_reference({"vehicles": [{"id": f"V{k}"} for k in range(300)]})  # again: no growth
    assert len(s._trail) == 300
