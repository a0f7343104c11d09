"""量化考核 rows counted from time rather than from cases: 在岗率 and 巡查覆盖率 per 街道 (the
people on duty, ``console.domain.duty``) and 河道巡查覆盖率 per 河段 (``console.domain.rivers``).

They answer ``GET /api/v1/kpis?by=duty|river`` in the board's contract (``key``, ``name``,
``indicators`` {id: {numerator, denominator, value}}, ``score``, ``grade``), so the board, its
trend, sparklines and the monthly report treat them as any other grouping. What differs is
what stands behind a number: not case ids but *items*, a person-day (on-duty minutes over
scheduled minutes; cells set foot in over cells of the area) or a segment-day (patrolled or
not, with the day's coverage). ``items`` lists them for one cell, the worst first, so the
drill-down starts where the centre must look.

在岗率 counts whole minutes per person-day (the backend stores tenths of seconds): the cell's
numerator and denominator are the sums of its items' and its value is their ratio, so the
drill-down adds up to the number on the board exactly. ``GET /api/v1/duty/kpis`` divides the
seconds and may differ in the fourth decimal (8 h shifts: a minute is 0.2 %).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from console.domain import duty, rivers
from console.domain.kpi import default_weights, grade, indicator_ids, rate, score

#: The ``by`` values counted from time; each is also the kind of its indicators in
#: ``resources/kpi_indicators.json`` (``indicator_ids``).
TIME_BY = ("duty", "river")

Day = Mapping[str, Any]


def _row(
    key: str, name: str, kind: str, cells: dict[str, tuple[int, int, float | None]]
) -> dict[str, Any]:
    indicators = {
        i: {"numerator": n, "denominator": d, "value": v} for i, (n, d, v) in cells.items()
    }
    s = score({i: c["value"] for i, c in indicators.items()}, default_weights().get(kind, {}))
    return {"key": key, "name": name, "role": None, "indicators": indicators, "score": s,
            "grade": grade(s)}  # fmt: skip


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Best first, the unscored last (as ``compute_kpis``)."""
    return sorted(rows, key=lambda r: (r["score"] is None, -(r["score"] or 0.0), str(r["key"])))


def _duty_cells(days: Iterable[Day]) -> dict[str, tuple[int, int, float | None]]:
    ds = list(days)
    on = sum(round(float(d["on_duty_s"]) / 60) for d in ds)
    sched = sum(round(float(d["scheduled_s"]) / 60) for d in ds)
    visited = sum(int(d["visited"]) for d in ds)
    cells = sum(int(d["cells"]) for d in ds)
    return {
        "on_duty_rate": (on, sched, rate(on, sched)),
        "patrol_coverage": (visited, cells, rate(visited, cells)),
    }


