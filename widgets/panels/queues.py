"""The case queues: a tab per stage with live counts, search, one table over one model.

Tabs switch the model's queue (no second model, no proxy): the same numpy-backed model
re-filters in a millisecond. Keys: Ctrl+1…Ctrl+0 pick a tab, Ctrl+F searches, Enter opens the
detail, and the action keys (A 受理, R 立案, D 派遣 …) act on the selected case.
"""

from __future__ import annotations

import qtawesome as qta
from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QTabBar,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from console.domain.queues import QUEUE_KEYS
from widgets.common.i18n import labels
from widgets.common.row_sync import table_view
from widgets.panels.case_table import COLUMNS, CaseTableModel


class QueuePanel(QWidget):
    case_selected = Signal(str)
    case_opened = Signal(str)

    def __init__(self, model: CaseTableModel, actions: list[QAction], parent=None):
        super().__init__(parent)
        self.model = model
        self.tabs = QTabBar()
        self.tabs.setExpanding(False)
        for _ in QUEUE_KEYS:
            self.tabs.addTab("")
        self.tabs.setCurrentIndex(QUEUE_KEYS.index(model.queue))
        self.tabs.currentChanged.connect(lambda i: self.model.set_queue(QUEUE_KEYS[i]))
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(320)
        self.search.addAction(
            qta.icon("mdi6.magnify", color="#8a94a6"), QLineEdit.ActionPosition.LeadingPosition
        )
        self.search.textChanged.connect(model.set_search)
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.addActions(actions)
        column, order = model.sort_column, model.sort_order  # enabling sorting re-sorts by 0
        self.table = table_view(
            model, 26, (130, 90, 190, 260, 150, 150, 90, 110, 70), stretch_last=False
        )
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(column, order)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(COLUMNS.index("address"), QHeaderView.ResizeMode.Stretch)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._actions = actions
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.doubleClicked.connect(lambda idx: self._open(idx.row()))
        open_action = QAction(self)
        open_action.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        open_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        open_action.triggered.connect(lambda: self._open(self.table.currentIndex().row()))
        self.table.addAction(open_action)
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(self.search.setFocus)
        self.addAction(find)
        for i in range(min(len(QUEUE_KEYS), 10)):  # Ctrl+1 … Ctrl+0: the first ten tabs
            tab = QAction(self)
            tab.setShortcut(QKeySequence(f"Ctrl+{(i + 1) % 10}"))
            tab.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            tab.triggered.connect(lambda _=False, i=i: self.tabs.setCurrentIndex(i))
            self.addAction(tab)

        top = QHBoxLayout()
        top.addWidget(self.tabs, 1)
        top.addWidget(self.search)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.toolbar)
        lay.addWidget(self.table)
        self.retranslate()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("搜索 编号/地址/描述/类别"))
        self.update_counts()

    def update_counts(self) -> None:
        counts = self.model.counts()
        lb = labels()
        for i, key in enumerate(QUEUE_KEYS):
            text = f"{lb.name('queue', key)} {counts.get(key, 0)}"
            if self.tabs.tabText(i) != text:
                self.tabs.setTabText(i, text)
        overdue = QUEUE_KEYS.index("overdue")
        self.tabs.setTabTextColor(
            overdue, Qt.GlobalColor.red if counts.get("overdue") else Qt.GlobalColor.gray
        )

    def current_case(self) -> str | None:
        return self.model.case_id(self.table.currentIndex().row())

    def select_case(self, case_id: str) -> bool:
        row = self.model.view_row(case_id)
        if row is None:
            return False
        idx = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            idx,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(idx)
        return True

    def _current_changed(self, current, _previous) -> None:
        cid = self.model.case_id(current.row())
        if cid:
            self.case_selected.emit(cid)

    def _open(self, row: int) -> None:
        cid = self.model.case_id(row)
        if cid:
            self.case_opened.emit(cid)

    def _context_menu(self, pos) -> None:
        idx = self.table.indexAt(pos)
        if not idx.isValid():
            return
        self.table.selectRow(idx.row())
        menu = QMenu(self)
        for a in self._actions:
            if a.isEnabled():
                menu.addAction(a)
        if not menu.isEmpty():
            menu.popup(self.table.viewport().mapToGlobal(pos))
