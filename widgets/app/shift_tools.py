"""What the window does with its shift log besides showing it: bookmarks, the handover report,
exporting a time range. The work (SQLite, folding, the PDF) runs in workers; the dialogs and
the notices stay on the GUI thread."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QInputDialog

from console.domain.china_time import CST
from console.paths import data_dir
from console.replay.logfiles import export_logs
from console.replay.report import build_report
from widgets.common.i18n import language
from widgets.report.document import write_report


class ShiftTools(QObject):
    def __init__(self, window, ctx):
        super().__init__(window)
        self.window, self.ctx = window, ctx
        self.controller = ctx.replay

    @property
    def shiftlog(self):
        return self.controller.replayer.log

    def _notice(self, text: str, level: str = "info") -> None:
        self.window.status.show_notice(text, level)

    def _range(self) -> tuple[float, float]:
        """The loop range when one is set, else the whole log so far."""
        return self.controller.loop or self.controller.span()

    def _save_path(self, title: str, name: str, filters: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(
            self.window, title, str(data_dir() / "reports" / name), filters
        )
        return path or None

    # ---- bookmarks -------------------------------------------------------------------------
    def add_bookmark(self, label: str | None = None) -> None:
        """Mark the instant shown (live: now) with a note; it lands in the log at once."""
        if self.ctx.session is None:
            return
        if label is None:
            label, ok = QInputDialog.getText(
                self.window,
                self.tr("添加书签"),
                self.tr("备注（显示在时间轴和交接班报告中）："),
            )
            if not ok:
                return
        label = label.strip() or self.tr("书签")
        seq, t = self.controller.bookmark_position()
        at = datetime.fromtimestamp(t, UTC).isoformat()

        def done(_result) -> None:
            self.controller.refresh_index()
            self._notice(self.tr("已添加书签：%1").replace("%1", label))

        def failed(error: BaseException) -> None:
            self._notice(self.tr("书签未保存：%1").replace("%1", str(error)), "error")

        self.ctx.workers.submit(
            lambda: self.shiftlog.add_bookmark(seq, at, label), done, self.window, failed
        )

    # ---- handover report -------------------------------------------------------------------
    def report(self, path: str | None = None) -> None:
        stamp = datetime.fromtimestamp(self.controller.t, CST).strftime("%Y%m%d-%H%M")
        path = path or self._save_path(
            self.tr("保存交接班报告"), f"handover-{stamp}.pdf", "PDF (*.pdf);;HTML (*.html)"
        )
        if not path:
            return
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        start, end = self._range()
        idx = self.controller.replayer.index
        span = (idx.seq_at(start - 1e-6) + 1 if start > idx.start else None, idx.seq_at(end))
        self._notice(self.tr("正在生成交接班报告…"))
        lang = language()

        def work() -> None:
            # The fold, the scan and the drawing (QImage, QTextDocument, QPdfWriter are
            # reentrant) all off the GUI thread: ~2 s for an 8-hour shift.
            write_report(build_report(self.shiftlog, *span), path, lang=lang)

        def done(_result) -> None:
            self._notice(self.tr("交接班报告已保存：%1").replace("%1", path))

        # a failure takes the workers' one path: "报告生成失败：…" in red, the traceback logged
        self.ctx.workers.submit(work, done, self.window, what=self.tr("报告生成"))

    # ---- export ----------------------------------------------------------------------------
    def export(self, path: str | None = None) -> None:
        start, end = self._range()
        stamp = datetime.fromtimestamp(start, CST).strftime("%Y%m%d-%H%M")
        path = path or self._save_path(
            self.tr("导出时间段"), f"excerpt-{stamp}.zhcg", self.tr("值班记录 (*.zhcg)")
        )
        if not path:
            return
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        lo, hi = (datetime.fromtimestamp(x, UTC) for x in (start, end))

        def done(_result) -> None:
            self._notice(self.tr("已导出：%1").replace("%1", path))

        src = self.shiftlog.path
        self.ctx.workers.submit(
            lambda: export_logs([src], path, lo, hi), done, self.window, what=self.tr("导出")
        )
