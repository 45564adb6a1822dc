"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from db.engine import make_engines
from db.migrate import HEAD, current_revision, head_revision, upgrade
from db.models import Base


def _not_search_index(obj, name, type_, reflected, compare_to):
    # The name-search index is dialect-specific DDL the models do not describe.
    return not (name or "").startswith(("variant_search", "ix_variant_search"))


def test_the_models_match_the_migrations(db_url):
    engines = make_engines(db_url)
    try:
        upgrade(engines.write)
        upgrade(engines.write)  # a second run is a no-op
        assert current_revision(engines.write) == head_revision() == HEAD
        with engines.write.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_object": _not_search_index, "compare_type": True}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engines.dispose()
