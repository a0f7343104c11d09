"""Field supervisors' 责任区 as cells: the roster (area code → supervisor, ``/reference``'s
``supervisor_areas``) resolved against the unit grid. A cell with its own entry belongs to
that supervisor, not to its community's (the addressing rule of ``console.server.supervisors``).
Pure, so the backend and a console or replay holding the reference get the same cells (the
漏报率 of ``console.domain.kpi`` is counted over them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from console.geo.grid import UnitGrid

CELL_CODE_LEN = 15  # a cell's code; a community's is shorter (console.geo.grid)


def supervisor_cells(roster: Iterable[Mapping[str, str]], grid: UnitGrid) -> dict[str, set[str]]:
    """Each supervisor's cells from roster entries ``{"area", "supervisor"}``."""
    entries = [(a["area"], a["supervisor"]) for a in roster]
    own = {area for area, _ in entries if len(area) == CELL_CODE_LEN}
    out: dict[str, set[str]] = {}
    for area, user in entries:
        if len(area) == CELL_CODE_LEN:
            cells = {area}
        else:
            cells = {str(grid.codes[i]) for i in grid.community_cells(area)} - own
        out.setdefault(user, set()).update(cells)
    return out


def area_cells(grid: UnitGrid, codes: Iterable[str]) -> np.ndarray:
    """Indices of the cells an area's codes name (a street's 9 digits, a community's 12, a
    cell's 15; an unknown code names nothing), sorted by cell code: the order of a duty
    record's visited bits (``console.domain.duty``), the same for backend, simulator and map."""
    parts: list[np.ndarray] = []
    for code in codes:
        try:
            if len(code) == 9:
                parts.append(grid.street_cells(code))
            elif len(code) == 12:
                parts.append(grid.community_cells(code))
            elif len(code) == CELL_CODE_LEN:
                parts.append(np.array([grid.index_of(code)]))
        except (KeyError, ValueError):
            continue
    # The grid's codes are sorted, so index order is code order.
    return np.unique(np.concatenate(parts)).astype(np.int64) if parts else np.zeros(0, np.int64)


def area_codes(grid: UnitGrid, cells: Iterable[str]) -> list[str]:
    """The shortest codes naming exactly ``cells``: a community's code where all its cells are
    in, the cells' own codes elsewhere (``area_cells`` turns them back)."""
    wanted = set(cells)
    out: list[str] = []
    for community in sorted({c[:12] for c in wanted}):
        try:
            own = {str(grid.codes[i]) for i in grid.community_cells(community)}
        except KeyError:
            own = set()
        mine = wanted & own if own else {c for c in wanted if c[:12] == community}
        out += [community] if own and mine == own else sorted(mine)
    return out
