"""Workers' one failure path: no job's error is dropped. Without a handler of its own a
failure is logged with its traceback and said in the window; a callback that raises too."""

from __future__ import annotations

import logging

import pytest

from widgets.common.workers import Workers

pytestmark = pytest.mark.ui


@pytest.fixture
def workers(qapp):
    w = Workers()
    notices: list[tuple[str, str]] = []
    w.notice = lambda text, level: notices.append((text, level))
    w.notices = notices
    yield w
    w.shutdown()


def _gone_disk():
    raise OSError("磁盘不可用")


def test_a_failing_job_without_a_handler_is_logged_and_shown(qtbot, workers, caplog):
    results = []
    with caplog.at_level(logging.ERROR, logger="widgets.common.workers"):
        workers.submit(_gone_disk, results.append, what="读取时间轴索引")
        qtbot.waitUntil(lambda: bool(workers.notices))
    assert results == []
    assert workers.notices == [("读取时间轴索引失败：磁盘不可用", "error")]
    (rec,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "读取时间轴索引" in rec.getMessage()
    assert rec.exc_info and rec.exc_info[1].args == ("磁盘不可用",)
    assert "_gone_disk" in caplog.text  # the traceback, down to where it was raised


def test_a_callback_that_raises_goes_the_same_way(qtbot, workers, caplog):
    def broken(_result):
        raise KeyError("lon")

    with caplog.at_level(logging.ERROR, logger="widgets.common.workers"):
        workers.submit(lambda: {}, broken)
        qtbot.waitUntil(lambda: bool(workers.notices))
    assert workers.notices == [("后台任务失败：'lon'", "error")]
    assert "in broken" in caplog.text


def test_a_call_site_handler_replaces_the_notice_but_the_log_keeps_it(qtbot, workers, caplog):
    said = []
    with caplog.at_level(logging.WARNING, logger="widgets.common.workers"):
        workers.submit(_gone_disk, None, on_error=said.append)
        qtbot.waitUntil(lambda: bool(said))
    assert isinstance(said[0], OSError) and workers.notices == []
    assert "_gone_disk" in caplog.text


def test_the_same_failure_again_is_one_line_and_success_resets(qtbot, workers, caplog):
    ok = []
    with caplog.at_level(logging.ERROR, logger="widgets.common.workers"):
        for n in (1, 2):
            workers.submit(_gone_disk, what="计算线路覆盖率")
            qtbot.waitUntil(lambda n=n: len(workers.notices) == n)
        workers.submit(lambda: 1, ok.append, what="计算线路覆盖率")
        qtbot.waitUntil(lambda: ok == [1])
        workers.submit(_gone_disk, what="计算线路覆盖率")
        qtbot.waitUntil(lambda: len(workers.notices) == 3)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [bool(r.exc_info) for r in errors] == [True, False, True]
