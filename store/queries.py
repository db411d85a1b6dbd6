"""Reading the records: what status, list and publish need, a page at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from store.models import (
    Attachment,
    Checkpoint,
    Correction,
    Message,
    Moderation,
    Problem,
    StakeholderGroup,
    Submission,
    SubmissionStatus,
)

PAGE = 500
ACTIVE_LINKS = ("suggested", "confirmed")  # a correction link that stands (store.corrections)


@dataclass(frozen=True, slots=True)
class Visibility:
    """A filter on submissions; publish.due.PUBLIC is the one that says what is public."""

    statuses: Sequence[SubmissionStatus]
    moderation: Sequence[Moderation]
    originals_only: bool = True
    groups: Sequence[StakeholderGroup] | None = None  # None: every group


def visible(query: Any, visibility: Visibility | None) -> Any:
    if visibility is None:
        return query
    query = query.where(
        col(Submission.status).in_(list(visibility.statuses)),
        col(Submission.moderation).in_(list(visibility.moderation)),
    )
    if visibility.originals_only:
        query = query.where(
            col(Submission.duplicate_of_id).is_(None),
            col(Submission.request_for_id).is_(None),
            ~_shown_with_another(visibility),
        )
    if visibility.groups is not None:
        query = query.where(col(Submission.stakeholder_group).in_(list(visibility.groups)))
    return query


def _shown_with_another(visibility: Visibility) -> Any:
    """A text replaced by a visible correction, or an addition while its link stands: it is
    shown (and counted) with another comment (store.corrections)."""
    later = aliased(Submission)
    replaced = exists().where(
        col(Correction.earlier_id) == col(Submission.id),
        col(Correction.kind) == "replaces",
        col(Correction.state).in_(ACTIVE_LINKS),
        col(Correction.later_id) == col(later.id),
        col(later.status).in_(list(visibility.statuses)),
        col(later.moderation).in_(list(visibility.moderation)),
    )
    added = exists().where(
        and_(
            col(Correction.later_id) == col(Submission.id),
            col(Correction.kind) == "adds",
            col(Correction.state).in_(ACTIVE_LINKS),
        )
    )
    return or_(replaced, added)


@dataclass(frozen=True, slots=True)
class SubmissionView:
    """A submission with its attachments, and the reference of the one it duplicates."""

    submission: Submission
    attachments: list[Attachment]
    duplicate_of: str | None = None
    fetched_at: datetime | None = None  # when Mailroom first read it from a mailbox


def _references(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(
        select(Submission.id, Submission.reference).where(col(Submission.id).in_(sorted(ids)))
    )
    return {sid: ref for sid, ref in rows if sid is not None}


def iter_submissions(
    session: Session,
    *,
    statuses: Sequence[SubmissionStatus] | None = None,
    page: int = PAGE,
    visibility: Visibility | None = None,
) -> Iterator[SubmissionView]:
    """Submissions in reference order with their attachments; memory stays at one page."""
    after = 0
    while True:
        query = visible(select(Submission).where(col(Submission.number) > after), visibility)
        if statuses is not None:
            query = query.where(col(Submission.status).in_(list(statuses)))
        rows = list(session.exec(query.order_by(col(Submission.number)).limit(page)))
        if not rows:
            return
        ids = [row.id for row in rows if row.id is not None]
        attachments: dict[int, list[Attachment]] = {i: [] for i in ids}
        for attachment in session.exec(
            select(Attachment)
            .where(col(Attachment.submission_id).in_(ids))
            .order_by(col(Attachment.submission_id), col(Attachment.position))
        ):
            attachments[attachment.submission_id].append(attachment)
        originals = _references(session, {r.duplicate_of_id for r in rows if r.duplicate_of_id})
        fetched = _first_fetched(session, ids)
        for row in rows:
            assert row.id is not None
            original = originals.get(row.duplicate_of_id) if row.duplicate_of_id else None
            yield SubmissionView(row, attachments[row.id], original, fetched.get(row.id))
        session.expunge_all()
        after = rows[-1].number


def _first_fetched(session: Session, ids: list[int]) -> dict[int, datetime]:
    rows = session.exec(
        select(Message.submission_id, func.min(Message.fetched_at))
        .where(col(Message.submission_id).in_(ids))
        .group_by(col(Message.submission_id))
    )
    return {sid: at for sid, at in rows if at is not None}


def count_submissions(
    session: Session,
    *,
    statuses: Sequence[SubmissionStatus] | None = None,
    visibility: Visibility | None = None,
) -> int:
    query = visible(select(func.count()).select_from(Submission), visibility)
    if statuses is not None:
        query = query.where(col(Submission.status).in_(list(statuses)))
    return int(session.exec(query).one())


def find_submission(session: Session, reference: str) -> SubmissionView | None:
    """By reference (`DESA-10-3078/0042`), by its number (`42`) or by its path form."""
    wanted = reference.strip()
    query = select(Submission)
    if wanted.isdigit():
        query = query.where(Submission.number == int(wanted))
    else:
        query = query.where(
            col(Submission.reference).in_([wanted, wanted.replace("-", "/")])
            | (func.replace(Submission.reference, "/", "-") == wanted)
        )
    row = session.exec(query).first()
    if row is None or row.id is None:
        return None
    attachments = list(
        session.exec(
            select(Attachment)
            .where(Attachment.submission_id == row.id)
            .order_by(col(Attachment.position))
        )
    )
    original = None
    if row.duplicate_of_id is not None:
        original = _references(session, {row.duplicate_of_id}).get(row.duplicate_of_id)
    return SubmissionView(row, attachments, original, _first_fetched(session, [row.id]).get(row.id))


def submissions_by_status(session: Session) -> dict[str, int]:
    rows = session.exec(
        select(Submission.status, func.count()).group_by(col(Submission.status))
    ).all()
    counts = {status.value: 0 for status in SubmissionStatus}
    counts.update({str(getattr(status, "value", status)): n for status, n in rows})
    return counts


@dataclass(frozen=True, slots=True)
class MailboxStatus:
    mailbox: str
    folder: str
    uidvalidity: int
    last_uid: int
    last_poll_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    messages_stored: int


def mailbox_status(session: Session) -> list[MailboxStatus]:
    counts = dict(
        session.exec(select(Message.mailbox, func.count()).group_by(col(Message.mailbox))).all()
    )
    return [
        MailboxStatus(
            mailbox=c.mailbox,
            folder=c.folder,
            uidvalidity=c.uidvalidity,
            last_uid=c.last_uid,
            last_poll_at=c.last_poll_at,
            last_success_at=c.last_success_at,
            last_error=c.last_error,
            messages_stored=counts.get(c.mailbox, 0),
        )
        for c in session.exec(select(Checkpoint).order_by(col(Checkpoint.mailbox)))
    ]


def recent_problems(session: Session, limit: int = 20) -> list[Problem]:
    return list(session.exec(select(Problem).order_by(col(Problem.id).desc()).limit(limit)))


def count_problems(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Problem)).one()


def latest_change(session: Session) -> datetime | None:
    """When the newest submission was recorded: the daemon republishes after it."""
    return session.exec(select(func.max(Submission.created_at))).one()
