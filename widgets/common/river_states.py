"""The river segments' patrol states as the map and the river panel show them (one colour
and one name each, so a segment reads the same on both): ``console.domain.rivers.patrol_state``.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

#: Patrol state → colour: water blue when patrolled today, teal while a patrol is under way,
#: amber when today's is still to come, red when the required interval has passed.
STATE_COLORS = {
    "done": "#40a9ff",
    "partial": "#36cfc9",
    "due": "#faad14",
    "overdue": "#ff4d4f",
}


def state_names() -> dict[str, str]:
    """The states' names, translated."""
    return {
        "done": QCoreApplication.translate("RiverStates", "今日已巡"),
        "partial": QCoreApplication.translate("RiverStates", "巡查中"),
        "due": QCoreApplication.translate("RiverStates", "今日待巡"),
        "overdue": QCoreApplication.translate("RiverStates", "超期未巡"),
    }
