"""Tillwright's composition root and command line.

settings -> engines -> migrate -> adapters -> services -> window/CLI. This is the only module
that imports every layer and wires them together.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import logging.handlers
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import TillwrightError, UserError

# The layers are imported inside the functions that wire them: `main.py run` must put the
# till window on screen before SQLAlchemy (~200 ms to import) has loaded (main.py bench, d).
if TYPE_CHECKING:
    from app.domain.users import PinPolicy
    from app.services.auth import AuthService
    from app.services.catalog import CatalogService
    from app.services.journal import JournalService
    from app.services.sales import SaleService
    from app.services.shop import ShopService
    from db.engine import Engines
    from db.queries import SqlCatalogReader
    from db.uow import SqlUnitOfWorkFactory

log = logging.getLogger("tillwright")

DEMO_PRODUCTS = 2000


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

    def sales(self) -> SaleService:
        """A sale service bound to the shop's current settings (currency, tax mode)."""
        from app.services.sales import SaleService

        return SaleService(self.uow_factory, self.reader, self.clock, self.shop.settings())

    def close(self) -> None:
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
    from app.services.demo import DEMO_REGISTER
    from app.services.journal import JournalService
    from app.services.shop import ShopService, settings_from
    from db.anchor import FileJournalAnchor
    from db.engine import make_engines
    from db.migrate import upgrade
    from db.queries import SqlCatalogReader, shop_setting_values
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
    uow_factory = SqlUnitOfWorkFactory(engines.write, currency, anchor)
    shop = ShopService(uow_factory)
    return Context(
        engines=engines,
        home=home,
        register_code=(register_code or os.environ.get("TILLWRIGHT_REGISTER") or DEMO_REGISTER),
        shop=shop,
        auth=AuthService(uow_factory, clock, policy),
        catalog=CatalogService(uow_factory, clock),
        journal=JournalService(uow_factory, anchor),
        reader=SqlCatalogReader(engines.read, currency),
        uow_factory=uow_factory,
        clock=clock,
        pin_policy=policy,
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


# Commands ----------------------------------------------------------------------------


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
            log.info(seed_demo(context, DEMO_PRODUCTS))
            context.close()
            context = build_context(self._db, register_code=self._register, migrate=False)
        context.shop.ensure_register(context.register_code, f"Till {context.register_code}")
        self.context = context
        return context

    def close(self) -> None:
        if self.context is not None:
            self.context.close()


def cmd_run(args: argparse.Namespace) -> int:
    from ui.app import run_till

    opener = TillBackendOpener(args.db, args.register)
    try:
        return run_till(opener, exit_when_ready=args.exit_when_ready)
    finally:
        opener.close()


def cmd_demo(args: argparse.Namespace) -> int:
    context = build_context(args.db, register_code=args.register)
    if not shop_is_empty(context):
        raise UserError("This database already holds a shop; use a new --db for the demo")
    print(seed_demo(context, args.products, args.sales))
    context.close()
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    context = build_context(args.db)
    path = Path(args.file)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UserError(f"Cannot read {path}: {error.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(
            f"{path} is not UTF-8 text (byte {error.start}); save it as CSV UTF-8 and retry"
        ) from None
    mapping = dict(pair.split("=", 1) for pair in args.map or [])
    report = context.catalog.import_csv(text, None, format=args.format, mapping=mapping or None)
    print(report.summary())
    for problem in report.problems:
        print(f"  row {problem.row}: {problem.message}", file=sys.stderr)
    context.close()
    return 0 if report.ok else 3


def cmd_journal_verify(args: argparse.Namespace) -> int:
    context = build_context(args.db)
    result = context.journal.verify()
    context.close()
    if result.ok:
        print(f"Journal OK: {result.entries} entries, head #{result.head_seq} {result.head_hash}")
        return 0
    print(f"Journal BROKEN at entry {result.bad_seq}: {result.problem}", file=sys.stderr)
    return 4


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from db.engine import make_engines
    from db.migrate import upgrade

    url = database_url(args.db, data_dir())
    engines = make_engines(url)
    upgrade(engines.write)
    engines.dispose()
    print("Database schema is up to date")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from bench import run_bench

    result = run_bench(products=args.products, compare=args.compare)
    print(json.dumps(result, indent=2) if args.json else result["table"])
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="tillwright", description=__doc__)
    top.add_argument(
        "--db", help="database URL (default: SQLite file in the data directory; env TILLWRIGHT_DB)"
    )
    top.add_argument("--register", help="this till's register code (env TILLWRIGHT_REGISTER)")
    top.add_argument("-v", "--verbose", action="store_true")
    sub = top.add_subparsers(dest="command")

    run = sub.add_parser("run", help="open the till (the default)")
    run.add_argument("--exit-when-ready", action="store_true", help=argparse.SUPPRESS)
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="seed a demo shop")
    demo.add_argument("--products", type=int, default=DEMO_PRODUCTS)
    demo.add_argument("--sales", type=int, default=0)
    demo.set_defaults(func=cmd_demo)

    imp = sub.add_parser("import", help="import data")
    imp_sub = imp.add_subparsers(dest="what", required=True)
    products = imp_sub.add_parser("products", help="import a product CSV")
    products.add_argument("file")
    products.add_argument(
        "--format", default="auto", choices=["auto", "shopify", "woocommerce", "generic"]
    )
    products.add_argument(
        "--map",
        action="append",
        metavar="FIELD=COLUMN",
        help="generic CSV: which column holds a field (repeatable)",
    )
    products.set_defaults(func=cmd_import)

    journal = sub.add_parser("journal", help="the fiscal journal")
    journal_sub = journal.add_subparsers(dest="what", required=True)
    journal_sub.add_parser("verify", help="check the hash chain").set_defaults(
        func=cmd_journal_verify
    )

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="what", required=True)
    db_sub.add_parser("upgrade", help="run migrations").set_defaults(func=cmd_db_upgrade)

    bench = sub.add_parser("bench", help="measure against raw sqlite3")
    bench.add_argument("--products", type=int, default=100_000)
    bench.add_argument(
        "--compare",
        type=int,
        default=10_000,
        help="a smaller catalog to show what grows with size (0 to skip)",
    )
    bench.add_argument("--json", action="store_true")
    bench.set_defaults(func=cmd_bench)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is None:
        args = parser().parse_args([*(argv or sys.argv[1:]), "run"])
    setup_logging(data_dir(), args.verbose)
    try:
        return int(args.func(args))
    except TillwrightError as error:
        log.warning("%s failed: %s", args.command, error)
        print(f"tillwright: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
