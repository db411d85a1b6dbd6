"""What parsing made of a submission, saved or replaced in one place.

Ingest hands over plain data (SubmissionContent); the store never sees a parser.
Saving replaces the attachments, so parsing the same bytes again (a reparse)
leaves the same records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from store.models import (
    Attachment,
    Channel,
    Problem,
    ReceivedVia,
    Submission,
    SubmissionStatus,
    TextStatus,
)


@dataclass(frozen=True, slots=True)
class MessageContent:
    """A forwarded message as the site shows it (ingest.forwarded): no address in it."""

    sender_name: str
    date: datetime | None
    subject: str
    text: str


@dataclass(frozen=True, slots=True)
class AttachmentContent:
    name: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    parent_position: int | None = None
    sniffed_type: str | None = None
    text: str | None = None
    text_status: TextStatus | None = None
    text_note: str | None = None
    extraction_seconds: float | None = None
    message: MessageContent | None = None  # set for a forwarded message


@dataclass(frozen=True, slots=True)
class SubmissionContent:
    subject: str
    sender_name: str
    sender_address: str
    organisation: str
    message_id: str | None
    date_header: datetime | None
    body_text: str
    parser: str
    defects: list[str] = field(default_factory=list)
    attachments: list[AttachmentContent] = field(default_factory=list)
    body_html: str | None = None
    language: str | None = None
    body_segments: list[dict[str, object]] | None = None
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PendingParse:
    submission_id: int
    reference: str
    sha256: str
    attempts: int


def pending_parse(session: Session, *, after_id: int = 0, limit: int = 200) -> list[PendingParse]:
    """Email submissions whose bytes are stored but not yet parsed, oldest first."""
    rows = session.exec(
        select(Submission.id, Submission.reference, Submission.sha256, Submission.parse_attempts)
        .where(
            Submission.status == SubmissionStatus.RECEIVED,
            Submission.channel == Channel.EMAIL,
            col(Submission.id) > after_id,
        )
        .order_by(col(Submission.id))
        .limit(limit)
    )
    return [PendingParse(sid, ref, sha, n) for sid, ref, sha, n in rows if sid is not None]


def all_email_submissions(
    session: Session, *, after_id: int = 0, limit: int = 200
) -> list[PendingParse]:
    """Every submission that came as mail (an online form's email too), in id order, a page
    at a time: what a reparse walks."""
    rows = session.exec(
        select(Submission.id, Submission.reference, Submission.sha256, Submission.parse_attempts)
        .where(
            col(Submission.channel).in_([Channel.EMAIL, Channel.FORM]),
            col(Submission.received_via).not_in([ReceivedVia.OPERATOR, ReceivedVia.FORM_RECORD]),
            col(Submission.id) > after_id,
        )
        .order_by(col(Submission.id))
        .limit(limit)
    )
    return [PendingParse(sid, ref, sha, n) for sid, ref, sha, n in rows if sid is not None]


def count_attempt(session: Session, submission_ids: list[int]) -> None:
    """Count a parse attempt before it starts, so a parser that kills the process is noticed.

    Committed on its own, ahead of the parse: a crash cannot roll it back. Rows are
    locked in id order, so two daemons counting the same page never deadlock.
    """
    if not submission_ids:
        return
    locked = (
        select(Submission.id)
        .where(
            col(Submission.id).in_(submission_ids),
            Submission.status == SubmissionStatus.RECEIVED,
        )
        .order_by(col(Submission.id))
        .with_for_update()
    )
    ids = [sid for sid in session.exec(locked) if sid is not None]
    if ids:
        session.execute(
            update(Submission)
            .where(col(Submission.id).in_(ids))
            .values(parse_attempts=col(Submission.parse_attempts) + 1)
        )
    session.commit()


def attempts_of(session: Session, submission_ids: list[int]) -> dict[int, int]:
    """How many times each submission's parse has been started."""
    rows = session.exec(
        select(Submission.id, Submission.parse_attempts).where(
            col(Submission.id).in_(submission_ids)
        )
    )
    return {sid: n for sid, n in rows if sid is not None}


def claim(session: Session, submission_ids: list[int], *, waiting: bool) -> list[PendingParse]:
    """Lock these submissions for this transaction, in id order.

    With `waiting` false (intake), rows another daemon is parsing now, or has
    parsed already, are skipped; a reparse (`waiting` true) waits for them.
    """
    query = select(
        Submission.id, Submission.reference, Submission.sha256, Submission.parse_attempts
    ).where(col(Submission.id).in_(submission_ids))
    if waiting:
        query = query.with_for_update()
    else:
        query = query.where(Submission.status == SubmissionStatus.RECEIVED).with_for_update(
            skip_locked=True
        )
    rows = session.exec(query.order_by(col(Submission.id)))
    return [PendingParse(sid, ref, sha, n) for sid, ref, sha, n in rows if sid is not None]


def save_content(session: Session, submission_id: int, content: SubmissionContent) -> None:
    submission = session.get_one(Submission, submission_id)
    submission.status = SubmissionStatus.PARSED
    submission.error = None
    submission.parser = content.parser
    submission.defects = json.dumps(content.defects) if content.defects else None
    submission.subject = content.subject
    submission.sender_name = content.sender_name
    submission.sender_address = content.sender_address
    submission.organisation = content.organisation
    submission.message_id = content.message_id[:500] if content.message_id else None
    submission.date_header = content.date_header
    submission.body_text = content.body_text
    submission.body_html = content.body_html
    submission.language = content.language
    submission.body_segments = json.dumps(content.body_segments) if content.body_segments else None
    submission.flags = json.dumps(content.flags, ensure_ascii=False) if content.flags else None
    session.add(submission)
    session.execute(delete(Attachment).where(col(Attachment.submission_id) == submission_id))
    for position, attachment in enumerate(content.attachments, start=1):
        message = attachment.message  # a forwarded message's own fields, or None
        session.add(
            Attachment(
                submission_id=submission_id,
                position=position,
                name=attachment.name,
                original_name=attachment.original_name,
                content_type=attachment.content_type,
                size=attachment.size,
                sha256=attachment.sha256,
                parent_position=attachment.parent_position,
                sniffed_type=attachment.sniffed_type,
                text=attachment.text,
                text_status=attachment.text_status,
                text_note=attachment.text_note,
                extraction_seconds=attachment.extraction_seconds,
                message_sender_name=message.sender_name if message else None,
                message_date=message.date if message else None,
                message_subject=message.subject if message else None,
                message_text=message.text if message else None,
            )
        )


def save_failure(session: Session, submission_id: int, error: str, *, at: datetime) -> None:
    """The bytes are kept; the submission waits for the operator with the reason on it."""
    submission = session.get_one(Submission, submission_id)
    already_failed = submission.status == SubmissionStatus.FAILED and submission.error == error
    submission.status = SubmissionStatus.FAILED
    submission.error = error
    submission.parser = None
    submission.body_html = None
    submission.language = None
    submission.body_segments = None
    submission.flags = None
    session.add(submission)
    session.execute(delete(Attachment).where(col(Attachment.submission_id) == submission_id))
    if not already_failed:
        session.add(
            Problem(
                at=at,
                kind="unparseable",
                submission_id=submission_id,
                detail=f"{submission.reference}: {error}",
            )
        )
