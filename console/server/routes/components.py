"""The 部件 inventory: components in a box (paged), one component by its 16-digit code
(``console.server.components`` holds the reads)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from .. import components
from .deps import Ctx, Reader

router = APIRouter(prefix="/api/v1/components", tags=["components"])


@router.get("")
def list_components(
    p: Reader,
    ctx: Ctx,
    bbox: Annotated[str | None, Query(max_length=120)] = None,
    category: Annotated[str | None, Query(pattern=r"^\d{5}$")] = None,
    limit: Annotated[int, Query(ge=1, le=components.MAX_LIMIT)] = 500,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
):
    # bbox = min_lon,min_lat,max_lon,max_lat (WGS-84); in code order; ``truncated`` says more.
    return components.list_components(ctx, bbox, category, limit, offset)


@router.get("/{code}")
def get_component(code: str, p: Reader, ctx: Ctx):
    return components.get_component(ctx, code[:64])
