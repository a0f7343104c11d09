"""The 部件 layer: the district's ~93,000 components on the map when zoomed in to a street.

The components come from the inventory the console derives itself (``ComponentIndex.load``:
the backend's own, from the shared disk cache), not from a 93,000-row download. Their states
come from the ``asset_state`` records, which exist only for components that are not 正常 (a
handful: damaged, missing, out of service, or 维修中 under a work order in 施工), so every
component without a record is drawn as normal.

One ``Markers`` item draws them (numpy columns in, one ``drawPixmapFragments`` out): a symbol
per category, a colour per state, the non-normal ones drawn over the rest. Only the view's
components (with a margin, so a pan shows its edge at once) are handed to it, and only when the
view is narrower than ``MAX_VIEW_M``: a 2 km view holds at most ~1,700 of them (measured over
the district) and drew every street as a bead of overlapping symbols, since each side of a road
carries lamps, manholes, inlets, bins and hydrants together (looked at on the demo's busiest
river stretch); at 1 km a lamp 35 m from the next is ~50 px from it on a desk's map and the
kinds between them can be told apart. Wider, the layer hides. Culling the view out of all ~93,000 takes ~2 ms a redraw.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols

from console.domain.maintenance import NORMAL
from console.geo.crs import lonlat_to_mercator
from console.geo.inventory import ComponentIndex
from widgets.map.markers import OUTLINE, Markers

#: The layer shows when the view is narrower than this (metres of Web Mercator, as the grid's
#: GRID_MAX_VIEW_M): a block or two, where a component can be told from the next.
MAX_VIEW_M = 1000.0
#: Margin of the view (share of its size each way) whose components are handed to the item.
MARGIN = 0.5
SIZE_PX = 12.0
#: State → colour. Normal is a quiet blue-grey so the few faulty ones stand out; none of these
#: is a case light's green / yellow / red, so a component is not read as a case.
STATE_COLORS: dict[str, str] = {
    NORMAL: "#7f9bb3",
    "damaged": "#ff4d4f",
    "missing": "#eb2f96",
    "disabled": "#595959",
    "repairing": "#fa8c16",
}
STATES = tuple(STATE_COLORS)
#: Category → symbol: lamps a star, their wells and cabinets a diamond, drainage a circle,
#: water supply a pentagon, other utilities' manholes a hexagon, bins a square.
CATEGORY_SYMBOLS: dict[str, str] = {
    "01037": "star",
    "01006": "d",
    "01060": "d",
    "01002": "o",
    "01003": "o",
    "01004": "o",
    "01001": "p",
    "01013": "p",
    "01005": "h",
    "01007": "h",
    "01008": "h",
    "01011": "h",
    "03005": "s",
}
SYMBOLS = tuple(dict.fromkeys(CATEGORY_SYMBOLS.values()))


@cache
def _projected(index: ComponentIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mercator x, y and the symbol index of every component, once per process."""
    x, y = lonlat_to_mercator(index.inv.lon, index.inv.lat)
    cats, inverse = np.unique(index.inv.category, return_inverse=True)
    of_cat = np.array([SYMBOLS.index(CATEGORY_SYMBOLS.get(str(c), "o")) for c in cats])
    sym = of_cat[inverse].astype(np.int64)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float), sym


def style_of(symbol: int, state: str) -> int:
    return symbol * len(STATES) + STATES.index(state if state in STATE_COLORS else NORMAL)


class AssetLayer:
    """The item and what it needs to draw and hit-test; the wall owns it and calls ``draw``
    when the view or the states change."""

    def __init__(self, loader=ComponentIndex.load):
        self._loader = loader
        self._index: ComponentIndex | None = None
        styles = [(Symbols[s], STATE_COLORS[st]) for s in SYMBOLS for st in STATES]
        self.item = Markers(styles, SIZE_PX, pg.mkPen(OUTLINE, width=0.8))
        #: Component code → state, for those not normal (the asset_state records).
        self.states: dict[str, str] = {}
        self._rows = np.empty(0, dtype=np.int64)  # inventory rows handed to the item

    @property
    def index(self) -> ComponentIndex:
        """The inventory, loaded on first need (the first zoom to a street)."""
        if self._index is None:
            self._index = self._loader()
        return self._index

    def set_states(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        """The live ``asset_state`` records (id = component code)."""
        self.states = {
            code: str(doc.get("state", NORMAL))
            for code, doc in records.items()
            if doc.get("state", NORMAL) != NORMAL
        }

    def draw(self, rect: tuple[float, float, float, float], width_m: float, on: bool) -> None:
        """Hand the components within ``rect`` (view x0, y0, x1, y1) to the item when the layer
        is on and the view narrower than MAX_VIEW_M; else hide the item and drop its points."""
        show = bool(on and width_m < MAX_VIEW_M)
        self.item.setVisible(show)
        if not show:
            if len(self._rows):
                self._rows = np.empty(0, dtype=np.int64)
                self.item.setData(np.empty(0), np.empty(0), np.empty(0, dtype=np.int64))
            return
        x, y, sym = _projected(self.index)
        x0, y0, x1, y1 = rect
        mx, my = (x1 - x0) * MARGIN, (y1 - y0) * MARGIN
        rows = np.flatnonzero((x >= x0 - mx) & (x <= x1 + mx) & (y >= y0 - my) & (y <= y1 + my))
        state = np.full(len(rows), STATES.index(NORMAL), dtype=np.int64)
        if self.states:
            codes = self.index.inv.code[rows]
            for k in np.flatnonzero(np.isin(codes, list(self.states))):
                state[k] = STATES.index(self.states.get(str(codes[k]), NORMAL))
        order = np.argsort(state != STATES.index(NORMAL), kind="stable")  # faults on top
        rows, state = rows[order], state[order]
        self._rows = rows
        self.item.setData(x[rows], y[rows], sym[rows] * len(STATES) + state)

    def shown(self) -> int:
        """How many components the item holds now (0 when hidden)."""
        return len(self._rows)

    def hit(self, x: float, y: float, radius: float) -> tuple[float, str] | None:
        """(distance, code) of the drawn component nearest to view point (x, y) within
        ``radius`` view units, else None."""
        if not len(self._rows) or not self.item.isVisible():
            return None
        px, py, _ = _projected(self.index)
        d2 = (px[self._rows] - x) ** 2 + (py[self._rows] - y) ** 2
        k = int(np.argmin(d2))
        if d2[k] > radius**2:
            return None
        return float(np.sqrt(d2[k])), str(self.index.inv.code[self._rows[k]])

    def position(self, code: str) -> tuple[float, float] | None:
        """View x, y of a component, for the selection ring."""
        try:
            i = self.index.find(code)
        except ValueError:
            return None
        if i is None:
            return None
        x, y, _ = _projected(self.index)
        return float(x[i]), float(y[i])

    def state_of(self, code: str) -> str:
        return self.states.get(code, NORMAL)
