"""Records on the backend: the current document of each thing of the centre's other systems,
and the ``record`` change that tells consoles (``console.domain.records`` says why one kind
serves them all). A module that owns a record type keeps its own tables for its queries and
calls ``put`` in the same write transaction whenever what consoles see of a thing changes: the
stored document and the change commit together, so a snapshot and the feed never disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.records import RECORD_TYPES, check

from . import feed
from .db import RecordRow


def put(s: Session, doc: dict, ts: datetime, live: bool = True) -> dict:
    """Store ``doc`` as its type's current document and append its change; the document as
    sent (with ``live``). A type not in ``RECORD_TYPES`` or a malformed document is a
    programming error of the caller (``ValueError``), not bad input."""
    if doc.get("type") not in RECORD_TYPES:
        raise ValueError(f"record type {doc.get('type')!r} is not in RECORD_TYPES")
    wire = {**doc, "live": live}
    check(wire)
    row = s.get(RecordRow, (wire["type"], wire["id"]))
    if row is None:
        s.add(RecordRow(type=wire["type"], id=wire["id"], live=live, updated_at=ts, doc=wire))
    else:
        row.live, row.updated_at, row.doc = live, ts, wire
    feed.append(s, "record", {"record": wire}, ts)
    return wire


def get(s: Session, type_: str, id_: str) -> dict | None:
    row = s.get(RecordRow, (type_, id_))
    return None if row is None else row.doc


def live_docs(s: Session, type_: str | None = None) -> Iterator[dict]:
    """The live records (of ``type_``, or all) in (type, id) order: the snapshot's."""
    q = select(RecordRow.doc).where(RecordRow.live.is_(True))
    if type_ is not None:
        q = q.where(RecordRow.type == type_)
    yield from s.scalars(q.order_by(RecordRow.type, RecordRow.id).execution_options(yield_per=500))
