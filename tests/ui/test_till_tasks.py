"""The task runner: a one-worker "db" queue in order, an "io" pool beside it, progress and
cancel, and the change broadcast; results back on the UI thread."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from app.errors import Cancelled
from app.services.changes import ChangeFeed
from ui.tasks.broadcast import ChangeBroadcast
from ui.tasks.runner import TaskRunner


@pytest.fixture
def runner(qapp: QApplication) -> Any:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


def test_work_runs_off_the_ui_thread_and_reports_on_it(qtbot: Any, runner: TaskRunner) -> None:
    ui_thread = QThread.currentThread()
    seen: dict[str, Any] = {}

    def work() -> int:
        seen["worker"] = threading.current_thread() is not threading.main_thread()
        return 42

    def done(result: int) -> None:
        seen["result"] = result
        seen["callback_on_ui"] = QThread.currentThread() is ui_thread

    runner.submit(work, done, lambda error: None)
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen == {"worker": True, "result": 42, "callback_on_ui": True}


def test_failures_come_back_as_the_exception(qtbot: Any, runner: TaskRunner) -> None:
    errors: list[Exception] = []

    def work() -> None:
        raise ValueError("disk full")

    runner.submit(work, lambda _: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], ValueError)
    assert str(errors[0]) == "disk full"


def test_jobs_run_one_at_a_time_in_order(qtbot: Any, runner: TaskRunner) -> None:
    running = threading.Semaphore(1)
    order: list[int] = []

    def job(number: int) -> int:
        assert running.acquire(blocking=False), "two jobs ran at once"
        try:
            return number
        finally:
            running.release()

    with qtbot.waitSignal(runner.busy_changed) as became_busy:
        for number in range(5):
            runner.submit(lambda n=number: job(n), order.append, pytest.fail)
    assert became_busy.args == [True]
    with qtbot.waitSignal(runner.busy_changed) as became_idle:
        pass
    assert became_idle.args == [False]
    assert order == [0, 1, 2, 3, 4]
    assert not runner.busy


def test_shutdown_waits_and_then_refuses_work(runner: TaskRunner) -> None:
    finished = threading.Event()
    runner.submit(finished.set, lambda _: None, lambda _: None)
    runner.shutdown()
    assert finished.is_set()
    with pytest.raises(RuntimeError, match="shut down"):
        runner.submit(lambda: None, lambda _: None, lambda _: None)


def test_io_queue_runs_beside_a_blocked_database_write(qtbot: Any, runner: TaskRunner) -> None:
    """A search on "io" must not queue behind a slow write on "db"."""
    release = threading.Event()
    results: list[str] = []
    runner.submit(lambda: release.wait(5) and "write", results.append, pytest.fail)
    runner.submit(lambda: "search", results.append, pytest.fail, queue="io")
    qtbot.waitUntil(lambda: results == ["search"])
    release.set()
    qtbot.waitUntil(lambda: results == ["search", "write"])


def test_operations_report_progress_on_the_ui_thread(qtbot: Any, runner: TaskRunner) -> None:
    ui_thread = QThread.currentThread()
    reports: list[tuple[int, int | None, str, bool]] = []
    done: list[str] = []

    def operation(progress: Any) -> str:
        for step in range(1, 4):
            progress.report(step, 3, f"step {step}")
        return "finished"

    runner.start(
        operation,
        done.append,
        pytest.fail,
        queue="io",
        on_progress=lambda r: reports.append(
            (r.done, r.total, r.message, QThread.currentThread() is ui_thread)
        ),
    )
    qtbot.waitUntil(lambda: done == ["finished"])
    assert reports == [(1, 3, "step 1", True), (2, 3, "step 2", True), (3, 3, "step 3", True)]


def test_a_cancelled_operation_stops_at_its_next_check(qtbot: Any, runner: TaskRunner) -> None:
    started = threading.Event()
    go_on = threading.Event()
    steps: list[int] = []
    errors: list[Exception] = []

    def operation(progress: Any) -> None:
        started.set()
        go_on.wait(5)
        for step in range(100):
            progress.check()
            steps.append(step)

    handle = runner.start(operation, pytest.fail, errors.append, queue="io")
    assert started.wait(5)
    handle.cancel()
    go_on.set()
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], Cancelled)
    assert steps == []
    assert handle.cancelled


def test_a_job_cancelled_before_it_starts_never_runs(qtbot: Any, runner: TaskRunner) -> None:
    release = threading.Event()
    ran: list[str] = []
    errors: list[Exception] = []
    runner.submit(lambda: release.wait(5), lambda _: None, pytest.fail)
    queued = runner.submit(lambda: ran.append("queued"), lambda _: None, errors.append)
    queued.cancel()
    release.set()
    qtbot.waitUntil(lambda: bool(errors))
    assert ran == []
    assert isinstance(errors[0], Cancelled)


def test_the_broadcast_re_emits_feed_changes_on_the_ui_thread(qtbot: Any) -> None:
    feed = ChangeFeed()
    broadcast = ChangeBroadcast(feed)
    ui_thread = QThread.currentThread()
    seen: list[tuple[str, object, bool]] = []
    broadcast.changed.connect(
        lambda topic, key: seen.append((topic, key, QThread.currentThread() is ui_thread))
    )
    worker = threading.Thread(target=lambda: feed.publish("sale", "abc"))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [("sale", "abc", True)]
    broadcast.close()
    feed.publish("sale", "later")
    qtbot.wait(20)
    assert len(seen) == 1
