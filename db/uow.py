"""The unit of work: one Session, one write transaction, repositories bound to it.

Commits whole or rolls back on exit. After a commit that appended to the journal, the journal
anchor is told the new head (it keeps a copy outside the database and never raises). Database
failures that are the machine's fault (disk full, locked, server gone) become
EnvironmentProblem with advice; a rollback that fails too (the connection is gone) never hides
the error that caused it.
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.domain.money import Currency
from app.errors import EnvironmentProblem
from app.ports.system import ChangePublisher, JournalAnchor, JournalKeys
from db.repositories.catalog import CatalogRepository
from db.repositories.journal import JournalRepository
from db.repositories.parked import ParkedRepository
from db.repositories.sales import RegisterRepository, SaleRepository
from db.repositories.settings import SettingsRepository
from db.repositories.stock import StockRepository
from db.repositories.users import UserRepository

log = logging.getLogger(__name__)


def explain(message: str) -> EnvironmentProblem:
    """Turn a driver's error message into advice a shopkeeper can act on."""
    text = message.lower()
    if "disk is full" in text or "database or disk is full" in text or "no space" in text:
        advice = "The disk is full: free some space, then try again. Nothing was saved."
    elif "locked" in text or "busy" in text:
        advice = "The database is busy with another till: try again in a moment."
    elif "readonly" in text or "read-only" in text:
        advice = "The database file is read-only: check its permissions."
    elif "connection" in text or "server" in text or "could not connect" in text:
        advice = "Cannot reach the database server: check the network and that it is running."
    else:
        advice = f"The database refused the change ({message}). Nothing was saved."
    return EnvironmentProblem(advice)


def environment_problem(
    error: BaseException | None, driver_error: type[Exception]
) -> EnvironmentProblem | None:
    """The advice for a failure that is the machine's fault, whichever way it arrived:
    through SQLAlchemy, or straight from the driver on the hand-written hot path."""
    if isinstance(error, OperationalError):
        return explain(str(error.orig))
    if isinstance(error, driver_error):
        return explain(str(error))
    return None


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
        driver_error: type[Exception],
        publisher: ChangePublisher | None,
        keys: JournalKeys | None = None,
    ) -> None:
        self._factory = factory
        self._driver_error = driver_error
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
        problem = environment_problem(exc, self._driver_error)
        if problem is not None:
            raise problem from exc

    def commit(self) -> None:
        try:
            self.session.commit()
        except OperationalError as error:
            raise explain(str(error.orig)) from error
        if self._anchor is not None and self.journal.last is not None:
            self._anchor.moved(self.journal.last)
        changes, self._changes = self._changes, []
        if self._publisher is not None:
            for topic, key in dict.fromkeys(changes):
                self._publisher.publish(topic, key)

    def changed(self, topic: str, key: str | int | None = None) -> None:
        self._changes.append((topic, key))


class SqlUnitOfWorkFactory:
    """Callable that opens a fresh unit of work: Sessions are not shared between threads."""

    def __init__(
        self,
        engine: Engine,
        currency: Currency,
        anchor: JournalAnchor | None,
        publisher: ChangePublisher | None = None,
        keys: JournalKeys | None = None,
    ) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.currency = currency
        self._anchor = anchor
        self._publisher = publisher
        self._keys = keys
        self._driver_error: type[Exception] = engine.dialect.loaded_dbapi.OperationalError

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self._sessions,
            self.currency,
            self._anchor,
            self._driver_error,
            self._publisher,
            self._keys,
        )
