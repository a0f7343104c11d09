"""Run blocking work (HTTP reads, file I/O) off the GUI thread and get the answer back on it.

A small thread pool; each job's result or exception comes back through a queued Qt signal,
so callbacks run on the GUI thread and may touch widgets. A callback whose owner widget has
been deleted in the meantime is skipped, not crashed into.

No error is dropped: a job's exception goes to the call site's ``on_error`` when it has
something specific to tell the operator, else to :meth:`Workers.report` — the one default
path, which logs it with its traceback and shows a notice in the window (``notice``, set by the
running console to the status bar's). A callback that raises is reported the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

# ``notice(text, level)``: shows a non-blocking message in the window (the status bar's).
Notice = Callable[[str, str], None]


class Workers(QObject):
    _done = Signal(object, object, object)  # target, result, error

    def __init__(self, threads: int = 2, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ui-worker")
        self._done.connect(self._deliver)
        self._closed = False
        self.notice: Notice | None = None
        self._last_reported: tuple[str, str] | None = None

    def submit(
        self,
        fn: Callable[[], Any],
        on_result: Callable[[Any], object] | None = None,
        owner: QObject | None = None,
        on_error: Callable[[BaseException], object] | None = None,
        what: str = "",
    ) -> None:
        """``fn()`` in a worker; then, on the GUI thread, ``on_result(result)`` or, if it
        raised, ``on_error(error)`` — by default :meth:`report`. ``what`` names the job in
        the notice and the log (translated, e.g. ``self.tr("车辆轨迹")``). After ``shutdown``
        (the console is closing) jobs are dropped: there is no one to answer."""
        if self._closed:
            return
        target = (on_result, on_error, owner, what)

        def job() -> None:
            try:
                result = fn()
            except Exception as e:
                self._done.emit(target, None, e)
            else:
                self._done.emit(target, result, None)

        self._pool.submit(job)

    def _deliver(self, target, result, error) -> None:
        on_result, on_error, owner, what = target
        if owner is not None and not shiboken6.isValid(owner):
            if error is not None:  # no one left to tell; the log still has it
                log.warning("background job %s failed (its widget is gone): %r", what, error)
            return
        try:
            if error is None:
                if self._last_reported is not None and self._last_reported[0] == what:
                    self._last_reported = None  # it works again: a new failure gets its trace
                if on_result is not None:
                    on_result(result)
                return
            if on_error is None:
                self.report(error, what)
                return
            log.warning("background job %s failed: %r", what or "", error, exc_info=error)
            on_error(error)
        except Exception as e:  # a callback that raises: the same default path
            self.report(e, what)

    def report(self, error: BaseException, what: str = "") -> None:
        """The default failure path: log with the traceback, and tell the operator in the
        window. The same failure again (a periodic job while the backend is away) is logged
        in one line, not with a traceback each time."""
        key = (what, f"{type(error).__name__}: {error}")
        if key == self._last_reported:
            log.error("background job %s failed again: %s", what, key[1])
        else:
            log.error("background job %s failed: %s", what, key[1], exc_info=error)
        self._last_reported = key
        detail = str(error) or type(error).__name__
        if what:
            text = self.tr("%1失败：%2").replace("%1", what).replace("%2", detail)
        else:
            text = self.tr("后台任务失败：%1").replace("%1", detail)
        if self.notice is not None:
            self.notice(text, "error")

    def shutdown(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
