"""The 部件 inventory as the backend serves it: reads by box and code, and the component a new
case is about (named by the reporter, or the nearest of its category; see
``console.domain.components`` for the code layout and the attach radius)."""

from __future__ import annotations

import math

from console.domain.components import ATTACH_RADIUS_M

from .context import Context
from .errors import ApiError

#: Most components one read returns (a district box holds ~93,000).
MAX_LIMIT = 5000


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``min_lon,min_lat,max_lon,max_lat`` → a tuple; 400 naming the problem otherwise."""
    if text is None or text == "":
        return None
    parts = text.split(",")
    try:
        box = tuple(float(p) for p in parts)
    except ValueError:
        box = ()
    if len(box) != 4 or not all(math.isfinite(v) for v in box):
        raise ApiError(
            400,
            "bbox must be four finite numbers: min_lon,min_lat,max_lon,max_lat",
            {"bbox": text[:100]},
            code="bad_bbox",
        )
    minx, miny, maxx, maxy = box
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ApiError(
            400,
            "bbox must have min ≤ max within lon −180…180 and lat −90…90",
            {"bbox": text[:100]},
            code="bad_bbox",
        )
    return minx, miny, maxx, maxy


def _require_component_category(ctx: Context, category: str) -> None:
    if category not in {c.code for c in ctx.catalog.of_kind("component")}:
        raise ApiError(
            400,
            f"{category!r} is not a component category",
            {"category": category[:16]},
            code="not_component_category",
        )


def list_components(
    ctx: Context, bbox: str | None, category: str | None, limit: int, offset: int
) -> dict:
    box = parse_bbox(bbox)
    if category is not None:
        _require_component_category(ctx, category)
    inv = ctx.components
    rows = inv.in_box(box, category)
    page = rows[offset : offset + limit]
    return {
        "components": [inv.doc(int(i)) for i in page],
        "total": int(len(rows)),
        "offset": offset,
        "limit": limit,
        "truncated": offset + len(page) < len(rows),
    }


def get_component(ctx: Context, code: str) -> dict:
    try:
        i = ctx.components.find(code)
    except ValueError as e:
        raise ApiError(400, str(e), code="bad_component_code") from None
    if i is None:
        raise ApiError(404, f"no component {code!r}")
    return ctx.components.doc(i)


def for_case(
    ctx: Context, category: str, lon: float, lat: float, code: str | None
) -> tuple[str | None, str | None]:
    """(component code, owner) of a new case: the named component, which must exist and be of
    the case's category (400 otherwise), or for a component category the nearest one within
    ``ATTACH_RADIUS_M``; (None, None) when there is none."""
    inv = ctx.components
    if code is not None:
        try:
            i = inv.find(code)
        except ValueError as e:
            raise ApiError(400, str(e), code="bad_component_code") from None
        if i is None:
            raise ApiError(400, f"no component {code!r}", code="unknown_component")
        if str(inv.inv.category[i]) != category:
            raise ApiError(
                400,
                f"component {code} is a {inv.inv.category[i]}, the case is a {category}",
                {"component_category": str(inv.inv.category[i]), "category_code": category},
                code="component_category_mismatch",
            )
        return code, str(inv.inv.owner[i])
    hit = inv.nearest(category, lon, lat, ATTACH_RADIUS_M)
    if hit is None:
        return None, None
    return str(inv.inv.code[hit[0]]), str(inv.inv.owner[hit[0]])


def describe(ctx: Context) -> dict:
    """What ``/reference`` says about the inventory."""
    return {
        "count": len(ctx.components),
        "categories": ctx.components.categories,
        "attach_radius_m": ATTACH_RADIUS_M,
    }
