"""Field supervisors' 责任区 as cells: the roster (area code → supervisor, ``/reference``'s
``supervisor_areas``) resolved against the unit grid. A cell with its own entry belongs to
that supervisor, not to its community's (the addressing rule of ``console.server.supervisors``).
Pure, so the backend and a console or replay holding the reference get the same cells (the
漏报率 of ``console.domain.kpi`` is counted over them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

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
