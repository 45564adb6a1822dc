"""What the command line needs from the composition root: main.py's wiring satisfies it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from app.ports.storage import DatabaseAccess
from ui.backend import ShopServices

if TYPE_CHECKING:
    from app.services.catalog import CatalogService
    from app.services.journal import JournalService


class CliContext(ShopServices, Protocol):
    """The services of one open shop database (``main.Context`` is one)."""

    @property
    def catalog(self) -> CatalogService: ...

    @property
    def journal(self) -> JournalService: ...

    def close(self) -> None: ...


class Wiring(Protocol):
    """How to open the shop, migrate it, run the till and the bench."""

    def setup_logging(self, verbose: bool) -> None: ...

    def context(
        self, db: str | None, register: str | None = None, *, access: DatabaseAccess = "write"
    ) -> CliContext:
        """The open shop; by default its database must exist already (see DatabaseAccess)."""
        ...

    def upgrade(self, db: str | None) -> None: ...

    def run_till(
        self,
        db: str | None,
        register: str | None,
        exit_when_ready: bool,
        demo: bool = False,
        rehearse: tuple[str, str, str] | None = None,
    ) -> int:
        """Open the till; ``demo``: the demo shop in its own data folder, seeded if empty;
        ``rehearse`` (user, PIN, code): the bench's scripted cashier."""
        ...

    def demo(self, db: str | None, register: str | None, products: int | None, sales: int) -> str:
        """Seed a demo shop into an empty database; returns what was made."""
        ...

    def bench(self, products: int, compare: int, **options: int) -> dict[str, Any]: ...

    def bench_child(self, mode: str, workload: str) -> str: ...
