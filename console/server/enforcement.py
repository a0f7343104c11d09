"""Enforcement cases (行政执法) and their public feed (阳光执法).

The rules are ``console.domain.enforcement`` (states, roles, deadlines, masking); this module
adds what only the authority holds: case and 文书 numbers from per-day and per-year counters,
the officers and the escalated case checked against the database, storage, and the record
every console follows (``records.put``, type ``enforcement``) in its masked console form.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain import enforcement as enf
from console.domain.china_time import CST
from console.domain.workflow import Actor, WorkflowError

from . import records
from .alerts import next_id
from .cases import address_of, locate
from .context import Context
from .db import CaseRow, EnforcementRow, User, as_utc
from .errors import ApiError

#: The roles that read a case's parties in full: the officers who handle it and the 法制审核
#: who decides it. Everyone else (the centre's desks, the wall, the shift logs) sees the
#: masked form (``enf.console_view``).
FULL_ROLES = frozenset({"officer", "legal"})
#: A finished case stays on the consoles' queue for a day after it closes, then is retired
#: from the live records (it stays in the table, the public feed and the shift logs).
RETIRE_AFTER = timedelta(days=1)


def _wrap(e: WorkflowError) -> ApiError:
    return ApiError(e.status, e.message, e.details, e.code)


def for_reader(roles: frozenset[str], doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` as a caller with ``roles`` may see it (``FULL_ROLES`` in full, else masked)."""
    return doc if roles & FULL_ROLES else enf.console_view(doc)


#: The record's bounds (``console.domain.records.MAX_RECORD_BYTES`` is 64 kB): its free
#: texts shortened and its lists to their latest entries; the full case is the API's.
RECORD_NOTE_CHARS = 120
RECORD_FACTS_CHARS = 500
RECORD_ENTRIES = 30


def record_doc(doc: dict[str, Any]) -> dict[str, Any]:
    """The record consoles follow: the masked case plus its running deadline, bounded."""
    running = enf.running_deadline(doc)
    view = enf.console_view(doc)

    def short(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**x, "note": x.get("note", "")[:RECORD_NOTE_CHARS]} for x in entries[-RECORD_ENTRIES:]
        ]

    return {
        **view,
        "facts": view.get("facts", "")[:RECORD_FACTS_CHARS],
        "evidence": short(view.get("evidence", [])),
        "history": short(view.get("history", [])),
        "statements": short(view.get("statements", [])),
        "type": "enforcement",
        "running": {"what": running[0], "due": running[1]} if running else None,
    }


def _store(ctx: Context, s: Session, doc: dict, row: EnforcementRow | None) -> dict:
    now = ctx.now()
    if row is None:
        row = EnforcementRow(id=doc["id"], created_at=now)
        s.add(row)
    row.state = doc["state"]
    row.source_case_id = doc.get("source_case_id")
    decided = doc.get("at", {}).get("decided")
    row.decided_at = datetime.fromisoformat(decided) if decided else None
    finished = doc["state"] in {st.value for st in enf.TERMINAL}
    row.retire_at = now + RETIRE_AFTER if finished else None
    row.doc = doc
    s.flush()
    records.put(s, record_doc(doc), now)
    return doc


def retire(s: Session, now: datetime) -> None:
    """Take cases finished more than ``RETIRE_AFTER`` ago off the consoles (``live=False``):
    the ticker's, every tick (an indexed look-up that finds nothing most of the time)."""
    rows = s.scalars(
        select(EnforcementRow).where(
            EnforcementRow.retire_at.is_not(None), EnforcementRow.retire_at <= now
        )
    ).all()
    for row in rows:
        row.retire_at = None
        records.put(s, record_doc(row.doc), now, live=False)


def _officers(s: Session, ids: list[str]) -> None:
    """Every named officer an active user with the officer role (400 otherwise)."""
    for uid in ids:
        u = s.get(User, uid)
        if u is None or not u.active or "officer" not in (u.roles or []):
            raise ApiError(400, f"{uid!r} is not an active officer", {"officer": uid})


