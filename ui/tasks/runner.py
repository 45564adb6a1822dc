"""Database writes off the UI thread, results back on it.

One :class:`TaskRunner` per window owns a ``QThreadPool`` with a single worker: writes run one
after another in the order they were asked for (a sale, then a park), never in parallel, and
the UI thread never waits on a database lock. Success and failure callbacks are called on the
UI thread through a queued Qt signal.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

T = TypeVar("T")


class TaskRunner(QObject):
    """Runs callables on one background thread; ``busy_changed`` tells when work is queued."""

    busy_changed = Signal(bool)
    # Emitted from the worker thread; the runner lives on the UI thread, so Qt queues it.
    _finished = Signal(int, bool, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._callbacks: dict[int, tuple[Callable[[Any], None], Callable[[Exception], None]]] = {}
        self._job_ids = itertools.count(1)
        self._closed = False
        self._finished.connect(self._deliver)

    @property
    def busy(self) -> bool:
        return bool(self._callbacks)

    def submit(
        self,
        work: Callable[[], T],
        on_success: Callable[[T], None],
        on_failure: Callable[[Exception], None],
    ) -> None:
        """Run ``work()`` on the worker; then ``on_success(result)`` or ``on_failure(error)``
        on the UI thread."""
        if self._closed:
            raise RuntimeError("the task runner has been shut down")
        job = next(self._job_ids)
        self._callbacks[job] = (on_success, on_failure)
        if len(self._callbacks) == 1:
            self.busy_changed.emit(True)
        finished = self._finished

        def run() -> None:
            try:
                result = work()
            except Exception as error:  # handed to the UI thread, which decides what to say
                finished.emit(job, False, error)
            else:
                finished.emit(job, True, result)

        self._pool.start(run)

    @Slot(int, bool, object)
    def _deliver(self, job: int, ok: bool, payload: object) -> None:
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
        """Block until the worker is idle (tests and shutdown only)."""
        return self._pool.waitForDone(timeout_ms)

    def shutdown(self) -> None:
        """Finish the work already queued, then drop any callbacks still pending."""
        self._closed = True
        self._pool.waitForDone()
        self._callbacks.clear()
