"""What the bench needs from the composition root, handed in by main.py (no import cycle)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from app.ports.storage import DatabaseAccess


class BenchWiring(Protocol):
    """main.py's wiring: builds the till's context on a database and seeds a demo shop."""

    def context(
        self,
        url: str | None = None,
        *,
        home: Path | None = None,
        register_code: str | None = None,
        pin_policy: Any = None,
        migrate: bool = True,
        access: DatabaseAccess = "write",
    ) -> Any: ...

    def seed_demo(self, context: Any, products: int, sales: int = 0) -> str: ...
