"""The journal head kept in a small file beside the database, so a removed tail shows.

Written after each commit that extends the journal, via a temporary file, fsync and
``os.replace``, so a crash never leaves half a line. The write runs on a background thread:
the sale is already durable in the database, and a cashier should not wait for a second fsync.
If the process dies before the file is written, it lags behind the database, which
verification accepts (it checks the chain reaches the recorded head, not that nothing came
after it). Several sales in quick succession coalesce into one write of the newest head.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from app.errors import EnvironmentProblem

log = logging.getLogger(__name__)


class FileJournalAnchor:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._pending: tuple[int, str] | None = None
        self._written = threading.Condition()
        self._writer: threading.Thread | None = None

    def read(self) -> tuple[int, str] | None:
        self.flush()
        return self._read_file()

    def _read_file(self) -> tuple[int, str] | None:
        try:
            text = self.path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        try:
            seq, hash_ = text.split()
            return int(seq), hash_
        except ValueError:
            raise EnvironmentProblem(
                f"The journal head file {self.path} is damaged: restore it from a backup"
            ) from None

    def write(self, seq: int, hash_: str) -> None:
        """Queue the new head; the newest queued head is what reaches the file."""
        with self._written:
            if self._pending is None or self._pending[0] < seq:
                self._pending = (seq, hash_)
            if self._writer is None:
                self._writer = threading.Thread(
                    target=self._drain, name="journal-anchor", daemon=True
                )
                self._writer.start()

    def flush(self) -> None:
        """Wait until every queued head is on disk (verification and shutdown call this)."""
        with self._written:
            self._written.wait_for(lambda: self._writer is None)

    def _drain(self) -> None:
        while True:
            with self._written:
                head = self._pending
                self._pending = None
                if head is None:
                    self._writer = None
                    self._written.notify_all()
                    return
            try:
                self._store(*head)
            except OSError:
                # The sale is committed; a lagging head file is tolerated by verification.
                log.exception("could not write the journal head file %s", self.path)

    def _store(self, seq: int, hash_: str) -> None:
        current = self._read_file()
        if current is not None and current[0] > seq:
            return  # another till on the same database already wrote a newer head
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with open(temporary, "w", encoding="ascii") as handle:
            handle.write(f"{seq} {hash_}\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
