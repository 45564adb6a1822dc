"""Every way opening the shop's database can fail gets one line of advice and exit code 2.

Each fault is made for real: a folder that is not there, a file of random bytes, a database
cut short or damaged inside, permissions (dropping to ``nobody``, see tests/integration/cli.py),
a second process holding SQLite's write lock, a closed port, and names the real PostgreSQL
server does not know. The till is checked on the same faults through ``main.py run
--exit-when-ready``, which prints the message its sign-in screen shows.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from db.failures import BUSY_TIMEOUT_MS
from tests.conftest import make_shop
from tests.integration.cli import (
    ROOT,
    advice,
    child_env,
    run_main,
    shared_folder,
    till_says,
)

CSV = "name,sku,price\nHarbour Tea,HT-1,3.50\n"


def _demo_database(folder: Path, home: Path) -> Path:
    """A small demo shop in ``folder``, closed (no -wal or -shm left behind)."""
    path = folder / "shop.db"
    make_shop(f"sqlite:///{path}", home, products=20).close()
    assert not Path(f"{path}-wal").exists()
    return path


def _csv(folder: Path) -> Path:
    path = folder / "products.csv"
    path.write_text(CSV, encoding="utf-8")
    path.chmod(0o644)
    return path


# Which file -------------------------------------------------------------------------------


def test_a_plain_relative_absolute_or_home_path_is_a_sqlite_file(tmp_path: Path) -> None:
    home = tmp_path / "data"
    made = run_main("demo", "--products", "20", "--db", "shop.db", home=home, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "shop.db").is_file()

    absolute = run_main("journal", "verify", "--db", str(tmp_path / "shop.db"), home=home)
    assert absolute.returncode == 0, absolute.stderr
    assert absolute.stdout.startswith("Journal OK")

    env = child_env(home, HOME=str(tmp_path))
    tilde = run_main("journal", "verify", "--db", "~/shop.db", home=home, env=env)
    assert tilde.returncode == 0, tilde.stderr
    from_env = run_main(
        "journal", "verify", home=home, env=child_env(home, TILLWRIGHT_DB=str(tmp_path / "shop.db"))
    )
    assert from_env.returncode == 0, from_env.stderr


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://till@127.0.0.1:notaport/shop", "its port must be a number"),
        ("postgresql:/shop-server/shop", "a URL needs :// after its scheme"),
        ("sqlite://shop.db", "a SQLite URL has three slashes"),
        ("mysql://till@shop-server/shop", "Unsupported database 'mysql'"),
        ("postgresql://till:s3cret@[::1/shop", "not a database Tillwright understands"),
    ],
)
def test_a_malformed_url_is_named(tmp_path: Path, url: str, says: str) -> None:
    for command in (("journal", "verify"), ("demo", "--products", "5")):
        said = advice(run_main(*command, "--db", url, home=tmp_path))
        assert says in said
        assert "s3cret" not in said  # a password typed into the URL is not echoed
    assert "s3cret" not in (tmp_path / "logs" / "tillwright.log").read_text()


def test_a_missing_folder_is_named_and_not_created(tmp_path: Path) -> None:
    wanted = tmp_path / "no such folder" / "shop.db"
    for command in (("demo", "--products", "5"), ("journal", "verify"), ("db", "upgrade")):
        said = advice(run_main(*command, "--db", str(wanted), home=tmp_path / "data"))
        assert said == (
            f"The folder {wanted.parent} does not exist: create it, or check the path given "
            "with --db"
        )
    till = till_says(run_main("run", "--exit-when-ready", "--db", str(wanted), home=tmp_path))
    assert till.startswith(f"The folder {wanted.parent} does not exist")
    assert not wanted.parent.exists()


def test_a_folder_given_as_the_database_is_named(tmp_path: Path) -> None:
    said = advice(run_main("journal", "verify", "--db", str(tmp_path), home=tmp_path))
    assert said.startswith(f"{tmp_path} is a folder, not a database file")


# Only run, setup, demo and db upgrade create a database ----------------------------------


def test_read_only_and_import_commands_refuse_a_database_that_is_not_there(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "typo.db"
    verify = advice(run_main("journal", "verify", "--db", str(missing), home=tmp_path))
    assert verify.startswith(f"There is no database at {missing}")
    imported = advice(
        run_main("import", "products", str(_csv(tmp_path)), "--db", str(missing), home=tmp_path)
    )
    assert imported.startswith(f"There is no database at {missing}")
    assert not missing.exists()

    # The default database in the data folder is not conjured up either.
    home = tmp_path / "data"
    default = advice(run_main("journal", "verify", home=home))
    assert default.startswith(f"There is no database at {home / 'tillwright.db'}")
    assert not (home / "tillwright.db").exists()


def test_an_empty_file_holds_no_shop_for_a_reader_but_can_become_one(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    said = advice(run_main("journal", "verify", "--db", str(empty), home=tmp_path))
    assert said.startswith(f"The database {empty} holds no Tillwright shop")
    assert empty.stat().st_size == 0
    made = run_main("db", "upgrade", "--db", str(empty), home=tmp_path)
    assert made.returncode == 0, made.stderr
    assert empty.stat().st_size > 0


# Not a database, or damaged -------------------------------------------------------------


def test_a_file_that_is_not_a_database_is_named_and_left_alone(tmp_path: Path) -> None:
    garbage = tmp_path / "photo.db"
    garbage.write_bytes(os.urandom(8192))
    before = garbage.read_bytes()
    expected = f"{garbage} is not a SQLite database (it does not start like one)"
    for command in (("journal", "verify"), ("db", "upgrade"), ("demo", "--products", "5")):
        assert advice(run_main(*command, "--db", str(garbage), home=tmp_path)).startswith(expected)
    till = till_says(run_main("run", "--exit-when-ready", "--db", str(garbage), home=tmp_path))
    assert till.startswith(expected)
    assert garbage.read_bytes() == before


def test_a_database_cut_short_is_named_damaged(tmp_path: Path) -> None:
    shop = _demo_database(tmp_path, tmp_path / "data")
    whole = shop.stat().st_size
    with shop.open("r+b") as handle:
        handle.truncate(whole // 3)
    cut = shop.read_bytes()
    expected = f"The database {shop} is damaged: the file is shorter than it says it is"
    assert advice(run_main("journal", "verify", "--db", str(shop), home=tmp_path)).startswith(
        expected
    )
    till = till_says(run_main("run", "--exit-when-ready", "--db", str(shop), home=tmp_path))
    assert till.startswith(expected)
    assert shop.read_bytes() == cut


def test_a_database_damaged_inside_is_named_when_it_is_read(tmp_path: Path) -> None:
    shop = _demo_database(tmp_path, tmp_path / "data")
    with sqlite3.connect(shop) as connection:
        root, page_size = connection.execute(
            "SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_master "
            "WHERE name = 'journal_entry'"
        ).fetchone()
    connection.close()
    with shop.open("r+b") as handle:  # the journal's first page becomes noise
        handle.seek((root - 1) * page_size)
        handle.write(b"\xa5" * page_size)
    said = advice(run_main("journal", "verify", "--db", str(shop), home=tmp_path))
    assert said.startswith(f"The database {shop} is damaged (database disk image is malformed)")


# Permissions ------------------------------------------------------------------------------


def test_a_read_only_database_file_is_named_and_the_journal_can_still_be_checked() -> None:
    with shared_folder() as folder:
        home = folder / "data"
        shop = _demo_database(folder, home)
        csv = _csv(folder)
        home.chmod(0o777)
        for path in home.rglob("*"):
            path.chmod(0o777)
        folder.chmod(0o777)
        shop.chmod(0o444)
        before = shop.read_bytes()

        said = advice(
            run_main("import", "products", str(csv), "--db", str(shop), home=home, nobody=True)
        )
        assert said.startswith(f"The database file {shop} is read-only for this user")
        till = till_says(
            run_main("run", "--exit-when-ready", "--db", str(shop), home=home, nobody=True)
        )
        assert till == said
        # Checking the journal only reads: a read-only copy is enough.
        verified = run_main("journal", "verify", "--db", str(shop), home=home, nobody=True)
        assert verified.returncode == 0, verified.stderr
        assert verified.stdout.startswith("Journal OK")
        assert shop.read_bytes() == before


def test_a_read_only_folder_is_named() -> None:
    with shared_folder() as folder:
        home = folder / "data"
        shop = _demo_database(folder, home)
        home.chmod(0o777)
        for path in home.rglob("*"):
            path.chmod(0o777)
        shop.chmod(0o666)
        folder.chmod(0o555)
        expected = f"The folder {folder} is read-only: SQLite keeps shop.db-wal and shop.db-shm"

        said = advice(run_main("journal", "verify", "--db", str(shop), home=home, nobody=True))
        assert said.startswith(expected)
        till = till_says(
            run_main("run", "--exit-when-ready", "--db", str(shop), home=home, nobody=True)
        )
        assert till.startswith(expected)


def test_an_unreadable_database_file_is_named() -> None:
    with shared_folder() as folder:
        home = folder / "data"
        shop = _demo_database(folder, home)
        home.chmod(0o777)
        for path in home.rglob("*"):
            path.chmod(0o777)
        shop.chmod(0o000)
        said = advice(run_main("journal", "verify", "--db", str(shop), home=home, nobody=True))
        assert said.startswith(f"The database file {shop} cannot be read by this user")


def test_a_data_folder_that_cannot_be_made_is_named() -> None:
    with shared_folder() as folder:
        folder.chmod(0o555)
        home = folder / "data"
        said = advice(run_main("demo", "--products", "5", home=home, nobody=True))
        assert said.startswith(f"Cannot create the data folder {home}")


# Locked by another program ----------------------------------------------------------------

HOLD_THE_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
print("held", flush=True)
time.sleep(120)
"""


