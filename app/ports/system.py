"""The machine the shop runs on: its clock, the journal head kept outside the database, the
secrets kept outside it, and how long work reports progress and learns it was cancelled."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from app.domain.journal import Anchor, JournalHead


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class JournalAnchor(Protocol):
    """Told the journal's new head after each commit that extended it, to keep a copy outside
    the database. Never raises: failing to keep the copy must not turn a committed sale into a
    reported failure (app.services.journal.AnchorKeeper logs it and re-anchors later)."""

    def moved(self, head: JournalHead) -> None: ...


class AnchorStore(Protocol):
    """Copies of the journal head kept in this computer's data directory, one per shop id, and
    which shop this computer last served at which database (db/anchor.py)."""

    @property
    def location(self) -> str:
        """Where the copies are kept, for messages."""
        ...

    def read(self, shop_id: str) -> Anchor | None:
        """This computer's copy of the head for that shop, if it has one."""
        ...

    def write(self, anchor: Anchor) -> None:
        """Replace the copy atomically; never moves it back to an earlier entry."""
        ...

    def load(self, where: str) -> Anchor:
        """A copy named by the person (``journal verify --anchor FILE``)."""
        ...

    def served(self, database: str) -> str | None:
        """The shop id this computer last served at ``database`` (a URL, password hidden)."""
        ...

    def record_served(self, database: str, shop_id: str) -> None: ...


class SecretStore(Protocol):
    """Secrets kept outside the database, in the OS keyring (integrations/secrets.py)."""

    @property
    def description(self) -> str:
        """What keeps the secrets, for messages ("the OS keyring (SecretService)")."""
        ...

    @property
    def warning(self) -> str:
        """Why the owner should know where the secrets are ("" for a proper keyring)."""
        ...

    def check_safe(self) -> None:
        """Raise EnvironmentProblem when secrets cannot be kept safely here (no keyring, or
        one that keeps them in plain text), saying what to do."""
        ...

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...


class JournalKeys(Protocol):
    """The shop's journal key, for the repository that appends keyed entries."""

    def key(self, shop_id: str) -> bytes | None: ...


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
