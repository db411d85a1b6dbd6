"""Stored bytes become submission records: after intake, on recovery, and on reparse.

Parsing is pure (ingest.parse); this module reads the archive, stores each
attachment's bytes, and hands the store plain content. Attempts are counted
before parsing, so a message that kills the process is set aside, not retried
for ever.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import StatementError

from ingest.errors import UnparseableMessage
from ingest.parse import ParsedMessage, parse_message
from store.archive import Archive, ArchiveCorrupt
from store.content import (
    AttachmentContent,
    PendingParse,
    SubmissionContent,
    all_email_submissions,
    claim,
    count_attempt,
    pending_parse,
    save_content,
    save_failure,
)
from store.db import Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
PAGE = 200

Progress = Callable[[int], None]


def parse_pending(store: Store, now: datetime, progress: Progress | None = None) -> tuple[int, int]:
    """Parse every email submission still waiting; returns (parsed, failed)."""
    parsed = failed = 0
    after = 0
    while True:
        with store.reader() as session:
            page = pending_parse(session, after_id=after, limit=PAGE)
        if not page:
            return parsed, failed
        after = page[-1].submission_id
        done, bad = _parse_page(store, page, now, session_count=True)
        parsed, failed = parsed + done, failed + bad
        if progress:
            progress(len(page))


def reparse_all(store: Store, now: datetime, progress: Progress | None = None) -> tuple[int, int]:
    """Rebuild every email submission's record from its archived bytes, a page per commit."""
    parsed = failed = 0
    after = 0
    while True:
        with store.reader() as session:
            page = all_email_submissions(session, after_id=after, limit=PAGE)
        if not page:
            return parsed, failed
        after = page[-1].submission_id
        done, bad = _parse_page(store, page, now, session_count=False)
        parsed, failed = parsed + done, failed + bad
        if progress:
            progress(len(page))


def _parse_page(
    store: Store, page: list[PendingParse], now: datetime, *, session_count: bool
) -> tuple[int, int]:
    """Parse one page in one transaction, holding its rows so no other daemon parses them too."""
    parsed = failed = 0
    ids = [p.submission_id for p in page]
    if session_count:
        with store.session() as session:
            count_attempt(session, ids)
    with store.session() as session:
        for pending in claim(session, ids, waiting=not session_count):
            if session_count and pending.attempts > MAX_ATTEMPTS:
                save_failure(
                    session,
                    pending.submission_id,
                    f"parsing stopped the process {pending.attempts - 1} times; set aside",
                    at=now,
                )
                failed += 1
                continue
            try:
                raw = store.archive.get(pending.sha256)
                content = to_content(parse_message(raw), store.archive)
                with session.begin_nested():
                    save_content(session, pending.submission_id, content)
            except (UnparseableMessage, ArchiveCorrupt, FileNotFoundError) as exc:
                log.info("%s: %s", pending.reference, exc)
                save_failure(session, pending.submission_id, str(exc), at=now)
                failed += 1
            except (StatementError, ValueError) as exc:  # content the database refused
                log.warning("%s: could not be saved: %s", pending.reference, exc)
                save_failure(session, pending.submission_id, f"could not be saved: {exc}", at=now)
                failed += 1
            else:
                parsed += 1
        session.commit()
    return parsed, failed


def to_content(parsed: ParsedMessage, archive: Archive) -> SubmissionContent:
    """Store each attachment's bytes by hash and describe the submission for the store."""
    attachments = [
        AttachmentContent(
            name=a.name,
            original_name=a.original_name,
            content_type=a.content_type,
            size=len(a.data),
            sha256=archive.put(a.data),
        )
        for a in parsed.attachments
    ]
    return SubmissionContent(
        subject=parsed.subject,
        sender_name=parsed.sender_name,
        sender_address=parsed.sender_address,
        organisation=parsed.organisation,
        message_id=parsed.message_id,
        date_header=parsed.date,
        body_text=parsed.body_text,
        parser=parsed.parser,
        defects=parsed.defects,
        attachments=attachments,
    )
