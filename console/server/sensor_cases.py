"""物联感知: a sensor's threshold breach files a case, one per sensor while it is open.

A breach goes through the same intake as every other report (``cases.create``: source
``iot``, the posting gateway as reporter, the category of ``console.domain.sensor_kinds``,
located at the sensor, its grid, community, street and nearest 部件 found as for any case),
so the case takes the ordinary loop: 受理 → 立案 (no 核实: a sensor is on site) → 派遣 → 处置
→ 核查 → 结案. While that case is open, further breaches of the sensor file nothing (the
``sensor_threshold`` alert already tells the desk the sensor is still high); once it is closed
or voided, the next breach files a new one.

One open case per sensor is held by ``cases.open_sensor_id``, set here and cleared by
``cases._store`` when the case closes or is voided, under a unique index: writes are
serialised across processes (``Database.write``), so the lookup below sees every committed
case; the index makes a slip in that an error instead of a second case.

How the case closes is ``cases._require_sensor_normal``'s docstring.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.sensor_kinds import SENSOR_KINDS, breach_description, breached
from console.domain.workflow import Actor, Role, Source

from . import cases
from .context import Context
from .db import CaseRow, Sensor
from .errors import ApiError

log = logging.getLogger(__name__)


def open_case_of(s: Session, sensor_id: str) -> str | None:
    """The id of the sensor's open case, if it has one."""
    return s.scalar(select(CaseRow.id).where(CaseRow.open_sensor_id == sensor_id))


def file_breach(ctx: Context, s: Session, gateway: Actor, sensor: Sensor) -> str | None:
    """File a case for the sensor's latest reading if it is a breach and the sensor has no
    open case; the new case's id, or None when nothing was filed.

    A case the intake refuses (a scheme without the kind's category, a sensor outside the
    district) is logged and not filed: the reading itself stays stored and alerted."""
    value = sensor.last_value
    if value is None or not breached(sensor.kind, value) or open_case_of(s, sensor.id):
        return None
    kind = SENSOR_KINDS[sensor.kind]
    body = {
        "source": Source.IOT.value,
        "category_code": kind.category_code,
        "location": {"lon": sensor.lon, "lat": sensor.lat},
        "urgency": kind.urgency,
        "address": "",
        "description": breach_description(sensor.kind, sensor.id, sensor.name, value),
        "note": f"物联感知 {sensor.id}",
    }
    try:
        doc = cases.create(ctx, s, gateway, Role.GATEWAY.value, body)
    except ApiError as e:
        log.warning("sensor %s breach filed no case: %s", sensor.id, e.message)
        return None
    row = s.get(CaseRow, doc["id"])
    assert row is not None  # stored by cases.create in this transaction
    row.open_sensor_id = sensor.id
    s.flush()
    log.info("sensor %s breach (%g) filed case %s", sensor.id, value, doc["id"])
    return doc["id"]
