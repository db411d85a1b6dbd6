"""What the site may publish of attachments (issue 13): a forwarded message's own sender
name, date, subject and text, recorded at intake so the site shows it instead of the raw
message; and the operator's per-submission publication policy for its files.

`mailroom reparse` fills the forwarded messages' fields of submissions parsed before.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attachment") as batch:
        batch.add_column(sa.Column("message_sender_name", sa.Text(), nullable=True))
        batch.add_column(sa.Column("message_date", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("message_subject", sa.Text(), nullable=True))
        batch.add_column(sa.Column("message_text", sa.Text(), nullable=True))
    with op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("file_policy", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submission") as batch:
        batch.drop_column("file_policy")
    with op.batch_alter_table("attachment") as batch:
        batch.drop_column("message_text")
        batch.drop_column("message_subject")
        batch.drop_column("message_date")
        batch.drop_column("message_sender_name")
