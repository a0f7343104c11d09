"""People on the map: supervisors, enforcement officers and river patrols on foot, drawn
apart from the fleet (a person glyph or a badge, not a heading arrow), coloured by their duty
state (``console.domain.duty``, from the ``duty`` records), and the patrol coverage of the
selected one: his area's cells, the ones he visited today filled.

Two items, each fed numpy arrays: the people (``Markers``, one style per type and state) and
the coverage (one ScatterPlotItem of cell-sized squares in view units). The map wall owns
them as its ``staff`` layer and hands them positions; nothing here reads the network.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPainterPath

from console.domain import duty
from console.domain.field_units import OFFICER, RIVER_PATROL_FOOT, SUPERVISOR
from console.geo.crs import lonlat_to_mercator
from console.geo.grid import UnitGrid
from console.geo.responsibility import area_cells
from widgets.map.markers import OUTLINE, Markers

#: Duty state colours: on duty green, off grid red (an alert), silent amber (an alert), off
#: shift grey; a person with no record yet is drawn off shift.
STATE_COLORS = {
    duty.ON_DUTY: "#52c41a",
    duty.OFF_GRID: "#ff4d4f",
    duty.SILENT: "#faad14",
    duty.OFF_SHIFT: "#8a94a6",
}
PERSON_TYPES = (SUPERVISOR, OFFICER, RIVER_PATROL_FOOT)
#: People show when the view is narrower than this (Web Mercator metres, as the cameras'): the
#: district's ~230 people on duty drew over every case and vehicle in the district view
#: (looked at); one off grid or silent still shows there, by its alert's ring.
MAX_VIEW_M = 5000.0
COVERAGE_COLORS = {"visited": (82, 196, 26, 110), "area": (138, 148, 166, 40)}


def person_glyph() -> QPainterPath:
    """A head and shoulders in a unit box: a supervisor."""
    p = QPainterPath()
    p.addEllipse(-0.18, -0.5, 0.36, 0.36)
    p.moveTo(-0.42, 0.5)
    p.cubicTo(-0.42, 0.0, 0.42, 0.0, 0.42, 0.5)
    p.closeSubpath()
    return p


def badge_glyph() -> QPainterPath:
    """A shield in a unit box: an enforcement officer (执法 badge)."""
    p = QPainterPath()
    p.moveTo(0.0, -0.5)
    p.lineTo(0.42, -0.32)
    p.lineTo(0.36, 0.12)
    p.lineTo(0.0, 0.5)
    p.lineTo(-0.36, 0.12)
    p.lineTo(-0.42, -0.32)
    p.closeSubpath()
    return p


def patrol_glyph() -> QPainterPath:
    """A drop in a unit box: a river patrol on foot."""
    p = QPainterPath()
    p.moveTo(0.0, -0.5)
    p.cubicTo(0.45, 0.0, 0.4, 0.5, 0.0, 0.5)
    p.cubicTo(-0.4, 0.5, -0.45, 0.0, 0.0, -0.5)
    p.closeSubpath()
    return p


GLYPHS = {SUPERVISOR: person_glyph, OFFICER: badge_glyph, RIVER_PATROL_FOOT: patrol_glyph}


def style_code(kind: str | None, state: str | None) -> int:
    """The marker style of a person of ``kind`` in duty ``state``."""
    k = PERSON_TYPES.index(kind) if kind in PERSON_TYPES else 0
    s = duty.STATES.index(state) if state in duty.STATES else duty.STATES.index(duty.OFF_SHIFT)
    return k * len(duty.STATES) + s


class StaffLayer:
    def __init__(self) -> None:
        self.people = Markers(
            [(GLYPHS[k](), STATE_COLORS[s]) for k in PERSON_TYPES for s in duty.STATES],
            18,
            pg.mkPen(OUTLINE, width=1.2),
        )
        self.coverage = pg.ScatterPlotItem(pxMode=False, symbol="s", pen=None)
        self.rows = np.empty(0, dtype=np.int64)
        self.xy = (np.empty(0), np.empty(0))
        self.selected: str | None = None
        self._coverage_key: tuple | None = None

    def items(self) -> list:
        return [self.coverage, self.people]

    def set_people(
        self,
        rows: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        kinds: list[str | None],
        records: Mapping[str, Mapping[str, Any]],
        ids: list[str],
    ) -> None:
        """The people at state ``rows`` at view ``x``/``y``; their records give the colour."""
        self.rows, self.xy = rows, (x, y)
        style = np.fromiter(
            (
                style_code(kinds[k], (records.get(ids[r]) or {}).get("state"))
                for k, r in enumerate(rows.tolist())
            ),
            dtype=np.int64,
            count=len(rows),
        )
        self.people.setData(x, y, style)

    def select(self, person_id: str | None, record: Mapping[str, Any] | None) -> None:
        """Show ``person_id``'s area and today's visited cells (nothing for anyone else)."""
        self.selected = person_id if record is not None else None
        if record is None:
            self._coverage_key = None
            self.coverage.setData(x=[], y=[])
            return
        key = (person_id, tuple(record.get("area") or ()), record.get("visited"))
        if key == self._coverage_key:
            return
        self._coverage_key = key
        grid = UnitGrid.load()
        cells = area_cells(grid, [str(c) for c in record.get("area") or ()])
        visited = duty.visited_from_hex(str(record.get("visited") or ""), len(cells))
        x, y = lonlat_to_mercator(grid.lon[cells], grid.lat[cells])
        lat0 = float(np.mean(grid.lat[cells])) if len(cells) else 30.25
        side = grid.cell_m / math.cos(math.radians(lat0))  # view (Mercator) metres
        done, todo = pg.mkBrush(*COVERAGE_COLORS["visited"]), pg.mkBrush(*COVERAGE_COLORS["area"])
        brushes = [done if v else todo for v in visited.tolist()]
        self.coverage.setData(
            x=np.atleast_1d(x), y=np.atleast_1d(y), size=side * 0.96, brush=brushes
        )
