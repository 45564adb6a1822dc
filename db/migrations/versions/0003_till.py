"""The till: a draft of the sale in progress per register, and the approvals throttle.

Revision ID: 0003_till
Revises: 0002_journal
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_till"
down_revision = "0002_journal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sale_draft",
        sa.Column("register_code", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_sale_draft_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("register_code", name=op.f("pk_sale_draft")),
    )
    op.create_table(
        "approval_throttle",
        sa.Column("register_code", sa.String(length=16), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("paused_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("register_code", name=op.f("pk_approval_throttle")),
    )


def downgrade() -> None:
    op.drop_table("approval_throttle")
    op.drop_table("sale_draft")
