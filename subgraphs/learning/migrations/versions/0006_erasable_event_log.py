"""learning_events: append-only, except the erasure of a deleted account's events

Revision ID: 0006
Revises: 0005

The trigger lets a DELETE through only in a transaction that set
`learning.erasure` to on (`set_config(..., true)`: local to that transaction),
which only the account-deletion saga does (learning/personal_data.py).
UPDATE and TRUNCATE stay refused.
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ERASABLE = """CREATE OR REPLACE FUNCTION learning_events_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('learning.erasure', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'learning_events is append-only';
END;
$$ LANGUAGE plpgsql"""

APPEND_ONLY = """CREATE OR REPLACE FUNCTION learning_events_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'learning_events is append-only';
END;
$$ LANGUAGE plpgsql"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(ERASABLE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)
