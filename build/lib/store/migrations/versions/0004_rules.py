"""The consultation's rules (issue 4): what the rules found, moderation history, campaigns
with their persistent LSH buckets, and the receipts log.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

RECEIPT_STATUS = ("pending", "sent", "failed", "suppressed")


def upgrade() -> None:
    with op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("received_header_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("classified_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("hold_reasons", sa.Text(), nullable=True))
        batch.add_column(sa.Column("moderated_by", sa.Text(), nullable=True))
        batch.add_column(sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("duplicate_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("request_for_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("request_kind", sa.String(length=20), nullable=True))
        batch.create_index("ix_submission_classified_at", ["classified_at"], unique=False)
        batch.create_index("ix_submission_duplicate_key", ["duplicate_key"], unique=False)
        batch.create_foreign_key(
            "fk_submission_request_for", "submission", ["request_for_id"], ["id"]
        )
    op.create_table(
        "moderationevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_moderationevent_submission_id", "moderationevent", ["submission_id"], unique=False
    )
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("representative_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["representative_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("representative_id"),
    )
    op.create_table(
        "similarityleader",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("submission_id"),
    )
    op.create_table(
        "similaritybucket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["leader_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_similaritybucket_bucket", "similaritybucket", ["bucket"], unique=False)
    op.create_index(
        "ix_similaritybucket_leader_id", "similaritybucket", ["leader_id"], unique=False
    )
    op.create_table(
        "receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*RECEIPT_STATUS, name="receiptstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("message_id", sa.String(length=500), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("submission_id"),
    )
    op.create_index(
        "ix_receipt_recipient_created", "receipt", ["recipient", "created_at"], unique=False
    )
    op.create_index("ix_receipt_status_next", "receipt", ["status", "next_attempt_at"])
    op.create_index("ix_receipt_message_id", "receipt", ["message_id"], unique=False)


def downgrade() -> None:
    op.drop_table("receipt")
    op.drop_table("similaritybucket")
    op.drop_table("similarityleader")
    op.drop_table("campaign")
    op.drop_table("moderationevent")
    with op.batch_alter_table("submission") as batch:
        batch.drop_constraint("fk_submission_request_for", type_="foreignkey")
        batch.drop_index("ix_submission_duplicate_key")
        batch.drop_index("ix_submission_classified_at")
        for column in (
            "request_kind", "request_for_id", "duplicate_key", "moderated_at", "moderated_by",
            "hold_reasons", "classified_at", "received_header_at",
        ):  # fmt: skip
            batch.drop_column(column)
