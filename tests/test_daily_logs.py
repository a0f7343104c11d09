"""A wall's shift log rolls at the district's midnight (``console.store.daily_logs``): one file
per district day, each replayable alone, the days merged folding to what the live wall held;
another feed on the same day gets its own part; old days are deleted. Against the real
backend over HTTP, its clock running through midnight."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

from conftest import Api, start_backend, wait_until

from console.domain.china_time import CST
from console.replay.fold import LiveFold, fold_log
from console.replay.logfiles import open_logs
from console.store.daily_logs import DailyLogs
from console.store.shiftlog import ShiftLog
from console.sync.client import RestClient
from console.sync.live import LiveSource

DAY = date(2026, 11, 23)


def test_names_rolls_and_parts(tmp_path):
    d = DailyLogs(tmp_path, "wall", keep_days=3)
    first = d.open(DAY)
    assert first.path.name == "wall-2026-11-23.zhcg" and d.day_of(first) == DAY
    assert d.roll(first, "2026-11-23T15:59:59+00:00") is None  # 23:59:59 in Hangzhou
    assert d.roll(first, "garbage") is None
    nxt = d.roll(first, "2026-11-23T16:00:00+00:00")  # 00:00 on the 24th
    assert nxt is not None and nxt.path.name == "wall-2026-11-24.zhcg"
    part = d.roll(nxt, None)  # another feed the same day
    assert part is not None and part.path.name == "wall-2026-11-24.1.zhcg"
    again = d.open(date(2026, 11, 24))  # a restart resumes the day's last part
    assert again.path == part.path
    for x in (first, nxt, part, again):
        x.close()


def test_old_days_are_deleted_and_nothing_else(tmp_path):
    d = DailyLogs(tmp_path, "wall", keep_days=3)
    for n in range(8):
        (tmp_path / f"wall-{DAY - timedelta(days=n)}.zhcg").write_bytes(b"x")
    (tmp_path / f"wall-{DAY - timedelta(days=7)}.zhcg-wal").write_bytes(b"x")
    (tmp_path / "wall-20261101-101010.zhcg").write_bytes(b"x")  # not this scheme's: kept
    (tmp_path / "console-2026-11-01.zhcg").write_bytes(b"x")  # another prefix: kept
    gone = d.prune(DAY)
    assert len(gone) == 4
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(
        [f"wall-{DAY - timedelta(days=n)}.zhcg" for n in range(4)]
        + ["wall-20261101-101010.zhcg", "console-2026-11-01.zhcg"]
    )


def test_the_log_rolls_at_district_midnight_and_the_days_replay(tmp_path):
    # 20 district minutes per second, from 23:40: midnight comes after a real minute.
    start = datetime(2026, 11, 23, 23, 40, tzinfo=CST)
    b = start_backend(f"sqlite:///{tmp_path / 'b.db'}", speed=1200.0, start=start)
    stop = threading.Event()
    try:
        sup = Api(b.url, "demo-supervisor")
        daily = DailyLogs(tmp_path / "logs", "wall", backend_url=b.url, user="demo-wall")
        first = daily.open(DAY)
        fold = LiveFold(checkpoint_every=10**9)
        rolled: list[ShiftLog] = []
        references: list[dict] = []

        def on_batch(batch) -> None:
            if batch.snapshot is not None:
                references.append(batch.reference)
            fold.on_batch(batch)

        source = LiveSource(
            RestClient(b.url, "demo-wall", "demo"),
            first,
            on_batch,
            wait_s=0.5,
            roll=daily.roll,
            on_roll=rolled.append,
        )
        source.start()
        before = sup.report()
        wait_until(lambda: b.settings.clock.now() > start + timedelta(minutes=21), timeout=60)
        after = sup.report()
        wait_until(lambda: rolled and fold.state.cases.get(after["id"]), timeout=30)
        last = sup.report()  # a change the new file holds
        wait_until(lambda: last["id"] in fold.state.cases, timeout=30)
        source.stop()
        source.join(5)
        source.log.close()

        assert [x.path.name for x in rolled] == ["wall-2026-11-24.zhcg"]
        # The new day's snapshot came with the same reference: the very object, so nothing
        # the consumers built on it is rebuilt.
        assert len(references) == 2 and references[1] is references[0]
        day2 = ShiftLog(rolled[0].path, readonly=True)
        boot = day2.bootstraps()[0]
        assert (
            boot["fresh"] == 0
            and boot["after_seq"] >= ShiftLog(first.path, readonly=True).last_seq()
        )
        alone = fold_log(day2)  # the day replays on its own, from its snapshot
        assert {before["id"], after["id"], last["id"]} <= set(alone.cases)
        merged = open_logs([first.path, rolled[0].path], tmp_path / "cache")
        with fold.lock:
            assert fold_log(merged).digest() == fold.state.digest()
    finally:
        stop.set()
        b.stop()
