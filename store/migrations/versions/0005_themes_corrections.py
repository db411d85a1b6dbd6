"""What the representative needs (issue 12): who wrote from where, read from the letter;
corrections and additions linked to the comment they change; themes and their vectors.

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
    with op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("sender_key", sa.String(length=320), nullable=True))
        batch.add_column(sa.Column("organisation_suggested", sa.Text(), nullable=True))
        batch.add_column(sa.Column("organisation_reason", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column(
                "organisation_confirmed", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(sa.Column("country_reason", sa.Text(), nullable=True))
        batch.create_index("ix_submission_sender_key", ["sender_key"], unique=False)
    op.execute("UPDATE submission SET sender_key = lower(sender_address)")
    with op.batch_alter_table("submission") as batch:
        batch.alter_column("organisation_confirmed", server_default=None)
    op.create_table(
        "correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("later_id", sa.Integer(), nullable=False),
        sa.Column("earlier_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["later_id"], ["submission.id"]),
        sa.ForeignKeyConstraint(["earlier_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("later_id"),
    )
    op.create_index("ix_correction_earlier_id", "correction", ["earlier_id"], unique=False)
    op.create_table(
        "themevector",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=80), nullable=False),
        sa.Column("text_sha", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.PrimaryKeyConstraint("submission_id"),
    )
    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("excerpt_reference", sa.String(length=80), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("groups", sa.Text(), nullable=False),
        sa.Column("languages", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "thememember",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"]),
        sa.PrimaryKeyConstraint("submission_id"),
    )
    op.create_index("ix_thememember_theme_id", "thememember", ["theme_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_thememember_theme_id", table_name="thememember")
    op.drop_table("thememember")
    op.drop_table("theme")
    op.drop_table("themevector")
    op.drop_index("ix_correction_earlier_id", table_name="correction")
    op.drop_table("correction")
    with op.batch_alter_table("submission") as batch:
        batch.drop_index("ix_submission_sender_key")
        for name in (
            "country_reason",
            "organisation_confirmed",
            "organisation_reason",
            "organisation_suggested",
            "sender_key",
        ):
            batch.drop_column(name)
