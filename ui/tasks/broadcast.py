"""The change broadcast: committed changes from any thread, re-emitted on the UI thread.

Services publish on app.services.changes.ChangeFeed after they commit (on a worker thread, or
in another long-lived worker); :class:`ChangeBroadcast` lives on the UI thread, so its signal
reaches open screens there, queued, and each screen refreshes what it shows.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.services.changes import Change, ChangeFeed


class ChangeBroadcast(QObject):
    """``changed(topic, key)`` for every change the feed publishes, on the UI thread."""

    changed = Signal(str, object)

    def __init__(self, feed: ChangeFeed, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = feed.subscribe(self._relay)

    def _relay(self, change: Change) -> None:
        # Called on the publishing thread; a cross-thread emit is queued by Qt.
        self.changed.emit(change.topic, change.key)

    def close(self) -> None:
        self._unsubscribe()
