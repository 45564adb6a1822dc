"""The unit of work: one Session, one write transaction, repositories bound to it.

Commits whole or rolls back on exit. After a commit that appended to the journal, the journal
anchor is told the new head (it keeps a copy outside the database and never raises). Database
failures that are the machine's fault (disk full, locked, server gone) become
EnvironmentProblem with advice (db.failures); a rollback that fails too (the connection is
gone) never hides the error that caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.domain.journal import JournalHead
from app.domain.money import Currency
from app.ports.system import ChangePublisher, JournalAnchor, JournalKeys
from db.failures import Target, environmental_message, explain, explained
from db.repositories.catalog import CatalogRepository
from db.repositories.journal import JournalRepository
from db.repositories.parked import ParkedRepository
from db.repositories.sales import RegisterRepository, SaleRepository
from db.repositories.settings import SettingsRepository
from db.repositories.stock import StockRepository
from db.repositories.users import UserRepository

log = logging.getLogger(__name__)


class SqlUnitOfWork:
    session: Session
    catalog: CatalogRepository
    stock: StockRepository
    registers: RegisterRepository
    sales: SaleRepository
    journal: JournalRepository
    users: UserRepository
    settings: SettingsRepository
    parked: ParkedRepository

    def __init__(
        self,
        factory: sessionmaker[Session],
        currency: Currency,
        anchor: JournalAnchor | None,
        driver: object,
        publisher: ChangePublisher | None,
        target: Target,
        keys: JournalKeys | None,
    ) -> None:
        self._factory = factory
        self._driver = driver
        self._target = target
        self._currency = currency
        self._anchor = anchor
        self._publisher = publisher
        self._keys = keys
        self._changes: list[tuple[str, str | int | None]] = []

    def __enter__(self) -> Self:
        self.session = self._factory()
        self.catalog = CatalogRepository(self.session, self._currency)
        self.stock = StockRepository(self.session)
        self.registers = RegisterRepository(self.session)
        self.sales = SaleRepository(self.session)
        self.journal = JournalRepository(self.session, self._keys)
        self.users = UserRepository(self.session)
        self.settings = SettingsRepository(self.session)
        self.parked = ParkedRepository(self.session, self._currency)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._changes = []  # what did not commit is not announced
        try:
            self.session.rollback()
        except Exception as failed:
            # The connection is gone (a server restart, a dropped network): nothing can be
            # committed on it anyway. Keep the error that got us here; with none, the work
            # done was only reading, and it is done.
            log.warning("rollback failed (%s); the connection is dropped", failed)
            self.session.invalidate()
            if exc is None:
                return
        finally:
            self.session.close()
        message = environmental_message(exc, self._driver)
        if message is not None:
            raise explain(message, self._target) from exc

    def commit(self) -> None:
        with explained(self._target, self._driver):
            self.session.commit()
        if self._anchor is not None and self.journal.last is not None:
            self._anchor.moved(self.journal.last)
        changes, self._changes = self._changes, []
        if self._publisher is not None:
            for topic, key in dict.fromkeys(changes):
                self._publisher.publish(topic, key)

    def changed(self, topic: str, key: str | int | None = None) -> None:
        self._changes.append((topic, key))


class SqlUnitOfWorkFactory:
    """Callable that opens a fresh unit of work: Sessions are not shared between threads.

    Bound to a Connection inside :func:`one_transaction` instead of an Engine, every unit of
    work it opens is a savepoint of that one transaction."""

    def __init__(
        self,
        bind: Engine | Connection,
        currency: Currency,
        anchor: JournalAnchor | None,
        publisher: ChangePublisher | None = None,
        keys: JournalKeys | None = None,
    ) -> None:
        self._bind = bind
        self._sessions = sessionmaker(
            bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        self.currency = currency
        self._anchor = anchor
        self._publisher = publisher
        self._keys = keys
        self._driver: object = bind.dialect.loaded_dbapi
        self._target = Target.of(make_url(bind.engine.url))

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self._sessions,
            self.currency,
            self._anchor,
            self._driver,
            self._publisher,
            self._target,
            self._keys,
        )

    @contextmanager
    def one_transaction(self) -> Iterator[OneTransaction]:
        """One write transaction for work done through many units of work (seeding a demo
        shop). It commits when the block ends and rolls back whole, leaving nothing behind,
        if the block raises; the journal head is anchored once it has committed."""
        if not isinstance(self._bind, Engine):
            raise TypeError("one_transaction needs a factory bound to an engine")
        held = _HeldAnchor(self._keys)
        with (
            explained(self._target, self._driver),
            self._bind.connect() as connection,
            connection.begin(),
        ):
            yield OneTransaction(connection, held)
        if held.head is not None and self._anchor is not None:
            self._anchor.moved(held.head)


class _HeldAnchor:
    """Keeps the newest journal head reached inside one transaction until it has committed:
    an anchor ahead of the database would make a rolled-back seed look like a removed tail."""

    def __init__(self, keys: JournalKeys | None) -> None:
        self.head: JournalHead | None = None
        self.keys = keys

    def moved(self, head: JournalHead) -> None:
        if self.head is None or head.seq > self.head.seq:
            self.head = head


class OneTransaction:
    """The open transaction of :meth:`SqlUnitOfWorkFactory.one_transaction`."""

    def __init__(self, connection: Connection, anchor: _HeldAnchor) -> None:
        self.connection = connection
        self._anchor = anchor

    def factory(self, currency: Currency) -> SqlUnitOfWorkFactory:
        """Units of work that are savepoints of this transaction (money read in ``currency``)."""
        return SqlUnitOfWorkFactory(self.connection, currency, self._anchor, keys=self._anchor.keys)
