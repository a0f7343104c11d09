"""Run blocking work (HTTP reads, file I/O) off the GUI thread and get the answer back on it.

A small thread pool; each job's result or exception comes back through a queued Qt signal,
so callbacks run on the GUI thread and may touch widgets. A callback whose owner widget has
been deleted in the meantime is skipped, not crashed into.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import shiboken6
from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class Workers(QObject):
    _done = Signal(object, object, object)  # callback, result, error

    def __init__(self, threads: int = 2, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ui-worker")
        self._done.connect(self._deliver)
        self._closed = False

    def submit(self, fn, callback, owner: QObject | None = None) -> None:
        """``fn()`` in a worker; then ``callback(result, error)`` on the GUI thread. After
        ``shutdown`` (the console is closing) jobs are dropped: there is no one to answer."""
        if self._closed:
            return

        def job():
            try:
                self._done.emit((callback, owner), fn(), None)
            except Exception as e:  # reported to the callback, which tells the operator
                log.warning("background job failed: %s", e)
                self._done.emit((callback, owner), None, e)

        self._pool.submit(job)

    def _deliver(self, target, result, error) -> None:
        callback, owner = target
        if owner is not None and not shiboken6.isValid(owner):
            return
        callback(result, error)

    def shutdown(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
