"""Read-side queries for the till: barcode/SKU lookup and name search, returning DTOs.

This is the hottest path in the application (every scan), so it keeps one autocommit
connection per thread and runs one pre-built statement per lookup; it never loads the catalog.
Name search uses the FTS5 trigram index on SQLite and pg_trgm on PostgreSQL, both over the
folded ``variant.search_text`` column; its statement and ranking are in :mod:`db.sql`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from app.domain.cart import CartItem
from app.domain.money import Currency
from db import sql
from db.driver import Driver
from db.failures import explain

log = logging.getLogger(__name__)


class SqlCatalogReader:
    """Implements app.ports.CatalogReader.

    Given a Connection instead of an Engine, it reads inside that connection's transaction
    (a demo shop being seeded in one transaction), and leaves closing it to its owner."""

    def __init__(self, bind: Engine | Connection, currency: Currency) -> None:
        self._bind = bind
        self._currency = currency
        self._sqlite = bind.dialect.name == "sqlite"
        self._local = threading.local()
        dbapi = bind.dialect.loaded_dbapi
        # What a connection that died under us raises (a server restart, a dropped network).
        self._lost: tuple[type[Exception], ...] = (dbapi.OperationalError, dbapi.InterfaceError)

    def _driver(self) -> Driver:
        # One autocommit connection per thread, kept open: a scan is then one statement.
        driver: Driver | None = getattr(self._local, "driver", None)
        if driver is None or driver.connection.closed or driver.connection.invalidated:
            bind = self._bind
            driver = Driver(bind if isinstance(bind, Connection) else bind.connect())
            self._local.driver = driver
        return driver

    def close(self) -> None:
        driver: Driver | None = getattr(self._local, "driver", None)
        if driver is not None:
            if driver.connection is not self._bind:
                driver.connection.close()
            self._local.driver = None

    def _item(self, row: Any) -> CartItem:
        return sql.item_from_row(row, self._currency)

    def item_by_code(self, code: str) -> CartItem | None:
        row = self._run(sql.BY_CODE, {"code": code}).fetchone()
        return None if row is None else self._item(row)

    def search(self, terms: Sequence[str], limit: int) -> list[CartItem]:
        if not terms:
            return []
        statement, params = sql.search_statement(terms, limit, self._sqlite)
        return [self._item(row) for row in self._run(statement, params).fetchall()]

    def _run(self, sql: str, params: dict[str, Any]) -> Any:
        try:
            return self._attempt(sql, params)
        except self._lost as error:
            # The kept connection died (the server restarted): reconnect and try once more,
            # so the first scan afterwards just works.
            log.info("catalog reader reconnecting after: %s", error)
        try:
            return self._attempt(sql, params)
        except self._lost as error:
            raise explain(str(error)) from error

    def _attempt(self, sql: str, params: dict[str, Any]) -> Any:
        try:
            return self._driver().execute(sql, params)
        except OperationalError as error:  # SQLAlchemy could not even connect: say why
            self._forget()
            raise explain(str(error.orig)) from error
        except Exception:
            self._forget()
            raise

    def _forget(self) -> None:
        """Drop this thread's connection, even a dead one, so the next lookup reconnects."""
        driver: Driver | None = getattr(self._local, "driver", None)
        self._local.driver = None
        if driver is not None:
            try:
                driver.connection.invalidate()
                driver.connection.close()
            except Exception as error:  # it is already gone; nothing to give back
                log.debug("closing a dead reader connection: %s", error)


def shop_setting_values(engine: Engine) -> dict[str, str]:
    """The raw shop settings, read before any unit of work exists (the currency decides how
    the repositories read money)."""
    with engine.connect() as connection:
        return {
            str(key): str(value)
            for key, value in connection.execute(text("SELECT key, value FROM shop_setting"))
        }
