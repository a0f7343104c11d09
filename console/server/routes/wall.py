"""Throw to wall: a desk puts a case, vehicle or alert on the video wall's focus scene.

``POST /api/v1/wall/focus {subject_type, subject_id, seconds}`` appends one ``wall_focus``
change to the feed, so every wall following the feed (any number, any host) shows it; the
backend keeps no other state for it. Only the centre's desk roles may throw (the wall is
the centre's shared screen); the subject must exist, so a wall never zooms to nothing.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import Field

from console.domain.case import iso

from .. import auth, feed
from ..db import AlertRow, CaseRow, Vehicle
from ..errors import ApiError
from ..schemas import Strict
from .deps import CENTRE_ROLES, Ctx, Who

router = APIRouter(prefix="/api/v1/wall", tags=["wall"])

#: How long a wall shows a thrown subject unless the thrower says otherwise: long enough to
#: talk about it in a briefing, short enough that the playlist comes back by itself.
DEFAULT_FOCUS_S = 60
MAX_FOCUS_S = 900


class WallFocus(Strict):
    subject_type: Literal["case", "vehicle", "alert"]
    subject_id: Annotated[str, Field(min_length=1, max_length=32)]
    seconds: Annotated[int, Field(ge=5, le=MAX_FOCUS_S)] = DEFAULT_FOCUS_S


_TABLES = {"case": CaseRow, "vehicle": Vehicle, "alert": AlertRow}


@router.post("/focus")
def throw(body: WallFocus, p: Who, ctx: Ctx) -> dict:
    auth.require_roles(p, CENTRE_ROLES, "showing on the wall")
    now = ctx.now()
    doc = {
        "subject_type": body.subject_type,
        "subject_id": body.subject_id,
        "seconds": body.seconds,
        "by": p.id,
        "at": iso(now),
    }
    with ctx.db.write() as s:
        if s.get(_TABLES[body.subject_type], body.subject_id) is None:
            raise ApiError(
                400,
                f"no {body.subject_type} {body.subject_id}",
                {"subject_id": body.subject_id},
            )
        ch = feed.append(s, "wall_focus", {"wall_focus": doc}, now)
        seq = ch.seq
    return {"seq": seq, "wall_focus": doc}
