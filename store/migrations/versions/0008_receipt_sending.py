"""Receipts sent exactly once as the sender sees it (issue 9): a receipt is marked `sending`
before the SMTP transaction, with the time it was first sent (its Date, so a resend after a
crash is the same message), and a count of sends cut off before their outcome was recorded.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("receipt") as batch:
        batch.add_column(sa.Column("sending_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("interrupted", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("receipt") as batch:
        batch.drop_column("interrupted")
        batch.drop_column("sending_at")
