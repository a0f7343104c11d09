"""The case queue table model: numpy index arrays over CityState, incremental updates.

Rows are CityState case rows in display order (``_rows``). A bridge tick recomputes which rows
the current queue/search shows and in what order (numpy: a mask, then one argsort over integer
sort keys: the category, address, grid, department and source columns rank the distinct
values CityState keeps as codes, the id and age columns a ``RankedTexts``; a search tests
each coded field's distinct values once and each row's id and description (``SearchTexts``);
both are updated from each ``Diff``, never rebuilt per sort or keystroke), then tells the view
exactly what moved: rows removed, the survivors re-ordered (a layout change with persistent
indexes mapped, so the selection stays on its case), rows inserted, and one ``dataChanged``
for the rest. Never a model reset for a change. The countdown and age columns tick once a
second with one ``dataChanged`` over the visible span of those columns.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from itertools import repeat
from typing import cast

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap

from console.domain.china_time import CST
from console.domain.documents import CaseDoc
from console.domain.queues import NO_QUEUE, QUEUE_CODE, QUEUE_KEYS
from console.domain.sla import GREEN, NO_LIGHT, RED, YELLOW, minutes_left
from console.labels import PlaceNames
from console.state import CODED_FIELDS, CityState
from console.text_columns import RankedTexts, SearchTexts, lowered, picked
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
# What a search looks in, joined by spaces: "all" is the search text; a needle without a
# space is matched field by field: the fields CityState codes by their distinct values, the
# others ("id", "description") each by its own texts.
_SEARCHED = {
    "all": ("id", "category", "address", "description", "grid"),
    "id": ("id",),
    "description": ("description",),
}
_CODED_SEARCHED = ("category", "address", "grid")
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
        # Sort keys of the text columns (built on the first sort by each) and search texts
        # (built on the first search), by state case row; ``_indexed`` is what they were
        # last brought up to date with (the state's case dict and row count).
        self._ranks: dict[str, RankedTexts] = {}  # id and age
        self._shown: dict[str, dict[tuple, str]] = {}  # coded column -> value(s) -> display
        # coded column -> (its values, the grid's values, keys ranked, their ranks)
        self._code_ranks: dict[str, tuple[list, list, np.ndarray, np.ndarray]] = {}
        self._search_texts: dict[str, SearchTexts] = {}  # by _SEARCHED kind
        self._lowered: dict[str, tuple[list, list[str]]] = {}  # coded field: values, lowered
        self._indexed: tuple[int, int] = (0, 0)
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
        red_at = self.state.case_arrays()["red_at"][row] if col == "countdown" else math.nan
        return self.cell_text(doc, col, red_at)

    def shown_cases(self) -> tuple[list[CaseDoc], np.ndarray]:
        """The cases shown, in the order shown, and when each one's light turns red: a copy
        that an export's worker formats with ``cell_text`` while this model moves on."""
        rows = np.fromiter((self._rows[i] for i in range(len(self._rows))), np.int64)
        ids, cases = self.state.case_ids(), self.state.cases
        docs = [cases[ids[r]] for r in rows.tolist()]
        return docs, self.state.case_arrays()["red_at"][rows].copy()

    def cell_text(self, doc: CaseDoc, col: str, red_at: float):
        """The text of one cell: the case's document, and (the countdown) when its light turns
        red. Reads only the document, the reference's names and the clock, so an export's
        worker may call it with ``shown_cases``' copy."""
        lb = labels()
        if col == "id":
            return doc["id"]
        if col == "countdown":
            due = doc.get("park_due_date")
            if due:
                return self._park_due(due)
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
        self._shown.clear()
        self._code_ranks.clear()
        self._lowered.clear()
        self._drop_indexes()  # names and places are in the texts
        self._dept_names = {d["id"]: d["name"] for d in ref.get("departments") or []}
        self._categories = {c["code"]: c for c in ref.get("categories") or []}
        self._places = PlaceNames(ref)

    def _value_text(self, name: str, value: str | None) -> str:
        """What a search finds a coded field's value by: the category's code and names, the
        address or grid code itself."""
        if name == "category":
            cat = self._categories.get(value or "", {})
            return f"{value or ''} {cat.get('name_zh') or ''} {cat.get('name_en') or ''}"
        return value or ""

    def _field_texts(self, name: str, rows: np.ndarray, docs: list[CaseDoc]) -> list[str]:
        """One searched field of these rows: a coded field lower-cased once per distinct
        value, the id and description as they are (``SearchTexts`` lowers its texts), per row
        by C-level maps (no Python loop per row)."""
        if name == "id":
            return list(map(str, picked(self.state.case_ids(), rows)))
        if name == "description":
            plain = cast(list[dict], docs)
            described = [d or "" for d in map(dict.get, plain, repeat("description"))]
            return list(map(str, described))
        by_code = np.array(self._lowered_values(name), dtype=object)
        out: list[str] = by_code[self.state.case_arrays()[name][rows]].tolist()
        return out

    def _lowered_values(self, name: str) -> list[str]:
        """Every value of a coded field, lower-cased, by code (grown as values arrive)."""
        values = self.state.case_values(name)
        held = self._lowered.get(name)
        if held is None or held[0] is not values:
            held = self._lowered[name] = (values, [])
        low = held[1]
        low.extend(lowered([self._value_text(name, v) for v in values[len(low) :]]))
        return low

    def _texts_to_search(self, kind: str, rows: np.ndarray, docs: list[CaseDoc]) -> list[str]:
        columns = [self._field_texts(f, rows, docs) for f in _SEARCHED[kind]]
        if len(columns) == 1:
            return columns[0]
        return list(map(" ".join, zip(*columns, strict=True)))

    def _search(self, needle: str, rows: np.ndarray) -> np.ndarray:
        """The rows whose search text (``_SEARCHED["all"]``, joined by spaces) holds the
        needle. A needle without a space cannot span two fields, so it is tested against each
        coded field's distinct values once and against the rows' own texts (id, description)
        only where those missed: the joined texts are built only for a needle with a space."""
        needle = needle.lower()
        if " " in needle:
            return self._searchable("all").find(needle, rows)
        a = self.state.case_arrays()
        hit = np.zeros(len(rows), dtype=bool)
        for name in _CODED_SEARCHED:
            low = self._lowered_values(name)
            in_value = np.fromiter(map(str.__contains__, low, repeat(needle)), bool, len(low))
            hit |= in_value[a[name][rows]]
        for kind in ("id", "description"):
            rest = np.flatnonzero(~hit)
            hit[rest] = self._searchable(kind).contains(needle, rows[rest])
        out: np.ndarray = rows[hit]
        return out

    def _texts_to_sort(self, col: str, docs: list[CaseDoc]) -> list[str]:
        """What the id and age columns sort by: the id, the ISO creation time."""
        if col == "id":
            return [doc["id"] for doc in docs]
        return [doc.get("created_at") or "" for doc in docs]

    def _coded_keys(self, col: str, rows: np.ndarray) -> np.ndarray:
        """Sort keys of a column CityState keeps as codes (``CODED_FIELDS``): the rank of
        each distinct value's display text, computed once for every value the state's rows
        hold and kept until a value never ranked appears (or the codes are renumbered)."""
        a = self.state.case_arrays()
        values = self.state.case_values(col)
        grids = self.state.case_values("grid")

        def keys_of(r: np.ndarray | slice) -> np.ndarray:
            if col == "address":  # shown from the address, else from the grid cell
                out: np.ndarray = (a["address"][r].astype(np.int64) << 32) | a["grid"][r]
                return out
            return a[col][r].astype(np.int64)

        key = keys_of(rows)
        held = self._code_ranks.get(col)
        if held is not None and held[0] is values and held[1] is grids and len(held[2]):
            known, rank = held[2], held[3]
            pos = np.minimum(np.searchsorted(known, key), len(known) - 1)
            if bool(np.all(known[pos] == key)):
                return rank[pos]
        known = np.unique(keys_of(slice(None)))
        shown = self._shown.setdefault(col, {})
        if len(shown) > 2 * len(known) + 1024:  # values of evicted cases: start over
            shown.clear()
        texts = []
        for k in known.tolist():
            raw = (values[k >> 32], grids[k & 0xFFFFFFFF]) if col == "address" else (values[k],)
            text = shown.get(raw)
            if text is None:
                fields = ("address", "grid_code") if col == "address" else (CODED_FIELDS[col],)
                doc = cast(CaseDoc, dict(zip(fields, raw, strict=True)))  # what _display reads
                text = shown[raw] = str(self._display(doc, -1, col) or "")
            texts.append(text)
        _, rank = np.unique(np.array(texts, dtype=str), return_inverse=True)  # ties: one rank
        self._code_ranks[col] = (values, grids, known, rank)
        return rank[np.searchsorted(known, key)]

    def _fresh_indexes(self) -> None:
        """Drop the sort keys and search texts if the state changed without a ``Diff`` saying
        so (another state swapped in, rows added): they are rebuilt when next needed."""
        if self._indexed != (id(self.state.cases), len(self.state.case_ids())):
            self._drop_indexes()

    def _drop_indexes(self) -> None:
        self._ranks.clear()
        self._search_texts.clear()
        self._indexed = (id(self.state.cases), len(self.state.case_ids()))

    def _all_docs(self) -> list[CaseDoc]:
        return list(map(self.state.cases.__getitem__, self.state.case_ids()))

    def _ranked(self, col: str) -> RankedTexts:
        self._fresh_indexes()
        ranks = self._ranks.get(col)
        if ranks is None:
            docs = self._all_docs()
            ranks = self._ranks[col] = RankedTexts()
            ranks.set(np.arange(len(docs)), self._texts_to_sort(col, docs))
        return ranks

    def _searchable(self, kind: str) -> SearchTexts:
        self._fresh_indexes()
        texts = self._search_texts.get(kind)
        if texts is None:
            # (the ids are the state's own list: only a description needs the documents)
            docs = self._all_docs() if "description" in _SEARCHED[kind] else []
            texts = self._search_texts[kind] = SearchTexts()
            rows = np.arange(len(self.state.case_ids()))
            texts.set(rows, self._texts_to_search(kind, rows, docs))
        return texts

    def _reindex(self, changed: set[str]) -> None:
        """Bring the built sort keys and search texts up to date for the changed cases."""
        found = (self.state.case_row(cid) for cid in changed)
        rows = [r for r in found if r is not None]
        ids, cases = self.state.case_ids(), self.state.cases
        docs = [cases[ids[r]] for r in rows]
        for col, ranks in self._ranks.items():
            ranks.set(rows, self._texts_to_sort(col, docs))
        for kind, texts in self._search_texts.items():
            texts.set(rows, self._texts_to_search(kind, np.asarray(rows, np.int64), docs))
        self._indexed = (id(cases), len(ids))

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
        needle = self.search.strip()
        if needle and len(rows):
            rows = self._search(needle, rows)
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
        if col in CODED_FIELDS:
            return self._coded_keys(col, rows)
        return self._ranked(col).keys(rows)

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
            for ranks in self._ranks.values():
                ranks.remap(diff.case_rows)
            for texts in self._search_texts.values():
                texts.remap(diff.case_rows)
            self._indexed = (id(self.state.cases), len(self.state.case_ids()))
        if diff.reset or diff.cases:
            self._ensure_reference()
            if diff.reset:
                self._drop_indexes()
            else:
                self._reindex(diff.cases)
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
