"""Run Alembic migrations programmatically (at start-up and by ``main.py db upgrade``).

Start-up first asks the database for its revision with one plain query; Alembic itself
(~100 ms to import) is loaded only when the schema is actually behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD = "0005_import"
"""The newest revision in db/migrations/versions; tests/integration/test_schema.py checks it
against Alembic's own idea of the head, so a new migration cannot forget to move it."""
# Any fixed number works; it only has to be the same for every till sharing the database.
PG_MIGRATION_LOCK = 741_852_963


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """Alembic's head, read from the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema's revision; None for a database that has never been migrated. Any other
    failure (a damaged file, a lost server) is raised, not taken for an empty database."""
    with engine.connect() as connection:
        try:
            if not inspect(connection).has_table("alembic_version"):
                return None
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        finally:
            connection.rollback()
    return None if found is None else str(found)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to the newest revision (or to ``revision``, for tests of a migration);
    tills starting together take turns."""
    if current_revision(engine) == (HEAD if revision == "head" else revision):
        return
    from alembic import command

    config = _config()
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_MIGRATION_LOCK})
            connection.commit()
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_MIGRATION_LOCK})
                connection.commit()
