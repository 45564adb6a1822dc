"""The machine the shop runs on: its clock, and the journal head kept outside the database."""

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
