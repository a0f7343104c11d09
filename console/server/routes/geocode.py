"""``GET /api/v1/geocode``: a point to its address (``lon``, ``lat``), or a text to candidate
places with their locations (``q``, ``limit``). ``console.geo.geocode`` does the work; this
router checks the input and says plainly what is wrong with it (400)."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query

from .. import cases
from ..errors import ApiError
from .deps import Ctx, Reader

router = APIRouter(prefix="/api/v1", tags=["geocode"])

#: The hotline dialog shows a handful; more is never useful to a person picking one.
MAX_LIMIT = 50


def _coordinate(v: str, name: str) -> float:
    try:
        x = float(v)
    except ValueError:
        raise ApiError(400, f"{name} must be a number (degrees, WGS-84)", {name: v[:40]}) from None
    if not math.isfinite(x):
        raise ApiError(400, f"{name} must be a finite number", {name: v[:40]})
    return x


@router.get("/geocode")
def geocode(
    p: Reader,
    ctx: Ctx,
    lon: Annotated[str | None, Query(max_length=40)] = None,
    lat: Annotated[str | None, Query(max_length=40)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[str | None, Query(max_length=10)] = None,
):
    point = lon is not None or lat is not None
    if q is not None and point:
        raise ApiError(400, "give either q (an address to look up) or lon and lat, not both")
    if q is not None:
        if not q.strip():
            raise ApiError(400, "q is empty: type an address, a road, a landmark or a place")
        n = 10
        if limit is not None:
            try:
                n = int(limit)
            except ValueError:
                raise ApiError(400, "limit must be a whole number", {"limit": limit}) from None
            if not 1 <= n <= MAX_LIMIT:
                raise ApiError(400, f"limit must be between 1 and {MAX_LIMIT}", {"limit": n})
        return {"query": q, "candidates": ctx.geocoder.search(q, n)}
    if not point:
        raise ApiError(400, "give q (an address to look up) or lon and lat (a point)")
    if lon is None or lat is None:
        raise ApiError(400, "lon and lat go together: give both")
    x, y = _coordinate(lon, "lon"), _coordinate(lat, "lat")
    found = ctx.geocoder.reverse(x, y)
    if found is None:
        raise cases.outside_district(ctx, x, y)
    return found
