"""Columns for attachment text and language (issue 3) and the consultation's rules (issue 4).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TEXT_STATUS = ("extracted", "no_text", "unsupported", "too_large", "failed", "timed_out")
GROUPS = (
    "governments",
    "civil_society",
    "intergovernmental",
    "private_sector",
    "technical_community",
    "unclassified",
)
MODERATION = ("pending", "approved", "hidden", "withdrawn")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=20, create_constraint=False)


def upgrade() -> None:
    with op.batch_alter_table("attachment") as batch:
        batch.add_column(sa.Column("parent_position", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("sniffed_type", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("text_status", _enum(TEXT_STATUS, "textstatus"), nullable=True))
        batch.add_column(sa.Column("text_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("extraction_seconds", sa.Float(), nullable=True))
    with op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("body_segments", sa.Text(), nullable=True))
        batch.add_column(sa.Column("flags", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column(
                "stakeholder_group",
                _enum(GROUPS, "stakeholdergroup"),
                nullable=False,
                server_default="unclassified",
            )
        )
        batch.add_column(sa.Column("group_rule", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("group_confirmed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("country", sa.String(length=2), nullable=True))
        batch.add_column(sa.Column("country_source", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("on_time_override", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("on_time_reason", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column(
                "moderation",
                _enum(MODERATION, "moderation"),
                nullable=False,
                server_default="pending",
            )
        )
        batch.add_column(sa.Column("moderation_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("public_name", sa.Text(), nullable=True))
        batch.add_column(sa.Column("public_organisation", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("anonymous", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("spam_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("auth_results", sa.Text(), nullable=True))
        batch.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("campaign_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("postmark_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("entered_by", sa.Text(), nullable=True))
        batch.add_column(sa.Column("receipt", sa.Text(), nullable=True))
        batch.create_index("ix_submission_campaign_id", ["campaign_id"], unique=False)
        batch.create_foreign_key(
            "fk_submission_duplicate_of", "submission", ["duplicate_of_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("submission") as batch:
        batch.drop_constraint("fk_submission_duplicate_of", type_="foreignkey")
        batch.drop_index("ix_submission_campaign_id")
        for column in (
            "receipt", "entered_by", "postmark_date", "campaign_id", "duplicate_of_id",
            "auth_results", "spam_reason", "anonymous", "public_organisation", "public_name",
            "moderation_reason", "moderation", "on_time_reason", "on_time_override",
            "country_source", "country", "group_confirmed", "group_rule", "stakeholder_group",
            "flags", "body_segments", "language",
        ):  # fmt: skip
            batch.drop_column(column)
    with op.batch_alter_table("attachment") as batch:
        for column in (
            "extraction_seconds", "text_note", "text", "text_status", "sniffed_type",
            "parent_position",
        ):  # fmt: skip
            batch.drop_column(column)
