"""Work off the UI thread, results back on it, on named queues.

One :class:`TaskRunner` per window owns two queues:

- ``"db"``: ONE worker thread. Database writes run one after another in the order they were
  asked for (a sale, then a park), never in parallel, and the UI thread never waits on a lock.
- ``"io"``: a small pool for reads and device or network I/O (a name search, a printer
  status, a web store call) that may run side by side and must never queue behind a write.

Success, failure and progress callbacks are called on the UI thread through queued Qt signals.
:meth:`TaskRunner.submit` runs a plain callable; :meth:`TaskRunner.start` runs an operation
that is handed a :class:`OperationProgress` (app.ports.system.Progress) to report how far it is
and to notice that :meth:`Operation.cancel` was called.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from app.errors import Cancelled

log = logging.getLogger(__name__)

T = TypeVar("T")
Queue = Literal["db", "io"]
IO_THREADS = 3


@dataclass(frozen=True, slots=True)
class ProgressReport:
    done: int
    total: int | None
    message: str


class OperationProgress:
    """What a running operation reports through, and how it learns it was cancelled."""

    def __init__(self, job: int, emit: Callable[[int, ProgressReport], None]) -> None:
        self._job = job
        self._emit = emit
        self._cancelled = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()

    def report(self, done: int, total: int | None = None, message: str = "") -> None:
        self._emit(self._job, ProgressReport(done, total, message))

    def check(self) -> None:
        if self._cancelled.is_set():
            raise Cancelled("Stopped on request")


class Operation:
    """A submitted job: :meth:`cancel` asks it to stop (it stops at its next check)."""

    def __init__(self, job: int, progress: OperationProgress) -> None:
        self.job = job
        self._progress = progress

    @property
    def cancelled(self) -> bool:
        return self._progress.cancelled

    def cancel(self) -> None:
        self._progress.cancel()


class TaskRunner(QObject):
    """Runs callables on the named queues; ``busy_changed`` tells when any job is pending."""

    busy_changed = Signal(bool)
    # Emitted from worker threads; the runner lives on the UI thread, so Qt queues them.
    _finished = Signal(int, bool, object)
    _progressed = Signal(int, object)

    def __init__(self, parent: QObject | None = None, io_threads: int = IO_THREADS) -> None:
        super().__init__(parent)
        self._pools: dict[str, QThreadPool] = {"db": QThreadPool(self), "io": QThreadPool(self)}
        self._pools["db"].setMaxThreadCount(1)
        self._pools["io"].setMaxThreadCount(io_threads)
        self._callbacks: dict[int, tuple[Callable[[Any], None], Callable[[Exception], None]]] = {}
        self._on_progress: dict[int, Callable[[ProgressReport], None]] = {}
        self._job_ids = itertools.count(1)
        self._closed = False
        self._finished.connect(self._deliver)
        self._progressed.connect(self._deliver_progress)

    @property
    def busy(self) -> bool:
        return bool(self._callbacks)

    def submit(
        self,
        work: Callable[[], T],
        on_success: Callable[[T], None],
        on_failure: Callable[[Exception], None],
        *,
        queue: Queue = "db",
    ) -> Operation:
        """Run ``work()`` on ``queue``; then ``on_success(result)`` or ``on_failure(error)``
        on the UI thread. A job cancelled before it started is never run."""
        return self.start(lambda _progress: work(), on_success, on_failure, queue=queue)

    def start(
        self,
        operation: Callable[[OperationProgress], T],
        on_success: Callable[[T], None],
        on_failure: Callable[[Exception], None],
        *,
        queue: Queue = "db",
        on_progress: Callable[[ProgressReport], None] | None = None,
    ) -> Operation:
        """Run ``operation(progress)`` on ``queue``; its reports reach ``on_progress`` on the
        UI thread. A cancelled operation fails with app.errors.Cancelled."""
        if self._closed:
            raise RuntimeError("the task runner has been shut down")
        job = next(self._job_ids)
        self._callbacks[job] = (on_success, on_failure)
        if on_progress is not None:
            self._on_progress[job] = on_progress
        if len(self._callbacks) == 1:
            self.busy_changed.emit(True)
        finished, progressed = self._finished, self._progressed
        progress = OperationProgress(job, progressed.emit)

        def run() -> None:
            try:
                progress.check()
                result = operation(progress)
            except Exception as error:  # handed to the UI thread, which decides what to say
                finished.emit(job, False, error)
            else:
                finished.emit(job, True, result)

        self._pools[queue].start(run)
        return Operation(job, progress)

    @Slot(int, object)
    def _deliver_progress(self, job: int, report: object) -> None:
        callback = self._on_progress.get(job)
        if callback is not None and isinstance(report, ProgressReport):
            callback(report)

    @Slot(int, bool, object)
    def _deliver(self, job: int, ok: bool, payload: object) -> None:
        self._on_progress.pop(job, None)
        callbacks = self._callbacks.pop(job, None)
        if callbacks is None:  # delivered after shutdown: nobody is listening any more
            return
        try:
            if ok:
                callbacks[0](payload)
            else:
                assert isinstance(payload, Exception)
                callbacks[1](payload)
        finally:
            if not self._callbacks:
                self.busy_changed.emit(False)

    def wait_for_done(self, timeout_ms: int = -1) -> bool:
        """Block until every queue is idle (tests and shutdown only)."""
        return all(pool.waitForDone(timeout_ms) for pool in self._pools.values())

    def shutdown(self) -> None:
        """Finish the work already queued, then drop any callbacks still pending."""
        self._closed = True
        for pool in self._pools.values():
            pool.waitForDone()
        self._callbacks.clear()
        self._on_progress.clear()
