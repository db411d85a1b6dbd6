"""The tables: the mailbox ledger (Message), what it became (Submission, Attachment),
where each mailbox stands (Checkpoint), and what went wrong (Problem).

A Message is one sighting of raw bytes in one place (mailbox, folder,
UIDVALIDITY, key); a Submission is one comment. Several sightings of the same
bytes (a UIDVALIDITY reset, a copy in a second folder) share one Submission.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    LargeBinary,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} reached the database; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _utc(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


def _text(**kwargs: Any) -> Any:
    return Field(sa_type=Text, **kwargs)


def _enum(enum: type[StrEnum], **kwargs: Any) -> Any:
    """Stored as its value in a plain string column: no native enum types to migrate."""
    sa_type = SqlEnum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )
    return Field(sa_type=sa_type, **kwargs)


class Channel(StrEnum):
    EMAIL = "email"
    FORM = "form"
    FAX = "fax"
    POST = "post"


class SubmissionStatus(StrEnum):
    """Where a submission stands in intake; moderation is a separate matter."""

    RECEIVED = "received"  # raw bytes stored, not parsed yet
    PARSED = "parsed"
    FAILED = "failed"  # could not be parsed: the operator must look


class StakeholderGroup(StrEnum):
    """The groups the invitation names, in its order, and the place for the not yet known."""

    GOVERNMENTS = "governments"
    CIVIL_SOCIETY = "civil_society"
    INTERGOVERNMENTAL = "intergovernmental"
    PRIVATE_SECTOR = "private_sector"
    TECHNICAL_COMMUNITY = "technical_community"
    UNCLASSIFIED = "unclassified"

    @property
    def label(self) -> str:
        return _GROUP_LABELS[self]


_GROUP_LABELS = {
    StakeholderGroup.GOVERNMENTS: "Governments",
    StakeholderGroup.CIVIL_SOCIETY: "Civil society",
    StakeholderGroup.INTERGOVERNMENTAL: "Intergovernmental and international organizations",
    StakeholderGroup.PRIVATE_SECTOR: "Private sector",
    StakeholderGroup.TECHNICAL_COMMUNITY: "Internet technical community",
    StakeholderGroup.UNCLASSIFIED: "Unclassified",
}


class Moderation(StrEnum):
    """Whether a submission may be public. Hiding keeps the submission and the reason."""

    PENDING = "pending"
    APPROVED = "approved"
    HIDDEN = "hidden"
    WITHDRAWN = "withdrawn"


class TextStatus(StrEnum):
    """How an attachment's text was obtained, or why not."""

    EXTRACTED = "extracted"
    NO_TEXT = "no_text"  # e.g. a scanned PDF without a text layer
    UNSUPPORTED = "unsupported"
    TOO_LARGE = "too_large"
    FAILED = "failed"
    TIMED_OUT = "timed_out"


class ReceivedVia(StrEnum):
    """Which clock said when the mailbox received a message."""

    INTERNALDATE = "internaldate"
    RECEIVED_HEADER = "received-header"
    MBOX_FROM_LINE = "mbox-from-line"
    FILE_TIME = "file-time"
    OPERATOR = "operator"
    FORM_RECORD = "form-record"  # the time a web form's own record gives


class ReceiptStatus(StrEnum):
    """Where the acknowledgement to the sender stands."""

    PENDING = "pending"  # due, not sent yet
    SENDING = "sending"  # handed to the SMTP server; the outcome not recorded yet (or a crash)
    SENT = "sent"
    FAILED = "failed"  # the last attempt failed; retried while next_attempt_at is set
    SUPPRESSED = "suppressed"  # not sent, on purpose: the reason says why


