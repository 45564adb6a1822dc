"""The machine the shop runs on: its clock, the journal head kept outside the database, and
how long work reports progress and learns it was cancelled."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class JournalAnchor(Protocol):
    """The journal head kept outside the database, so a removed tail is noticed."""

    def read(self) -> tuple[int, str] | None: ...

    def write(self, seq: int, hash_: str) -> None: ...


class Progress(Protocol):
    """Handed to long work (an import, a sync): it reports how far it is and stops, by raising
    app.errors.Cancelled from :meth:`check`, once the person asked it to."""

    def report(self, done: int, total: int | None = None, message: str = "") -> None: ...

    def check(self) -> None:
        """Raise Cancelled if cancelling was asked for; call it between batches."""
        ...


class NoProgress:
    """Progress for work nobody watches: reports go nowhere, it is never cancelled."""

    def report(self, done: int, total: int | None = None, message: str = "") -> None:
        return None

    def check(self) -> None:
        return None


class ChangePublisher(Protocol):
    """Where a unit of work announces what it changed, once committed (app.services.changes)."""

    def publish(self, topic: str, key: str | int | None = None) -> None: ...
