"""Exporting a time range of a shift log and merging consecutive logs (console.replay.logfiles),
against real recordings: the session's ``recorded_shift`` and two consecutive shifts recorded
here from one backend (the day console stops, the night console starts a new file).

The property throughout: the new file replays exactly -- its fold (with its checkpoints) at a
seq has the digest of the source's fold at that seq."""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from console.replay.fold import fold_log
from console.replay.logfiles import _checkpoint_boot_id, _remap_checkpoint, export_logs
from console.store import checkpoint_form
from console.store.shiftlog import ShiftLog
from tests.conftest import fresh_db_url, start_backend, wait_until


# ---- helpers ----------------------------------------------------------------------------------
def open_log(path) -> ShiftLog:
    return ShiftLog(path, readonly=True)


def digest(path, upto=None, use_checkpoints=True) -> str:
    log = open_log(path)
    try:
        return fold_log(log, upto, use_checkpoints=use_checkpoints).digest()
    finally:
        log.engine.dispose()


def rows(path, sql, *args) -> list[tuple]:
    con = sqlite3.connect(path)  # read only by use (mode=ro would leave -wal/-shm behind)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def seqs(path) -> list[int]:
    return [s for (s,) in rows(path, "SELECT seq FROM changes ORDER BY seq")]


def ts_of(path, seq) -> datetime:
    return datetime.fromisoformat(rows(path, "SELECT ts FROM changes WHERE seq = ?", seq)[0][0])


def copy_db(src: Path, dst: Path) -> None:
    """A byte-faithful copy through SQLite's backup API (the source may be in WAL mode)."""
    a = sqlite3.connect(src)
    b = sqlite3.connect(dst)
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()


def dir_listing(d: Path) -> set[str]:
    return {p.name for p in d.iterdir()}


# ---- two consecutive shifts from one backend --------------------------------------------------
@dataclass
class TwoShifts:
    a: Path
    b: Path
    b_start: int  # the snapshot seq B started from: where B takes over in a merge
    a_actions: int
    b_bookmarks: list[str]


def _record(url: str, path: Path, seconds: float, label: str) -> tuple[int, list[str]]:
    """Record ``seconds`` of the live feed into ``path`` like a console (live fold,
    checkpoints every 1500 items), accept up to two new cases and set a bookmark."""
    from console.replay.fold import LiveFold
    from console.session import Session

    fold = LiveFold(checkpoint_every=1500)
    state, lock = fold.state, fold.lock
    session = Session(url, "demo-console", "demo", path, on_batch=fold.on_batch, wait_s=1)
    fold.attach(session.shiftlog)
    session.start()
    acted: set[str] = set()
    marks: list[str] = []
    t_end = time.monotonic() + seconds
    while time.monotonic() < t_end:
        time.sleep(1.0)
        with lock:
            fresh = [c for c in state.cases.values() if c["state"] == "reported"]
            ts, seq = state.ts, state.log_seq
        for case in fresh[: max(0, 2 - len(acted))]:
            session.act(case, "accept")
            acted.add(case["id"])
        if not marks and acted and ts:
            session.shiftlog.add_bookmark(seq, ts, label)
            marks.append(label)
    wait_until(lambda: session.outbox.pending() == 0, 30)
    time.sleep(1.5)
    session.stop()
    session.live.join(30)
    fold.close()
    return len(acted), marks


@pytest.fixture(scope="module")
def two_shifts(tmp_path_factory) -> TwoShifts:
    """Day shift into A (~15 s wall, 15 district minutes at 60x), then a new console run into
    B (~15 s), against one backend and simulator: two consecutive logs of one feed."""
    from console.sim.district import run_headless

    tmp = tmp_path_factory.mktemp("two_shifts")
    backend = start_backend(fresh_db_url("sqlite", tmp), speed=60.0, tick_seconds=0.5)
    sim = threading.Thread(
        target=run_headless, args=(backend.url, backend.settings.clock, 0.6, None), daemon=True
    )
    sim.start()
    try:
        a, b = tmp / "day.zhcg", tmp / "night.zhcg"
        a_actions, _ = _record(backend.url, a, 14, "白班：开始巡查")
        time.sleep(1.0)
        _, b_marks = _record(backend.url, b, 14, "夜班：交接完成")
    finally:
        sim.join(60)
        backend.stop()
    b_start = rows(b, "SELECT seq FROM bootstraps ORDER BY id LIMIT 1")[0][0]
    return TwoShifts(a, b, b_start, a_actions, b_marks)


