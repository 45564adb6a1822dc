"""Product import: an import digest per product; names and codes refuse control characters.

Revision ID: 0005_import
Revises: 0004_search

``product.import_digest`` holds the digest of the file rows a product was last imported from
(app.formats.products.ProductFile.digests), so an unchanged re-import skips it.

Control characters (C0, DEL, C1: ESC, BEL, NUL…) would reach the receipt printer as commands.
The import refuses them row by row; the database refuses them too, for any writer: a CHECK
constraint on PostgreSQL, and BEFORE INSERT/UPDATE triggers on SQLite, where adding a CHECK
means rebuilding the table, which would drop the name-search triggers on ``variant``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_import"
down_revision = "0004_search"
branch_labels = None
depends_on = None

# Table -> the columns that hold names and codes a receipt or a scan shows.
GUARDED = {
    "product": ("handle", "name"),
    "variant": ("sku", "options", "display_name"),
    "barcode": ("code",),
    "category": ("name",),
}

# PostgreSQL text cannot hold NUL at all; this covers the rest.
_PG_CONTROLS = r"'[\x01-\x1f\x7f-\x9f]'"
# SQLite: a GLOB character class of the controls, and NUL found in the bytes. One trigger per
# table tests its columns joined: a trigger per column cost a first import 10 %.
_SQLITE_CONTROLS = (
    "GLOB '*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*'"
)


def _sqlite_test(columns: tuple[str, ...]) -> str:
    joined = " || char(32) || ".join(f"NEW.{c}" for c in columns)
    return f"({joined}) {_SQLITE_CONTROLS} OR instr(CAST(({joined}) AS BLOB), x'00') > 0"


def upgrade() -> None:
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_digest", sa.String(length=32), nullable=True))
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, columns in GUARDED.items():
        if sqlite:
            for event in ("INSERT", f"UPDATE OF {', '.join(columns)}"):
                name = f"{table}_printable_{event.split()[0].lower()}"
                op.execute(
                    f"CREATE TRIGGER {name} BEFORE {event} ON {table} "
                    f"WHEN {_sqlite_test(columns)} BEGIN "
                    f"SELECT RAISE(ABORT, 'control character in a {table} name or code'); END"
                )
            continue
        for column in columns:
            op.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT ck_{table}_{column}_printable "
                f"CHECK ({column} !~ {_PG_CONTROLS})"
            )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, columns in GUARDED.items():
        if sqlite:
            for event in ("insert", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_printable_{event}")
            continue
        for column in columns:
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT ck_{table}_{column}_printable")
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_column("import_digest")
