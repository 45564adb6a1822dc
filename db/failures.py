"""One translation of database failures into advice a shopkeeper can act on.

A driver's message ("unable to open database file", "role "x" does not exist") becomes an
EnvironmentProblem of one line that names the database and says what to do. Opening a
database (db.engine), a unit of work (db.uow) and the hand-written hot path all come here, so
the till's sign-in screen and the command line give the same advice for the same fault.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError, InterfaceError, OperationalError

from app.errors import EnvironmentProblem

BUSY_TIMEOUT_MS = 10_000
"""How long SQLite waits for another program's lock before the work is refused."""


@dataclass(frozen=True, slots=True)
class Target:
    """The database a message is about: a SQLite file, or a database on a PostgreSQL server."""

    path: Path | None = None
    host: str | None = None
    port: int | None = None
    database: str | None = None
    user: str | None = None

    @classmethod
    def of(cls, url: URL) -> Target:
        if url.get_backend_name() == "sqlite":
            name = url.database or ""
            return cls(path=Path(name) if name and name != ":memory:" else None)
        return cls(host=url.host, port=url.port, database=url.database, user=url.username)

    @property
    def server(self) -> str:
        if not self.host:
            return "this computer's PostgreSQL socket"
        return f"{self.host}:{self.port or 5432}"

    def __str__(self) -> str:
        if self.path is not None:
            return f"The database {self.path}"
        return f'The database "{self.database or self.user or ""}" on {self.server}'


def lock_holders(path: Path) -> list[str]:
    """Other processes that have the SQLite file (or its -wal/-shm) open, as "pid N (command)".

    Read from /proc (Linux); processes of other users cannot be seen unless we are root, and
    elsewhere the list is empty: the advice then says "another program"."""
    wanted = {str(path.resolve()) + suffix for suffix in ("", "-wal", "-shm", "-journal")}
    found: list[str] = []
    try:
        processes = [p for p in Path("/proc").iterdir() if p.name.isdigit()]
    except OSError:
        return found
    for process in processes:
        if int(process.name) == os.getpid():
            continue
        try:
            opened = {os.readlink(fd) for fd in (process / "fd").iterdir()}
            if not opened & wanted:
                continue
            command = (process / "cmdline").read_bytes().decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to look at
            continue
        found.append(f"pid {process.name} ({' '.join(command.replace(chr(0), ' ').split())[:60]})")
    return found


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK)


def _read_only(target: Target) -> str:
    path = target.path
    if path is None:
        return "The database is read-only: Tillwright needs to write it. Nothing was saved."
    folder = path.parent
    if path.exists() and not _writable(path):
        return (
            f"The database file {path} is read-only for this user: make it writable "
            f"(chmod u+w, or run Tillwright as its owner). Nothing was saved."
        )
    if not _writable(folder):
        return (
            f"The folder {folder} is read-only: SQLite keeps {path.name}-wal and "
            f"{path.name}-shm beside the database, so the folder must be writable (or move "
            f"the database to a folder that is). Nothing was saved."
        )
    return f"The database file {path} is read-only: check its permissions. Nothing was saved."


def _cannot_open(target: Target) -> str:
    path = target.path
    if path is None:
        return "The database cannot be opened: check the path given with --db."
    if not path.parent.is_dir():
        return (
            f"The folder {path.parent} does not exist: create it, or check the path given "
            f"with --db."
        )
    if not path.exists():
        return f"There is no database at {path}: check the path given with --db or TILLWRIGHT_DB."
    if not os.access(path, os.R_OK):
        return (
            f"The database file {path} cannot be read by this user (permission denied): "
            f"check its permissions, or run Tillwright as its owner."
        )
    return _read_only(target)


def _locked(target: Target) -> str:
    seconds = BUSY_TIMEOUT_MS // 1000
    if target.path is None:
        return (
            f"The database stayed busy for {seconds} s: another till or program is holding it; "
            f"try again in a moment. Nothing was saved."
        )
    holders = lock_holders(target.path)
    who = f"it is open in {', '.join(holders)}" if holders else "another program holds it"
    return (
        f"The database {target.path} stayed locked for {seconds} s ({who}): let that program "
        f"finish or close it, then try again. Nothing was saved."
    )