# ---- merging ----------------------------------------------------------------------------------
def test_merge_two_consecutive_shifts_replays_both(two_shifts, tmp_path):
    a, b = two_shifts.a, two_shifts.b
    out = tmp_path / "day+night.zhcg"
    summary = export_logs([a, b], out)

    # The end of the merged log is the end of the night shift, from checkpoints or from empty.
    assert digest(out) == digest(b)
    assert digest(out, use_checkpoints=False) == digest(b)
    # Inside the day shift's part, the merged log is the day shift, seq for seq.
    a_part = [s for s in seqs(a) if s < two_shifts.b_start]
    assert len(a_part) > 50
    for s in random.Random(1).sample(a_part, 6) + [a_part[-1]]:
        assert digest(out, s) == digest(a, s), s
    # And inside the night shift's part, the night shift.
    for s in random.Random(2).sample(seqs(b), 4):
        assert digest(out, s) == digest(b, s), s

    assert seqs(out) == sorted(set(seqs(a)) | set(seqs(b)))
    n_boot = len(rows(a, "SELECT id FROM bootstraps")) + len(rows(b, "SELECT id FROM bootstraps"))
    assert summary["changes"] == len(seqs(out))
    assert summary["bootstraps"] == n_boot == len(rows(out, "SELECT id FROM bootstraps"))
    assert summary["checkpoints"] == len(rows(out, "SELECT seq FROM checkpoints"))
    assert summary["seq_range"] == (seqs(out)[0], seqs(out)[-1])


def test_merge_keeps_bookmarks_outbox_and_meta(two_shifts, tmp_path):
    a, b = two_shifts.a, two_shifts.b
    out = tmp_path / "merged.zhcg"
    summary = export_logs([b, a], out)  # any order: they are put in the order they happened
    assert digest(out) == digest(b)

    marks = lambda p: sorted(rows(p, "SELECT seq, at, label FROM bookmarks"))  # noqa: E731
    assert marks(out) == sorted(marks(a) + marks(b))
    assert two_shifts.b_bookmarks[0] in [m[2] for m in marks(out)]
    box = lambda p: sorted(rows(p, "SELECT key, action, state, status FROM outbox"))  # noqa: E731
    assert box(out) == sorted(box(a) + box(b))
    assert summary["outbox"] == len(box(out)) >= two_shifts.a_actions
    assert summary["bookmarks"] == len(marks(out))

    meta = open_log(out).meta()
    ma, mb = open_log(a).meta(), open_log(b).meta()
    assert meta["feed_id"] == ma["feed_id"] == mb["feed_id"]
    assert meta["schema_version"] == "1"
    assert meta["user"] == "demo-console"
    assert meta["shift_start"] == ma["shift_start"] and meta["shift_end"] == mb["shift_end"]
    assert json.loads(meta["exported_from"]) == [b.name, a.name]
    assert "range_start" not in meta


def test_merge_renumbers_bootstraps_and_remaps_checkpoints(two_shifts, tmp_path):
    a, b = two_shifts.a, two_shifts.b
    out = tmp_path / "merged.zhcg"
    export_logs([a, b], out)
    la, lb, lo = open_log(a), open_log(b), open_log(out)
    boots = lo.bootstraps()
    assert [x["id"] for x in boots] == list(range(1, len(boots) + 1))
    night = boots[len(la.bootstraps())]
    assert night["fresh"] == 1 and night["seq"] == two_shifts.b_start
    assert night["after_seq"] >= max(s for s in seqs(a) if s <= two_shifts.b_start)
    # Its reference is the one in force (stored NULL if equal to the day's, per the rule).
    assert lo.bootstrap(night["id"]) == lb.bootstrap(1)
    # B's checkpoints now point at B's bootstrap under its new id.
    cp = lo.checkpoint_at()
    assert cp is not None and cp[0] > two_shifts.b_start
    assert cp[2]["bootstrap_id"] == night["id"]
    assert cp[1] == lb.checkpoint_at(cp[0])[1]
    raw = rows(out, "SELECT state FROM checkpoints WHERE seq = ?", cp[0])[0][0]
    assert raw.startswith(checkpoint_form.MAGIC)  # the compact form, as recorded
    assert checkpoint_form.decode(raw)["bootstrap_id"] == night["id"]
    for lg in (la, lb, lo):
        lg.engine.dispose()


