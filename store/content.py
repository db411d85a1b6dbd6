"""What parsing made of a submission, saved or replaced in one place.

Ingest hands over plain data (SubmissionContent); the store never sees a parser.
Saving replaces the attachments, so parsing the same bytes again (a reparse)
leaves the same records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from store.bulk import insert_rows, update_rows
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


def save_contents(session: Session, items: list[tuple[int, SubmissionContent]]) -> None:
    """Parsed records for a page of submissions: one UPDATE, one DELETE and one INSERT, not a
    statement per message. The attachments are replaced, so a reparse leaves the same rows."""
    if not items:
        return
    update_rows(
        session,
        Submission,
        [
            {
                "id": submission_id,
                "status": SubmissionStatus.PARSED,
                "error": None,
                "parser": content.parser,
                "defects": json.dumps(content.defects) if content.defects else None,
                "subject": content.subject,
                "sender_name": content.sender_name,
                "sender_address": content.sender_address,
                "organisation": content.organisation,
                "message_id": content.message_id[:500] if content.message_id else None,
                "date_header": content.date_header,
                "body_text": content.body_text,
                "body_html": content.body_html,
                "language": content.language,
                "body_segments": json.dumps(content.body_segments)
                if content.body_segments
                else None,
                "flags": json.dumps(content.flags, ensure_ascii=False) if content.flags else None,
            }
            for submission_id, content in items
        ],
    )
    _replace_attachments(
        session,
        [submission_id for submission_id, _ in items],
        [
            {
                "submission_id": submission_id,
                "position": position,
                "name": a.name,
                "original_name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "parent_position": a.parent_position,
                "sniffed_type": a.sniffed_type,
                "text": a.text,
                "text_status": a.text_status,
                "text_note": a.text_note,
                "extraction_seconds": a.extraction_seconds,
                # a forwarded message's own fields (ingest.forwarded), or None
                "message_sender_name": a.message.sender_name if a.message else None,
                "message_date": a.message.date if a.message else None,
                "message_subject": a.message.subject if a.message else None,
                "message_text": a.message.text if a.message else None,
            }
            for submission_id, content in items
            for position, a in enumerate(content.attachments, start=1)
        ],
    )


def save_content(session: Session, submission_id: int, content: SubmissionContent) -> None:
    save_contents(session, [(submission_id, content)])


def save_failures(
    session: Session, items: list[tuple[int, str]], *, at: datetime, version: str | None = None
) -> None:
    """The bytes are kept; each submission waits for the operator with the reason on it, and
    the `version` of Mailroom that could not read it (another version tries again). A
    reason already recorded is not recorded again (a reparse of a bad message)."""
    if not items:
        return
    ids = [submission_id for submission_id, _ in items]
    before = {
        int(sid): (reference, status, error)
        for sid, reference, status, error in session.exec(
            select(Submission.id, Submission.reference, Submission.status, Submission.error).where(
                col(Submission.id).in_(ids)
            )
        )
        if sid is not None
    }
    update_rows(
        session,
        Submission,
        [
            {
                "id": submission_id,
                "status": SubmissionStatus.FAILED,
                "error": error,
                "failed_version": version,
                "parser": None,
                "body_html": None,
                "language": None,
                "body_segments": None,
                "flags": None,
            }
            for submission_id, error in items
        ],
    )
    _replace_attachments(session, ids, [])
    problems = [
        {
            "at": at,
            "kind": "unparseable",
            "submission_id": submission_id,
            "detail": f"{before[submission_id][0]}: {error}",
        }
        for submission_id, error in items
        if before[submission_id][1:] != (SubmissionStatus.FAILED, error)
    ]
    insert_rows(session, Problem, problems)


def save_failure(session: Session, submission_id: int, error: str, *, at: datetime) -> None:
    save_failures(session, [(submission_id, error)], at=at)


def failed_elsewhere(session: Session, version: str) -> bool:
    """Whether any email submission was failed by a Mailroom other than `version`: a read, so
    a poll takes no write lock for nothing."""
    return (
        session.exec(
            select(Submission.id)
            .where(
                col(Submission.status) == SubmissionStatus.FAILED,
                col(Submission.channel) == Channel.EMAIL,
                or_(
                    col(Submission.failed_version).is_(None),
                    col(Submission.failed_version) != version,
                ),
            )
            .limit(1)
        ).first()
        is not None
    )


def retry_failed(session: Session, *, unless_version: str | None = None) -> int:
    """Put the email submissions that could not be read back in the queue to be parsed: all of
    them, or those a Mailroom other than `unless_version` failed (or one too old to say).
    Their reason stays in the problems log; the next parse records a new one if it fails."""
    failed = update(Submission).where(
        col(Submission.status) == SubmissionStatus.FAILED,
        col(Submission.channel) == Channel.EMAIL,
    )
    if unless_version is not None:
        failed = failed.where(
            or_(
                col(Submission.failed_version).is_(None),
                col(Submission.failed_version) != unless_version,
            )
        )
    result = session.execute(
        failed.values(status=SubmissionStatus.RECEIVED, error=None, failed_version=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _replace_attachments(
    session: Session, submission_ids: list[int], rows: list[dict[str, object]]
) -> None:
    session.execute(delete(Attachment).where(col(Attachment.submission_id).in_(submission_ids)))
    insert_rows(session, Attachment, rows)
