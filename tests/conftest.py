"""Shared fixtures: real SQLite files and a real PostgreSQL server, a seeded demo shop.

PostgreSQL tests run in a schema of their own inside the ``test`` database at
127.0.0.1:5432. When ``CI`` is set, an unreachable server fails the run instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.domain.users import PinPolicy

PG_ADMIN_URL = os.environ.get(
    "TILLWRIGHT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Cheap scrypt for tests: the real cost is exercised once in tests/unit/test_users.py.
FAST_PINS = PinPolicy(scrypt_log2_n=8)


def _postgres_available() -> str | None:
    """None if the server answers, else why not."""
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
            connection.commit()
        engine.dispose()
    except Exception as error:
        return str(error).splitlines()[0]
    return None


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    problem = _postgres_available()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is required in CI: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    return PG_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh schema per test, dropped afterwards."""
    from sqlalchemy import create_engine, text

    schema = f"tw_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_admin_url)
    with admin.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
        connection.commit()
    yield f"{postgres_admin_url}?options=-csearch_path%3D{schema}"
    with admin.connect() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        connection.commit()
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'shop.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run the test once on a SQLite file and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shop.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The data directory, redirected into the test's temporary folder."""
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("TILLWRIGHT_HOME", str(path))
    return path


def make_shop(url: str, home: Path, products: int = 60):  # type: ignore[no-untyped-def]
    """A migrated database with the demo shop seeded through the services."""
    import main

    context = main.build_context(url, home=home, pin_policy=FAST_PINS)
    main.seed_demo(context, products)
    context.close()
    return main.build_context(url, home=home, pin_policy=FAST_PINS, migrate=False)


def sales_journaled(context) -> int:  # type: ignore[no-untyped-def]
    """Sale entries in the journal, which verifies. The set-up journals its own entries
    (owner, settings, tax classes, users, prices), so tests count the sales."""
    from sqlalchemy import text

    assert context.journal.verify().ok
    with context.engines.write.connect() as connection:
        return int(
            connection.execute(
                text("SELECT COUNT(*) FROM journal_entry WHERE kind = 'sale'")
            ).scalar_one()
        )


@pytest.fixture
def shop(db_url: str, home: Path) -> Iterator[object]:
    """A seeded demo shop (60 products) on SQLite and on PostgreSQL."""
    context = make_shop(db_url, home)
    yield context
    context.close()


@pytest.fixture
def sqlite_shop(sqlite_url: str, home: Path) -> Iterator[object]:
    """A seeded demo shop on a SQLite file only (UI tests)."""
    context = make_shop(sqlite_url, home)
    yield context
    context.close()


def user_id(shop, username: str) -> int:  # type: ignore[no-untyped-def]
    """The id of one of the shop's users, for services that take the acting user's id."""
    with shop.uow_factory() as uow:
        user = uow.users.by_username(username)
        assert user is not None
        return int(user.user_id)
