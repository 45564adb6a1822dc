"""Engines for SQLite (one till) and PostgreSQL (several tills sharing one database), and
opening the shop's database with a clear word for every way that can fail.

SQLite gets WAL, ``synchronous=FULL`` (a committed sale survives a power cut), foreign keys,
a busy timeout and ``BEGIN IMMEDIATE`` for writes, so two writers queue instead of failing
half-way. Reads use a second engine in autocommit mode, so a lookup never takes the write lock.

:func:`open_database` is how the till and the commands open a shop: a plain file path is a
SQLite file; the file is checked before SQLite sees it (folder, header, length) and the
connection is tried at once, so a missing, read-only, damaged, locked or unreachable database
is reported as one line of advice (db.failures) before any work starts.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from app.errors import EnvironmentProblem
from app.ports.storage import DatabaseAccess
from db.failures import BUSY_TIMEOUT_MS, Target, explained
from db.migrate import HEAD, current_revision, upgrade

__all__ = ["BUSY_TIMEOUT_MS", "Engines", "database_url", "make_engines", "open_database"]

SQLITE_HEADER = b"SQLite format 3\x00"
# "postgresql:/srv/db" or "sqlite:shop.db": meant as a URL, but not one.
_URL_LIKE = re.compile(r"^(sqlite|postgres(ql)?)(\+\w+)?:", re.IGNORECASE)
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@/]*@")
URL_HELP = "a file path (shop.db, ~/shop/shop.db) or postgresql://user@server:5432/database"


@dataclass(frozen=True)
class Engines:
    """The write engine (transactions) and the read engine (autocommit lookups)."""

    write: Engine
    read: Engine
    url: str

    @property
    def is_sqlite(self) -> bool:
        return self.write.dialect.name == "sqlite"

    @property
    def target(self) -> Target:
        return Target.of(make_url(self.url))

    def explained(self) -> AbstractContextManager[None]:
        """Raise the database failures of the block as advice."""
        return explained(self.target, self.write.dialect.loaded_dbapi)

    def dispose(self) -> None:
        self.write.dispose()
        self.read.dispose()


def _malformed(text: str, why: str) -> EnvironmentProblem:
    shown = _PASSWORD.sub(r"\1***@", text)  # a password typed into the URL stays off screen
    return EnvironmentProblem(
        f"{shown!r} is not a database Tillwright understands ({why}): give {URL_HELP}"
    )


def database_url(text: str) -> str:
    """A ``--db`` value as a SQLAlchemy URL: a plain path (relative, absolute, ``~``) is a SQLite
    file, made absolute; ``postgresql://`` gets the psycopg 3 driver."""
    text = text.strip()
    if not text:
        raise EnvironmentProblem(f"No database given: give {URL_HELP}")
    if "://" not in text:
        if _URL_LIKE.match(text):
            raise _malformed(text, "a URL needs :// after its scheme")
        path = Path(text).expanduser().absolute()
        return URL.create("sqlite", database=str(path)).render_as_string()
    try:
        parsed = make_url(text)
    except (ArgumentError, ValueError) as error:
        why = str(error).splitlines()[0]
        raise _malformed(text, "its port must be a number" if "int()" in why else why) from None
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.host:
            raise _malformed(text, "a SQLite URL has three slashes: sqlite:///path/to/shop.db")
        name = parsed.database
        if name and name != ":memory:":
            parsed = parsed.set(database=str(Path(name).expanduser().absolute()))
    elif backend != "postgresql":
        raise EnvironmentProblem(
            f"Unsupported database {backend!r}: use a sqlite:/// file path or a postgresql:// URL"
        )
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from pysqlite so BEGIN is ours to emit.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # First: switching to WAL needs a lock, and another program may hold one for a while.
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_read_only(dbapi_connection: Any, _record: Any) -> None:
    # Opened with mode=ro: no journal mode change, nothing else that would write.
    dbapi_connection.isolation_level = None
    dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_deferred(connection: Any) -> None:
    # A read-only transaction: one consistent snapshot for everything read in it.
    connection.exec_driver_sql("BEGIN")


def _postgres_read_only(dbapi_connection: Any, _record: Any) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    dbapi_connection.commit()


def _sqlite_connector(path: Path, mode: str) -> Callable[[], sqlite3.Connection]:
    # A file: URI with an explicit mode: "rw" never creates a missing file, "ro" never writes;
    # Path.as_uri also escapes the characters (?, #, %) a plain URL would misread.
    uri = f"{path.as_uri()}?mode={mode}"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    return connect


