"""Copies of the journal head kept in files, outside the database, so a removed tail shows.

Each computer keeps, in its data directory, one file per shop it sells for, named by the shop
id stored in the database (``journal/<shop id>.head``, one line: ``shop seq hash``), and a
record of which shop it last served at which database (``journal/served.json``): a database
deleted or replaced behind the till's back is then noticed at start-up.

Writes are safe when several processes share the directory (two tills on one PC, a command
run while the till sells): an exclusive ``flock`` on a lock file around read-compare-write, a
unique temporary file in the same directory, ``fsync``, ``os.replace`` and an ``fsync`` of the
directory, so a crash never leaves half a line and a slower writer never moves the copy back.
POSIX only (``fcntl``), like the rest of the till's deployment.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

from app.domain.journal import Anchor
from app.errors import EnvironmentProblem, UserError

_SHOP_ID = re.compile(r"[0-9a-fA-F-]{8,36}")
SERVED = "served.json"


def database_label(url: str) -> str:
    """The database as the served record names it: the URL with the password hidden, and a
    SQLite file by its absolute path (a relative path means another file from elsewhere)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        parsed = parsed.set(database=str(Path(parsed.database).resolve()))
    return parsed.render_as_string(hide_password=True)


def parse_anchor(text: str, where: str) -> Anchor:
    try:
        shop_id, seq, hash_ = text.split()
        if not _SHOP_ID.fullmatch(shop_id) or len(hash_) != 64:
            raise ValueError(text)
        bytes.fromhex(hash_)
        return Anchor(shop_id, int(seq), hash_, where)
    except ValueError:
        raise EnvironmentProblem(
            f"The journal head copy {where} is damaged: restore it from a backup"
        ) from None


class FileAnchorStore:
    """Implements app.ports.system.AnchorStore over a directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def location(self) -> str:
        return str(self.directory)

    def path(self, shop_id: str) -> Path:
        if not _SHOP_ID.fullmatch(shop_id):
            raise EnvironmentProblem(f"The database's shop id {shop_id!r} is not valid")
        return self.directory / f"{shop_id}.head"

    def read(self, shop_id: str) -> Anchor | None:
        path = self.path(shop_id)
        try:
            text = path.read_text(encoding="ascii")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            raise EnvironmentProblem(f"Cannot read the journal head copy {path}: {error}") from None
        return parse_anchor(text, str(path))

    def load(self, where: str) -> Anchor:
        path = Path(where)
        try:
            text = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "not a head copy"
            raise UserError(f"Cannot read the journal head copy {where}: {reason}") from None
        return parse_anchor(text, where)

    def write(self, anchor: Anchor) -> None:
        path = self.path(anchor.shop_id)
        with self._locked(f"{anchor.shop_id}.lock"):
            current = self.read(anchor.shop_id)
            if current is not None and current.seq >= anchor.seq:
                return  # another till (or process) already recorded this entry or a later one
            self._replace(path, f"{anchor.shop_id} {anchor.seq} {anchor.hash}\n")

    def served(self, database: str) -> str | None:
        found = self._served().get(database)
        return found if isinstance(found, str) else None

    def record_served(self, database: str, shop_id: str) -> None:
        with self._locked("served.lock"):
            served = self._served()
            if served.get(database) == shop_id:
                return
            served[database] = shop_id
            self._replace(self.directory / SERVED, json.dumps(served, indent=1, sort_keys=True))

    def _served(self) -> dict[str, object]:
        path = self.directory / SERVED
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise EnvironmentProblem(
                f"The record of the shops this till served, {path}, is damaged ({error}): "
                "restore it from a backup"
            ) from None
        return found if isinstance(found, dict) else {}

    @contextlib.contextmanager
    def _locked(self, name: str) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / name, "a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _replace(self, path: Path, text: str) -> None:
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=f".{path.name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        directory = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a power cut
        finally:
            os.close(directory)
