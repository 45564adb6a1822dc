"""The change feed: services say what they changed after a commit, open screens refresh.

A service publishes a topic ("sale", "stock", "catalog", "settings", "users", …) and, where
it helps, a key (a sale id, a variant id) once its unit of work has committed; listeners are
called on the publishing thread and must be quick (the UI re-emits on its own thread,
ui/tasks/broadcast.py). A failing listener is logged and never undoes the change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Change:
    topic: str
    key: str | int | None = None


Listener = Callable[[Change], None]


class ChangeFeed:
    """Thread-safe publish/subscribe of committed changes, in process."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Start calling ``listener`` for every change; returns a function that stops it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, topic: str, key: str | int | None = None) -> None:
        change = Change(topic, key)
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(change)
            except Exception:  # a screen's refresh must never fail the change itself
                log.exception("change listener failed on %s", change)
