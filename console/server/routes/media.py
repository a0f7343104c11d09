"""Photos attached to cases: stored as rows (``db.Media``), served back by id.

Uploads have their own body limit (``Settings.max_media_bytes``, applied by the middleware
for this prefix), and the raw body is read asynchronously before the write goes to a thread.
Only photo formats are taken, recognised by their first bytes, and served as what they are,
never as what the uploader claimed (an ``image/svg+xml`` carrying a script was served back as
such, issue 13).
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
#: The photo formats taken, by their signatures (JPEG: ISO/IEC 10918-1 SOI marker; PNG: RFC
#: 2083 §3.1; WebP: a RIFF container of form type "WEBP"): what phone cameras and the 城管通
#: app produce. No SVG (it is a document that can carry script), no GIF/BMP/TIFF (not photos).
PHOTO_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def photo_type(data: bytes) -> str | None:
    """The extension of a photo format of ``PHOTO_TYPES`` that ``data`` starts with, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


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
    ext = photo_type(data)
    if ext is None:
        raise ApiError(415, "upload a JPEG, PNG or WebP photo", {"allowed": sorted(PHOTO_TYPES)})
    mid = uuid.uuid4().hex
    kind = PHOTO_TYPES[ext]

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
        ext = photo_type(m.data)
    # Served as the bytes say (an upload from before the check that is no photo: as a download
    # of opaque bytes); nosniff comes with every response (middleware.SecurityHeaders).
    if ext is None:
        return Response(
            m.data,
            media_type="application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{m.id}.bin"'},
        )
    return Response(
        m.data,
        media_type=PHOTO_TYPES[ext],
        headers={"Content-Disposition": f'inline; filename="{m.id}.{ext}"'},
    )
