"""known skills: the skill ids the skills subgraph vouched for, and which were deleted

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "known_skills",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_known_skills_deleted", "known_skills", ["deleted"])


def downgrade() -> None:
    op.drop_index("ix_known_skills_deleted", table_name="known_skills")
    op.drop_table("known_skills")
