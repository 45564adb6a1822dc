"""Tillwright's composition root: settings -> engines -> migrate -> adapters -> services.

This is the only module that imports every layer and wires them together; the command line
itself lives in ``ui.cli`` and the benchmark in ``bench``, and both are handed a
:class:`Wiring` rather than importing this module.
"""

from __future__ import annotations

import hashlib
import logging
import logging.handlers
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import UserError

# The layers are imported inside the functions that wire them: `main.py run` must put the
# till window on screen before SQLAlchemy (~200 ms to import) has loaded (main.py bench, d).
if TYPE_CHECKING:
    from app.domain.users import PinPolicy
    from app.services.auth import AuthService
    from app.services.catalog import CatalogService
    from app.services.changes import ChangeFeed
    from app.services.journal import JournalService
    from app.services.sales import SaleService
    from app.services.shop import ShopService
    from app.services.workers import WorkerHost
    from db.engine import Engines
    from db.queries import SqlCatalogReader
    from db.uow import SqlUnitOfWorkFactory

log = logging.getLogger("tillwright")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def data_dir() -> Path:
    """Per-user data directory; ``TILLWRIGHT_HOME`` overrides it (tests, several shops)."""
    override = os.environ.get("TILLWRIGHT_HOME")
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path("tillwright", appauthor=False)


def database_url(explicit: str | None, home: Path) -> str:
    return explicit or os.environ.get("TILLWRIGHT_DB") or f"sqlite:///{home / 'tillwright.db'}"


def anchor_path(url: str, home: Path) -> Path:
    """Where the journal head is kept outside the database: beside a SQLite file, or in the
    data directory (one file per server and database) for PostgreSQL."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///") + ".journal-head")
    from sqlalchemy.engine import make_url

    safe = make_url(url).render_as_string(hide_password=True)
    return home / f"journal-head-{hashlib.sha256(safe.encode()).hexdigest()[:16]}"


@dataclass
class Context:
    """Everything the till and the commands need, wired once."""

    engines: Engines
    home: Path
    register_code: str
    shop: ShopService
    auth: AuthService
    catalog: CatalogService
    journal: JournalService
    reader: SqlCatalogReader
    uow_factory: SqlUnitOfWorkFactory
    clock: SystemClock
    pin_policy: PinPolicy
    changes: ChangeFeed
    workers: WorkerHost

    def sales(self) -> SaleService:
        """A sale service bound to the shop's current settings (currency, tax mode)."""
        from app.services.sales import SaleService

        return SaleService(self.uow_factory, self.reader, self.clock, self.shop.settings())

    def close(self) -> None:
        self.workers.stop()
        self.reader.close()
        self.engines.dispose()


def build_context(
    url: str | None = None,
    *,
    home: Path | None = None,
    register_code: str | None = None,
    pin_policy: PinPolicy | None = None,
    migrate: bool = True,
) -> Context:
    from app.domain.users import PinPolicy
    from app.services.auth import AuthService
    from app.services.catalog import CatalogService
    from app.services.changes import ChangeFeed
    from app.services.demo import DEMO_REGISTER
    from app.services.journal import JournalService
    from app.services.shop import ShopService, settings_from
    from app.services.workers import WorkerHost
    from db.anchor import FileJournalAnchor
    from db.engine import make_engines
    from db.migrate import upgrade
    from db.queries import SqlCatalogReader, shop_setting_values
    from db.repositories.catalog import SqlCatalogSnapshots
    from db.uow import SqlUnitOfWorkFactory

    home = home or data_dir()
    home.mkdir(parents=True, exist_ok=True)
    url = database_url(url, home)
    engines = make_engines(url)
    if migrate:
        upgrade(engines.write)
    clock = SystemClock()
    anchor = FileJournalAnchor(anchor_path(engines.url, home))
    policy = pin_policy or PinPolicy()
    currency = settings_from(shop_setting_values(engines.write)).currency
    changes = ChangeFeed()
    uow_factory = SqlUnitOfWorkFactory(engines.write, currency, anchor, changes)
    shop = ShopService(uow_factory)
    return Context(
        engines=engines,
        home=home,
        register_code=(register_code or os.environ.get("TILLWRIGHT_REGISTER") or DEMO_REGISTER),
        shop=shop,
        auth=AuthService(uow_factory, clock, policy),
        catalog=CatalogService(uow_factory, clock, SqlCatalogSnapshots(engines.read)),
        journal=JournalService(uow_factory, anchor),
        reader=SqlCatalogReader(engines.read, currency),
        uow_factory=uow_factory,
        clock=clock,
        pin_policy=policy,
        changes=changes,
        # The long-lived workers (print queue, outbox) join here as they arrive; the till
        # process starts them (TillBackendOpener), one-shot commands do not.
        workers=WorkerHost([]),
    )