class Submission(SQLModel, table=True):
    """One comment, with a reference number that never changes."""

    __table_args__ = (Index("ix_submission_status_received", "status", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)
    reference: str = Field(unique=True, max_length=80)
    channel: Channel = _enum(Channel)
    status: SubmissionStatus = _enum(SubmissionStatus, default=SubmissionStatus.RECEIVED)
    sha256: str = Field(unique=True, max_length=64, description="raw bytes of the first sighting")
    received_at: datetime = _utc()
    received_via: ReceivedVia = _enum(ReceivedVia)
    created_at: datetime = _utc()
    parse_attempts: int = 0
    error: str | None = _text(default=None)
    failed_version: str | None = Field(
        default=None, max_length=40, description="the Mailroom that could not read it"
    )
    parser: str | None = Field(default=None, max_length=40)
    defects: str | None = _text(default=None)
    message_id: str | None = _text(default=None)
    date_header: datetime | None = _utc(default=None)
    subject: str = _text(default="")
    sender_name: str = _text(default="")
    sender_address: str = _text(default="", description="private: never published")
    organisation: str = _text(default="")
    body_text: str = _text(default="")
    body_html: str | None = _text(
        default=None,
        description="the HTML body after the nh3 allowlist sanitiser (no script, style, "
        "handler, form, iframe or image; http/https/mailto links only); null: no HTML part",
    )
    # What parsing found beyond the text (issue 3).
    language: str | None = Field(default=None, max_length=8, description="ISO 639-1, or null")
    body_segments: str | None = _text(
        default=None,
        description='JSON [{"kind": "text"|"quote"|"signature", "start": int, "end": int}] '
        "over body_text, so the site can fold quoted replies and signatures",
    )
    flags: str | None = _text(
        default=None, description="JSON list of reasons for the operator, e.g. a limit exceeded"
    )
    # The consultation's rules (issue 4).
    stakeholder_group: StakeholderGroup = _enum(
        StakeholderGroup, default=StakeholderGroup.UNCLASSIFIED
    )
    group_rule: str | None = _text(default=None, description="the rule that suggested the group")
    group_confirmed: bool = False
    country: str | None = Field(default=None, max_length=2, description="ISO 3166-1 alpha-2")
    country_source: str | None = Field(default=None, max_length=40)
    on_time_override: bool | None = Field(
        default=None, description="the operator's ruling; null: received_at against the deadline"
    )
    on_time_reason: str | None = _text(default=None)
    moderation: Moderation = _enum(Moderation, default=Moderation.PENDING)
    moderation_reason: str | None = _text(default=None)
    public_name: str | None = _text(default=None, description="operator's edit of sender_name")
    public_organisation: str | None = _text(default=None)
    anonymous: bool = False
    spam_reason: str | None = _text(default=None, description="why it looks like spam, or null")
    auth_results: str | None = _text(default=None, description="JSON: spf, dkim, dmarc results")
    duplicate_of_id: int | None = Field(default=None, foreign_key="submission.id")
    campaign_id: int | None = Field(default=None, index=True)
    postmark_date: date | None = None
    entered_by: str | None = _text(default=None, description="operator who keyed fax/post/form")
    receipt: str | None = _text(
        default=None, description="sent, suppressed: <why>, failed, pending; null: none due"
    )
    # What the rules found and who decided (issue 4, migration 0003).
    received_header_at: datetime | None = _utc(
        default=None, description="the receiving server's topmost Received header"
    )
    classified_at: datetime | None = _utc(
        default=None, index=True, description="when the rules last ran; null: not yet"
    )
    hold_reasons: str | None = _text(
        default=None, description="JSON list: why the rules hold it for the operator"
    )
    moderated_by: str | None = _text(
        default=None, description="operator of the last moderation decision; null: the rules"
    )
    moderated_at: datetime | None = _utc(default=None)
    duplicate_key: str | None = Field(
        default=None, max_length=64, index=True, description="SHA-256 of sender and content"
    )
    request_for_id: int | None = Field(
        default=None,
        foreign_key="submission.id",
        description="the submission this reply to a receipt asks about",
    )
    request_kind: str | None = Field(
        default=None, max_length=20, description="withdraw, anonymous, or other"
    )
    # Who wrote from where, read from the letter (issue 12, migration 0010).
    sender_key: str | None = Field(
        default=None, max_length=320, index=True, description="lower-cased sender address"
    )
    organisation_suggested: str | None = _text(
        default=None, description="the organisation read from the signature or the letter"
    )
    organisation_reason: str | None = _text(default=None, description="the words it was read from")
    organisation_confirmed: bool = False
    country_reason: str | None = _text(default=None, description="the words the country came from")
    # What the site may publish of its files (issue 13, migration 0006).
    file_policy: str | None = _text(
        default=None,
        description='JSON: the operator\'s publication policy for its files, {"all": policy} '
        'and/or {"<position>": policy}; null: the [site.attachments] defaults',
    )


class Message(SQLModel, table=True):
    """One sighting of raw bytes in a mailbox: the idempotency ledger."""

    __table_args__ = (
        UniqueConstraint("mailbox", "folder", "uidvalidity", "key", name="uq_message_location"),
        Index("ix_message_mailbox_message_id", "mailbox", "folder", "message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mailbox: str = Field(max_length=200)
    folder: str = _text()
    uidvalidity: int = Field(sa_column=Column(BigInteger, nullable=False))
    key: str = Field(max_length=200, description="IMAP UID, Maildir key or mbox offset")
    uid: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    sha256: str = Field(index=True, max_length=64)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: str | None = _text(default=None)
    received_at: datetime = _utc()
    received_via: ReceivedVia = _enum(ReceivedVia)
    fetched_at: datetime = _utc()
    submission_id: int = Field(foreign_key="submission.id", index=True)


class Attachment(SQLModel, table=True):
    """A file that came with a submission, stored by hash; its name is data, never a path."""

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    position: int
    name: str = _text(description="safe display name")
    original_name: str = _text(default="")
    content_type: str = Field(max_length=200)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    sha256: str = Field(max_length=64)
    # Its text (issue 3): shown on the site under the link to the original.
    parent_position: int | None = Field(
        default=None, description="position of the archive, TNEF or message it came out of"
    )
    sniffed_type: str | None = Field(default=None, max_length=200)
    text: str | None = _text(default=None)
    text_status: TextStatus | None = _enum(TextStatus, default=None)
    text_note: str | None = _text(default=None, description="how the text was obtained, or why not")
    extraction_seconds: float | None = None
    # A forwarded message (message/rfc822, .eml, .msg), as the site shows it (issue 13):
    # message_text is set (maybe empty) for a message and null for any other file.
    message_sender_name: str | None = _text(default=None, description="its From name, no address")
    message_date: datetime | None = _utc(default=None, description="its Date header")
    message_subject: str | None = _text(default=None)
    message_text: str | None = _text(default=None, description="its own text, without headers")


class Checkpoint(SQLModel, table=True):
    """Where one mailbox folder stands: a poll resumes from here."""

    __table_args__ = (UniqueConstraint("mailbox", "folder", name="uq_checkpoint_mailbox"),)

    id: int | None = Field(default=None, primary_key=True)
    mailbox: str = Field(max_length=200)
    folder: str = _text()
    uidvalidity: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    last_uid: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    last_poll_at: datetime | None = _utc(default=None)
    last_success_at: datetime | None = _utc(default=None)
    last_error: str | None = _text(default=None)


class Problem(SQLModel, table=True):
    """Something the operator should see: a failed poll, a message that would not parse."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc(index=True)
    kind: str = Field(max_length=40)
    mailbox: str | None = Field(default=None, max_length=200)
    submission_id: int | None = Field(default=None, foreign_key="submission.id")
    detail: str = _text()


class Counter(SQLModel, table=True):
    """Gap-free numbers handed out inside the transaction that uses them."""

    name: str = Field(primary_key=True, max_length=40)
    value: int = 0


class ModerationEvent(SQLModel, table=True):
    """One decision about a submission, by whom and when: what `mailroom history` shows."""

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    at: datetime = _utc()
    by: str = _text(description="the operator, or `mailroom (rules)`")
    action: str = Field(max_length=30)
    from_state: str | None = Field(default=None, max_length=20)
    to_state: str | None = Field(default=None, max_length=20)
    reason: str | None = _text(default=None)
    changes: str | None = _text(default=None, description='JSON {"field": [old, new]}')


class Campaign(SQLModel, table=True):
    """Near-identical texts from many senders, shown once with the count."""

    id: int | None = Field(default=None, primary_key=True)
    representative_id: int = Field(foreign_key="submission.id", unique=True)
    size: int = 1
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class SimilarityLeader(SQLModel, table=True):
    """A text others are compared with: the first of its kind, with its MinHash signature."""

    submission_id: int = Field(primary_key=True, foreign_key="submission.id")
    signature: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class SimilarityBucket(SQLModel, table=True):
    """One LSH band of a leader's signature: a new text looks up its bands, never every text."""

    id: int | None = Field(default=None, primary_key=True)
    bucket: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    leader_id: int = Field(foreign_key="submission.id", index=True)


class Receipt(SQLModel, table=True):
    """The acknowledgement owed to a sender, and every attempt to send it."""

    __table_args__ = (
        Index("ix_receipt_recipient_created", "recipient", "created_at"),
        Index("ix_receipt_status_next", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", unique=True)
    recipient: str = Field(max_length=320, description="lower-cased address; private")
    status: ReceiptStatus = _enum(ReceiptStatus)
    reason: str | None = _text(default=None, description="why it was suppressed")
    language: str | None = Field(default=None, max_length=8)
    message_id: str | None = Field(
        default=None, max_length=500, index=True, description="ours: a reply names it"
    )
    attempts: int = 0
    created_at: datetime = _utc()
    next_attempt_at: datetime | None = _utc(default=None)
    last_attempt_at: datetime | None = _utc(default=None)
    sent_at: datetime | None = _utc(default=None)
    error: str | None = _text(default=None)
    sending_at: datetime | None = _utc(
        default=None, description="when it was first handed to the SMTP server: its Date"
    )
    interrupted: int = Field(
        default=0, description="sends cut off before their outcome was recorded: resent"
    )


class Correction(SQLModel, table=True):
    """A later message that replaces (`replaces`) or adds to (`adds`) a sender's earlier comment.

    Both are kept. The rules suggest the link; the operator confirms, undoes or makes it.
    """

    id: int | None = Field(default=None, primary_key=True)
    later_id: int = Field(foreign_key="submission.id", unique=True)
    earlier_id: int = Field(foreign_key="submission.id", index=True)
    kind: str = Field(max_length=20, description="replaces or adds")
    state: str = Field(max_length=20, description="suggested, confirmed or undone")
    reason: str = _text(description="why the rules (or the operator) linked them")
    by: str = _text(description="the operator, or `mailroom (rules)`")
    at: datetime = _utc()


class ThemeVector(SQLModel, table=True):
    """A submission's text as the embedding model sees it, computed once per text."""

    submission_id: int = Field(primary_key=True, foreign_key="submission.id")
    model: str = Field(max_length=80)
    text_sha: str = Field(max_length=64, description="SHA-256 of the text that was embedded")
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class Theme(SQLModel, table=True):
    """One theme of the last computation: comments that say the same thing, in any language."""

    id: int | None = Field(default=None, primary_key=True)
    position: int = Field(description="1 is the largest")
    label: str = _text()
    keywords: str = _text(description="JSON list of the theme's own words")
    excerpt: str = _text(default="", description="the opening of its most central comment")
    excerpt_reference: str = Field(default="", max_length=80)
    size: int = Field(description="submissions, a campaign's copies included")
    units: int = Field(description="distinct texts: a campaign counts once")
    groups: str = _text(description='JSON {"group": submissions}')
    languages: str = _text(description='JSON {"language": submissions}')
    fingerprint: str = Field(max_length=64, description="what it was computed from")
    computed_at: datetime = _utc()


class ThemeMember(SQLModel, table=True):
    """Which theme a submission (or a campaign, at its representative) belongs to."""

    submission_id: int = Field(primary_key=True, foreign_key="submission.id")
    theme_id: int = Field(foreign_key="theme.id", index=True)
    weight: int = Field(default=1, description="submissions it stands for (a campaign's size)")
    similarity: float = 0.0


class Publication(SQLModel, table=True):
    """One finished build of the public site: `mailroom health` and the metrics read it."""

    id: int | None = Field(default=None, primary_key=True)
    built_at: datetime = _utc(index=True, description="the clock when the build began")
    seconds: float = Field(description="how long the build took, swap included")
    submissions: int
    output: str = _text()
