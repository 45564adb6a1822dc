"""Engines for SQLite (one till) and PostgreSQL (several tills sharing one database).

SQLite gets WAL, ``synchronous=FULL`` (a committed sale survives a power cut), foreign keys,
a busy timeout and ``BEGIN IMMEDIATE`` for writes, so two writers queue instead of failing
half-way. Reads use a second engine in autocommit mode, so a lookup never takes the write lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from app.errors import EnvironmentProblem

BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Engines:
    """The write engine (transactions) and the read engine (autocommit lookups)."""

    write: Engine
    read: Engine
    url: str

    @property
    def is_sqlite(self) -> bool:
        return self.write.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.write.dispose()
        self.read.dispose()


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and pick the psycopg 3 driver for it."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise EnvironmentProblem(
            f"Unsupported database {parsed.get_backend_name()!r}: use a sqlite:/// file path "
            "or a postgresql:// URL"
        )
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from pysqlite so BEGIN is ours to emit.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engines(url: str) -> Engines:
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        # Pooled: reconnecting and re-running the pragmas for every sale cost more than the
        # sale's own statements.
        write = create_engine(url, pool_size=2, max_overflow=4)
        event.listen(write, "connect", _sqlite_pragmas)
        event.listen(write, "begin", _begin_immediate)
        read = create_engine(url, pool_size=4, max_overflow=4)
        event.listen(read, "connect", _sqlite_pragmas)
        return Engines(write, read, url)
    options: dict[str, Any] = {"pool_pre_ping": True, "connect_args": {"connect_timeout": 10}}
    write = create_engine(url, **options)
    read = create_engine(url, isolation_level="AUTOCOMMIT", **options)
    return Engines(write, read, url)
