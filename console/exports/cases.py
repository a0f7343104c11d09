"""Cases of a period, from the backend, as GeoJSON points and as table rows.

"Cases in a period" are the cases *reported* in it: ``GET /api/v1/cases?from=&to=`` filters
on ``created_at`` in ``[from, to)``, newest first, at most ``PAGE_SIZE`` a page
(``console.server.context.Settings.max_page``). Pages are read one after another and handed
on as they come (``backend_cases`` is a generator), so 100,000 cases are never one list.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from console.domain.china_time import CST
from console.domain.documents import CaseDoc
from console.labels import Labels, PlaceNames

from .geojson import position
from .track import Get

PAGE_SIZE = 500  # the backend's most cases a page (Settings.max_page)
#: The next page's ``to``: just after the oldest case read, so the cases reported in that same
#: microsecond come again (dropped by id) rather than being skipped.
TIE = timedelta(microseconds=1)


def backend_cases(get: Get, start: datetime, end: datetime) -> Iterator[CaseDoc]:
    """Every case reported in ``[start, end)``, newest first, each once.

    Pages are read by moving ``to`` back to the oldest case read so far (the backend walks its
    ``created_at`` index from there), not by page number: an offset makes the database sort
    and skip everything before it again on every page, quadratic in the period's cases
    (bench exports, 100,000 cases: most of the backend's ~150 s of CPU). A page all of one
    instant cannot move ``to``: the next page of the same ``to`` is read instead."""
    seen: set[str] = set()
    to, page = end, 1
    while True:
        answer = get(
            "/api/v1/cases",
            {
                "from": start.isoformat(),
                "to": to.isoformat(),
                "page": str(page),
                "page_size": str(PAGE_SIZE),
            },
        )
        docs = answer.get("cases") or []
        for doc in docs:
            if doc["id"] not in seen:
                seen.add(doc["id"])
                yield doc
        if len(docs) < PAGE_SIZE:
            return
        oldest = min(datetime.fromisoformat(d["created_at"]) for d in docs)
        if oldest + TIE < to:
            to, page = oldest + TIE, 1
        else:  # one instant filled the page
            page += 1


def local_datetime(iso: str | None) -> datetime | None:
    """A wire time (UTC ISO 8601) as Hangzhou wall-clock time without a zone: what a
    spreadsheet shows (Excel has no time zones; the header says 北京时间)."""
    if not iso:
        return None
    return datetime.fromisoformat(iso).astimezone(CST).replace(tzinfo=None)


class CaseNames:
    """The reference's names for a case's codes (category, department, street and community)
    in one language, for the GeoJSON properties and the table columns."""

    def __init__(self, reference: dict[str, Any], lang: str = "zh"):
        self.labels = Labels(lang)
        self.categories = {c["code"]: c for c in reference.get("categories") or []}
        self.departments = {d["id"]: d["name"] for d in reference.get("departments") or []}
        self.places = PlaceNames(reference)

    def category(self, code: str | None) -> str:
        return self.labels.category(self.categories.get(code or ""), code or "")

    def department(self, dept: str | None) -> str:
        return self.departments.get(dept or "", dept or "")


def case_feature(doc: CaseDoc, names: CaseNames) -> dict[str, Any]:
    """A case as a GeoJSON Point feature (id, category code and name, state, stage, light,
    address, times in UTC ISO 8601)."""
    loc = doc.get("location") or {}
    community, street = names.places.of(doc.get("grid_code"))
    lb = names.labels
    geometry = (
        {"type": "Point", "coordinates": position(loc["lon"], loc["lat"])}
        if loc.get("lon") is not None and loc.get("lat") is not None
        else None  # RFC 7946 §3.2: a feature without a place has a null geometry
    )
    return {
        "type": "Feature",
        "id": doc["id"],
        "geometry": geometry,
        "properties": {
            "id": doc["id"],
            "category_code": doc.get("category_code"),
            "category_name": names.category(doc.get("category_code")),
            "state": doc.get("state"),
            "state_name": lb.name("state", doc.get("state")),
            "stage": doc.get("stage"),
            "light": doc.get("light"),
            "light_name": lb.name("light", doc.get("light")),
            "address": names.places.address(doc),
            "street": street,
            "community": community,
            "grid_code": doc.get("grid_code"),
            "department": names.department(doc.get("department_id")),
            "source": lb.name("source", doc.get("source")),
            "created_at": doc.get("created_at"),
            "deadline": doc.get("deadline"),
            "closed_at": doc.get("closed_at"),
            "updated_at": doc.get("updated_at"),
        },
    }


#: The columns of a cases table (``export-cases --out x.csv|x.xlsx``): key, 中文, English.
TABLE_COLUMNS = (
    ("id", "编号", "ID"),
    ("category", "类别", "Category"),
    ("state", "状态", "State"),
    ("light", "时限灯", "SLA light"),
    ("address", "地址", "Address"),
    ("grid", "网格", "Grid"),
    ("department", "处置部门", "Department"),
    ("source", "来源", "Source"),
    ("created_at", "上报时间（北京时间）", "Reported (Beijing time)"),
    ("deadline", "阶段时限（北京时间）", "Stage deadline (Beijing time)"),
    ("closed_at", "结案时间（北京时间）", "Closed (Beijing time)"),
)


def table_headers(lang: str) -> list[str]:
    return [en if lang == "en" else zh for _k, zh, en in TABLE_COLUMNS]


def case_row(doc: CaseDoc, names: CaseNames) -> list[Any]:
    """A case as a table row in ``TABLE_COLUMNS``' order; times as datetimes."""
    lb = names.labels
    code = doc.get("category_code") or ""
    return [
        doc["id"],
        f"{code} {names.category(code)}".strip(),
        lb.name("state", doc.get("state")),
        lb.name("light", doc.get("light")),
        names.places.address(doc),
        doc.get("grid_code") or "",
        names.department(doc.get("department_id")),
        lb.name("source", doc.get("source")),
        local_datetime(doc.get("created_at")),
        local_datetime(doc.get("deadline")),
        local_datetime(doc.get("closed_at")),
    ]
