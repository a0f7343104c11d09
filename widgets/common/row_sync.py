"""Incremental row updates for table models whose rows are integer keys in display order.

``sync(new)`` turns the current rows into ``new`` the way Qt views like it: rows removed (last
run first), survivors re-ordered under one layout change with persistent indexes mapped (the
selection stays on its item), rows inserted at their final positions, one ``dataChanged``.
A live queue never resets its model, so the operator's selection and scroll survive every tick.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from widgets.common.roles import DISPLAY, HORIZONTAL


def runs(positions: np.ndarray) -> list[tuple[int, int]]:
    """Sorted positions → [(first, last)] of consecutive runs."""
    if not len(positions):
        return []
    breaks = np.flatnonzero(np.diff(positions) != 1)
    starts = np.r_[positions[0], positions[breaks + 1]]
    ends = np.r_[positions[breaks], positions[-1]]
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


class _Spliced:
    """The rows while a run of removals or insertions is signalled: ``old[:a]`` then
    ``final[p:]`` (removals, last run first: the rows after ``a`` with every later run already
    gone; insertions, first run first: the target up to the run's end, then the kept rows
    after it). Only what the models and Qt read between the signals (length, one row) — so
    a search that leaves 2,000 runs of 100,000 rows costs no copy per run (it was 0.2 s of
    copying)."""

    def __init__(self, old: np.ndarray, a: int, final: np.ndarray, p: int):
        self._old, self._a, self._final, self._p = old, a, final, p

    def __len__(self) -> int:
        return self._a + len(self._final) - self._p

    def __getitem__(self, i: int) -> np.int64:
        if not 0 <= i < len(self):
            raise IndexError(i)
        v: np.int64 = self._old[i] if i < self._a else self._final[i - self._a + self._p]
        return v


class IncrementalRows(QAbstractTableModel):
    """Subclasses set ``COLUMNS`` (column keys), define ``headers()`` (their titles, in the
    current language) and ``data``, and call ``sync``."""

    COLUMNS: tuple[str, ...] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows = np.empty(0, dtype=np.int64)
        self.structure_changes = 0  # inserts/removes/layout changes (tests: no resets)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headers(self) -> tuple[str, ...]:
        raise NotImplementedError

    def headerData(self, section, orientation, role=DISPLAY):
        if orientation != HORIZONTAL or int(role) != DISPLAY:
            return None
        return self.headers()[section] if 0 <= section < len(self.COLUMNS) else None

    def sync(self, new: np.ndarray, contents_changed: bool | np.ndarray = True) -> None:
        """``contents_changed``: True (any row may have changed), False, or the keys that
        did (only their rows repaint: a busy queue must not repaint the whole table)."""
        new = np.asarray(new, dtype=np.int64)
        stays = np.isin(self._rows, new)
        gone = runs(np.flatnonzero(~stays))
        if gone:
            old, final = self._rows, self._rows[stays]
            removed_before = np.cumsum([0] + [b - a + 1 for a, b in gone])
            for j in reversed(range(len(gone))):
                a, b = gone[j]
                self.beginRemoveRows(QModelIndex(), a, b)
                self._rows = _Spliced(old, a, final, a - int(removed_before[j]))  # type: ignore[assignment]
                self.endRemoveRows()
                self.structure_changes += 1
            self._rows = final
        kept_order = new[np.isin(new, self._rows)]
        if not np.array_equal(kept_order, self._rows):
            self._reorder(kept_order)
        # Inserting first to last keeps every prefix equal to ``new``'s: positions are final.
        # After a run (a, b): ``new[:b + 1]``, then the kept rows not yet passed (a of the
        # rows before it were kept ones, less those inserted): no copy per run either (a
        # cleared search brings back 2,000 runs of 100,000 rows).
        born = runs(np.flatnonzero(~np.isin(new, self._rows)))
        if born:
            kept, inserted = self._rows, 0
            for a, b in born:
                self.beginInsertRows(QModelIndex(), a, b)
                self._rows = _Spliced(new, b + 1, kept, a - inserted)  # type: ignore[assignment]
                self.endInsertRows()
                self.structure_changes += 1
                inserted += b - a + 1
            self._rows = new
        if not len(self._rows):
            return
        last_col = self.columnCount() - 1
        if isinstance(contents_changed, np.ndarray):
            rows = np.flatnonzero(np.isin(self._rows, contents_changed))
            for a, b in runs(rows):
                self.dataChanged.emit(self.index(a, 0), self.index(b, last_col))
        elif contents_changed:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, last_col))

    def rekey(self, remap: np.ndarray) -> None:
        """The keys were renumbered (``remap[old] = new``, -1: gone): rename each row's key,
        removing the rows whose key is gone; the others stay where they are, selected or not."""
        if not len(self._rows):
            return
        new = np.where(self._rows < len(remap), remap[np.minimum(self._rows, len(remap) - 1)], -1)
        for a, b in reversed(runs(np.flatnonzero(new < 0))):
            self.beginRemoveRows(QModelIndex(), a, b)
            new = np.delete(new, np.arange(a, b + 1))
            self._rows = np.delete(self._rows, np.arange(a, b + 1))
            self.endRemoveRows()
            self.structure_changes += 1
        self._rows = new

    def _reorder(self, new_rows: np.ndarray) -> None:
        self.layoutAboutToBeChanged.emit()
        old_rows = self._rows
        self._rows = new_rows
        persistent = self.persistentIndexList()
        moved = []
        if persistent:  # key -> new position, by one scatter (100,000 rows: ~1 ms)
            size = int(max(old_rows.max(initial=-1), new_rows.max(initial=-1))) + 1
            where = np.full(size, -1, dtype=np.int64)
            where[new_rows] = np.arange(len(new_rows))
        for idx in persistent:
            ok = 0 <= idx.row() < len(old_rows)
            dst = int(where[old_rows[idx.row()]]) if ok else -1
            moved.append(QModelIndex() if dst < 0 else self.index(dst, idx.column()))
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()
        self.structure_changes += 1

    def emit_columns(self, *columns: int) -> None:
        """One ``dataChanged`` per column over all rows (time-driven cells)."""
        if len(self._rows):
            for c in columns:
                self.dataChanged.emit(self.index(0, c), self.index(len(self._rows) - 1, c))

    def key_at(self, view_row: int) -> int | None:
        return int(self._rows[view_row]) if 0 <= view_row < len(self._rows) else None

    def row_of_key(self, key: int) -> int | None:
        hit = np.flatnonzero(self._rows == key)
        return int(hit[0]) if len(hit) else None


def table_view(model, row_height: int, widths: tuple[int, ...], stretch_last: bool = True):
    """A QTableView set up for a live model: whole-row single selection, fixed row heights,
    no content-based column sizing (QT_PRACTICE: auto-size 304 ms → 8.9 ms)."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    vh = table.verticalHeader()
    vh.hide()
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vh.setDefaultSectionSize(row_height)
    hh = table.horizontalHeader()
    hh.setResizeContentsPrecision(0)
    hh.setStretchLastSection(stretch_last)
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)
    return table
