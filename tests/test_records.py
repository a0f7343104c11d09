"""Records (console/domain/records.py): the one change kind of the centre's other systems,
over real HTTP — stored and sent by the backend, listed, kept in snapshots while live, folded
into CityState, recorded in a shift log and replayed to the same state, checkpointed; bad
records quarantined by the console, a bad type refused by the backend."""

from __future__ import annotations

import math

import pytest
from conftest import Api, LiveConsole, wait_until

from console.domain import records as record_rules
from console.server import records
from console.state import CityState
from console.sync import validate

TYPE = "test_thing"


@pytest.fixture(autouse=True)
def _test_type(monkeypatch):
    monkeypatch.setitem(record_rules.RECORD_TYPES, TYPE, "测试")


def put(backend, doc: dict, live: bool = True) -> dict:
    with backend.ctx.db.write() as s:
        return records.put(s, {"type": TYPE, **doc}, backend.ctx.now(), live)


def changes(api: Api, since: int = 0) -> list[dict]:
    out: list[dict] = []
    while True:
        page = api.get("/api/v1/changes", params={"since": since, "limit": 1000}).json()
        out += page["changes"]
        if not page["changes"]:
            return out
        since = page["last_seq"]


def test_a_record_is_sent_listed_and_kept_in_snapshots_while_live(backend):
    wall = Api(backend.url, "demo-wall")
    put(backend, {"id": "r1", "state": "open", "n": 1})
    put(backend, {"id": "r1", "state": "open", "n": 2})
    put(backend, {"id": "r2", "state": "open"})
    sent = [
        c["record"] for c in changes(wall) if c["kind"] == "record" and c["record"]["type"] == TYPE
    ]
    assert [(r["id"], r.get("n")) for r in sent][-3:] == [("r1", 1), ("r1", 2), ("r2", None)]
    listed = wall.get("/api/v1/records", params={"type": TYPE}).json()["records"]
    assert {r["id"]: r.get("n") for r in listed} == {"r1": 2, "r2": None}
    put(backend, {"id": "r2", "state": "closed"}, live=False)
    snap = wall.get("/api/v1/snapshot").json()
    assert [r["id"] for r in snap["records"] if r["type"] == TYPE] == ["r1"]
    assert [
        r["id"] for r in wall.get("/api/v1/records", params={"type": TYPE}).json()["records"]
    ] == ["r1"]


def test_an_unknown_type_is_a_404_naming_the_known_ones(backend):
    r = Api(backend.url, "demo-wall").get("/api/v1/records", params={"type": "nope"})
    assert r.status_code == 404 and TYPE in r.json()["error"]["details"]["known"]
    assert (
        Api(backend.url, "demo-wall").get("/api/v1/records", params={"type": "x" * 33}).status_code
        == 400  # the API's answer to a malformed query parameter
    )


def test_the_backend_refuses_to_send_an_unlisted_type_or_a_malformed_record(backend):
    with backend.ctx.db.write() as s:
        with pytest.raises(ValueError, match="RECORD_TYPES"):
            records.put(s, {"type": "unlisted", "id": "a"}, backend.ctx.now())
        with pytest.raises(ValueError, match="id"):
            records.put(s, {"type": TYPE, "id": "x" * 65}, backend.ctx.now())
        with pytest.raises(ValueError, match="non-finite"):
            records.put(s, {"type": TYPE, "id": "a", "v": math.nan}, backend.ctx.now())


def test_a_live_console_and_its_replayed_shift_log_hold_the_same_records(backend, tmp_path):
    """Live: a LiveSource bootstraps (the record in the snapshot) and follows (records put,
    changed, removed after); the shift log it wrote folds to the same digest and records."""
    put(backend, {"id": "before", "state": "open"})
    with LiveConsole(backend, tmp_path / "shift.db") as console:
        wait_until(lambda: "before" in console.state.records_of(TYPE))
        put(backend, {"id": "later", "state": "open", "parties": [{"name": "张三"}]})
        put(backend, {"id": "before", "state": "done"}, live=False)
        put(backend, {"id": "later", "state": "decided"})
        wait_until(
            lambda: console.state.records_of(TYPE).get("later", {}).get("state") == "decided"
        )
    live = console.state
    assert "before" not in live.records_of(TYPE)
    assert any((TYPE, "later") in d.records for d in console.diffs)
    replayed = console.replayed()
    assert replayed.records_of(TYPE) == live.records_of(TYPE)
    assert replayed.digest() == live.digest()
    again = CityState.from_checkpoint(live.checkpoint())
    assert again.records == live.records and again.digest() == live.digest()
    copy = live.copy()
    copy._put_record({"type": TYPE, "id": "later", "live": False})
    assert "later" in live.records_of(TYPE)  # a copy's fold leaves the original alone


def test_a_digest_sees_a_record_change():
    s = CityState()
    s.apply(
        [
            {
                "seq": 1,
                "ts": "2026-11-30T01:00:00+00:00",
                "kind": "record",
                "record": {"type": TYPE, "id": "a", "v": 1},
            }
        ]
    )
    before = s.digest()
    s.apply(
        [
            {
                "seq": 2,
                "ts": "2026-11-30T01:00:01+00:00",
                "kind": "record",
                "record": {"type": TYPE, "id": "a", "v": 2},
            }
        ]
    )
    assert s.digest() != before


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ("text", "not an object"),
        ({"type": TYPE}, "record.id"),
        ({"type": "", "id": "a"}, "record.type"),
        ({"type": TYPE, "id": "a" * 65}, "record.id"),
        ({"type": TYPE, "id": "a", "live": "yes"}, "live"),
        (
            {
                "type": TYPE,
                "id": "a",
                "v": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": 1}}}}}}}},
            },
            "deeper",
        ),
        ({"type": TYPE, "id": "a", "v": float("inf")}, "infinite"),
    ],
)
def test_a_malformed_record_change_is_quarantined(record, reason):
    good, bad = validate.split(
        [
            {"seq": 1, "ts": "2026-11-30T01:00:00+00:00", "kind": "record", "record": record},
            {
                "seq": 2,
                "ts": "2026-11-30T01:00:00+00:00",
                "kind": "record",
                "record": {"type": "newer_kind", "id": "b"},
            },
        ]
    )
    assert [c["seq"] for c in good] == [2]  # a type this console does not know is still kept
    assert bad[0][0] == 1 and reason in bad[0][1]


def test_a_bad_record_in_a_snapshot_is_skipped_and_the_rest_kept():
    s = CityState()
    s.bootstrap(
        {
            "feed_id": "f",
            "seq": 5,
            "server_time": "2026-11-30T01:00:00+00:00",
            "speed": 1.0,
            "cases": [],
            "vehicles": [],
            "alerts": [],
            "records": [
                {"type": TYPE, "id": "ok"},
                {"type": TYPE},
                {"type": TYPE, "id": "gone", "live": False},
            ],
        }
    )
    assert list(s.records_of(TYPE)) == ["ok"]


def test_every_field_unit_type_fits_the_vehicles_type_column():
    """People and patrols are vehicles of these types: PostgreSQL refuses a longer one (SQLite
    would store it and hide the fault)."""
    from console.domain.field_units import FIELD_UNIT_TYPES
    from console.server.db import Vehicle

    assert max(map(len, FIELD_UNIT_TYPES)) <= Vehicle.__table__.c.vtype.type.length
