"""Long-lived workers drain their work, back off on failure and stop; the change feed."""

from __future__ import annotations

import threading
import time

from app.services.changes import Change, ChangeFeed
from app.services.workers import WorkerHost


class CountingWorker:
    """Pretends to drain a table of ``pending`` rows, one per batch."""

    name = "counting"
    interval_s = 30.0

    def __init__(self, pending: int, fail_first: int = 0) -> None:
        self.pending = pending
        self.fail_first = fail_first
        self.calls = 0
        self.drained = threading.Event()

    def run_once(self) -> bool:
        self.calls += 1
        if self.calls <= self.fail_first:
            raise OSError("printer offline")
        if self.pending:
            self.pending -= 1
        if not self.pending:
            self.drained.set()
        return self.pending > 0


def test_a_worker_drains_everything_waiting_without_sleeping_between_batches() -> None:
    worker = CountingWorker(pending=50)
    host = WorkerHost([worker])
    host.start()
    try:
        assert worker.drained.wait(2)  # interval is 30 s: no sleeping between batches
    finally:
        host.stop()


def test_a_wake_cuts_the_sleep_short() -> None:
    worker = CountingWorker(pending=0)
    host = WorkerHost([worker])
    host.start()
    try:
        deadline = time.monotonic() + 2
        while worker.calls < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        worker.pending = 3
        worker.drained.clear()
        host.wake("counting")
        assert worker.drained.wait(2)
    finally:
        host.stop()


def test_a_failing_batch_is_retried_and_the_work_is_not_lost() -> None:
    worker = CountingWorker(pending=2, fail_first=1)
    worker.interval_s = 0.01
    host = WorkerHost([worker])
    host.start()
    try:
        assert worker.drained.wait(5)
        assert worker.pending == 0
        assert worker.calls >= 3
    finally:
        host.stop()


def test_stop_ends_every_thread() -> None:
    worker = CountingWorker(pending=0)
    host = WorkerHost([worker])
    host.start()
    host.stop(timeout_s=2)
    assert not any(t.name == "worker-counting" for t in threading.enumerate())


def test_the_feed_tells_every_listener_and_survives_a_failing_one() -> None:
    feed = ChangeFeed()
    seen: list[Change] = []

    def broken(_change: Change) -> None:
        raise RuntimeError("screen gone")

    feed.subscribe(broken)
    stop = feed.subscribe(seen.append)
    feed.publish("sale", "s1")
    stop()
    feed.publish("sale", "s2")
    assert seen == [Change("sale", "s1")]
