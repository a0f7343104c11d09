"""Cameras (智能管控 / 视频巡查) in the backend: the district's camera points as records of
type ``camera`` (so consoles, shift logs and replay carry them with no code of their own),
their demo stills, and cases filed from a camera.

The points are the shipped district's (``console.geo.cameras.demo_cameras``), put once into
an empty database, each located in its grid cell, community and street as a case would be.
A case from a camera goes through the ordinary intake (``cases.create``) with source
``video`` (视频发现, GB/T 30428.2: a problem found on the video platform enters the loop as
any report, and is verified: 发核实), the camera's position or a point the operator clicked
within the camera's sight (``SEES_WITHIN_M``), the operator's frame grab as its photo, and
the camera named in its intake note. Rules and their sources: docs/rules/cameras.md.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from console.domain.cameras import (
    CAMERA_KINDS,
    CAMERA_OWNERS,
    SEES_WITHIN_M,
    STREAM_SCHEMES,
    distance_m,
    video_note,
)
from console.domain.workflow import Actor, Source
from console.geo.cameras import demo_cameras

from . import cases, records
from .camera_still import StillCache
from .context import Context
from .db import Media
from .errors import ApiError
from .routes.media import photo_type

log = logging.getLogger(__name__)

RECORD_TYPE = "camera"
#: One drawing per (camera, moment) for every viewer of every process' thread.
stills = StillCache()


def camera_doc(ctx: Context, c: dict) -> dict[str, Any]:
    """A camera point as its record: the point, where it is (grid, community, street), what
    it is, who runs it and its stream (empty: the demo's stills)."""
    url = str(c.get("stream_url") or "")
    if url and not url.startswith(STREAM_SCHEMES):
        raise ValueError(f"camera {c['id']}: stream URL scheme not one of {STREAM_SCHEMES}")
    if c["kind"] not in CAMERA_KINDS or c["owner"] not in CAMERA_OWNERS:
        raise ValueError(f"camera {c['id']}: unknown kind or owner")
    grid, community, street = cases.locate(ctx, float(c["lon"]), float(c["lat"]))
    return {
        "type": RECORD_TYPE,
        "id": str(c["id"]),
        "name": str(c["name"]),
        "lon": float(c["lon"]),
        "lat": float(c["lat"]),
        "direction": float(c["direction"]),
        "kind": c["kind"],
        "owner": c["owner"],
        "stream_url": url,
        "grid_code": grid,
        "community_code": community,
        "street_code": street,
    }


def seed(ctx: Context, s: Session, ts: datetime) -> int:
    """Put the district's cameras into a database that has none (a real centre's own list,
    once put, is left alone); how many were put."""
    if next(records.live_docs(s, RECORD_TYPE), None) is not None:
        return 0
    n = 0
    for c in demo_cameras():
        try:
            doc = camera_doc(ctx, c)
        except ApiError:  # a gazetteer point just outside the unit grid's cells
            continue
        records.put(s, doc, ts)
        n += 1
    log.info("cameras: %d put", n)
    return n


def get(s: Session, camera_id: str) -> dict[str, Any]:
    """A live camera's record, or 404."""
    doc = records.get(s, RECORD_TYPE, camera_id[:64])
    if doc is None or not doc.get("live", True):
        raise ApiError(404, f"no camera {camera_id[:64]!r}", code="unknown_camera")
    return dict(doc)


def still(ctx: Context, camera: dict[str, Any], period_s: int) -> tuple[bytes, int]:
    """The camera's demo still at district time now (JPEG) and its time bucket."""
    return stills.get(camera, ctx.now(), period_s)


def file_case(ctx: Context, s: Session, actor: Actor, role: str, camera_id: str, body: dict):
    """视频巡查: a case seen on ``camera_id``, with the grab (a media id) as its photo."""
    cam = get(s, camera_id)
    grab = str(body["grab"])
    m = s.get(Media, grab[:40])
    if m is None:
        raise ApiError(422, f"no uploaded grab {grab[:40]!r}", code="unknown_grab")
    if photo_type(m.data) is None:
        raise ApiError(422, "the grab is not a JPEG, PNG or WebP picture", code="grab_not_photo")
    loc = body.get("location") or {"lon": cam["lon"], "lat": cam["lat"]}
    far = distance_m(cam["lon"], cam["lat"], loc["lon"], loc["lat"])
    if far > SEES_WITHIN_M:
        raise ApiError(
            422,
            f"the point is {far:.0f} m from camera {cam['id']}; it sees {SEES_WITHIN_M:.0f} m",
            {"camera": cam["id"], "distance_m": round(far)},
            code="out_of_sight",
        )
    intake = {
        "source": Source.VIDEO.value,
        "category_code": body["category_code"],
        "location": loc,
        "urgency": body.get("urgency") or "normal",
        "address": body.get("address") or "",
        "description": body.get("description") or "",
        "photos": [f"/api/v1/media/{m.id}"],
        "note": video_note(cam["id"]),
    }
    doc = cases.create(ctx, s, actor, role, intake)
    return {"case": cases.for_reader(actor.roles, doc), "camera_id": cam["id"], "grab": m.id}
