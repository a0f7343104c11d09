"""Cameras: the list, one camera, its still (JPEG, cached per district moment) and 视频巡查
(a case filed from a camera with the operator's frame grab). ``console.server.cameras``
holds the rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from console.domain.cameras import STILL_PERIOD_S

from .. import cameras, cases, idempotency, records
from ..schemas import Location, Strict, Text
from .deps import Ctx, IdemKey, Reader, Who

router = APIRouter(prefix="/api/v1/cameras", tags=["cameras"])


class CameraCase(Strict):
    """视频巡查: what the operator saw on the camera, and the frame grab already uploaded
    (``POST /api/v1/media``: its id). ``location``: a point the operator clicked within the
    camera's sight; without it the camera's own."""

    category_code: Annotated[str, Field(pattern=r"^\d{4,5}$")]
    grab: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
    location: Location | None = None
    urgency: Annotated[str, Field(max_length=16)] = "normal"
    address: Annotated[str, Field(max_length=300)] = ""
    description: Text = ""


@router.get("")
def list_cameras(p: Reader, ctx: Ctx):
    with ctx.db.read() as s:
        return {"cameras": list(records.live_docs(s, cameras.RECORD_TYPE))}


@router.get("/{camera_id}")
def get_camera(camera_id: str, p: Reader, ctx: Ctx):
    with ctx.db.read() as s:
        return cameras.get(s, camera_id)


@router.get("/{camera_id}/still")
async def camera_still(
    camera_id: str,
    p: Reader,
    ctx: Ctx,
    if_none_match: Annotated[str | None, Header(max_length=100)] = None,
):
    # The camera's picture of this district moment: one drawing per camera and moment
    # (``STILL_PERIOD_S``), its ETag the moment, so a viewer polling faster gets 304s.
    def draw() -> tuple[bytes, int]:
        with ctx.db.read() as s:
            cam = cameras.get(s, camera_id)
        return cameras.still(ctx, cam, STILL_PERIOD_S)

    data, bucket = await run_in_threadpool(draw)
    etag = f'"{camera_id[:64]}-{bucket}"'
    headers = {"ETag": etag, "Cache-Control": f"private, max-age={STILL_PERIOD_S}"}
    if if_none_match == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="image/jpeg", headers=headers)


@router.post("/{camera_id}/cases")
def file_case(camera_id: str, body: CameraCase, p: Who, ctx: Ctx, key: IdemKey = None):
    # Whoever may report video cases (``cases.report_role`` then SOURCE_ROLES: 受理员, 值班长).
    role = cases.report_role(p.actor)
    data = body.model_dump(mode="json")
    return idempotency.run_once(
        ctx,
        p.id,
        key,
        {"op": "camera_case", "camera": camera_id, **data},
        lambda s: cameras.file_case(ctx, s, p.actor, role, camera_id[:64], data),
    )
