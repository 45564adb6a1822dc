"""Search: re-fold every name (ł, ø, æ… spelt in ASCII) and one index that answers short words.

On SQLite the FTS5 trigram index becomes a contentless table over the folded text spelt as
db/sql.py's ``INDEXED_TEXT`` does (words two spaces apart, the first once more after a caret),
so that one- and two-letter words and "the name starts with" are trigram phrases too; triggers keep
it in step with ``variant.search_text``. PostgreSQL keeps its pg_trgm GIN index over
``search_text``; only the folding changes there.

Revision ID: 0004_search
Revises: 0003_till
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Connection, text

from app.domain.text import searchable
from db.sql import INDEXED_TEXT

revision = "0004_search"
down_revision = "0003_till"
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        _drop_index()
    _refold(bind)
    if sqlite:
        _create_spaced_index()


def downgrade() -> None:
    # The folded text stays as it is: the old folding found less, never something else.
    if op.get_bind().dialect.name == "sqlite":
        _drop_index()
        _create_trigram_index()


def _refold(bind: Connection) -> None:
    """Recompute search_text from the name and SKU with the current folding, in batches."""
    last = 0
    while True:
        rows = bind.execute(
            text(
                "SELECT id, display_name, sku, search_text FROM variant WHERE id > :last "
                "ORDER BY id LIMIT :batch"
            ),
            {"last": last, "batch": _BATCH},
        ).all()
        if not rows:
            return
        changed = [
            {"id": row.id, "text": folded}
            for row in rows
            if (folded := searchable(row.display_name, row.sku)) != row.search_text
        ]
        if changed:
            bind.execute(text("UPDATE variant SET search_text = :text WHERE id = :id"), changed)
        last = rows[-1].id


def _indexed(row: str) -> str:
    return INDEXED_TEXT.format(column=f"{row}.search_text")


def _create_spaced_index() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE variant_search USING fts5("
        "words, content='', columnsize=0, tokenize='trigram')"
    )
    # Names in order, for "the name starts with" (db/sql.py's first band).
    op.execute("CREATE INDEX ix_variant_search_start ON variant (search_text)")
    op.execute(
        f"INSERT INTO variant_search(rowid, words) SELECT id, {_indexed('variant')} FROM variant"
    )
    new, old = _indexed("new"), _indexed("old")
    op.execute(
        "CREATE TRIGGER variant_search_ai AFTER INSERT ON variant BEGIN "
        f"INSERT INTO variant_search(rowid, words) VALUES (new.id, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER variant_search_ad AFTER DELETE ON variant BEGIN "
        "INSERT INTO variant_search(variant_search, rowid, words) "
        f"VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        "CREATE TRIGGER variant_search_au AFTER UPDATE OF search_text ON variant BEGIN "
        "INSERT INTO variant_search(variant_search, rowid, words) "
        f"VALUES ('delete', old.id, {old}); "
        f"INSERT INTO variant_search(rowid, words) VALUES (new.id, {new}); END"
    )


def _drop_index() -> None:
    """Both revisions' index and triggers go by the same names."""
    op.execute("DROP INDEX IF EXISTS ix_variant_search_start")
    for suffix in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS variant_search_{suffix}")
    op.execute("DROP TABLE IF EXISTS variant_search")


def _create_trigram_index() -> None:
    """Revision 0001's index: external content over variant.search_text."""
    op.execute(
        "CREATE VIRTUAL TABLE variant_search USING fts5("
        "search_text, content='variant', content_rowid='id', tokenize='trigram')"
    )
    op.execute("INSERT INTO variant_search(variant_search) VALUES ('rebuild')")
    op.execute(
        "CREATE TRIGGER variant_search_ai AFTER INSERT ON variant BEGIN "
        "INSERT INTO variant_search(rowid, search_text) VALUES (new.id, new.search_text); END"
    )
    op.execute(
        "CREATE TRIGGER variant_search_ad AFTER DELETE ON variant BEGIN "
        "INSERT INTO variant_search(variant_search, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); END"
    )
    op.execute(
        "CREATE TRIGGER variant_search_au AFTER UPDATE OF search_text ON variant BEGIN "
        "INSERT INTO variant_search(variant_search, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); "
        "INSERT INTO variant_search(rowid, search_text) VALUES (new.id, new.search_text); END"
    )
