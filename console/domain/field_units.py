"""What moves on the district's telemetry path besides sanitation vehicles.

Supervisors (监督员), enforcement officers (执法队员) and river patrols (on foot or by boat)
report positions exactly as vehicles do (``POST /api/v1/telemetry/fixes``), as rows of the
``vehicles`` table with their own ``type``: trails, the shift log, replay and the map's
position layer then hold them with no second path. Whatever counts the *fleet* (the fleet
panel, vehicle rules such as overspeed, the vehicle KPIs, the wall's vehicle counters) must
count sanitation types only, through ``is_sanitation``.
"""

from __future__ import annotations

#: Each fits ``vehicles.vtype`` (String(16): an existing PostgreSQL database holds no longer).
SUPERVISOR = "supervisor"  # 监督员 (position unit of a supervisor user)
OFFICER = "officer"  # 执法队员
RIVER_PATROL_FOOT = "river_foot"  # 河道巡查 (步行)
RIVER_PATROL_BOAT = "river_boat"  # 河道巡查船

PERSON_TYPES = frozenset({SUPERVISOR, OFFICER, RIVER_PATROL_FOOT})
FIELD_UNIT_TYPES = PERSON_TYPES | {RIVER_PATROL_BOAT}

FIELD_UNIT_NAMES_ZH = {
    SUPERVISOR: "监督员",
    OFFICER: "执法队员",
    RIVER_PATROL_FOOT: "河道巡查员",
    RIVER_PATROL_BOAT: "河道巡查船",
}


def is_person(type_: str | None) -> bool:
    return type_ in PERSON_TYPES


def is_sanitation(type_: str | None) -> bool:
    """A vehicle of the sanitation fleet: anything that is not a field unit (the fleet's own
    types are open-ended: sweeper, sprinkler, washer, compactor, ... and older data has none)."""
    return type_ not in FIELD_UNIT_TYPES
