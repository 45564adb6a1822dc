"""Read-side queries for the till: barcode/SKU lookup and name search, returning DTOs.

This is the hottest path in the application (every scan), so it keeps one autocommit
connection per thread and runs one pre-built statement per lookup; it never loads the catalog.
Name search uses the FTS5 trigram index on SQLite and pg_trgm on PostgreSQL, both over the
folded ``variant.search_text`` column; its statement and ranking are in :mod:`db.sql`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, text

from app.domain.cart import CartItem
from app.domain.money import Currency
from db import sql
from db.driver import Driver


class SqlCatalogReader:
    """Implements app.ports.CatalogReader."""

    def __init__(self, engine: Engine, currency: Currency) -> None:
        self._engine = engine
        self._currency = currency
        self._sqlite = engine.dialect.name == "sqlite"
        self._local = threading.local()

    def _driver(self) -> Driver:
        # One autocommit connection per thread, kept open: a scan is then one statement.
        driver: Driver | None = getattr(self._local, "driver", None)
        if driver is None or driver.connection.closed or driver.connection.invalidated:
            driver = Driver(self._engine.connect())
            self._local.driver = driver
        return driver

    def close(self) -> None:
        driver: Driver | None = getattr(self._local, "driver", None)
        if driver is not None:
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
            return self._driver().execute(sql, params)
        except Exception:
            # A dropped server connection: forget it so the next lookup reconnects.
            self.close()
            raise


def shop_setting_values(engine: Engine) -> dict[str, str]:
    """The raw shop settings, read before any unit of work exists (the currency decides how
    the repositories read money)."""
    with engine.connect() as connection:
        return {
            str(key): str(value)
            for key, value in connection.execute(text("SELECT key, value FROM shop_setting"))
        }
