"""analytics read models: per subject and day, completion times, questions, activity, cohorts

They are projections like the others: after upgrading a deployment that has history, run
`python -m subgraphs.learning rebuild-projections` once to fill them from the log.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ID = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "analytics_subject_days",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("enrolments", sa.Integer(), nullable=False),
        sa.Column("completions", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("passes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "subject_id", "day"),
    )
    op.create_table(
        "analytics_completion_times",
        sa.Column(
            "event_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("event_seq"),
    )
    op.create_index(
        "ix_completion_times_subject",
        "analytics_completion_times",
        ["kind", "subject_id", "day"],
    )
    op.create_table(
        "analytics_question_days",
        sa.Column("skill_id", ID, nullable=False),
        sa.Column("question_id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("assessment_id", sa.String(length=36), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("misses", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("skill_id", "question_id", "day"),
    )
    op.create_table(
        "analytics_active_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("day", "user_id"),
    )
    op.create_index("ix_analytics_active_days_week", "analytics_active_days", ["week"])
    op.create_table(
        "analytics_cohort_learners",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("progressed", sa.Boolean(), nullable=False),
        sa.Column("completed_skill", sa.Boolean(), nullable=False),
        sa.Column("completed_course", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("ix_analytics_cohort_learners_week", "analytics_cohort_learners", ["week"])


def downgrade() -> None:
    op.drop_table("analytics_cohort_learners")
    op.drop_table("analytics_active_days")
    op.drop_table("analytics_question_days")
    op.drop_table("analytics_completion_times")
    op.drop_table("analytics_subject_days")
