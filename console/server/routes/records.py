"""The live records of one type (``console.server.records``): what a console's snapshot holds
of them, for a reader that wants one system's things without the whole snapshot."""

from __future__ import annotations

from fastapi import APIRouter, Query

from console.domain.records import MAX_TYPE, RECORD_TYPES

from .. import records
from ..errors import ApiError
from .deps import Ctx, Reader

router = APIRouter(prefix="/api/v1", tags=["records"])


@router.get("/records")
def list_records(p: Reader, ctx: Ctx, type: str = Query(..., max_length=MAX_TYPE)):
    # An unknown type is a 404 naming the known ones, not an empty list that hides a typo.
    if type not in RECORD_TYPES:
        raise ApiError(404, f"no record type {type!r}", {"known": sorted(RECORD_TYPES)})
    with ctx.db.read() as s:
        return {"type": type, "records": list(records.live_docs(s, type))}
