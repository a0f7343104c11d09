"""Photos attached to cases: stored as rows (``db.Media``), served back by id.

Uploads have their own body limit (``Settings.max_media_bytes``, applied by the middleware
for this prefix), and the raw body is read asynchronously before the write goes to a thread.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from starlette.concurrency import run_in_threadpool

from console.domain.workflow import REPORT_ROLES

from .. import auth
from ..db import Media
from ..errors import ApiError
from .deps import Ctx, Reader, Who

router = APIRouter(prefix="/api/v1/media", tags=["cases"])

#: Those who report problems, and departments (their proof of handling).
UPLOAD_ROLES = frozenset({r.value for r in REPORT_ROLES} | {"department"})


@router.post("")
async def upload_media(
    request: Request, p: Who, ctx: Ctx, content_type: Annotated[str | None, Header()] = None
):
    auth.require_roles(p, UPLOAD_ROLES, "uploading photos")
    if not content_type or not content_type.startswith("image/"):
        raise ApiError(415, "upload an image (Content-Type image/*)")
    data = await request.body()
    if not data:
        raise ApiError(400, "empty upload")
    mid = uuid.uuid4().hex
    kind = content_type[:100]

    def store() -> None:
        with ctx.db.write() as s:
            s.add(
                Media(
                    id=mid,
                    content_type=kind,
                    data=data,
                    created_at=ctx.wall_now(),
                    uploaded_by=p.id,
                )
            )

    await run_in_threadpool(store)
    return {"id": mid, "url": f"/api/v1/media/{mid}"}


@router.get("/{media_id}")
def get_media(media_id: str, p: Reader, ctx: Ctx):
    with ctx.db.read() as s:
        m = s.get(Media, media_id[:40])
        if m is None:
            raise ApiError(404, "no such media")
        return Response(m.data, media_type=m.content_type)
