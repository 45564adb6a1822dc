"""The background writer: one worker thread, results back on the UI thread, in order."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

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
