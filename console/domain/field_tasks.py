"""核实/核查 tasks addressed to one field supervisor (监督员), and taking a task over.

A verify (核实) or check (核查) task without an addressee is answered by whichever supervisor
gets to it first, so nobody owns it and the on-time rates of the supervisor KPI say nothing
about anyone (issue 11). Centres address each task to the supervisor responsible for the
case's unit grid (his 责任区, see ``docs/rules/supervisors_public.md``); the backend resolves
that supervisor and hands it in as the ``assignee`` parameter, so these rules stay pure.

- ``send_verify`` / ``send_check`` address the task: to the supervisor the centre names (a
  reassignment, ``assigned_by = "centre"``) or else to the grid's responsible supervisor
  (``"grid"``). Where no supervisor is responsible the task goes out unaddressed and any
  supervisor may answer it: refusing to send it would stop the case for a gap in the roster.
- ``verified`` / ``check_pass`` / ``check_fail``: only the addressee may answer (403).
- ``take_over``: another supervisor takes the open task, with a reason (the transition requires
  a note); the event records from whom. The stage clock keeps running: the limit is the
  centre's promise about the case, whoever walks to it.
- The addressee is cleared when the task ends (answered, or the case leaves 核实中/核查中, e.g.
  voided), so ``assignee`` always names the holder of an open task or nobody.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .workflow import Action, Actor, ForbiddenAction, InvalidTransition, State

TASK_STATES = frozenset({State.VERIFYING, State.CHECKING})
SEND_ACTIONS = frozenset({Action.SEND_VERIFY, Action.SEND_CHECK})
ANSWER_ACTIONS = frozenset({Action.VERIFIED, Action.CHECK_PASS, Action.CHECK_FAIL})


def responsible_supervisor(roster: Mapping[str, str], grid_code: str | None) -> str | None:
    """The supervisor responsible for a cell in a roster of area code → supervisor (as
    ``/reference`` publishes it): the cell's own entry, else its community's (first 12 digits)."""
    if not grid_code:
        return None
    return roster.get(grid_code) or roster.get(grid_code[:12])


def may_answer(assignee: str | None, actor: Actor) -> bool:
    """Whether ``actor`` may answer the open task (the console enables its buttons on this)."""
    return assignee is None or assignee == actor.user_id


def next_assignee(
    action: Action,
    state_after: str,
    current: str | None,
    actor: Actor,
    params: Mapping[str, Any],
    data: dict[str, Any],
) -> str | None:
    """The addressee after ``action`` (already allowed by the workflow table); records the
    change in the event's ``data``. Raises 403 for an answer by someone else and 422 for
    taking over one's own task."""
    if action in ANSWER_ACTIONS and not may_answer(current, actor):
        raise ForbiddenAction(
            f"this task is addressed to {current}; take it over first (take_over, with a reason)",
            {"assignee": current},
        )
    if action in SEND_ACTIONS:
        who = params.get("assignee") or None
        data["assignee"] = who
        data["assigned_by"] = params.get("assigned_by") or ("centre" if who else None)
        return who
    if action == Action.TAKE_OVER:
        if current == actor.user_id:
            raise InvalidTransition("this task is already yours", {"assignee": current})
        data["from"] = current
        data["assignee"] = actor.user_id
        return actor.user_id
    return current if state_after in TASK_STATES else None
