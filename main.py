"""Tillwright's composition root: settings -> engines -> migrate -> adapters -> services.

This is the only module that imports every layer and wires them together; the command line
itself lives in ``ui.cli`` and the benchmark in ``bench``, and both are handed a
:class:`Wiring` rather than importing this module.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import EnvironmentProblem, UserError

# The layers are imported inside the functions that wire them: `main.py run` must put the
# till window on screen before SQLAlchemy (~200 ms to import) has loaded (main.py bench, d).
if TYPE_CHECKING:
    from app.domain.users import PinPolicy
    from app.ports.storage import DatabaseAccess
    from app.services.auth import AuthService
    from app.services.catalog import CatalogService
    from app.services.changes import ChangeFeed
    from app.services.demo import DemoSummary
    from app.services.journal import JournalService
    from app.services.sales import SaleService
    from app.services.setup import SetupService
    from app.services.shop import ShopService
    from app.services.users import UserService
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
    """Which database: ``--db``, else ``TILLWRIGHT_DB``, else the data directory's SQLite file.
    A plain path is a SQLite file (db.engine.database_url reads it)."""
    return explicit or os.environ.get("TILLWRIGHT_DB") or f"sqlite:///{home / 'tillwright.db'}"


def demo_home(home: Path) -> Path:
    """The demo shop's own data directory: `run --demo` never seeds a real shop's database."""
    return home / "demo"


def ensure_data_dir(home: Path) -> Path:
    """The data directory, created if need be; one line of advice if it cannot be."""
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EnvironmentProblem(
            f"Cannot create the data folder {home} ({error.strerror}): set TILLWRIGHT_HOME "
            "to a folder this user can write"
        ) from None
    return home


@dataclass
class Context:
    """Everything the till and the commands need, wired once."""

    engines: Engines
    home: Path
    register_code: str
    shop: ShopService
    auth: AuthService
    users: UserService
    setup: SetupService
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
    access: DatabaseAccess = "create",
) -> Context:
    """Open the shop's database and wire the services around it. ``access`` says whether the
    database may be created ("create"), must exist ("write"), or is only read ("read": opened
    read-only, never migrated)."""
    from app.domain.users import PinPolicy
    from app.services.auth import AuthService
    from app.services.catalog import CatalogService
    from app.services.changes import ChangeFeed
    from app.services.demo import DEMO_REGISTER
    from app.services.journal import AnchorKeeper, JournalKeyring, JournalService
    from app.services.setup import SetupService
    from app.services.shop import ShopService, settings_from
    from app.services.users import UserService
    from app.services.workers import WorkerHost
    from db.anchor import FileAnchorStore, database_label
    from db.engine import open_database
    from db.queries import SqlCatalogReader, shop_setting_values
    from db.repositories.catalog import SqlCatalogSnapshots
    from db.uow import SqlUnitOfWorkFactory
    from integrations.secrets import secret_store

    home = ensure_data_dir(home or data_dir())
    engines = open_database(database_url(url, home), access, migrate=migrate)
    clock = SystemClock()
    # The journal head is copied into the data directory, named by the database's shop id.
    keeper = AnchorKeeper(FileAnchorStore(home / "journal"), database_label(engines.url))
    keys = JournalKeyring(secret_store(home))
    policy = pin_policy or PinPolicy()
    try:
        with engines.explained():
            currency = settings_from(shop_setting_values(engines.write)).currency
    except BaseException:
        engines.dispose()
        raise
    changes = ChangeFeed()
    uow_factory = SqlUnitOfWorkFactory(engines.write, currency, keeper, changes, keys)
    shop = ShopService(uow_factory, clock)
    auth = AuthService(uow_factory, clock, policy)
    users = UserService(uow_factory, clock, auth)
    catalog = CatalogService(uow_factory, clock, SqlCatalogSnapshots(engines.read))
    journal = JournalService(uow_factory, keeper, keys, clock)
    return Context(
        engines=engines,
        home=home,
        register_code=(register_code or os.environ.get("TILLWRIGHT_REGISTER") or DEMO_REGISTER),
        shop=shop,
        auth=auth,
        users=users,
        setup=SetupService(uow_factory, clock, auth, shop, users, catalog),
        catalog=catalog,
        journal=journal,
        reader=SqlCatalogReader(engines.read, currency),
        uow_factory=uow_factory,
        clock=clock,
        pin_policy=policy,
        changes=changes,
        # The long-lived workers (print queue, outbox) join here as they arrive; the till
        # process starts them (TillBackendOpener), one-shot commands do not.
        workers=WorkerHost([journal.anchor_worker()]),
    )


def shop_is_empty(context: Context) -> bool:
    from app.services.shop import ShopState

    return context.shop.state() is ShopState.EMPTY


def seed_demo(context: Context, products: int, sales: int = 0) -> DemoSummary:
    """Seed the demo shop and ring up ``sales`` demo sales in ONE database transaction, through
    the real services: if anything fails, the database is left as it was."""
    from app.services.auth import AuthService
    from app.services.catalog import CatalogService
    from app.services.demo import DEMO_USERS, ring_up_demo_sales, seed_demo_shop
    from app.services.sales import SaleService
    from app.services.setup import SetupService
    from app.services.shop import ShopService
    from app.services.users import UserService
    from db.queries import SqlCatalogReader
    from db.repositories.catalog import SqlCatalogSnapshots

    clock, policy = context.clock, context.pin_policy
    done = 0
    with context.uow_factory.one_transaction() as transaction:
        seeding = transaction.factory(context.uow_factory.currency)
        shop = ShopService(seeding, clock)
        auth = AuthService(seeding, clock, policy)
        users = UserService(seeding, clock, auth)
        # The demo saves its products through the units of work; it imports no file, so the
        # snapshots (read outside the transaction) are never asked.
        catalog = CatalogService(seeding, clock, SqlCatalogSnapshots(context.engines.read))
        setup = SetupService(seeding, clock, auth, shop, users, catalog)
        summary = seed_demo_shop(setup, users, catalog, products)
        if sales:
            # The demo settings may have changed the currency: the sales read money in it.
            settings = shop.settings()
            selling = transaction.factory(settings.currency)
            reader = SqlCatalogReader(transaction.connection, settings.currency)
            cashier = AuthService(selling, clock, policy).login(DEMO_USERS[0][0], DEMO_USERS[0][3])
            till = SaleService(selling, reader, clock, settings)
            done = ring_up_demo_sales(till, cashier, sales, products)
    return replace(summary, sales=done)


def setup_logging(home: Path, verbose: bool = False) -> None:
    logs = home / "logs"
    try:
        logs.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            logs / "tillwright.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError as error:
        # A log that cannot be written must not stop the till or a command. (A data folder
        # that cannot be made at all is reported by the command that needs it.)
        logging.getLogger().addHandler(logging.NullHandler())
        if home.is_dir():
            sys.stderr.write(f"tillwright: cannot write the log in {logs} ({error.strerror})\n")
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)


class TillBackendOpener:
    """What the till runs on its database worker once its window is on screen: migrate, and
    by the state of the shop (ShopService.state): a shop opens for selling (this till's
    register made sure of, workers started); an empty database is seeded with the demo shop
    in demo mode, else left empty for the window's first-run screen to set up. Called again
    after that set-up, it opens the new shop afresh (its currency is wired into the
    adapters)."""

    def __init__(
        self, db: str | None, register: str | None, *, demo: bool = False, home: Path | None = None
    ) -> None:
        self._db = db
        self._register = register
        self._demo = demo
        self._home = home
        self.context: Context | None = None

    def __call__(self) -> Context:
        from app.services.demo import DEMO_PRODUCTS
        from app.services.shop import ShopState

        self.close()
        context = build_context(self._db, home=self._home, register_code=self._register)
        self.context = context  # closed by close() even when the check below refuses
        context.journal.check_startup()  # a deleted or replaced database: never seed or sell
        state = context.shop.state()
        if state is ShopState.EMPTY and self._demo:
            log.info(seed_demo(context, DEMO_PRODUCTS).summary())
            context.close()
            context = build_context(
                self._db, home=self._home, register_code=self._register, migrate=False
            )
            state = context.shop.state()
        if state is ShopState.READY:
            context.shop.ensure_register(context.register_code, f"Till {context.register_code}")
            context.workers.start()
        self.context = context
        return context

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
            self.context = None


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
        access: DatabaseAccess = "write",
    ) -> Context:
        """The shop for a command: by default it must already exist (only run, setup, demo
        and db upgrade create one)."""
        return build_context(
            url,
            home=home,
            register_code=register_code or register,
            pin_policy=pin_policy,
            migrate=migrate,
            access=access,
        )

    def upgrade(self, db: str | None) -> None:
        from db.engine import open_database

        open_database(database_url(db, ensure_data_dir(data_dir())), "create").dispose()

    def run_till(
        self,
        db: str | None,
        register: str | None,
        exit_when_ready: bool,
        demo: bool = False,
        rehearse: tuple[str, str, str] | None = None,
    ) -> int:
        from ui.app import Rehearsal, run_till

        home = demo_home(data_dir()) if demo else None
        if demo and db is None:
            # The demo's own database, whatever TILLWRIGHT_DB says: a real shop's stays clean.
            assert home is not None
            db = f"sqlite:///{home / 'tillwright.db'}"
        opener = TillBackendOpener(db, register, demo=demo, home=home)
        rehearsal = None if rehearse is None else Rehearsal(*rehearse)
        try:
            return run_till(opener, exit_when_ready=exit_when_ready, rehearsal=rehearsal)
        finally:
            opener.close()

    def demo(self, db: str | None, register: str | None, products: int | None, sales: int) -> str:
        from app.services.demo import DEMO_PRODUCTS

        context = build_context(db, register_code=register)
        try:
            if not shop_is_empty(context):
                raise UserError("This database already holds a shop; use a new --db for the demo")
            made = seed_demo(context, DEMO_PRODUCTS if products is None else products, sales)
        finally:
            context.close()
        log.info(made.summary())
        return made.for_terminal()

    def seed_demo(self, context: Context, products: int, sales: int = 0) -> str:
        return seed_demo(context, products, sales).summary()

    def bench(self, products: int, compare: int, **options: int) -> dict[str, Any]:
        from bench import run_bench

        return run_bench(self, products=products, compare=compare, **options)

    def bench_child(self, mode: str, workload: str) -> str:
        from bench import child_main

        return child_main(self, mode, workload)


def main(argv: Sequence[str] | None = None) -> int:
    from ui.cli import run

    return run(argv, Wiring())


if __name__ == "__main__":
    sys.exit(main())