def shop_is_empty(context: Context) -> bool:
    from app.services.demo import DEMO_USERS

    with context.uow_factory() as uow:
        return uow.users.by_username(DEMO_USERS[0][0]) is None and not uow.catalog.tax_classes()


def seed_demo(context: Context, products: int, sales: int = 0) -> str:
    from app.services.demo import DEMO_USERS, ring_up_demo_sales, seed_demo_shop

    summary = seed_demo_shop(context.shop, context.auth, context.catalog, products)
    # The currency may have changed with the demo settings: rebuild the adapters around it.
    fresh = build_context(
        context.engines.url,
        home=context.home,
        migrate=False,
        register_code=context.register_code,
        pin_policy=context.pin_policy,
    )
    done = 0
    if sales:
        cashier = fresh.auth.login(DEMO_USERS[0][0], DEMO_USERS[0][3])
        done = ring_up_demo_sales(fresh.sales(), cashier, sales, products)
    fresh.close()
    users = ", ".join(f"{u} (PIN {pin})" for u, _, _, pin in DEMO_USERS)
    return (
        f"Demo shop ready: {summary.products} products, {summary.variants} variants, "
        f"{done} sales. Users: {users}"
    )


def setup_logging(home: Path, verbose: bool = False) -> None:
    logs = home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        logs / "tillwright.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)


class TillBackendOpener:
    """What the till runs on its database worker once its window is on screen: migrate,
    seed the demo shop on the first run, make sure this till's register exists."""

    def __init__(self, db: str | None, register: str | None) -> None:
        self._db = db
        self._register = register
        self.context: Context | None = None

    def __call__(self) -> Context:
        context = build_context(self._db, register_code=self._register)
        if shop_is_empty(context):
            from app.services.demo import DEMO_PRODUCTS

            log.info(seed_demo(context, DEMO_PRODUCTS))
            context.close()
            context = build_context(self._db, register_code=self._register, migrate=False)
        context.shop.ensure_register(context.register_code, f"Till {context.register_code}")
        context.workers.start()
        self.context = context
        return context

    def close(self) -> None:
        if self.context is not None:
            self.context.close()


class Wiring:
    """What the command line and the bench are handed: how to open the shop and its till."""

    def setup_logging(self, verbose: bool) -> None:
        setup_logging(data_dir(), verbose)

    def context(
        self,
        url: str | None = None,
        register: str | None = None,
        *,
        home: Path | None = None,
        register_code: str | None = None,
        pin_policy: PinPolicy | None = None,
        migrate: bool = True,
    ) -> Context:
        return build_context(
            url,
            home=home,
            register_code=register_code or register,
            pin_policy=pin_policy,
            migrate=migrate,
        )

    def upgrade(self, db: str | None) -> None:
        from db.engine import make_engines
        from db.migrate import upgrade

        engines = make_engines(database_url(db, data_dir()))
        try:
            upgrade(engines.write)
        finally:
            engines.dispose()

    def run_till(self, db: str | None, register: str | None, exit_when_ready: bool) -> int:
        from ui.app import run_till

        opener = TillBackendOpener(db, register)
        try:
            return run_till(opener, exit_when_ready=exit_when_ready)
        finally:
            opener.close()

    def demo(self, db: str | None, register: str | None, products: int | None, sales: int) -> str:
        from app.services.demo import DEMO_PRODUCTS

        context = build_context(db, register_code=register)
        try:
            if not shop_is_empty(context):
                raise UserError("This database already holds a shop; use a new --db for the demo")
            return seed_demo(context, DEMO_PRODUCTS if products is None else products, sales)
        finally:
            context.close()

    def seed_demo(self, context: Context, products: int, sales: int = 0) -> str:
        return seed_demo(context, products, sales)

    def bench(self, products: int, compare: int) -> dict[str, Any]:
        from bench import run_bench

        return run_bench(self, products=products, compare=compare)

    def bench_child(self, mode: str, workload: str) -> str:
        from bench import child_main

        return child_main(self, mode, workload)


def main(argv: Sequence[str] | None = None) -> int:
    from ui.cli import run

    return run(argv, Wiring())


if __name__ == "__main__":
    sys.exit(main())
