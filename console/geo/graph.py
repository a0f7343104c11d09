"""Connected components of small graphs, vectorised (no scipy in the dependencies)."""

from __future__ import annotations

import numpy as np


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For nodes ``0..n-1`` joined by the edges ``a[i]–b[i]``: each node's component, named by
    its smallest node id.

    Label propagation with pointer jumping: every round each edge pulls both ends down to the
    smaller label, then labels follow their own label; a few dozen numpy rounds even for the
    ~10k cells of the unit grid, where a Python BFS would be slower to run and to read.
    """
    comp = np.arange(n)
    while True:
        low = np.minimum(comp[a], comp[b])
        new = comp.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        new = new[new]
        if np.array_equal(new, comp):
            return comp
        comp = new
