"""Find a place by name for a caller who gives an address, not coordinates (12319 hotline):
a community (社区) or a street (街道) of the reference, located at the centre of its cells."""

from __future__ import annotations

import numpy as np


def find_place(reference: dict, text: str) -> tuple[str, float, float] | None:
    """(name, lon, lat) of the first community, else street, whose name occurs in ``text``
    or contains it; None when nothing matches."""
    text = (text or "").strip()
    grid = reference.get("grid") or {}
    if not text or not grid.get("col"):
        return None
    for key, names in (
        ("community_idx", [c["name"] for c in reference.get("communities") or []]),
        ("street_idx", [s["name"] for s in reference.get("streets") or []]),
    ):
        for i, name in enumerate(names):
            if name and (name in text or text in name):
                idx = np.asarray(grid.get(key) or [], dtype=np.int64)
                cells = np.flatnonzero(idx == i)
                if not len(cells):
                    continue
                (ox, oy), (sx, sy) = grid["origin"], grid["step"]
                col = np.asarray(grid["col"], dtype=float)[cells]
                row = np.asarray(grid["row"], dtype=float)[cells]
                return (
                    name,
                    float(ox + (col.mean() + 0.5) * sx),
                    float(oy + (row.mean() + 0.5) * sy),
                )
    return None
