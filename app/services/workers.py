"""Long-lived workers: each drains a durable table (print jobs, outgoing stock, mail) in the
background, started and stopped by main.py.

A worker does one batch per call and says whether more may be waiting; the host calls it again
at once while it has work, otherwise sleeps until its interval passes or someone wakes it
(a service that just queued a job). A failing batch is logged and retried with backoff; the
durable row it was working on stays where it was, so nothing is lost. A worker never holds a UI
object: results reach screens through the change feed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Protocol

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 60.0


class Worker(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def interval_s(self) -> float:
        """How long to sleep when there was nothing to do (a wake-up cuts it short)."""
        ...

    def run_once(self) -> bool:
        """Do one batch of pending work; True if more may be waiting."""
        ...


class _Loop:
    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, name=f"worker-{worker.name}", daemon=True)

    def run(self) -> None:
        failures = 0
        while not self.stopping.is_set():
            try:
                more = self.worker.run_once()
                failures = 0
            except Exception:
                failures += 1
                log.exception("worker %s failed (attempt %d)", self.worker.name, failures)
                more = False
            if more and not self.stopping.is_set():
                continue
            pause = self.worker.interval_s
            if failures:
                pause = min(MAX_BACKOFF_S, max(pause, 0.5) * 2 ** min(failures, 7))
            self.wake.wait(pause)
            self.wake.clear()


class WorkerHost:
    """Runs each worker on its own daemon thread until :meth:`stop`."""

    def __init__(self, workers: Sequence[Worker]) -> None:
        self._loops = {worker.name: _Loop(worker) for worker in workers}
        self._started = False

    @property
    def names(self) -> list[str]:
        return list(self._loops)

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        for loop in self._loops.values():
            loop.thread.start()

    def wake(self, name: str | None = None) -> None:
        """Tell one worker (or all) that work is waiting."""
        for loop_name, loop in self._loops.items():
            if name is None or name == loop_name:
                loop.wake.set()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Let each worker finish its current batch, then end its thread."""
        for loop in self._loops.values():
            loop.stopping.set()
            loop.wake.set()
        if self._started:
            for loop in self._loops.values():
                loop.thread.join(timeout_s)
                if loop.thread.is_alive():
                    log.warning("worker %s did not stop within %.0f s", loop.worker.name, timeout_s)
        self._started = False