def test_a_database_locked_by_another_program_waits_then_names_it(tmp_path: Path) -> None:
    home = tmp_path / "data"
    shop = _demo_database(tmp_path, home)
    csv = _csv(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(shop)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        started = time.monotonic()
        waiting = [
            subprocess.Popen(
                [sys.executable, "main.py", *command, "--db", str(shop)],
                cwd=ROOT,
                env=child_env(home),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for command in (("import", "products", str(csv)), ("run", "--exit-when-ready"))
        ]
        # Reading needs no lock (WAL): the journal can be checked meanwhile.
        verified = run_main("journal", "verify", "--db", str(shop), home=home)
        assert verified.returncode == 0, verified.stderr
        outcomes = []
        for process in waiting:
            out, err = process.communicate(timeout=90)
            outcomes.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.communicate()
    assert waited >= BUSY_TIMEOUT_MS / 1000 - 0.5
    said = advice(outcomes[0])
    assert said.startswith(f"The database {shop} stayed locked for {BUSY_TIMEOUT_MS // 1000} s")
    assert f"pid {holder.pid} (" in said
    assert till_says(outcomes[1]).startswith(f"The database {shop} stayed locked")
    connection = sqlite3.connect(shop)
    try:  # nothing of the refused import was written
        assert connection.execute("SELECT count(*) FROM variant WHERE sku = 'HT-1'").fetchone() == (
            0,
        )
    finally:
        connection.close()


# PostgreSQL ---------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.postgres
def test_a_postgresql_server_that_does_not_answer_is_named(
    tmp_path: Path, postgres_admin_url: str
) -> None:
    port = _closed_port()
    url = f"postgresql://postgres@127.0.0.1:{port}/test"
    expected = f"No PostgreSQL server answers at 127.0.0.1:{port} (connection refused)"
    assert advice(run_main("journal", "verify", "--db", url, home=tmp_path)).startswith(expected)
    assert till_says(run_main("run", "--exit-when-ready", "--db", url, home=tmp_path)).startswith(
        expected
    )


@pytest.mark.postgres
def test_a_wrong_postgresql_database_or_user_is_named(
    tmp_path: Path, postgres_admin_url: str
) -> None:
    from sqlalchemy.engine import make_url

    server = make_url(postgres_admin_url)
    where = f"{server.host}:{server.port or 5432}"
    no_database = server.set(database="tillwright_no_such_shop").render_as_string(False)
    no_user = server.set(username="tillwright_no_such_user").render_as_string(False)
    said = advice(run_main("demo", "--products", "5", "--db", no_database, home=tmp_path))
    assert said.startswith(
        f'The PostgreSQL server at {where} has no database "tillwright_no_such_shop"'
    )
    till = till_says(run_main("run", "--exit-when-ready", "--db", no_database, home=tmp_path))
    assert till == said
    said = advice(run_main("journal", "verify", "--db", no_user, home=tmp_path))
    assert said.startswith(
        f'The PostgreSQL server at {where} has no user "tillwright_no_such_user"'
    )


@pytest.mark.postgres
def test_a_postgresql_database_without_a_shop_is_named_and_left_empty(
    tmp_path: Path, postgres_url: str
) -> None:
    said = advice(run_main("journal", "verify", "--db", postgres_url, home=tmp_path))
    assert said.endswith(
        "holds no Tillwright shop: check --db (a new shop is made by `setup` or `demo`)"
    )
    from sqlalchemy import create_engine, inspect

    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            assert inspect(connection).get_table_names() == []
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_journal_is_verified_read_only_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    make_shop(postgres_url, tmp_path, products=10).close()
    verified = run_main("journal", "verify", "--db", postgres_url, home=tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("Journal OK")
