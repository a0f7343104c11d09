"""量化考核 rows counted from time (console.domain.kpi_time): 在岗率 / 巡查覆盖率 per 街道 and
河道巡查覆盖率 per 河段, each cell the sum of the items its drill-down lists."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from console.domain import duty, kpi_time, rivers
from console.domain.china_time import CST


def _day(pid: str, street: str, day: str, on: float, sched: float, visited: int, cells: int):
    return {"person_id": pid, "name": f"人员{pid}", "street": street, "day": day,
            "on_duty_s": on, "scheduled_s": sched, "visited": visited, "cells": cells}  # fmt: skip


DAYS = [
    _day("S1", "A", "2026-11-28", 8 * 3600, 8 * 3600, 10, 20),
    _day("S1", "A", "2026-11-29", 6 * 3600 + 29.9, 8 * 3600, 5, 20),  # 360 min (rounded)
    _day("S2", "A", "2026-11-29", 7 * 3600 + 45, 8 * 3600, 20, 20),  # 421 min (rounded)
    _day("S3", "B", "2026-11-29", 0.0, 0.0, 0, 12),  # off shift all day: nothing scheduled
]


def test_a_street_row_sums_its_person_days_and_is_scored():
    rows = {r["key"]: r for r in kpi_time.duty_rows(DAYS, {"A": "湖滨街道"})}
    a = rows["A"]
    assert a["name"] == "湖滨街道" and a["role"] is None
    on = a["indicators"]["on_duty_rate"]
    assert (on["numerator"], on["denominator"]) == (480 + 360 + 421, 3 * 480)
    assert on["value"] == round(1261 / 1440, 4)
    cov = a["indicators"]["patrol_coverage"]
    assert (cov["numerator"], cov["denominator"], cov["value"]) == (35, 60, round(35 / 60, 4))
    # Equal weights (resources/kpi_indicators.json "duty"), on the 0–100 scale.
    assert a["score"] == round(100 * (on["value"] + cov["value"]) / 2, 1) and a["grade"] == "C"
    # Nothing scheduled: no 在岗率, and the score stands on coverage alone.
    b = rows["B"]["indicators"]
    assert b["on_duty_rate"]["value"] is None and b["patrol_coverage"]["value"] == 0.0
    assert rows["B"]["score"] == 0.0
    # The best first.
    assert [r["key"] for r in kpi_time.duty_rows(DAYS, {})] == ["A", "B"]


@pytest.mark.parametrize("indicator", ["on_duty_rate", "patrol_coverage"])
def test_a_duty_cell_is_the_sum_of_its_items_the_shortest_first(indicator):
    cell = kpi_time.duty_rows(DAYS, {})[0]["indicators"][indicator]
    items = kpi_time.duty_items(DAYS, "A", indicator)
    assert len(items) == 3 and {x["id"] for x in items} == {"S1", "S2"}
    assert sum(x["numerator"] for x in items) == cell["numerator"]
    assert sum(x["denominator"] for x in items) == cell["denominator"]
    # A full day last; the furthest from full first.
    assert items[-1]["numerator"] == items[-1]["denominator"]
    short = [x["value"] for x in items if x["numerator"] < x["denominator"]]
    assert short == sorted(short)


def test_an_indicator_or_grouping_off_the_time_board_is_refused():
    with pytest.raises(ValueError, match="not on the duty board"):
        kpi_time.duty_items(DAYS, "A", "disposal_rate")
    with pytest.raises(ValueError, match="not on the river board"):
        t = datetime.now(CST)
        kpi_time.river_items([], t, t, t, "x", "on_duty_rate")


def test_the_records_a_console_holds_give_the_stored_person_days():
    visited = duty.visited_hex(np.array([True, False, True, True]))
    rec = {"type": "duty", "id": "S9", "name": "张三", "street": "A", "day": "2026-11-29",
           "on_duty_s": 3600.0, "scheduled_s": 7200.0, "visited": visited, "cells": 4}  # fmt: skip
    old = {**rec, "id": "S8", "day": "2026-11-28"}
    days = kpi_time.duty_days_of_records([rec, old], "2026-11-29", "2026-11-29")
    assert days == [{"person_id": "S9", "name": "张三", "street": "A", "day": "2026-11-29",
                     "on_duty_s": 3600.0, "scheduled_s": 7200.0, "visited": 3, "cells": 4}]  # fmt: skip


def _segment(seg_id: str, days: dict[str, float]) -> dict:
    return {"type": rivers.RECORD_TYPE, "id": seg_id, "name_zh": f"河段{seg_id}",
            "since": "2026-11-01", "days": days}  # fmt: skip


def test_a_segment_row_counts_its_patrolled_days_over_the_due_ones():
    docs = [
        _segment("ZH01", {"2026-11-27": 0.95, "2026-11-28": 0.5, "2026-11-29": 0.81}),
        _segment("DH01", {"2026-11-27": 1.0, "2026-11-28": 1.0, "2026-11-29": 1.0}),
    ]
    start = datetime(2026, 11, 27, tzinfo=CST)
    end = now = datetime(2026, 11, 30, tzinfo=CST)
    rows = kpi_time.river_rows(docs, start, end, now)
    assert [r["key"] for r in rows] == ["DH01", "ZH01"] and rows[1]["name"] == "河段ZH01"
    cell = rows[1]["indicators"][rivers.KPI_ID]
    assert (cell["numerator"], cell["denominator"], cell["value"]) == (2, 3, round(2 / 3, 4))
    assert rows[1]["score"] == round(100 * 2 / 3, 1)
    items = kpi_time.river_items(docs, start, end, now, "ZH01")
    assert [(x["day"], x["numerator"], x["value"]) for x in items] == [
        ("2026-11-28", 0, 0.5),
        ("2026-11-29", 1, 0.81),
        ("2026-11-27", 1, 0.95),
    ]
    # The district-wide figure of GET /api/v1/rivers/kpi is the rows' sum.
    body = rivers.kpi_body(docs, start, end, now)
    assert body["numerator"] == sum(r["indicators"][rivers.KPI_ID]["numerator"] for r in rows)
    assert body["denominator"] == sum(r["indicators"][rivers.KPI_ID]["denominator"] for r in rows)
    # A window of centuries counts the same days: from the records' start to now.
    since = datetime(2026, 11, 1, tzinfo=CST)
    wide = kpi_time.river_rows(
        docs, datetime(1970, 1, 2, tzinfo=CST), datetime(2199, 1, 1, tzinfo=CST), now
    )
    assert wide == kpi_time.river_rows(docs, since, now, now)
    assert wide[1]["indicators"][rivers.KPI_ID]["denominator"] == 29  # 11-01 .. 11-29
    # Today, still running and not yet patrolled, is not due.
    today = kpi_time.river_rows(docs, end, end + timedelta(days=1), end + timedelta(hours=9))
    assert today == []
