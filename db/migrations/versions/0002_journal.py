"""The journal proves what it claims: a shop id, the journal key's id, append-only triggers.

- ``journal_head.shop_id``: a random id made here, naming this database's shop (the copies of
  the head kept outside the database are named by it); ``journal_head.key_id``: the journal
  key new entries are keyed with, NULL until the shop has one.
- ``sale.journal_seq`` is unique: each journal entry backs at most one sale.
- Triggers, on SQLite and PostgreSQL alike: ``journal_entry`` refuses UPDATE and DELETE (and
  TRUNCATE on PostgreSQL), and takes a new row only as the entry after the head, linked to it;
  the ``journal_head`` row cannot be deleted or added to, keeps its shop id, and moves only
  forward, one entry at a time, onto an entry that exists (or gains a key id, once).

Revision ID: 0002_journal
Revises: 0001
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0002_journal"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = "the journal is append-only: entries cannot be changed or deleted"
AFTER_HEAD = "a journal entry must be the next after the journal head and link to it"
HEAD_FORWARD = "the journal head only moves forward, one entry at a time"

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER journal_entry_no_update BEFORE UPDATE ON journal_entry
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER journal_entry_no_delete BEFORE DELETE ON journal_entry
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER journal_entry_after_head BEFORE INSERT ON journal_entry
    WHEN NEW.seq IS NOT (SELECT seq + 1 FROM journal_head WHERE id = 1)
      OR NEW.prev_hash IS NOT (SELECT hash FROM journal_head WHERE id = 1)
    BEGIN SELECT RAISE(ABORT, '{AFTER_HEAD}'); END""",
    f"""CREATE TRIGGER journal_head_forward BEFORE UPDATE ON journal_head
    WHEN NOT (NEW.id IS OLD.id AND NEW.shop_id IS OLD.shop_id AND (
        (NEW.seq = OLD.seq + 1 AND NEW.key_id IS OLD.key_id
         AND NEW.hash IS (SELECT hash FROM journal_entry WHERE seq = NEW.seq))
        OR (NEW.seq = OLD.seq AND NEW.hash IS OLD.hash
            AND OLD.key_id IS NULL AND NEW.key_id IS NOT NULL)))
    BEGIN SELECT RAISE(ABORT, '{HEAD_FORWARD}'); END""",
    f"""CREATE TRIGGER journal_head_no_delete BEFORE DELETE ON journal_head
    BEGIN SELECT RAISE(ABORT, '{HEAD_FORWARD}'); END""",
    f"""CREATE TRIGGER journal_head_single BEFORE INSERT ON journal_head
    BEGIN SELECT RAISE(ABORT, '{HEAD_FORWARD}'); END""",
)

# ERRCODE 23000 (integrity_constraint_violation): the drivers raise IntegrityError, as SQLite's
# RAISE(ABORT) does. SET search_path FROM CURRENT: the functions find the journal tables of the
# schema they were made in, whatever the till's own search_path.
_PG_FUNCTION = """CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
{body}
END $$"""
_PG_REFUSE = "RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation';"
POSTGRES_TRIGGERS = (
    _PG_FUNCTION.format(name="journal_refuse", body=_PG_REFUSE.format(message=APPEND_ONLY)),
    _PG_FUNCTION.format(
        name="journal_entry_check",
        body="""IF NEW.seq IS DISTINCT FROM (SELECT seq + 1 FROM journal_head WHERE id = 1)
   OR NEW.prev_hash IS DISTINCT FROM (SELECT hash FROM journal_head WHERE id = 1) THEN
  """
        + _PG_REFUSE.format(message=AFTER_HEAD)
        + """
END IF;
RETURN NEW;""",
    ),
    _PG_FUNCTION.format(
        name="journal_head_check",
        body="""IF TG_OP <> 'UPDATE' OR NOT (NEW.id = OLD.id AND NEW.shop_id = OLD.shop_id AND (
    (NEW.seq = OLD.seq + 1 AND NEW.key_id IS NOT DISTINCT FROM OLD.key_id
     AND NEW.hash IS NOT DISTINCT FROM (SELECT hash FROM journal_entry WHERE seq = NEW.seq))
    OR (NEW.seq = OLD.seq AND NEW.hash = OLD.hash
        AND OLD.key_id IS NULL AND NEW.key_id IS NOT NULL))) THEN
  """
        + _PG_REFUSE.format(message=HEAD_FORWARD)
        + """
END IF;
RETURN NEW;""",
    ),
    "CREATE TRIGGER journal_entry_append_only BEFORE UPDATE OR DELETE ON journal_entry "
    "FOR EACH ROW EXECUTE FUNCTION journal_refuse()",
    "CREATE TRIGGER journal_entry_no_truncate BEFORE TRUNCATE ON journal_entry "
    "FOR EACH STATEMENT EXECUTE FUNCTION journal_refuse()",
    "CREATE TRIGGER journal_entry_after_head BEFORE INSERT ON journal_entry "
    "FOR EACH ROW EXECUTE FUNCTION journal_entry_check()",
    "CREATE TRIGGER journal_head_forward BEFORE INSERT OR UPDATE OR DELETE ON journal_head "
    "FOR EACH ROW EXECUTE FUNCTION journal_head_check()",
    "CREATE TRIGGER journal_head_no_truncate BEFORE TRUNCATE ON journal_head "
    "FOR EACH STATEMENT EXECUTE FUNCTION journal_refuse()",
)


def upgrade() -> None:
    with op.batch_alter_table("journal_head") as batch_op:
        batch_op.add_column(sa.Column("shop_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
    op.execute(
        sa.text("UPDATE journal_head SET shop_id = :shop").bindparams(shop=str(uuid.uuid4()))
    )
    with op.batch_alter_table("journal_head") as batch_op:
        batch_op.alter_column("shop_id", existing_type=sa.String(length=36), nullable=False)
    op.create_index("ux_sale_journal_seq", "sale", ["journal_seq"], unique=True)
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in (
            "journal_entry_no_update",
            "journal_entry_no_delete",
            "journal_entry_after_head",
            "journal_head_forward",
            "journal_head_no_delete",
            "journal_head_single",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for function in ("journal_refuse", "journal_entry_check", "journal_head_check"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}() CASCADE")
    op.drop_index("ux_sale_journal_seq", table_name="sale")
    with op.batch_alter_table("journal_head") as batch_op:
        batch_op.drop_column("key_id")
        batch_op.drop_column("shop_id")