def test_checkpoints_of_either_form_are_remapped_in_their_form(two_shifts):
    """A log recorded before the compact form holds JSON checkpoints: merging remaps those as
    JSON, the compact ones as compact, and both read back the same but for the id."""
    lb = open_log(two_shifts.b)
    seq, _digest, data = lb.checkpoint_at()
    lb.engine.dispose()
    data.pop(checkpoint_form.VALUES_SHARED)
    for encode in (checkpoint_form.encode_json, checkpoint_form.encode_compact):
        blob = encode(data)
        assert _checkpoint_boot_id(blob) == data["bootstrap_id"]
        moved = _remap_checkpoint(blob, 7)
        same_form = moved.startswith(checkpoint_form.MAGIC) == blob.startswith(
            checkpoint_form.MAGIC
        )
        assert same_form and _checkpoint_boot_id(moved) == 7
        back = checkpoint_form.decode(moved)
        back.pop(checkpoint_form.VALUES_SHARED, None)
        want = checkpoint_form.decode(encode(dict(data, bootstrap_id=7)))
        want.pop(checkpoint_form.VALUES_SHARED, None)
        assert back == want


def test_overlapping_inputs_dedupe(two_shifts, tmp_path):
    """Two consoles that ran at once recorded the same changes: each seq is kept once, and
    the merged log still replays the shift exactly."""
    a = two_shifts.a
    # A whole copy (a second console on the same feed from the same snapshot) ...
    twin = tmp_path / "twin.zhcg"
    copy_db(a, twin)
    out = tmp_path / "a+twin.zhcg"
    sha = hashlib.sha256(a.read_bytes()).hexdigest()
    s = export_logs([a, twin], out)
    assert hashlib.sha256(a.read_bytes()).hexdigest() == sha  # inputs are only read
    assert not Path(f"{a}-wal").exists() and not Path(f"{twin}-wal").exists()
    assert seqs(out) == seqs(a) and s["changes"] == len(seqs(a))
    assert digest(out) == digest(a)
    assert digest(out, use_checkpoints=False) == digest(a, use_checkpoints=False)
    for q in random.Random(6).sample(seqs(a), 5):
        assert digest(out, q) == digest(a, q), q
    assert rows(out, "SELECT count(*) FROM outbox")[0][0] == len(rows(a, "SELECT key FROM outbox"))
    marks = "SELECT seq, at, label, created_at FROM bookmarks ORDER BY seq"
    assert rows(out, marks) == rows(a, marks)

    # ... and two overlapping pieces of it, each starting mid-shift.
    sa = seqs(a)
    n = len(sa)
    t = [ts_of(a, sa[int(n * f)]) for f in (0.1, 0.4, 0.7, 0.95)]
    p1, p2 = tmp_path / "p1.zhcg", tmp_path / "p2.zhcg"
    export_logs([a], p1, t[0], t[2])
    export_logs([a], p2, t[1], t[3])
    both = tmp_path / "p1+p2.zhcg"
    export_logs([p2, p1], both)
    assert seqs(both) == sorted(set(seqs(p1)) | set(seqs(p2)))
    assert len(seqs(both)) < len(seqs(p1)) + len(seqs(p2))
    for q in random.Random(3).sample(seqs(both), 8) + [seqs(both)[-1]]:
        assert digest(both, q) == digest(a, q), q


