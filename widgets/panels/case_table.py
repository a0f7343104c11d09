"""The case queue table model: numpy index arrays over CityState, incremental updates.

Rows are CityState case rows in display order (``_rows``). A bridge tick recomputes which rows
the current queue/search shows and in what order (numpy: mask, argsort), then tells the view
exactly what moved: rows removed, the survivors re-ordered (a layout change with persistent
indexes mapped, so the selection stays on its case), rows inserted, and one ``dataChanged``
for the rest. Never a model reset for a change. The countdown and age columns tick once a
second with one ``dataChanged`` over the visible span of those columns.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap

from console.domain.china_time import CST
from console.domain.documents import CaseDoc
from console.domain.queues import NO_QUEUE, QUEUE_CODE, QUEUE_KEYS
from console.domain.sla import GREEN, NO_LIGHT, RED, YELLOW, minutes_left
from console.labels import PlaceNames
from console.state import CityState
from widgets.common.i18n import labels
from widgets.common.roles import (
    ALIGN_RIGHT,
    ALIGNMENT,
    DECORATION,
    DISPLAY,
    FOREGROUND,
    TOOLTIP,
    USER,
)
from widgets.common.row_sync import IncrementalRows
from widgets.common.style import LIGHT_COLORS

COLUMNS = ("id", "countdown", "category", "address", "grid", "department", "source", "state", "age")
_TIMED = frozenset({"countdown", "age"})  # move with the clock: computed per paint
_STATIC = tuple(c for c in COLUMNS if c not in _TIMED)  # cached per case version
CASE_ID_ROLE = USER + 1
LIGHT_ROLE = USER + 2
_ROLES = frozenset(
    {
        DISPLAY,
        DECORATION,
        FOREGROUND,
        TOOLTIP,
        ALIGNMENT,
        CASE_ID_ROLE,
        LIGHT_ROLE,
    }
)


def light_icon(light: int, size: int = 14) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor(LIGHT_COLORS[light]))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(1, 1, size - 2, size - 2)
    p.end()
    return QIcon(pm)


def fmt_minutes(minutes: float) -> str:
    sign = "-" if minutes < 0 else ""
    m = int(abs(minutes))
    return f"{sign}{m // 60}:{m % 60:02d}" if m >= 60 else f"{sign}{m}′"


class CaseTableModel(IncrementalRows):
    COLUMNS = COLUMNS

    def __init__(self, state: CityState, now, parent=None):
        super().__init__(parent)
        self.state = state
        self.now = now  # district epoch seconds
        self.queue = "all"
        self.search = ""
        self.sort_column = COLUMNS.index("countdown")
        self.sort_order = Qt.SortOrder.AscendingOrder
        self._text_cache: dict[str, tuple[int | None, str]] = {}
        self._static: dict[str, tuple[int, dict]] = {}  # id → (version, column texts)
        self._red = QBrush(QColor(LIGHT_COLORS[RED]))
        self._icons = {k: light_icon(k) for k in (GREEN, YELLOW, RED, NO_LIGHT)}
        self._lights = np.empty(0, dtype=np.int8)
        self._dept_names: dict[str, str] = {}
        self._categories: dict[str, dict] = {}
        self._places = PlaceNames({})
        self._ref_id: int | None = None

    # ---- Qt model API ----------------------------------------------------------------------
    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("编号"),
            self.tr("剩余时限"),
            self.tr("类别"),
            self.tr("地址"),
            self.tr("网格"),
            self.tr("处置部门"),
            self.tr("来源"),
            self.tr("状态"),
            self.tr("已用时"),
        )

    def data(self, index, role=DISPLAY):
        role = int(role)
        # A paint asks ~10 roles per cell: say no to the others before any lookup.
        if role not in _ROLES or not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = int(self._rows[index.row()])
        ids = self.state.case_ids()
        doc = self.state.cases.get(ids[row]) if row < len(ids) else None
        if doc is None:
            return None
        col = COLUMNS[index.column()]
        if role == DISPLAY:
            if col in _TIMED:
                return self._display(doc, row, col)
            cached = self._static.get(doc["id"])
            if cached is None or cached[0] != doc.get("version"):
                cached = (doc.get("version"), {c: self._display(doc, row, c) for c in _STATIC})
                self._static[doc["id"]] = cached
            return cached[1][col]
        if role == CASE_ID_ROLE:
            return doc["id"]
        if role == LIGHT_ROLE:
            return int(self._light_of(row))
        if role == DECORATION and col == "countdown":
            return self._icons[int(self._light_of(row))]
        if role == FOREGROUND and col == "countdown" and self._light_of(row) == RED:
            return self._red
        if role == TOOLTIP and col in ("address", "category"):
            return doc.get("description") or None
        if role == ALIGNMENT and col in _TIMED:
            return ALIGN_RIGHT
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.sort_column, self.sort_order = column, order
        self.refresh()

    # ---- cells -----------------------------------------------------------------------------
    def _light_of(self, row: int) -> int:
        return int(self._lights[row]) if row < len(self._lights) else NO_LIGHT

    def _display(self, doc: CaseDoc, row: int, col: str):
        lb = labels()
        if col == "id":
            return doc["id"]
        if col == "countdown":
            due = doc.get("park_due_date")
            if due:
                return self._park_due(due)
            red_at = self.state.case_arrays()["red_at"][row]
            return self._countdown(doc, red_at)
        if col == "category":
            code = doc.get("category_code", "")
            return f"{code} {lb.category(self._categories.get(code), '')}".strip()
        if col == "address":
            return self._places.address(doc)
        if col == "grid":
            return doc.get("grid_code") or ""
        if col == "department":
            d = doc.get("department_id") or ""
            return self._dept_names.get(d, d)
        if col == "source":
            return lb.name("source", doc.get("source"))
        if col == "state":
            s = lb.name("state", doc.get("state"))
            if doc.get("extension_pending_hours"):
                s += " · " + self.tr("延期待批")
            if doc.get("park_request_due_date"):
                s += " · " + self.tr("缓办待批")
            return s
        if col == "age":
            created = doc.get("created_at")
            if not created:
                return ""
            return fmt_minutes((self.now() - datetime.fromisoformat(created).timestamp()) / 60)
        return None

    def _park_due(self, due: str) -> str:
        """A parked case's 缓办 due date, or how many days it is past it (the clock is stopped,
        so this is what the centre watches)."""
        days = (datetime.fromtimestamp(self.now(), CST).date() - date.fromisoformat(due)).days
        if days > 0:
            return self.tr("缓办逾期 %1 天").replace("%1", str(days))
        return self.tr("缓办至 %1").replace("%1", due)

    def _countdown(self, doc: CaseDoc, red_at: float) -> str:
        left = minutes_left(self.state.clock_of(doc), self.now(), red_at)
        return "" if left is None else fmt_minutes(left)

    # ---- filtering and order ---------------------------------------------------------------
    def _ensure_reference(self) -> None:
        ref = self.state.reference
        if id(ref) == self._ref_id:
            return
        self._ref_id = id(ref)
        self._static.clear()
        self._dept_names = {d["id"]: d["name"] for d in ref.get("departments") or []}
        self._categories = {c["code"]: c for c in ref.get("categories") or []}
        self._places = PlaceNames(ref)

    def _search_text(self, doc: CaseDoc) -> str:
        hit = self._text_cache.get(doc["id"])
        if hit is not None and hit[0] == doc.get("version"):
            return hit[1]
        cat = self._categories.get(doc.get("category_code", ""), {})
        text = " ".join(
            str(x or "")
            for x in (
                doc["id"],
                doc.get("category_code"),
                cat.get("name_zh"),
                cat.get("name_en"),
                doc.get("address"),
                doc.get("description"),
                doc.get("grid_code"),
            )
        ).lower()
        self._text_cache[doc["id"]] = (doc.get("version"), text)
        return text

    def _wanted(self) -> np.ndarray:
        """State rows the current queue and search show, in display order."""
        a = self.state.case_arrays()
        q = a["queue"]
        if self.queue == "all":
            mask = np.ones(len(q), dtype=bool)
        elif self.queue == "overdue":
            mask = (self._lights == RED) & (q != NO_QUEUE)
        else:
            mask = q == QUEUE_CODE[self.queue]
        rows = np.flatnonzero(mask)
        needle = self.search.strip().lower()
        if needle and len(rows):
            ids = self.state.case_ids()
            cases = self.state.cases
            keep = [needle in self._search_text(cases[ids[r]]) for r in rows]
            rows = rows[np.asarray(keep, dtype=bool)]
        if not len(rows):
            return rows
        order = np.argsort(self._sort_key(rows), kind="stable")
        if self.sort_order == Qt.SortOrder.DescendingOrder:
            order = order[::-1]
        return rows[order]

    def _sort_key(self, rows: np.ndarray) -> np.ndarray:
        col = COLUMNS[self.sort_column]
        a = self.state.case_arrays()
        if col == "countdown":
            return np.nan_to_num(a["red_at"][rows], nan=np.inf)
        if col == "state":
            return a["state"][rows]
        ids = self.state.case_ids()
        docs = [self.state.cases[ids[r]] for r in rows]
        if col == "age":
            return np.array([d.get("created_at") or "" for d in docs])
        return np.array(
            [str(self._display(d, int(r), col) or "") for d, r in zip(docs, rows, strict=True)]
        )

    def counts(self) -> dict[str, int]:
        """Cases per queue tab (超期 and 全部 included), for the tab labels."""
        q = self.state.case_arrays()["queue"]
        n = np.bincount(q[q >= 0].astype(np.int64), minlength=len(QUEUE_KEYS))
        out = {k: int(n[i]) for i, k in enumerate(QUEUE_KEYS)}
        out["overdue"] = int(np.count_nonzero((self._lights == RED) & (q != NO_QUEUE)))
        out["all"] = len(q)
        return out

    # ---- updates ---------------------------------------------------------------------------
    def set_queue(self, key: str) -> None:
        if key in QUEUE_KEYS and key != self.queue:
            self.queue = key
            self.refresh()

    def set_search(self, text: str) -> None:
        if text != self.search:
            self.search = text
            self.refresh()

    def on_diff(self, diff) -> None:
        if diff.case_rows is not None and not diff.reset:
            self.rekey(diff.case_rows)
        if diff.reset or diff.cases:
            self._ensure_reference()
            self.refresh(changed=None if diff.reset else diff.cases)

    def tick(self) -> None:
        """Once a second: lights, countdowns and ages move with time alone."""
        lights = self.state.case_lights(self.now())
        turned = len(lights) != len(self._lights) or bool(np.any(lights != self._lights))
        self._lights = lights
        if turned and self.queue == "overdue":  # membership moves with time; order never does
            self.refresh(changed=set())
        self.emit_columns(COLUMNS.index("countdown"), COLUMNS.index("age"))

    def refresh(self, changed: set[str] | None = None) -> None:
        """Bring the rows to what queue, search and sort say now, in minimal steps.
        ``changed``: ids whose contents changed (None: any may have)."""
        self._ensure_reference()
        self._lights = self.state.case_lights(self.now())
        keys: bool | np.ndarray
        if changed is None:
            keys = True
        else:
            rows = [self.state.case_row(cid) for cid in changed]
            keys = np.array([r for r in rows if r is not None], dtype=np.int64)
        self.sync(self._wanted(), contents_changed=keys)

    # ---- lookups ---------------------------------------------------------------------------
    def case_id(self, view_row: int) -> str | None:
        key = self.key_at(view_row)
        return None if key is None else self.state.case_ids()[key]

    def view_row(self, case_id: str) -> int | None:
        row = self.state.case_row(case_id)
        return None if row is None else self.row_of_key(row)
