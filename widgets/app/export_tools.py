"""文件 → 导出: a vehicle's track (GPX/GeoJSON), the queue as shown (CSV/XLSX), the cases of a
period (GeoJSON, CSV, XLSX). A dialog picks what and where (the selected vehicle and the shift
under way preselected; in a replay, the log's span); the reading and writing run in a worker,
and a notice in the status bar says when the file is there or why it is not.

Where the data comes from: live, the backend (a track's every fix in the period, page by page;
every case reported in the period, whoever holds it); in a replay, the shift log (the fixes and
cases this console received), since there is no backend to ask."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import qtawesome as qta
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView

from console.domain.china_time import CST
from console.domain.documents import CaseDoc
from console.exports.cases import CaseNames, backend_cases, local_datetime
from console.exports.command import write_cases, write_track
from console.exports.periods import current_shift
from console.exports.tables import write_table
from console.exports.track import Get, Track, backend_track, log_track
from console.paths import data_dir
from console.replay.player import TRACK_SLACK_S
from widgets.common.i18n import labels, language
from widgets.common.style import theme
from widgets.dialogs.export_dialog import ExportDialog
from widgets.panels.case_table import COLUMNS, CaseTableModel

TRACK_FORMATS = ((".gpx", "GPX 1.1"), (".geojson", "GeoJSON"))
TABLE_FORMATS = ((".xlsx", "Excel (XLSX)"), (".csv", "CSV (UTF-8)"))
CASE_FORMATS = ((".geojson", "GeoJSON"), *TABLE_FORMATS)


def created_between(docs: Iterable[CaseDoc], start: datetime, end: datetime) -> list[CaseDoc]:
    """The cases reported in ``[start, end)`` (what the backend's period filter means)."""
    out = []
    for doc in docs:
        created = doc.get("created_at")
        if created and start <= datetime.fromisoformat(created) < end:
            out.append(doc)
    return out


def shown_columns(header: QHeaderView) -> list[int]:
    """The queue's columns shown, in the order shown (the operator may drag and hide them)."""
    shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
    return sorted(shown, key=header.visualIndex)


def shown_table(
    model: CaseTableModel, cols: list[int], docs: list[CaseDoc], red_at: np.ndarray
) -> Iterator[list[Any]]:
    """The rows of the queue as the operator sees it (``model.shown_cases``' copy), with the
    words on screen, then each case's 上报时间 as a real date (the table's own 已用时 is a
    duration that stops meaning anything once written). Made in the worker, row by row as the
    writer takes them: formatting 100,000 rows is seconds (bench exports), which the GUI
    thread must not spend."""
    keys = [COLUMNS[c] for c in cols]
    for doc, red in zip(docs, red_at.tolist(), strict=True):
        row: list[Any] = [model.cell_text(doc, k, red) or "" for k in keys]
        row.append(local_datetime(doc.get("created_at")))
        yield row


class ExportTools(QObject):
    def __init__(self, window, ctx):
        super().__init__(window)
        self.window, self.ctx = window, ctx
        color = theme()["text"]
        self.track_action = QAction(qta.icon("mdi6.map-marker-path", color=color), "", self)
        self.queue_action = QAction(qta.icon("mdi6.table-arrow-down", color=color), "", self)
        self.cases_action = QAction(qta.icon("mdi6.map-marker-multiple", color=color), "", self)
        self.track_action.triggered.connect(lambda: self.track())
        self.queue_action.triggered.connect(lambda: self.queue())
        self.cases_action.triggered.connect(lambda: self.cases())
        self.dialog: ExportDialog | None = None
        self.retranslate()

    def actions(self) -> list[QAction]:
        return [self.track_action, self.queue_action, self.cases_action]

    def retranslate(self) -> None:
        self.track_action.setText(self.tr("车辆轨迹…"))
        self.queue_action.setText(self.tr("当前队列…"))
        self.cases_action.setText(self.tr("案件…"))

    # ---- helpers ---------------------------------------------------------------------------
    def _get(self) -> Get | None:
        session = self.ctx.session
        if session is None:
            return None
        return lambda path, params: session.fetch(path, **params)

    def _period(self) -> tuple[datetime, datetime]:
        """The shift under way (live), the log's span (a replay) with its fixes' slack."""
        if self.ctx.session is None and self.ctx.replay is not None:
            start, end = self.ctx.replay.span()
            # The span is when changes arrived; a fix's own time (the terminal's clock) may be
            # up to TRACK_SLACK_S either side of it.
            start, end = start - TRACK_SLACK_S, end + TRACK_SLACK_S
            return datetime.fromtimestamp(start, CST), datetime.fromtimestamp(end, CST)
        return current_shift(self.ctx.now())

    def _path(self, stem: str) -> Path:
        stamp = datetime.fromtimestamp(self.ctx.now(), CST).strftime("%Y%m%d-%H%M")
        return data_dir() / "exports" / f"{stem}-{stamp}"

    def _open(self, dlg: ExportDialog, write: Callable[..., None]) -> ExportDialog:
        dlg.chosen.connect(write)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()  # window-modal, answered by its signal: the wall keeps moving
        self.dialog = dlg
        return dlg

    def _run(self, path: str, job: Callable[[], int], what: str, done_text: str) -> None:
        """``job`` in a worker; then "done_text" (``%1`` the count, ``%2`` the file) as a
        notice, or the workers' failure notice (``what``失败：…) and a log line."""

        def work() -> int:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            return job()

        def done(n: int) -> None:
            text = done_text.replace("%1", str(n)).replace("%2", path)
            self.window.status.show_notice(text)

        self.window.status.show_notice(self.tr("正在导出：%1").replace("%1", path))
        self.ctx.workers.submit(work, done, owner=self.window, what=what)

    # ---- a vehicle's track -----------------------------------------------------------------
    def track(self) -> ExportDialog:
        fleet = self.ctx.state.reference.get("vehicles") or []
        vehicles = [(v["id"], f"{v['id']} {v.get('plate') or ''}".strip()) for v in fleet]
        dlg = ExportDialog(
            self.tr("导出车辆轨迹"),
            TRACK_FORMATS,
            self._path("track"),
            self.window,
            vehicles=vehicles,
            vehicle=self.window.vehicles.current_vehicle(),
            period=self._period(),
        )
        return self._open(dlg, self.write_track)

    def write_track(self, path: str, vehicle_id: str, start: datetime, end: datetime) -> None:
        fleet = self.ctx.state.reference.get("vehicles") or []
        plate = next((v.get("plate") or "" for v in fleet if v["id"] == vehicle_id), "")
        get = self._get()
        replayer = self.ctx.replay.replayer if self.ctx.replay is not None else None

        def job() -> int:
            track: Track = (
                backend_track(get, vehicle_id, start, end)
                if get is not None
                else log_track(replayer, vehicle_id, start, end)
            )
            track.plate = plate
            return write_track(track, path)

        self._run(path, job, self.tr("导出车辆轨迹"), self.tr("车辆轨迹已导出（%1 个定位点）：%2"))

    # ---- the queue as shown ----------------------------------------------------------------
    def queue(self) -> ExportDialog:
        dlg = ExportDialog(self.tr("导出当前队列"), TABLE_FORMATS, self._path("queue"), self.window)
        return self._open(dlg, lambda path, *_: self.write_queue(path))

    def write_queue(self, path: str) -> None:
        model = self.window.case_model
        cols = shown_columns(self.window.queues.table.horizontalHeader())
        headers = [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in cols]
        headers.append(self.tr("上报时间（北京时间）"))
        docs, red_at = model.shown_cases()  # what is shown now: a copy, on the GUI thread
        title = labels().name("queue", model.queue)
        self._run(
            path,
            lambda: write_table(path, headers, shown_table(model, cols, docs, red_at), title),
            self.tr("导出当前队列"),
            self.tr("当前队列已导出（%1 件）：%2"),
        )

    # ---- the cases of a period -------------------------------------------------------------
    def cases(self) -> ExportDialog:
        dlg = ExportDialog(
            self.tr("导出案件"),
            CASE_FORMATS,
            self._path("cases"),
            self.window,
            period=self._period(),
        )
        return self._open(dlg, lambda path, _v, start, end: self.write_cases(path, start, end))

    def write_cases(self, path: str, start: datetime, end: datetime) -> None:
        names = CaseNames(self.ctx.state.reference, language())
        get = self._get()
        held = list(self.ctx.state.cases.values()) if get is None else []  # (C-level copy)

        def job() -> int:
            docs = (
                backend_cases(get, start, end)
                if get is not None
                else created_between(held, start, end)
            )
            return write_cases(path, docs, names)

        self._run(path, job, self.tr("导出案件"), self.tr("案件已导出（%1 件）：%2"))
