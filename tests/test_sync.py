"""The console's data path against the real backend in its own process: a backend killed and
restarted mid-stream, a recorder killed with SIGKILL during heavy ingest, two consoles
racing on one case, and malformed changes quarantined around good ones."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import sqlalchemy.exc
from conftest import Api, fleet_of, wait_until
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.replay.fold import fold_log
from console.store.shiftlog import ShiftLog
from console.sync import jsonstream, validate
from console.sync.client import RestClient
from console.sync.live import LiveSource
from console.sync.outbox import Outbox

ROOT = Path(__file__).resolve().parents[1]


def backend_seqs(url: str) -> list[int]:
    wall = Api(url, "demo-wall")
    out, since = [], 0
    while True:
        body = wall.get("/api/v1/changes", params={"since": since, "limit": 5000}).json()
        if not body["changes"]:
            return out
        out += [c["seq"] for c in body["changes"]]
        since = body["last_seq"]


def post_fixes(gw: Api, ref: dict, n_batches: int, t0: float) -> None:
    vs = fleet_of(ref)
    for k in range(n_batches):
        fixes = [
            {
                "vehicle_id": v["id"],
                "t": t0 + k,
                "lon": v["route"]["lon"][0],
                "lat": v["route"]["lat"][0],
                "speed_kmh": 5.0,
                "heading": 0.0,
                "flags": 1,
            }
            for v in vs
        ]
        gw.post("/api/v1/telemetry", json={"fixes": fixes})


def test_backend_killed_and_restarted_mid_stream(backend_proc, tmp_path):
    b = backend_proc
    log = ShiftLog(tmp_path / "shift.db", backend_url=b.url, user="demo-operator")
    client = RestClient(b.url, "demo-operator", "demo")
    batches: list = []
    live = LiveSource(client, log, batches.append, wait_s=2)
    outcomes: list = []
    outbox = Outbox(client, log, outcomes.append, backoff_max_s=1.0)
    live.start()
    outbox.start()
    try:
        wait_until(lambda: live.health.status == "connected")
        sup = Api(b.url, "demo-supervisor")
        cases = [sup.report() for _ in range(3)]
        wait_until(lambda: live.health.last_seq >= max(backend_seqs(b.url)))

        b.kill()
        killed = time.monotonic()
        wait_until(lambda: live.health.status == "offline", timeout=5)
        assert time.monotonic() - killed < 5
        keys = [
            outbox.submit(c["id"], "accept", c["version"]) for c in cases
        ]  # queued while offline
        time.sleep(1.5)
        assert outbox.pending() == 3

        b.start()  # same database and port
        wait_until(lambda: len(outcomes) == 3, timeout=30)
        assert all(o.ok and o.status == 200 for o in outcomes), outcomes
        wait_until(lambda: live.health.status == "connected", timeout=20)
        op = Api(b.url, "demo-operator")
        for c in cases:
            events = op.get(f"/api/v1/cases/{c['id']}").json()["events"]
            assert [e["action"] for e in events].count("accept") == 1  # exactly once
        assert {r["key"] for r in log.outbox() if r["state"] == "done"} == set(keys)
        wait_until(lambda: live.health.last_seq >= max(backend_seqs(b.url)), timeout=20)
        got = log.seqs()  # no gap, no duplicate (up to where the log stands)
        assert batches[0].snapshot is not None
        # after the bootstrap's seq (the backend's start puts its camera records in the feed)
        boot = batches[0].snapshot["seq"]
        assert got == [s for s in backend_seqs(b.url) if boot < s <= got[-1]]
    finally:
        live.stop()
        outbox.stop()
        live.join(10)
        outbox.join(10)


def test_outbox_survives_a_console_restart(backend_proc, tmp_path):
    b = backend_proc
    c = Api(b.url, "demo-supervisor").report()
    log = ShiftLog(tmp_path / "shift.db")
    client = RestClient(b.url, "demo-operator", "demo")
    first = Outbox(client, log)
    first.submit(c["id"], "accept", c["version"])  # written, never sent: the console "dies"
    log.engine.dispose()
    again = ShiftLog(tmp_path / "shift.db")
    outcomes: list = []
    second = Outbox(RestClient(b.url, "demo-operator", "demo"), again, outcomes.append)
    second.start()
    try:
        wait_until(lambda: outcomes)
        assert outcomes[0].ok and outcomes[0].case["state"] == "accepted"
    finally:
        second.stop()
        second.join(10)


def test_two_consoles_race_on_one_case(backend_proc, tmp_path):
    b = backend_proc
    c = Api(b.url, "demo-supervisor").report()
    results: list = []
    boxes = []
    for i, user in enumerate(("demo-operator", "sim-centre")):
        box = Outbox(
            RestClient(b.url, user, "demo"), ShiftLog(tmp_path / f"console{i}.db"), results.append
        )
        box.submit(c["id"], "accept", c["version"])
        boxes.append(box)
    for box in boxes:
        box.start()
    try:
        wait_until(lambda: len(results) == 2)
    finally:
        for box in boxes:
            box.stop()
    won = [o for o in results if o.ok]
    lost = [o for o in results if not o.ok]
    assert len(won) == 1 and len(lost) == 1
    assert lost[0].status == 409 and lost[0].case["version"] == won[0].case["version"]
    assert lost[0].case["state"] == "accepted" and "changed" in lost[0].message


def recorded_seq(path: Path) -> int:
    """The recorder's last seq, 0 while its file is still being created (the file exists a
    moment before its tables do: reading then raised "no such table" in CI)."""
    try:
        return ShiftLog(path, readonly=True).last_seq() if path.exists() else 0
    except sqlalchemy.exc.OperationalError:
        return 0


def test_recorder_sigkilled_during_heavy_ingest_resumes_without_loss(backend_proc, tmp_path):
    b = backend_proc
    out = tmp_path / "recorded.db"
    cmd = [
        sys.executable,
        str(ROOT / "main.py"),
        "record",
        "--backend",
        b.url,
        "--user",
        "demo-wall",
        "--password",
        "demo",
        "--out",
        str(out),
        "--status-every",
        "1",
        "--checkpoint-every",
        "3000",
    ]
    rec = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    gw, wall = Api(b.url, "demo-gateway"), Api(b.url, "demo-wall")
    ref = wall.get("/api/v1/reference").json()
    t0 = requests.get(b.url + "/api/v1/clock", timeout=5).json()["server_time"]
    from datetime import datetime

    start = datetime.fromisoformat(t0).timestamp() - 3000
    stop = threading.Event()

    def ingest():
        k = 0
        while not stop.is_set() and k < 400:
            post_fixes(gw, ref, 1, start + k)
            k += 1

    th = threading.Thread(target=ingest)
    th.start()
    try:
        wait_until(lambda: recorded_seq(out) > 20, timeout=30)
        os.kill(rec.pid, signal.SIGKILL)
        rec.wait(10)
        killed_at = ShiftLog(out, readonly=True).last_seq()
        rec = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        th.join(120)
        stop.set()
        target = max(backend_seqs(b.url))
        wait_until(lambda: ShiftLog(out, readonly=True).last_seq() >= target, timeout=60)
    finally:
        stop.set()
        rec.send_signal(signal.SIGTERM)
        assert rec.wait(20) == 0  # a clean stop on SIGTERM
    log = ShiftLog(out, readonly=True)
    with sqlite3.connect(out) as db:  # the first snapshot holds everything up to its seq
        (first,) = db.execute("SELECT min(seq) FROM bootstraps").fetchone()
    got = log.seqs()  # the backend's ticker goes on raising alerts: compare up to the stop
    assert got == [s for s in backend_seqs(b.url) if first < s <= got[-1]]
    assert got[-1] >= target
    assert killed_at < target and len(log.seqs()) > 1000
    assert log.checkpoint_at() is not None  # the recorder folds and checkpoints as it goes
    assert fold_log(log).digest() == fold_log(log, use_checkpoints=False).digest()
    assert log.meta()["shift_end"]


# ---- malformed changes ----------------------------------------------------------------------
GOOD_CASE = {
    "seq": 1,
    "ts": "2026-11-23T01:00:00+00:00",
    "kind": "case",
    "case": {
        "id": "C1",
        "version": 1,
        "state": "reported",
        "category_code": "06010",
        "location": {"lon": 120.17, "lat": 30.25},
        "events": [],
    },
}
junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
mutations = st.fixed_dictionaries(
    {},
    optional={
        "seq": junk,
        "ts": junk,
        "kind": st.sampled_from(["case", "fixes", "alert", "vehicle", "teleport"]) | junk,
        "case": junk,
        "alert": junk,
        "lon": junk,
        "vehicle_id": junk,
        "t": junk,
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(mutations, min_size=1, max_size=10))
def test_fuzzed_changes_are_quarantined_and_good_ones_kept(tmp_path_factory, patches):
    page = []
    for i, p in enumerate(patches):
        page.append({**GOOD_CASE, "seq": 2 * i + 1, "case": {**GOOD_CASE["case"], "id": f"G{i}"}})
        page.append({**GOOD_CASE, **p})
    good, bad = validate.split(page)
    assert len(good) + len(bad) == len(page)
    assert [
        ch["case"]["id"] for ch in good if ch["seq"] % 2 == 1 and ch["case"]["id"].startswith("G")
    ] == [f"G{i}" for i in range(len(patches))]
    for _seq, reason, raw in bad:
        assert reason and isinstance(raw, str)
    log = ShiftLog(tmp_path_factory.mktemp("q") / "q.db")
    log.append([ch for ch in good if ch["case"]["id"].startswith("G")], bad)
    assert len(log.quarantine()) == len(bad) and len(log.seqs()) == len(patches)


def test_a_live_source_goes_on_around_malformed_pages(tmp_path):
    """A backend that sends broken changes (a test double: the reference backend never does)."""

    class BrokenFeed:
        username = "x"

        def __init__(self):
            self.calls = 0

        def get(self, path, **kw):
            if path == "/api/v1/reference":
                return {}
            if path == "/api/v1/snapshot":
                return {"feed_id": "f", "seq": 0, "cases": [], "vehicles": [], "alerts": []}
            self.calls += 1
            if self.calls > 3:
                time.sleep(0.05)
                return {"feed_id": "f", "changes": [], "last_seq": 6, "reset": False}
            base = 2 * (self.calls - 1)
            return {
                "feed_id": "f",
                "reset": False,
                "last_seq": base + 2,
                "changes": [
                    {**GOOD_CASE, "seq": base + 1},
                    {
                        "seq": base + 2,
                        "ts": "x",
                        "kind": "case",
                        "case": {"location": {"lon": float("nan")}},
                    },
                ],
            }

    log = ShiftLog(tmp_path / "s.db")
    got: list = []
    live = LiveSource(BrokenFeed(), log, got.append, wait_s=0.1)  # type: ignore[arg-type]
    live.start()
    try:
        wait_until(lambda: live.health.last_seq >= 6)
    finally:
        live.stop()
        live.join(5)
    assert log.seqs() == [1, 3, 5] and [q["seq"] for q in log.quarantine()] == [2, 4, 6]
    assert live.health.quarantined == 3 and sum(len(b.changes) for b in got) == 3


def test_a_quarantined_change_with_an_absurd_seq_is_still_stored(tmp_path):
    log = ShiftLog(tmp_path / "q.zhcg")
    good, bad = validate.split([{"seq": 2**70, "kind": "case", "ts": "x", "case": {}}])
    assert not good and bad
    log.append([], bad)  # a 64-bit overflow here once failed the whole page's write
    stored = log.quarantine()
    assert (
        len(stored) == 1
        and stored[0]["seq"] is None
        and "1180591620717411303424" in stored[0]["raw"]
    )
    log.close()


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


def _cut(data: bytes, sizes: list[int]):
    """``data`` in pieces of the given sizes (cycled), as a socket might hand them over."""
    i = k = 0
    while i < len(data):
        n = sizes[k % len(sizes)]
        yield data[i : i + n]
        i, k = i + n, k + 1


@settings(max_examples=300, deadline=None)
@given(
    doc=st.dictionaries(st.text(), _json_values | st.lists(_json_values, max_size=6), max_size=6)
    | _json_values,
    sizes=st.lists(st.integers(1, 7), min_size=1, max_size=5),
    indent=st.sampled_from([None, 1]),
)
def test_a_streamed_json_document_decodes_as_json_loads_does(doc, sizes, indent):
    """Any cut of the bytes (inside a number, a multi-byte character, an escape) gives what
    ``json.loads`` gives for the whole."""
    data = json.dumps(doc, ensure_ascii=False, indent=indent).encode()
    assert jsonstream.load(_cut(data, sizes)) == json.loads(data)


_items = st.recursive(  # objects whose first key is "id", nested in each other's lists
    st.integers() | st.text(alphabet='}{,"id:[]\\ 甲', max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.fixed_dictionaries({"id": inner}, optional={"x": inner, "events": st.lists(inner)})
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(
    items=st.lists(_items, max_size=12),
    sizes=st.lists(st.integers(1, 400), min_size=1, max_size=4),
    indent=st.sampled_from([None, None, 1]),
)
def test_a_streamed_array_of_objects_decodes_as_json_loads_does(items, sizes, indent):
    """An array's items decoded many at once (``_Text.values``) are the ones ``json.loads``
    gives, wherever the cuts fall and whatever nests the items' opening ``{"id":``."""
    compact = (",", ":") if indent is None else None  # as the backend writes (and spaced)
    doc = {"cases": items, "n": 1}
    data = json.dumps(doc, ensure_ascii=False, indent=indent, separators=compact).encode()
    assert jsonstream.load(_cut(data, sizes)) == json.loads(data)


