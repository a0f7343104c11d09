"""Field supervisors' 责任区 and the addressing of 核实/核查 tasks: the backend's half of
``console.domain.field_tasks`` (which stays pure: it is handed the addressee resolved here).

A task goes to the supervisor the centre names (``assignee`` on ``send_verify``/``send_check``:
a reassignment) or else to the supervisor responsible for the case's cell: a cell's own entry
wins over its community's (``SupervisorArea``). The roster is published in ``/reference``
(``supervisor_areas``) so consoles and the simulator know who answers where.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.case import Case
from console.domain.field_tasks import SEND_ACTIONS
from console.domain.workflow import Action, Role
from console.geo import responsibility
from console.geo.grid import UnitGrid

from .db import SupervisorArea, User
from .errors import ApiError


def _active_supervisor(s: Session, user_id: str) -> bool:
    user = s.get(User, user_id)
    return user is not None and user.active and Role.SUPERVISOR.value in (user.roles or [])


def responsible(s: Session, grid_code: str | None, community_code: str | None) -> str | None:
    """The active supervisor responsible for a cell (its own entry, else its community's)."""
    for code in (grid_code, community_code):
        row = s.get(SupervisorArea, code) if code else None
        if row is not None and _active_supervisor(s, row.user_id):
            return row.user_id
    return None


def action_params(s: Session, case: Case, body: Mapping[str, Any]) -> dict[str, Any]:
    """The people-related parameters of an action body: the task's addressee (named by the
    centre, checked, or resolved from the roster) and the callback's answer."""
    out: dict[str, Any] = {}
    named = body.get("assignee")
    if Action(body["action"]) in SEND_ACTIONS:
        if named:
            if not _active_supervisor(s, named):
                raise ApiError(
                    400, f"{named!r} is not an active field supervisor", code="unknown_supervisor"
                )
            out.update(assignee=named, assigned_by="centre")
        else:
            who = responsible(s, case.grid_code, case.community_code)
            out.update(assignee=who, assigned_by="grid" if who else None)
    elif named:
        raise ApiError(400, "assignee is only given with send_verify or send_check")
    if body.get("satisfaction") is not None:
        out["satisfaction"] = body["satisfaction"]
    return out


def areas(s: Session) -> list[dict[str, str]]:
    """The roster as published in ``/reference``: area code (community or cell) → supervisor."""
    return [
        {"area": a.area_code, "supervisor": a.user_id}
        for a in s.scalars(select(SupervisorArea).order_by(SupervisorArea.area_code))
    ]


def supervisor_cells(s: Session, grid: UnitGrid) -> dict[str, set[str]]:
    """Each supervisor's cells (for the missed-report rate of the supervisor KPI)."""
    return responsibility.supervisor_cells(areas(s), grid)
