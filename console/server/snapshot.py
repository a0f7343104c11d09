"""``GET /api/v1/snapshot`` as a stream of JSON bytes, gzip'd in the thread that reads it.

A city's snapshot (50,000 open cases, 2,000 vehicles) is ~100 MB of JSON. Built as one
document it cost a domain object and a fresh wire form per case (``Case.from_dict`` then
``to_dict`` with its lights), then one ``json.dumps`` of the whole, before the first byte
left; and Starlette's gzip ran on the event loop, where every other console waits. Here:

- a case whose stored document is still what ``cases.case_doc`` would make of it now is sent
  as the database holds it (``CaseRow.wire``: its text without the reporter's contact, written
  with the row): an open, unparked case whose light does not change before ``now``
  (``light_due_at`` after it, or none: red, or no clock running). Its derived fields
  (``light``, ``deadline``, ``stockpiled``, ``park_overdue``) were computed when it was
  stored and cannot have moved since: the light changes only at ``light_due_at``, and
  ``stockpiled``/``park_overdue`` only while parked. Every other case (a light due but not yet
  re-stored by the ticker, a parked case, a finished one that ``retention`` must judge) goes
  through ``case_doc`` as before. The two decode to the same document (tests/test_api_feed.py).
- rows are read in batches from one query and written out as they come, so the first bytes
  leave after the first batch and memory holds a batch, not the document;
- the bytes are compressed here, in the thread pool, when the client accepts gzip (the route
  marks the answer so the gzip middleware leaves it alone), once for all the requests at
  the same feed seq that come while it is made and a few seconds after (``shared_gzipped``).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import ColumnElement, Text, and_, case, cast, or_, select
from sqlalchemy.orm import Session, defer

from console.domain import retention
from console.domain.case import Case, iso
from console.domain.workflow import Source, State

from . import alerts, feed, records, telemetry
from .cases import OPEN_CASE_STATES, case_doc, without_contact
from .context import Context
from .db import CaseRow, Vehicle
from .feed import dumps

#: Rows per database fetch and per chunk written: ~1-3 MB of JSON at a few kB per case, big
#: enough that per-chunk overheads vanish, small enough that the first bytes leave at once.
BATCH_ROWS = 1000
#: Open states whose derived fields change only with the light (``parked`` has its 缓办 due
#: date and 积存 threshold besides; see the module docstring).
STEADY_STATES = tuple(st for st in OPEN_CASE_STATES if st != State.PARKED.value)
#: gzip level 3: a city's snapshot (99 MB, 50,000 cases) in 8.8 MB for 0.30 s of CPU, as
#: cheap as level 1 (10.8 MB) and less than half of level 6's 0.70 s (6.9 MB); a snapshot is
#: compressed per request (bench backend_scale prints the three).
GZIP_LEVEL = 3


def body(ctx: Context) -> Iterator[bytes]:
    """The snapshot document (as the plain route used to return it) in chunks of JSON."""
    now = ctx.now()
    with ctx.db.read() as s:
        head = {
            "feed_id": ctx.feed_id,
            "seq": feed.last_seq(s),
            "server_time": iso(now),
            "speed": ctx.clock.speed,
        }
        yield dumps(head)[:-1] + b',"cases":['
        yield from _joined(_case_texts(ctx, s, now))
        yield b'],"vehicles":['
        vehicles = s.scalars(select(Vehicle).options(defer(Vehicle.route)).order_by(Vehicle.id))
        yield from _joined(dumps(telemetry.vehicle_wire(v)) for v in vehicles)
        yield b'],"alerts":['
        yield from _joined(dumps(a) for a in alerts.open_alerts(s))
        yield b'],"records":['
        yield from _joined(dumps(r) for r in records.live_docs(s))
        yield b"]}"


def shared_gzipped(ctx: Context) -> Iterator[bytes]:
    """The gzip'd snapshot, made once for the requests at the same feed seq that come while it
    is made and for ``SNAPSHOT_REUSE_S`` of district time after (``Context.snapshots``,
    shared_body.py): consoles starting together cost one read and one compression, not one
    each. Never a body made at an earlier seq, not even when only vehicle fixes came since: a
    console resuming its log may already hold changes after that seq, and a snapshot older
    than its position is one its shift log cannot replay exactly (the recorder killed and
    restarted mid-ingest in tests/test_sync.py found it)."""
    with ctx.db.read() as s:
        seq = feed.last_seq(s)
    now = ctx.now().timestamp()
    return ctx.snapshots.read((ctx.feed_id, seq), now, lambda: gzipped(body(ctx)))


def gzipped(chunks: Iterable[bytes], level: int = GZIP_LEVEL) -> Iterator[bytes]:
    """``chunks`` as one gzip stream, each compressed piece passed on as it is made."""
    z = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # 16+: the gzip wrapper
    for chunk in chunks:
        out = z.compress(chunk)
        if out:
            yield out
    yield z.flush()


def in_live_picture(now: datetime) -> ColumnElement[bool]:
    """The cases a snapshot holds at ``now``: the open ones, and the finished ones
    ``console.domain.retention`` keeps (a public report closed recently waits for its call)."""
    return or_(
        CaseRow.state.in_(OPEN_CASE_STATES),
        CaseRow.updated_at >= now - retention.KEEP_FINISHED,
        and_(
            CaseRow.source == Source.PUBLIC.value,
            CaseRow.state == State.CLOSED.value,
            CaseRow.updated_at >= now - retention.KEEP_CALLBACK,
        ),
    )


def _case_texts(ctx: Context, s: Session, now: datetime) -> Iterator[bytes]:
    """The JSON of every case in the live picture, in id order (see the module docstring)."""
    steady = and_(
        CaseRow.wire.is_not(None),
        CaseRow.state.in_(STEADY_STATES),
        or_(CaseRow.light_due_at.is_(None), CaseRow.light_due_at > now),
    )
    q = (
        select(case((steady, CaseRow.wire), else_=cast(CaseRow.doc, Text)), steady)
        .where(in_live_picture(now))
        .order_by(CaseRow.id)
        .execution_options(yield_per=BATCH_ROWS)
    )
    for text, is_steady in s.execute(q):
        if is_steady:
            yield text.encode()
            continue
        doc = case_doc(ctx, Case.from_dict(json.loads(text)), now)
        if retention.retained(doc, now):
            yield dumps(without_contact(doc))


def _joined(items: Iterable[bytes]) -> Iterator[bytes]:
    """``items`` comma-separated, ``BATCH_ROWS`` to a chunk."""
    batch: list[bytes] = []
    first = True
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH_ROWS:
            yield (b"" if first else b",") + b",".join(batch)
            first, batch = False, []
    if batch:
        yield (b"" if first else b",") + b",".join(batch)
