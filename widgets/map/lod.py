"""Level of detail for the map wall at city scale: what to draw when 2,000 vehicles' trails
(480,000 fixes) and 50,000 cases share 1920x1080 pixels. Numpy only, no Qt, so the tests
check the pictures' promises on the arrays themselves:

- **Trails**: each vehicle's polyline is simplified (Douglas–Peucker, all vehicles at once)
  to a tolerance under one screen pixel at the current zoom. Every fix left out lies within
  that tolerance of the drawn line, and each trail's first and last fixes (the vehicle's
  latest position) are always kept: the picture is the full path to within a pixel, from
  ~5 % of its vertices at district view (the simulator's vehicles drive straight streets).
- **Cases**: binned on a screen-space grid anchored to the map (so a pan does not reshuffle
  the bins; a zoom does). A bin with at most ``EXACT_PER_BIN`` cases shows them as exact
  markers; a fuller bin shows one cluster with its count and how many of each light. Red
  (overdue) cases are always exact markers as well, drawn over their cluster: at district
  view every overdue case is still a point on the map, where it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from console.domain.sla import GREEN, NO_LIGHT, RED, YELLOW

# Cases in a bin that still show as their own markers: four 11-px markers fit a 56-px bin
# without hiding each other; a fifth is where a count says more than the dots.
EXACT_PER_BIN = 4
# A cluster's bin, in screen pixels: wide enough for a four-digit count in a readable font
# (widgets/map/markers.py sizes the disc and the text from it).
CLUSTER_PX = 56.0
# Trails are drawn within this many screen pixels of the full path (the pen is 1.6 px wide).
TRAIL_TOL_PX = 1.0
# Markers of one layer in view beyond which they shrink (1/sqrt of the count, so together
# they cover what this many full-size ones would), down to MIN_MARKER_SCALE: the demo's 40
# vehicles keep their 20-px arrows; 2,000 vehicles at district view are 11-px arrows instead
# of a carpet that hides the streets, the counts and each other.
DENSE_MARKERS = 600
MIN_MARKER_SCALE = 0.4
# The light order for "worst": red over yellow over green over no clock running.
LIGHTS_WORST_FIRST = (RED, YELLOW, GREEN, NO_LIGHT)


def simplify_polylines(
    x: np.ndarray, y: np.ndarray, starts: np.ndarray, ends: np.ndarray, tol: float
) -> np.ndarray:
    """Douglas–Peucker over many polylines at once: polyline k is points
    ``starts[k]..ends[k]`` (inclusive) of ``x``/``y``. Returns a mask of the points to keep:
    every polyline's end points, and enough others that each dropped point lies within
    ``tol`` of the segment joining the kept points around it.

    Each pass finds, for every segment still open, its farthest interior point (vectorised
    over all segments), and splits the segments whose farthest point is beyond ``tol``."""
    keep = np.zeros(len(x), dtype=bool)
    keep[starts] = True
    keep[ends] = True
    open_ = ends - starts >= 2
    a, b = starts[open_].astype(np.int64), ends[open_].astype(np.int64)
    tol2 = tol * tol
    while len(a):
        inner = b - a - 1
        first = np.cumsum(inner) - inner  # where each segment's interior starts in the pass
        seg = np.repeat(np.arange(len(a)), inner)
        idx = np.repeat(a + 1 - first, inner) + np.arange(len(seg))
        ax, ay = x[a][seg], y[a][seg]
        dx, dy = x[b][seg] - ax, y[b][seg] - ay
        px, py = x[idx] - ax, y[idx] - ay
        l2 = dx * dx + dy * dy
        t = np.clip((px * dx + py * dy) / np.where(l2 > 0, l2, 1.0), 0.0, 1.0)
        d2 = (px - t * dx) ** 2 + (py - t * dy) ** 2  # to the segment, not its line
        far = np.maximum.reduceat(d2, first)
        at_far = np.flatnonzero(d2 == far[seg])
        first_far = at_far[np.r_[True, seg[at_far][1:] != seg[at_far][:-1]]]
        split = far > tol2
        mid = idx[first_far][split]
        keep[mid] = True
        a, b = np.r_[a[split], mid], np.r_[mid, b[split]]
        open_ = b - a >= 2
        a, b = a[open_], b[open_]
    return keep


def density_scale(n_in_view: int) -> float:
    """The size factor for ``n_in_view`` markers of one layer (see DENSE_MARKERS), in steps
    of 0.05 so a marker atlas is not redrawn for every marker that comes or goes."""
    k = math.sqrt(DENSE_MARKERS / max(n_in_view, 1))
    return round(min(max(k, MIN_MARKER_SCALE), 1.0) * 20) / 20


def trail_tolerance(metres_per_px: float) -> float:
    """The simplification tolerance (view units) for a zoom: the largest power of two not
    above ``TRAIL_TOL_PX`` pixels, so trails are rebuilt only when the zoom crosses a power of
    two (a wheel step is ~1.15x), and always drawn within a pixel of the full path."""
    if not (metres_per_px > 0 and math.isfinite(metres_per_px)):
        return 0.0
    return float(2.0 ** math.floor(math.log2(metres_per_px * TRAIL_TOL_PX)))


@dataclass
class TrailPieces:
    """Simplified trails of every vehicle row, flat: the kept fixes' times ``t`` and places
    ``x``/``y`` (view units) grouped by row in row order, ``n[r]`` of them for row r, and each
    row's bounding box (``box[r]`` = x0, y0, x1, y1; NaN when empty) for culling. Flat, so a
    tick that moves 2,000 vehicles updates their trails in a few numpy passes rather than a
    Python step (and three small arrays) per vehicle."""

    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    n: np.ndarray
    box: np.ndarray

    @classmethod
    def empty(cls) -> TrailPieces:
        return cls(*(np.empty(0),) * 3, np.zeros(0, dtype=np.int64), np.empty((0, 4)))

    def grow(self, n: int) -> None:
        """Room for ``n`` vehicle rows (new vehicles start with no trail)."""
        extra = n - len(self.n)
        if extra > 0:
            self.n = np.r_[self.n, np.zeros(extra, dtype=np.int64)]
            self.box = np.vstack((self.box, np.full((extra, 4), np.nan)))

    def row(self, r: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row ``r``'s kept fixes: t, x, y."""
        end = int(self.n[: r + 1].sum())
        part = slice(end - int(self.n[r]), end)
        return self.t[part], self.x[part], self.y[part]

    def put(
        self,
        rows: np.ndarray,
        t: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        owner: np.ndarray,
        tol: float,
        anchor: np.ndarray | None = None,
    ) -> None:
        """Replace the trails of ``rows`` by the fixes in ``t``/``x``/``y`` (grouped by
        ``owner``, a row of ``rows``, in time order), simplified to ``tol``. With ``anchor``
        (per row of ``rows``, from ``anchors``) the fixes given start at the anchor and the
        vertices kept before it stay: a trail that only grew at its end is simplified again
        from its last-but-one vertex on, not from its start."""
        self.grow(int(rows.max()) + 1 if len(rows) else 0)
        cut = np.full(len(self.n), np.inf)  # per row: its old vertices before this time stay
        cut[rows] = -np.inf if anchor is None else anchor
        vrow = np.repeat(np.arange(len(self.n)), self.n)
        old = self.t < cut[vrow]
        keep = np.zeros(0, dtype=bool)
        if len(x):
            split = np.flatnonzero(owner[1:] != owner[:-1]) + 1
            keep = simplify_polylines(x, y, np.r_[0, split], np.r_[split - 1, len(x) - 1], tol)
        kept_rows = owner[keep]
        old_rows = vrow[old]
        # Each row's new vertices go after its old ones that stay (rows stay in row order).
        at = np.cumsum(np.bincount(old_rows, minlength=len(self.n)))[kept_rows]
        self.t = np.insert(self.t[old], at, t[keep])
        self.x = np.insert(self.x[old], at, x[keep])
        self.y = np.insert(self.y[old], at, y[keep])
        self.n = np.bincount(np.r_[old_rows, kept_rows], minlength=len(self.n))
        self.box[:] = np.nan
        full = np.flatnonzero(self.n)
        if len(full):
            first = (np.cumsum(self.n) - self.n)[full]
            self.box[full] = np.column_stack(  # x0, y0, x1, y1
                [f.reduceat(v, first) for f in (np.minimum, np.maximum) for v in (self.x, self.y)]
            )

    def anchors(self, rows: np.ndarray) -> np.ndarray:
        """Per row, the time of its trail's last-but-one kept fix, from which a trail that
        grew at its end is simplified again (-inf: fewer than two kept, simplify it all)."""
        out = np.full(len(rows), -np.inf)
        ok = rows < len(self.n)
        ok[ok] = self.n[rows[ok]] >= 2
        out[ok] = self.t[np.cumsum(self.n)[rows[ok]] - 2]
        return out

    def polyline(self, view: tuple[float, float, float, float] | None) -> tuple:
        """The trail segments whose box meets ``view`` (x0, y0, x1, y1; None: all) as one
        polyline for a single curve item: (x, y, connect), connect[k] False where point k is
        not joined to point k+1 (a trail ends, or leaves the view)."""
        ok = self.n > 0
        if view is not None:
            x0, y0, x1, y1 = view
            b = self.box
            ok &= (b[:, 2] >= x0) & (b[:, 0] <= x1) & (b[:, 3] >= y0) & (b[:, 1] <= y1)
        if not ok.any():
            return np.empty(0), np.empty(0), np.empty(0, dtype=bool)
        connect = np.ones(int(self.n[ok].sum()), dtype=bool)
        connect[np.cumsum(self.n[ok]) - 1] = False
        mine = np.repeat(ok, self.n)
        xs, ys = self.x[mine], self.y[mine]
        if view is None:
            return xs, ys, connect
        # Zoomed in, a trail that meets the view mostly lies outside it: keep the segments
        # that meet it (and their ends), not whole trails for Qt to clip.
        seg = (
            connect[:-1] & (np.maximum(xs[:-1], xs[1:]) >= x0) & (np.minimum(xs[:-1], xs[1:]) <= x1)
        )
        seg &= (np.maximum(ys[:-1], ys[1:]) >= y0) & (np.minimum(ys[:-1], ys[1:]) <= y1)
        keep = np.r_[seg, False] | np.r_[False, seg]
        return xs[keep], ys[keep], np.r_[seg, False][keep]