# ---- ranges -----------------------------------------------------------------------------------
def _check_range_export(src: Path, out: Path, start, end, samples: int, seed: int) -> dict:
    summary = export_logs([src], out, start, end)
    got = seqs(out)
    assert got, "the range holds changes"
    for (ts,) in rows(out, "SELECT ts FROM changes"):
        assert start <= datetime.fromisoformat(ts) <= end
    # A run of the source's seqs (a replay cannot skip one), bounded by the changes stamped
    # outside the range (district time is a few seconds out of seq order at times).
    all_seqs = seqs(src)
    i, j = all_seqs.index(got[0]), all_seqs.index(got[-1])
    assert got == all_seqs[i : j + 1]
    assert i == 0 or ts_of(src, all_seqs[i - 1]) < start
    assert j == len(all_seqs) - 1 or ts_of(src, all_seqs[j + 1]) > end
    inside = [s for s in all_seqs if start <= ts_of(src, s) <= end]
    assert len(got) >= 0.9 * len(inside)
    for s in random.Random(seed).sample(got, min(samples, len(got))) + [got[0], got[-1]]:
        assert digest(out, s) == digest(src, s), s
    assert digest(out) == digest(src, got[-1])
    meta = open_log(out).meta()
    assert datetime.fromisoformat(meta["range_start"]) == start
    assert datetime.fromisoformat(meta["range_end"]) == end
    assert summary["seq_range"] == (got[0], got[-1])
    assert summary["time_range"][0] == rows(out, "SELECT ts FROM changes WHERE seq=?", got[0])[0][0]
    return summary


