"""Records: the one wire shape for the centre's other systems (docs/rules/records.md).

An enforcement case, a river segment's patrol state, a camera, a person's duty state, a 协办
task or a maintenance work order each reach the consoles, the shift log and replay as a
``record`` change holding the thing's whole current document. One generic kind instead of one
per system, because every layer between the backend and a widget (the feed, the snapshot, the
validator, ``CityState``, its checkpoints, the replay cursor) treats them alike: it keeps the
newest document of each ``(type, id)`` and drops it when it stops being ``live``. Only the
backend that makes a type and the widgets that show it know its fields.

A type this console does not know is still kept (a newer backend adds types; a replay of its
log must fold the same), but a record must be well-formed: ``check`` says what that is.
"""

from __future__ import annotations

import math
from typing import Any

#: The record types and their names; a backend module that emits a type lists it here.
RECORD_TYPES: dict[str, str] = {
    "camera": "摄像头",  # console.server.cameras
    "duty": "在岗状态",  # a supervisor's or officer's duty state (console.server.duty)
    "river_segment": "河段巡查",  # console.server.rivers
    "work_order": "养护工单",  # console.server.maintenance (docs/rules/maintenance.md)
    "asset_state": "部件状态",  # a 部件 that is not 正常 (console.server.maintenance)
    "enforcement": "执法案件",  # console.server.enforcement
}

#: Bounds of a record (the change validator's): ids and types are keys, not text.
MAX_TYPE = 32
MAX_ID = 64
#: A record is one thing's current state, not a history dump: 64 kB of JSON holds an
#: enforcement case with its parties, evidence list and dozens of events many times over.
MAX_RECORD_BYTES = 64 << 10
MAX_DEPTH = 8


class BadRecord(ValueError):
    pass


def check(doc: object) -> None:
    """Raise ``BadRecord`` unless ``doc`` is a record: a JSON object whose ``type`` and ``id``
    are short non-empty strings, ``live`` a bool when present, no value nested deeper than
    ``MAX_DEPTH`` and no non-finite number (the JSON that carries it cannot hold one)."""
    if not isinstance(doc, dict):
        raise BadRecord("record is not an object")
    for key, limit in (("type", MAX_TYPE), ("id", MAX_ID)):
        v = doc.get(key)
        if not isinstance(v, str) or not v or len(v) > limit:
            raise BadRecord(f"record.{key} must be a string of 1..{limit} characters")
    if "live" in doc and not isinstance(doc["live"], bool):
        raise BadRecord("record.live must be a boolean")
    _plain(doc, 0)


def _plain(v: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise BadRecord(f"record nested deeper than {MAX_DEPTH}")
    if isinstance(v, dict):
        for k, x in v.items():
            if not isinstance(k, str):
                raise BadRecord("record keys must be strings")
            _plain(x, depth + 1)
    elif isinstance(v, list):
        for x in v:
            _plain(x, depth + 1)
    elif isinstance(v, float) and not math.isfinite(v):
        raise BadRecord("record holds a non-finite number")
    elif v is not None and not isinstance(v, str | int | float | bool):
        raise BadRecord(f"record holds a {type(v).__name__}")
