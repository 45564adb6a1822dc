"""Hand-written SQL for the hot paths, run on the database driver's own cursor.

A scan and a sale are a handful of short statements each; SQLAlchemy's per-execution work
(result set-up, parameter construction per executemany row) cost more than SQLite took to run
them (``main.py bench``). The statements here are plain SQL with ``:name`` parameters, which
sqlite3 takes as they are and which become ``%(name)s`` for psycopg. Values are converted with
the same bind processors the models' column types use, so rows written here read back through
the ORM exactly as if SQLAlchemy had written them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.orm import Session

from db.types import QUANTITY, RATE, UTCDateTime

_NAMED = re.compile(r"(?<![:\w]):(\w+)")


@cache
def pyformat(sql: str) -> str:
    """A statement's ``:name`` parameters as psycopg's ``%(name)s``."""
    return _NAMED.sub(r"%(\1)s", sql)


class Driver:
    """Executes hand-written SQL on one SQLAlchemy connection's driver cursor."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        dialect: Dialect = connection.dialect
        raw = connection.connection.driver_connection
        assert raw is not None  # a checked-out connection always has its driver connection
        self._cursor = raw.cursor()
        self._postgres = dialect.name == "postgresql"
        self._time: Callable[[Any], Any] = _processor(UTCDateTime(), dialect)
        self._read_time = UTCDateTime().dialect_impl(dialect).result_processor(dialect, None)
        self._dialect = dialect

    @property
    def postgres(self) -> bool:
        return self._postgres

    @property
    def integrity_error(self) -> type[Exception]:
        """The driver's own IntegrityError (a unique or foreign key violation)."""
        error: type[Exception] = self._dialect.loaded_dbapi.IntegrityError
        return error

    def _sql(self, sql: str) -> str:
        return pyformat(sql) if self._postgres else sql

    def execute(self, sql: str, params: Mapping[str, Any]) -> Any:
        """Run one statement; returns the cursor, to fetch from or read ``rowcount``."""
        self._cursor.execute(self._sql(sql), params)
        return self._cursor

    def executemany(self, sql: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """Run one statement for many rows; returns the total number of rows affected."""
        self._cursor.executemany(self._sql(sql), list(rows))
        return int(self._cursor.rowcount)

    def time(self, value: datetime) -> Any:
        return self._time(value)

    def read_time(self, stored: Any) -> datetime | None:
        """A stored (naive UTC) time as it comes back from a raw query, made aware."""
        value = self._read_time(stored) if self._read_time is not None else stored
        return None if value is None else value.astimezone(UTC)

    @property
    def dialect_name(self) -> str:
        return str(self._dialect.name)

    def quantity(self, value: Decimal) -> int | None:
        return QUANTITY.process_bind_param(value, self._dialect)

    def rate(self, value: Decimal) -> int | None:
        return RATE.process_bind_param(value, self._dialect)


def driver_for(session: Session) -> Driver:
    """The Driver for the session's current connection (made once per transaction)."""
    connection = session.connection()
    found = session.info.get("driver")
    if not isinstance(found, Driver) or found.connection is not connection:
        found = Driver(connection)
        session.info["driver"] = found
    return found


def in_list(name: str, values: Iterable[Any]) -> tuple[str, dict[str, Any]]:
    """``(:name0, :name1, …)`` and its parameters, for an IN clause."""
    params = {f"{name}{i}": value for i, value in enumerate(values)}
    return "(" + ", ".join(f":{key}" for key in params) + ")", params


def _processor(type_: UTCDateTime, dialect: Dialect) -> Callable[[Any], Any]:
    process = type_.bind_processor(dialect)
    return process if process is not None else (lambda value: value)


def read_rate(stored: int) -> Decimal:
    """A tax rate as it comes back from a raw query (see db/types.py, RATE)."""
    return Decimal(stored).scaleb(-RATE.scale)


def read_quantity(stored: int) -> Decimal:
    """A quantity as it comes back from a raw query (see db/types.py, QUANTITY)."""
    return Decimal(stored).scaleb(-QUANTITY.scale)