@dataclass
class CaseClusters:
    """The cases in a view, as drawn: ``exact`` (indices into the input) shown as their own
    markers — the cases of sparse bins, and every red case; ``x``/``y`` the clusters' centres
    (mean of their cases), ``count`` their sizes, ``lights`` (n, 4) how many of each light in
    ``LIGHTS_WORST_FIRST`` order (the first nonzero is the cluster's worst). ``clustered``
    marks the inputs counted in a cluster: each input case is either in exactly one cluster or
    a sparse bin's exact marker, so ``count.sum() + (~clustered).sum()`` is the number of
    cases."""

    exact: np.ndarray
    clustered: np.ndarray
    x: np.ndarray
    y: np.ndarray
    count: np.ndarray
    lights: np.ndarray


def cluster_cases(x: np.ndarray, y: np.ndarray, light: np.ndarray, cell: float) -> CaseClusters:
    """Bin cases (view units) on a grid of ``cell`` anchored at the origin; see the module
    docstring for what is clustered and what stays exact."""
    n = len(x)
    if not n or not cell > 0:
        return CaseClusters(
            np.arange(n), np.zeros(n, dtype=bool), *(np.empty(0),) * 2,
            np.empty(0, dtype=np.int64), np.empty((0, 4), dtype=np.int64),
        )  # fmt: skip
    ix = np.floor(x / cell).astype(np.int64)
    iy = np.floor(y / cell).astype(np.int64)
    ix -= ix.min()
    iy -= iy.min()
    ny = int(iy.max()) + 1
    inv = ix * ny + iy
    n_bins = (int(ix.max()) + 1) * ny
    if n_bins <= max(4 * n, 1 << 16):  # the cases near a view: count the bins directly
        count = np.bincount(inv, minlength=n_bins)
    else:  # sparse (cases spread far beyond a view): number the occupied bins only
        _, inv, count = np.unique(inv, return_inverse=True, return_counts=True)
    clustered = count[inv] > EXACT_PER_BIN
    exact = np.flatnonzero(~clustered | (light == RED))
    big = np.flatnonzero(count > EXACT_PER_BIN)
    slot = np.full(len(count), -1, dtype=np.int64)
    slot[big] = np.arange(len(big))
    member = slot[inv][clustered]
    k = len(big)
    csize = np.bincount(member, minlength=k)
    cx = np.bincount(member, weights=x[clustered], minlength=k) / np.maximum(csize, 1)
    cy = np.bincount(member, weights=y[clustered], minlength=k) / np.maximum(csize, 1)
    lc = light[clustered]
    lights = np.stack(
        [np.bincount(member[lc == v], minlength=k) for v in LIGHTS_WORST_FIRST], axis=1
    )
    return CaseClusters(exact, clustered, cx, cy, csize, lights)