def make_engines(url: str, access: DatabaseAccess = "create") -> Engines:
    url = database_url(url)
    parsed = make_url(url)
    read_only = access == "read"
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database
        options: dict[str, Any] = {}
        if name and name != ":memory:":
            mode = "ro" if read_only else ("rwc" if access == "create" else "rw")
            options["creator"] = _sqlite_connector(Path(name), mode)
        on_connect = _sqlite_read_only if read_only else _sqlite_pragmas
        # Pooled: reconnecting and re-running the pragmas for every sale cost more than the
        # sale's own statements.
        write = create_engine(url, pool_size=2, max_overflow=4, **options)
        event.listen(write, "connect", on_connect)
        event.listen(write, "begin", _begin_deferred if read_only else _begin_immediate)
        read = create_engine(url, pool_size=4, max_overflow=4, **options)
        event.listen(read, "connect", on_connect)
        if name and name != ":memory:":
            for engine in (write, read):
                _count_connections(engine, Path(name).resolve())
        return Engines(write, read, url)
    server: dict[str, Any] = {"pool_pre_ping": True, "connect_args": {"connect_timeout": 10}}
    write = create_engine(url, **server)
    read = create_engine(url, isolation_level="AUTOCOMMIT", **server)
    if read_only:
        event.listen(write, "connect", _postgres_read_only)
        event.listen(read, "connect", _postgres_read_only)
    return Engines(write, read, url)


_LIVE: Counter[Path] = Counter()
"""This process's open SQLite connections by file. Closing a file releases every POSIX lock
this process holds on it, SQLite's included: reading the header while this process has a
connection to the file would let another process (a `main.py import` beside the till) take
the database for unused and remove its shared-memory index from under those connections. So
the header is read only when this process has no connection to the file."""


def _count_connections(engine: Engine, path: Path) -> None:
    def opened(_dbapi: Any, _record: Any) -> None:
        _LIVE[path] += 1

    def closed(_dbapi: Any, _record: Any | None = None) -> None:
        _LIVE[path] -= 1

    event.listen(engine, "connect", opened)
    event.listen(engine, "close", closed)
    event.listen(engine, "close_detached", closed)


def _check_sqlite_file(path: Path, access: DatabaseAccess) -> None:
    """What can be said about a SQLite file before SQLite opens it."""
    if path.is_dir():
        raise EnvironmentProblem(
            f"{path} is a folder, not a database file: give the file's path with --db "
            f"(for example {path / 'tillwright.db'})"
        )
    if not path.parent.is_dir():
        raise EnvironmentProblem(
            f"The folder {path.parent} does not exist: create it, or check the path given with --db"
        )
    if not path.exists():
        if access != "create":
            raise EnvironmentProblem(
                f"There is no database at {path}: check the path given with --db or "
                f"TILLWRIGHT_DB (nothing was created)"
            )
        return
    if _LIVE[path.resolve()] > 0:
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
        size = path.stat().st_size
    except PermissionError:
        raise EnvironmentProblem(
            f"The database file {path} cannot be read by this user (permission denied): check "
            f"its permissions, or run Tillwright as its owner"
        ) from None
    if not header:
        return  # an empty file is an empty SQLite database
    if len(header) < 100 or not header.startswith(SQLITE_HEADER):
        raise EnvironmentProblem(
            f"{path} is not a SQLite database (it does not start like one): check the path "
            f"given with --db"
        )
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65_536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is valid when its "version-valid-for" number matches the change counter.
    if header[92:96] == header[24:28] and size < page_size * pages:
        raise EnvironmentProblem(
            f"The database {path} is damaged: the file is shorter than it says it is "
            f"({size:,} of {page_size * pages:,} bytes), as when a copy stopped half-way. "
            f"Restore it from a backup"
        )


def _probe(engines: Engines, access: DatabaseAccess) -> None:
    """Connect now, so the fault is named before any work starts. A command that will write
    also takes the write lock (waiting for another program's) and changes a page it then
    rolls back: in WAL mode only a real change finds a read-only file."""
    with engines.write.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
        connection.rollback()
    if engines.is_sqlite and access != "read":
        with engines.write.connect() as connection, connection.begin() as transaction:
            version = connection.exec_driver_sql("PRAGMA user_version").scalar_one()
            connection.exec_driver_sql(f"PRAGMA user_version = {int(version)}")
            transaction.rollback()


def _check_schema(engines: Engines, access: DatabaseAccess, migrate: bool) -> None:
    revision = current_revision(engines.write)
    if revision is None and access != "create":
        raise EnvironmentProblem(
            f"{engines.target} holds no Tillwright shop: check --db (a new shop is made by "
            f"`setup` or `demo`)"
        )
    if access == "read":
        if revision != HEAD:
            raise EnvironmentProblem(
                f"{engines.target} was written by another version of Tillwright (schema "
                f"{revision}, this one reads {HEAD}): run `db upgrade` on it first"
            )
    elif migrate:
        upgrade(engines.write)


def open_database(url: str, access: DatabaseAccess = "create", *, migrate: bool = True) -> Engines:
    """The shop's engines, checked, connected and (unless read-only) migrated; every failure
    is an EnvironmentProblem of one line that says what to do."""
    url = database_url(url)
    target = Target.of(make_url(url))
    if target.path is not None:
        _check_sqlite_file(target.path, access)
    engines = make_engines(url, access)
    try:
        with engines.explained():
            _probe(engines, access)
            _check_schema(engines, access, migrate)
    except BaseException:
        engines.dispose()
        raise
    return engines