def test_a_streamed_array_shares_its_objects_keys():
    """Items decoded in one batch hold one string per key, as from ``json.loads`` (a city's
    50,000 cases would otherwise hold ~35 key strings each): here all but the last item
    (decoded alone: the batch ends where the next item begins)."""
    cases = [{"id": str(i), "description": "x"} for i in range(50)]
    data = json.dumps({"cases": cases}, separators=(",", ":"))
    cases = jsonstream.load([data.encode()])["cases"]
    assert len({id(k) for c in cases for k in c}) == 2 * 2


@pytest.mark.parametrize(
    "text", ['{"a":1', '{"a":[1,2}', '{"a":1}x', "", '{"a" 1}', "{1:2}", '{"a":[1,2,]}', "[1]]"]
)
def test_a_broken_streamed_document_is_refused(text):
    for size in (1, 3, 100):
        with pytest.raises(ValueError):
            jsonstream.load(_cut(text.encode(), [size]))


def test_a_console_bootstraps_from_the_streamed_gzip_snapshot(backend_proc):
    """What LiveSource reads (streamed, gzip'd) is the document the plain answer carries."""
    client = RestClient(backend_proc.url, "demo-wall", "demo")
    Api(backend_proc.url, "demo-supervisor").report()
    streamed = client.get("/api/v1/snapshot", streamed=True)
    plain = client.http.get(
        backend_proc.url + "/api/v1/snapshot", headers={"Accept-Encoding": "identity"}, timeout=30
    ).json()
    assert streamed.pop("server_time") and plain.pop("server_time")
    assert streamed == plain and streamed["cases"]


