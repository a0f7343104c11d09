"""The window's 量化考核 board: a separate window (the shift lead puts it on a second screen),
made on first use, fed by the backend live and by the shift log's cases in a replay; its
cases open in the console's case detail; its monthly report is fetched in a worker and
written (PDF or Excel) on the GUI thread, where Qt's painting lives."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Qt

from console.domain.kpi import definitions
from console.kpiboard import GROUPS, BoardError, Get, fetch_boards, local_get, month_period
from console.replay.kpis import state_kpi_cases, state_kpi_items, state_kpis
from console.state import CityState
from widgets.board.board import KpiBoard
from widgets.common.i18n import language
from widgets.report.kpi_report import check_format, group_name, write_kpi_report


def replay_get(state: CityState, now: Callable[[], float]) -> Get:
    """The board's requests answered from a replay's state by the backend's own functions
    (``state_kpis``, ``state_kpi_cases``, ``state_kpi_items``), as of the replay's district
    time ``now``. (``list(d.values())`` runs in C under the GIL: the worker reads the cases
    while the GUI thread folds, without a torn iteration.)"""

    def at() -> datetime:
        return datetime.fromtimestamp(now(), UTC)

    return local_get(
        lambda start, end, by: state_kpis(state, start, end, by, at()),
        lambda *cell: state_kpi_cases(state, *cell),
        definitions(),
        lambda start, end, by, key, ind: state_kpi_items(state, start, end, by, key, ind, at()),
    )


class KpiTools(QObject):
    def __init__(self, window, ctx):
        super().__init__(window)
        self.window, self.ctx = window, ctx
        self.board: KpiBoard | None = None

    def _get(self) -> Get:
        session = self.ctx.session
        if session is not None:
            return lambda path, params: session.fetch(path, **params)
        return replay_get(self.ctx.state, self.ctx.now)

    def show(self) -> KpiBoard:
        if self.board is None:
            note = (
                ""
                if self.ctx.session is not None
                else self.tr("回放：考核指标由班次记录中的案件计算（仅含本台当时持有的案件）")
            )
            self.board = KpiBoard(self._get(), self.ctx.now, self.ctx.workers, note)
            self.board.setParent(self.window, Qt.WindowType.Window)
            self.board.setWindowTitle(self.tr("量化考核看板"))
            self.board.resize(1500, 800)
            self.board.case_requested.connect(self.open_case)
            self.board.item_requested.connect(self.open_item)
            self.board.export_requested.connect(self.export)
        self.board.show()
        self.board.activateWindow()
        return self.board

    def open_case(self, case_id: str) -> None:
        """A drill-down's case: from the live picture, or (finished a day ago or more, which
        the console no longer holds) asked from the backend and shown as history."""
        if case_id in self.ctx.state.cases:
            self.window.select_case(case_id, centre=True, from_map=True)
            self.window.activateWindow()
            return
        session = self.ctx.session
        if session is None:
            self.window.status.show_notice(
                self.tr("案件 %1 不在本台当前数据中").replace("%1", case_id),
                "warning",
            )
            return

        def show(doc: dict) -> None:
            self.window.show_archived_case(doc)
            self.window.activateWindow()

        self.ctx.workers.submit(
            lambda: session.fetch(f"/api/v1/cases/{case_id}"),
            show,
            owner=self.window,
            what=self.tr("历史案件"),
        )

    def open_item(self, kind: str, item_id: str) -> None:
        """A drill-down's person-day or segment-day: the person in the duty panel, or the
        segment in the river panel, brought forward; either panel's selection moves the map."""
        dock, select = (
            ("duty", self.window.duty.select_person)
            if kind == "person_day"
            else ("rivers", self.window.rivers.select_segment)
        )
        self.window.docks[dock].show()
        self.window.docks[dock].raise_()
        select(item_id)
        self.window.activateWindow()

    def export(self, month: str, path: str) -> None:
        try:
            check_format(path)
            p = month_period(month, datetime.fromtimestamp(self.ctx.now(), UTC))
        except BoardError as e:
            self.window.status.show_notice(str(e), "error")
            return
        get, lang = self._get(), language()

        def written(boards) -> None:
            write_kpi_report(boards, path, lang)
            self.window.status.show_notice(self.tr("月度考核报告已导出：%1").replace("%1", path))
            left = [g for g in GROUPS if g not in {b.group for b in boards}]
            if left:
                self.window.status.show_notice(
                    self.tr("回放无法计算，未列入报告：%1").replace(
                        "%1", "、".join(group_name(g, lang) for g in left)
                    ),
                    "warning",
                )

        self.ctx.workers.submit(
            lambda: fetch_boards(get, GROUPS, p),
            written,
            owner=self.window,
            what=self.tr("月度考核报告"),
        )
