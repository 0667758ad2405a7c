"""known skills: name, level and category, so learning answers the dashboard's skill fields

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = ("name", "level", "category_id", "category_name")


def upgrade() -> None:
    with op.batch_alter_table("known_skills") as table:
        table.add_column(sa.Column("name", sa.String(length=200), nullable=True))
        table.add_column(sa.Column("level", sa.String(length=32), nullable=True))
        table.add_column(sa.Column("category_id", sa.String(length=64), nullable=True))
        table.add_column(sa.Column("category_name", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("known_skills") as table:
        for column in reversed(COLUMNS):
            table.drop_column(column)