def test_range_export_of_a_recorded_shift_replays_exactly(recorded_shift, tmp_path):
    src = recorded_shift.path
    sq = seqs(src)
    start, end = ts_of(src, sq[len(sq) // 3]), ts_of(src, sq[3 * len(sq) // 4])
    out = tmp_path / "part.zhcg"
    summary = _check_range_export(src, out, start, end, samples=8, seed=4)
    # It starts from the state at the range start: one bootstrap in force and a checkpoint
    # right before the first change.
    first = open_log(out).bootstraps()[0]
    assert first["fresh"] == 1
    assert rows(out, "SELECT min(seq) FROM checkpoints")[0][0] == first["after_seq"] < sq[-1]
    assert summary["checkpoints"] >= 1
    # Bookmarks inside the range are kept, those outside are not.
    lo, hi = summary["seq_range"]
    want = rows(src, "SELECT seq, label FROM bookmarks WHERE seq BETWEEN ? AND ?", lo, hi)
    assert sorted(rows(out, "SELECT seq, label FROM bookmarks")) == sorted(want)


def test_range_export_with_open_ends(recorded_shift, tmp_path):
    src = recorded_shift.path
    sq = seqs(src)
    mid = ts_of(src, sq[len(sq) // 2])
    head, tail = tmp_path / "head.zhcg", tmp_path / "tail.zhcg"
    export_logs([src], head, end=mid)
    export_logs([src], tail, start=mid)
    assert seqs(head)[0] == sq[0] and seqs(tail)[-1] == sq[-1]
    assert digest(head) == digest(src, seqs(head)[-1])
    assert digest(tail) == digest(src) == recorded_shift.live_digest
    # The whole shift's outbox is in one part or the other (split by wall clock).
    n = lambda p: rows(p, "SELECT count(*) FROM outbox")[0][0]  # noqa: E731
    assert n(head) + n(tail) >= n(src) == recorded_shift.actions


def test_range_across_merged_shifts(two_shifts, tmp_path):
    """A range from the day shift into the night shift, exported from both files at once,
    replays like the merged log (the cut is taken from the merge)."""
    a, b = two_shifts.a, two_shifts.b
    merged = tmp_path / "merged.zhcg"
    export_logs([a, b], merged)
    sa, sb = seqs(a), seqs(b)
    start, end = ts_of(a, sa[len(sa) // 2]), ts_of(b, sb[len(sb) // 2])
    out = tmp_path / "evening.zhcg"
    summary = export_logs([a, b], out, start, end)
    got = seqs(out)
    assert got[0] < two_shifts.b_start < got[-1]
    for s in random.Random(5).sample(got, 8) + [got[0], got[-1]]:
        assert digest(out, s) == digest(merged, s), s
    assert summary["bootstraps"] == 2  # the day's in force at the start, the night's
    assert json.loads(open_log(out).meta()["exported_from"]) == [a.name, b.name]


# ---- refusals ---------------------------------------------------------------------------------
def test_refusals_are_clear_and_leave_nothing(two_shifts, recorded_shift, tmp_path):
    a, b = two_shifts.a, two_shifts.b
    before = dir_listing(tmp_path)

    existing = tmp_path / "existing.zhcg"
    existing.write_bytes(b"keep me")
    with pytest.raises(ValueError, match="already exists"):
        export_logs([a], existing)
    assert existing.read_bytes() == b"keep me"
    with pytest.raises(ValueError, match="one of the inputs"):
        export_logs([a, b], b)

    other_feed = tmp_path / "other-feed.zhcg"
    copy_db(recorded_shift.path, other_feed)
    with pytest.raises(ValueError, match="different backend feeds"):
        export_logs([a, other_feed], tmp_path / "x.zhcg")

    with pytest.raises(ValueError, match="empty range"):
        export_logs([a], tmp_path / "x.zhcg", ts_of(a, seqs(a)[-1]), ts_of(a, seqs(a)[0]))
    t0 = ts_of(a, seqs(a)[0])
    with pytest.raises(ValueError, match="empty range: no change"):
        export_logs([a], tmp_path / "x.zhcg", t0.replace(year=2000), t0.replace(year=2001))
    with pytest.raises(ValueError, match="aware"):
        export_logs([a], tmp_path / "x.zhcg", t0.replace(tzinfo=None))

    with pytest.raises(FileNotFoundError, match="no such shift log"):
        export_logs([a, tmp_path / "missing.zhcg"], tmp_path / "x.zhcg")
    text = tmp_path / "notes.zhcg"
    text.write_text("交接班记录：不是数据库\n" * 200)
    with pytest.raises(ValueError, match="not an SQLite database"):
        export_logs([text], tmp_path / "x.zhcg")
    empty_db = tmp_path / "empty.db"
    sqlite3.connect(empty_db).close()
    with pytest.raises(ValueError, match="not a shift log"):
        export_logs([empty_db], tmp_path / "x.zhcg")
    with pytest.raises(ValueError, match="twice"):
        export_logs([a, a], tmp_path / "x.zhcg")
    with pytest.raises(ValueError, match="no shift logs"):
        export_logs([], tmp_path / "x.zhcg")

    # No output and no partial file anywhere; the inputs are untouched.
    assert dir_listing(tmp_path) - before == {
        "existing.zhcg",
        "other-feed.zhcg",
        "notes.zhcg",
        "empty.db",
    }
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())
    assert not any(p.name.startswith(".") for p in a.parent.iterdir())
    assert digest(a) == digest(a, use_checkpoints=False)


def test_replaying_merged_shifts_plays_across_the_handover(two_shifts, tmp_path):
    """The replay cursor over day+night: seeks (from the log's checkpoints and from the seek
    cache) and playing on through the night shift's fresh bootstrap give the fold from empty."""
    from console.replay.player import Replayer

    out = tmp_path / "day+night.zhcg"
    export_logs([two_shifts.a, two_shifts.b], out)
    log = open_log(out)
    r = Replayer(log)
    idx = r.index
    handover = float(idx.t[idx.row_of_seq(two_shifts.b_start) - 1])
    for cache in (False, True):
        if cache:
            r.build_cache()
        for t in (handover - 1, handover + 1, *random.Random(3).sample(list(idx.t), 4)):
            r.seek(float(t))
            assert r.state.digest() == digest(out, idx.seq_at(t), use_checkpoints=False)
    held = r.state
    r.seek(idx.start)
    resets = 0
    for t in [*list(idx.t[:: max(1, len(idx) // 60)]), idx.end]:
        resets += r.play_to(float(t)).reset
    assert resets >= 1 and r.state is held  # the night's fresh start, in the same object
    assert r.state.digest() == digest(out, use_checkpoints=False) == digest(two_shifts.b)
