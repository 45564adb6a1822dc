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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Connection, Dialect
from sqlalchemy.orm import Session

from db.types import QUANTITY, RATE, UTCDateTime

_NAMED = re.compile(r"(?<![:\w]):(\w+)")
BULK_ROWS = 1000


class Bulk(NamedTuple):
    """One statement for many rows, in each database's best form (see Driver.bulk)."""

    sqlite: str
    """With ``:name`` parameters for one row."""
    postgres: str
    """With ``:name`` parameters that are arrays of all the rows' values (``unnest``)."""


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

    def bulk(self, statement: Bulk, rows: Iterable[Mapping[str, Any]]) -> int:
        """Run a statement for many rows; returns the rows affected.

        SQLite runs ``statement.sqlite`` once per row (executemany: in-process, fast).
        PostgreSQL would pay a round trip and an execution per row, so ``statement.postgres``
        takes each parameter as an array of up to ``BULK_ROWS`` rows (``unnest``): one
        statement per thousand rows, and never near its limit of 65 535 parameters."""
        batch = list(rows)
        if not batch:
            return 0
        if not self._postgres:
            return self.executemany(statement.sqlite, batch)
        names = list(batch[0])
        affected = 0
        for start in range(0, len(batch), BULK_ROWS):
            chunk = batch[start : start + BULK_ROWS]
            params = {name: [row[name] for row in chunk] for name in names}
            self._cursor.execute(self._sql(statement.postgres), params)
            affected += max(int(self._cursor.rowcount), 0)
        return affected

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


_T = TypeVar("_T")

IN_CHUNK = 1000
"""Keys per IN list or executemany batch: PostgreSQL takes 65 535 parameters per statement,
SQLite 32 766; a thousand keeps every statement short whatever the catalog's size."""


def chunks(values: Iterable[_T], size: int = IN_CHUNK) -> Iterator[list[_T]]:
    """``values`` in lists of at most ``size``."""
    chunk: list[_T] = []
    for value in values:
        chunk.append(value)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def in_clause(driver: Driver, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """An IN list for ``values`` and its parameters: ``(:k0, :k1, …)`` on SQLite, one array
    parameter on PostgreSQL (planning a thousand separate parameters costs it more than the
    lookups)."""
    if driver.postgres:
        kind = "bigint" if values and isinstance(values[0], int) else "text"
        return f"(SELECT unnest(:k::{kind}[]))", {"k": list(values)}
    return in_list("k", values)


def select_in(driver: Driver, statement: str, key: str, values: Iterable[Any]) -> list[Any]:
    """Run ``statement`` once per chunk of ``values`` (duplicates dropped), its ``{key}``
    placeholder filled with the chunk's IN list; all rows."""
    rows: list[Any] = []
    size = IN_CHUNK * 10 if driver.postgres else IN_CHUNK
    for chunk in chunks(dict.fromkeys(values), size):
        placeholders, params = in_clause(driver, chunk)
        rows.extend(driver.execute(statement.format(**{key: placeholders}), params).fetchall())
    return rows


def _processor(type_: UTCDateTime, dialect: Dialect) -> Callable[[Any], Any]:
    process = type_.bind_processor(dialect)
    return process if process is not None else (lambda value: value)


def read_rate(stored: int) -> Decimal:
    """A tax rate as it comes back from a raw query (see db/types.py, RATE)."""
    return Decimal(stored).scaleb(-RATE.scale)


def read_quantity(stored: int) -> Decimal:
    """A quantity as it comes back from a raw query (see db/types.py, QUANTITY)."""
    return Decimal(stored).scaleb(-QUANTITY.scale)