def create(ctx: Context, s: Session, actor: Actor, body: dict[str, Any]) -> dict[str, Any]:
    """File a case (立案申请, or a 简易程序 case to decide on the spot). With ``from_case_id``
    the case escalates a case-loop matter: its category, place and report time are taken over
    and the link recorded; one open enforcement case per matter (409 for a second)."""
    if "officer" not in actor.roles:
        raise ApiError(403, "filing an enforcement case needs the role 'officer'")
    officers = [actor.user_id, *[o for o in body["officers"] if o != actor.user_id]]
    _officers(s, officers)
    now = ctx.now()
    source_id = body.get("from_case_id")
    category = body.get("category_code")
    loc = body.get("location")
    discovered = body.get("discovered_at")
    if source_id:
        src = s.get(CaseRow, source_id)
        if src is None:
            raise ApiError(404, f"no case {source_id!r}")
        open_one = s.scalar(
            select(EnforcementRow.id).where(
                EnforcementRow.source_case_id == source_id,
                EnforcementRow.state.not_in([st.value for st in enf.TERMINAL]),
            )
        )
        if open_one is not None:
            raise ApiError(
                409,
                f"case {source_id} is already escalated into {open_one}",
                {"enforcement_id": open_one},
                code="already_escalated",
            )
        category = category or src.category_code
        loc = loc or {"lon": src.doc["location"]["lon"], "lat": src.doc["location"]["lat"]}
        discovered = discovered or as_utc(src.created_at)
    if not category or category not in ctx.catalog:
        raise ApiError(400, f"unknown category {category!r}", code="unknown_category")
    location = None
    if loc is not None:
        grid, _community, street = locate(ctx, loc["lon"], loc["lat"])
        location = {
            "lon": loc["lon"],
            "lat": loc["lat"],
            "grid_code": grid,
            "street_code": street,
            "address": address_of(ctx, loc["lon"], loc["lat"]),
        }
    if isinstance(discovered, str):
        discovered = datetime.fromisoformat(discovered)
    day = now.astimezone(CST).strftime("%Y%m%d")
    case_id = f"ZF{day}{next_id(s, 'enf:' + day):04d}"
    try:
        doc = enf.new_case(
            case_id,
            procedure=body["procedure"],
            officers=officers,
            parties=body["parties"],
            category_code=category,
            category_name=ctx.catalog.get(category).name_zh,
            facts=body.get("facts", ""),
            discovered_at=as_utc(discovered) if discovered else now,
            now=now,
            is_working_day=ctx.calendar.is_working_day,
            location=location,
            source_case_id=source_id,
        )
    except WorkflowError as e:
        raise _wrap(e) from None
    return _store(ctx, s, doc, None)


def act(
    ctx: Context, s: Session, actor: Actor, case_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    """One step of the case, checked against the version the caller decided on (409)."""
    row = _load(s, case_id, lock=True)
    expected = body.get("expected_version")
    if expected is not None and expected != row.doc["version"]:
        raise ApiError(
            409,
            f"case {case_id} changed: version {row.doc['version']}, you decided on {expected}",
            {"case": for_reader(actor.roles, row.doc), "expected_version": expected},
            code="version_conflict",
        )
    now = ctx.now()
    year = now.astimezone(CST).year

    def number(kind: str) -> str:
        return enf.doc_number(kind, year, next_id(s, f"enfdoc:{kind}:{year}"))

    try:
        doc = enf.apply_step(
            row.doc,
            body["action"],
            enf.StepActor(actor.user_id, actor.roles),
            now,
            body.get("note", ""),
            {k: v for k, v in (body.get("params") or {}).items() if v is not None},
            number,
        )
    except WorkflowError as e:
        raise _wrap(e) from None
    return _store(ctx, s, doc, row)


def _load(s: Session, case_id: str, lock: bool) -> EnforcementRow:
    row = s.get(EnforcementRow, case_id, with_for_update=lock)
    if row is None:
        raise ApiError(404, f"no enforcement case {case_id!r}")
    return row


def get(s: Session, case_id: str) -> dict[str, Any]:
    doc: dict[str, Any] = _load(s, case_id, lock=False).doc
    return doc


def list_cases(
    s: Session, state: str | None, source_case_id: str | None, page: int, page_size: int
) -> dict[str, Any]:
    q = select(EnforcementRow)
    if state:
        q = q.where(EnforcementRow.state == state)
    if source_case_id:
        q = q.where(EnforcementRow.source_case_id == source_case_id)
    total = s.scalar(select(func.count()).select_from(q.subquery()))
    rows = s.scalars(
        q.order_by(EnforcementRow.created_at.desc(), EnforcementRow.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return {"cases": [r.doc for r in rows], "page": page, "page_size": page_size, "total": total}


def public_feed(ctx: Context, s: Session, page: int, page_size: int) -> dict[str, Any]:
    """阳光执法: decided cases, newest decision first, each in ``enf.public_view``."""
    q = select(EnforcementRow).where(
        EnforcementRow.state.in_([st.value for st in enf.PUBLIC_STATES]),
        EnforcementRow.decided_at.is_not(None),
    )
    total = s.scalar(select(func.count()).select_from(q.subquery()))
    rows = s.scalars(
        q.order_by(EnforcementRow.decided_at.desc(), EnforcementRow.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    items = []
    for r in rows:
        street = (r.doc.get("location") or {}).get("street_code")
        items.append(
            enf.public_view(r.doc, ctx.grid.street_of(street).name + "街道" if street else "")
        )
    return {"items": items, "page": page, "page_size": page_size, "total": total}
