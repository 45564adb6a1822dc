"""The journal head kept in a small file beside the database, so a removed tail shows.

Written after each commit that extends the journal, via a temporary file and ``os.replace``
so a crash never leaves half a line. If the process dies between the database commit and this
write, the file lags one entry behind, which verification accepts (it checks the chain reaches
the recorded head, not that nothing came after it).
"""

from __future__ import annotations

import os
from pathlib import Path

from app.errors import EnvironmentProblem


class FileJournalAnchor:
    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> tuple[int, str] | None:
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
        current = self.read()
        if current is not None and current[0] > seq:
            return  # another till on the same database already wrote a newer head
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with open(temporary, "w", encoding="ascii") as handle:
            handle.write(f"{seq} {hash_}\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)