def duty_rows(days: Iterable[Day], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per 街道 over person-days (``person_id``, ``name``, ``street``, ``on_duty_s``,
    ``scheduled_s``, ``visited``, ``cells``: the backend's ``duty_days`` rows or a console's
    duty records): its people's 在岗率 and 巡查覆盖率, summed as ``duty.kpi_rows`` sums them."""
    by_street: dict[str, list[Day]] = {}
    for d in days:
        by_street.setdefault(str(d.get("street") or ""), []).append(d)
    rows = [
        _row(street, names.get(street, street), "duty", _duty_cells(ds))
        for street, ds in by_street.items()
    ]
    return _sorted(rows)


def _river_cells(rows: list[rivers.CoverageRow]) -> dict[str, tuple[int, int, float | None]]:
    done = sum(r.patrolled for r in rows)
    return {rivers.KPI_ID: (done, len(rows), rate(done, len(rows)))}


def river_rows(
    docs: Iterable[Mapping[str, Any]], start: datetime, end: datetime, now: datetime
) -> list[dict[str, Any]]:
    """One row per 河段 over [start, end): its patrolled segment-days over its due ones
    (``rivers.coverage_kpi``, the same segment-days ``GET /api/v1/rivers/kpi`` lists)."""
    _, seg_days = rivers.coverage_kpi(docs, start, end, now)
    by_seg: dict[str, list[rivers.CoverageRow]] = {}
    for r in seg_days:
        by_seg.setdefault(r.segment_id, []).append(r)
    rows = [_row(k, rs[0].name_zh or k, "river", _river_cells(rs)) for k, rs in by_seg.items()]
    return _sorted(rows)


def _check(by: str, indicator: str) -> None:
    if by not in TIME_BY:
        raise ValueError(f"by={by!r} is not counted from time; one of {TIME_BY}")
    if indicator not in indicator_ids(by):
        raise ValueError(f"indicator {indicator!r} is not on the {by} board: {indicator_ids(by)}")


def duty_items(days: Iterable[Day], street: str, indicator: str) -> list[dict[str, Any]]:
    """The person-days behind one 街道's cell, the furthest from full first: ``id`` (the
    person), ``name``, ``day``, ``numerator``, ``denominator``, ``value``."""
    _check("duty", indicator)
    out = []
    for d in days:
        if str(d.get("street") or "") != street:
            continue
        n, den, v = _duty_cells([d])[indicator]
        out.append({"id": str(d["person_id"]), "name": str(d.get("name") or d["person_id"]),
                    "day": str(d["day"]), "numerator": n, "denominator": den, "value": v})  # fmt: skip
    return _worst_first(out)


def river_items(
    docs: Iterable[Mapping[str, Any]],
    start: datetime,
    end: datetime,
    now: datetime,
    segment_id: str,
    indicator: str = rivers.KPI_ID,
) -> list[dict[str, Any]]:
    """The segment-days behind one 河段's cell: ``numerator`` 1 when patrolled (coverage at
    least ``rivers.PATROLLED_SHARE``), ``denominator`` 1, ``value`` the day's coverage."""
    _check("river", indicator)
    _, seg_days = rivers.coverage_kpi(docs, start, end, now)
    out = [
        {
            "id": r.segment_id,
            "name": r.name_zh or r.segment_id,
            "day": r.day,
            "numerator": int(r.patrolled),
            "denominator": 1,
            "value": round(r.coverage, 3),
        }  # fmt: skip
        for r in seg_days
        if r.segment_id == segment_id
    ]
    return _worst_first(out)


def _worst_first(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def shortfall(x: dict[str, Any]) -> tuple[float, float, str, str]:
        full = x["numerator"] >= x["denominator"]
        v = x["value"] if x["value"] is not None else 1.0
        return (float(full), v, x["day"], x["id"])

    return sorted(items, key=shortfall)


def rows(
    by: str,
    inputs: Sequence[Mapping[str, Any]],
    start: datetime,
    end: datetime,
    now: datetime,
    names: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The rows of ``by`` over what it is counted from (``inputs``: person-days for ``duty``,
    the ``river_segment`` records for ``river``), for the backend and a replay alike."""
    if by == "duty":
        return duty_rows(inputs, names)
    return river_rows(inputs, start, end, now)


def items(
    by: str,
    inputs: Sequence[Mapping[str, Any]],
    start: datetime,
    end: datetime,
    now: datetime,
    key: str,
    indicator: str,
) -> list[dict[str, Any]]:
    """The items behind one cell of ``by``'s row ``key`` (``inputs`` as for ``rows``)."""
    if by == "duty":
        return duty_items(inputs, key, indicator)
    return river_items(inputs, start, end, now, key, indicator)


def duty_days_of_records(
    records: Iterable[Mapping[str, Any]], first: str, last: str
) -> list[dict[str, Any]]:
    """Person-days as ``duty_rows`` reads them, from the duty records a console holds (each
    person's latest day: the same totals the backend stores in ``duty_days`` when it
    publishes the record), for the days ``first``..``last`` (ISO dates)."""
    out = []
    for r in records:
        day = str(r.get("day") or "")
        if not (first <= day <= last):
            continue
        n = int(r.get("cells") or 0)
        out.append(
            {
                "person_id": r["id"],
                "name": r.get("name"),
                "street": r.get("street"),
                "day": day,
                "on_duty_s": float(r.get("on_duty_s") or 0.0),
                "scheduled_s": float(r.get("scheduled_s") or 0.0),
                "visited": int(duty.visited_from_hex(str(r.get("visited") or ""), n).sum()),
                "cells": n,
            }
        )
    return out
