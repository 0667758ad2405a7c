"""assessments: versions (attempts keep theirs), retirement, attempt limit and cooldown

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessments") as table:
        table.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        table.add_column(sa.Column("max_attempts", sa.Integer(), nullable=True))
        table.add_column(
            sa.Column("cooldown_seconds", sa.Integer(), nullable=False, server_default="0")
        )
        table.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("assessment_attempts") as table:
        table.add_column(
            sa.Column("assessment_version", sa.Integer(), nullable=False, server_default="1")
        )
    op.create_table(
        "assessment_versions",
        sa.Column("assessment_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("passing_score", sa.Float(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("assessment_id", "version"),
    )


def downgrade() -> None:
    op.drop_table("assessment_versions")
    with op.batch_alter_table("assessment_attempts") as table:
        table.drop_column("assessment_version")
    with op.batch_alter_table("assessments") as table:
        for column in ("retired_at", "cooldown_seconds", "max_attempts", "version"):
            table.drop_column(column)