_QUOTED = re.compile(r'"([^"]*)"')


def _named(message: str, after: str) -> str:
    """The quoted name in a server message such as 'database "shop" does not exist'."""
    match = _QUOTED.search(message[message.lower().find(after) :])
    return match.group(1) if match else ""


def _postgres(text: str, message: str, target: Target) -> str | None:
    server = target.server
    if "connection refused" in text:
        return (
            f"No PostgreSQL server answers at {server} (connection refused): check that the "
            f"server is running and the host and port given with --db."
        )
    if "failed to resolve host" in text or "could not translate host name" in text:
        return (
            f"The database server's name {target.host!r} is unknown: check the host given "
            f"with --db and the network."
        )
    if "timeout expired" in text or "timed out" in text:
        return (
            f"The PostgreSQL server at {server} did not answer in time: check the network "
            f"and that the server is running."
        )
    if "does not exist" in text and "database" in text:
        name = _named(message, "database") or target.database
        return (
            f'The PostgreSQL server at {server} has no database "{name}": check the database '
            f"name given with --db (or create it: createdb {name})."
        )
    if "does not exist" in text and "role" in text:
        name = _named(message, "role") or target.user
        return (
            f'The PostgreSQL server at {server} has no user "{name}": check the user name '
            f"given with --db."
        )
    if "password authentication failed" in text or "no password supplied" in text:
        return (
            f"The PostgreSQL server at {server} refused the password for user "
            f'"{target.user}": put the right one in ~/.pgpass (never in --db).'
        )
    if "pg_hba.conf" in text:
        return (
            f"The PostgreSQL server at {server} does not let this computer connect as user "
            f'"{target.user}": ask its administrator to allow it (pg_hba.conf).'
        )
    if "ssl negotiation" in text or "server closed the connection unexpectedly" in text:
        return (
            f"Something at {server} answered, but not as a PostgreSQL server would: check the "
            f"host and port given with --db."
        )
    if "connection" in text or "server" in text or "could not connect" in text:
        return "Cannot reach the database server: check the network and that it is running."
    return None


def explain(message: str, target: Target | None = None) -> EnvironmentProblem:
    """Turn a driver's error message into advice a shopkeeper can act on."""
    target = target or Target()
    text = message.lower()
    if "disk is full" in text or "database or disk is full" in text or "no space" in text:
        advice = "The disk is full: free some space, then try again. Nothing was saved."
    elif "database is locked" in text or "database table is locked" in text or "busy" in text:
        advice = _locked(target)
    elif "readonly" in text or "read-only" in text:
        advice = _read_only(target)
    elif "unable to open database file" in text:
        advice = _cannot_open(target)
    elif "malformed" in text:
        advice = f"{target} is damaged ({message}): restore it from a backup. Nothing was saved."
    elif "file is not a database" in text or "encrypted" in text:
        advice = (
            f"{target.path or target} is not a SQLite database ({message}): check the path "
            f"given with --db."
        )
    else:
        advice = _postgres(text, message, target) or (
            f"The database refused the change ({message}). Nothing was saved."
        )
    return EnvironmentProblem(advice)


def environmental_message(error: BaseException | None, driver: object) -> str | None:
    """The driver's message when ``error`` is the machine's fault (not a bug in a statement),
    whichever way it arrived: through SQLAlchemy, or from the driver ``driver`` (the DB-API
    module) on the hand-written hot path."""
    if isinstance(error, OperationalError | InterfaceError) or type(error) is DatabaseError:
        return str(error.orig)
    if error is None:
        return None
    operational = getattr(driver, "OperationalError", None)
    interface = getattr(driver, "InterfaceError", None)
    database = getattr(driver, "DatabaseError", None)
    if (
        (operational is not None and isinstance(error, operational))
        or (interface is not None and isinstance(error, interface))
        or (database is not None and type(error) is database)
    ):
        return str(error)
    return None


@contextmanager
def explained(target: Target, driver: object = None) -> Iterator[None]:
    """Raise the database failures of the block as advice (EnvironmentProblem)."""
    try:
        yield
    except Exception as error:
        message = environmental_message(error, driver)
        if message is None:
            raise
        raise explain(message, target) from error
