"""account deletions: the saga's state per deletion and per subgraph

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_deletions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_account_deletions_user_id", "account_deletions", ["user_id"])
    op.create_index("ix_account_deletions_requested_at", "account_deletions", ["requested_at"])
    op.create_table(
        "account_deletion_steps",
        sa.Column("deletion_id", sa.Uuid(), nullable=False),
        sa.Column("subgraph", sa.String(length=40), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erased", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["deletion_id"], ["account_deletions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("deletion_id", "subgraph"),
    )


def downgrade() -> None:
    op.drop_table("account_deletion_steps")
    op.drop_table("account_deletions")