def test_a_snapshot_cut_off_mid_stream_is_fetched_again(tmp_path):
    """The streamed snapshot can break after its first bytes (the backend failed or went away
    while writing it): the live source takes that as a broken connection and bootstraps again,
    instead of its thread dying on the error."""
    snapshots: list[int] = []
    whole = json.dumps({"feed_id": "f", "seq": 3, "cases": [], "vehicles": [], "alerts": []})

    class Backend(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.startswith("/api/v1/snapshot"):
                snapshots.append(1)
                if len(snapshots) == 1:  # the first one stops halfway, connection closed
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    part = whole[:20].encode()
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                    self.wfile.flush()
                    self.close_connection = True
                    return
                body = whole.encode()
            elif self.path.startswith("/api/v1/changes"):
                time.sleep(0.05)
                body = b'{"feed_id":"f","changes":[],"last_seq":3,"reset":false}'
            else:
                body = b"{}"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    got: list = []
    client = RestClient(f"http://127.0.0.1:{server.server_address[1]}")
    live = LiveSource(client, ShiftLog(tmp_path / "s.db"), got.append, wait_s=0.1)
    live.start()
    try:
        wait_until(lambda: any(b.snapshot for b in got))
        assert live.is_alive() and len(snapshots) == 2
        assert got[0].snapshot["seq"] == 3
    finally:
        live.stop()
        live.join(5)
        server.shutdown()
