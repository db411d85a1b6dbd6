"""What an operator's health check and metrics read: every number comes from these queries.

They stay cheap enough to run on each scrape: counts grouped by an indexed column, the
newest rows by primary key, and no scan that grows with the archive beyond a count.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from store.models import Message, Problem, Publication, Submission, SubmissionStatus
from store.queries import Visibility, visible

SET_ASIDE = "%set aside"  # how ingest marks a message that brought the parser down
RECENT = 100


def record_publication(
    session: Session, *, built_at: datetime, seconds: float, submissions: int, output: str
) -> None:
    session.add(
        Publication(built_at=built_at, seconds=seconds, submissions=submissions, output=output)
    )
    session.commit()


PUBLISH_PROBLEM = "publish"


def record_publish_failure(session: Session, *, at: datetime, detail: str) -> None:
    """A build of the public site that failed: `status` shows it until a build succeeds."""
    session.add(Problem(at=at, kind=PUBLISH_PROBLEM, detail=detail))
    session.commit()


@dataclass(frozen=True, slots=True)
class SiteState:
    """The last finished build, and the failure since it, if the last attempt failed."""

    last_published: datetime | None
    last_error: str | None
    failing_since: datetime | None


def site_state(session: Session) -> SiteState:
    published = last_publication(session)
    since = select(func.min(Problem.at)).where(Problem.kind == PUBLISH_PROBLEM)
    newest = select(Problem.detail).where(Problem.kind == PUBLISH_PROBLEM)
    if published is not None:
        since = since.where(col(Problem.at) >= published.built_at)
        newest = newest.where(col(Problem.at) >= published.built_at)
    detail = session.exec(newest.order_by(col(Problem.id).desc()).limit(1)).first()
    return SiteState(
        published.built_at if published else None,
        detail,
        session.exec(since).one() if detail is not None else None,
    )


def last_publication(session: Session) -> Publication | None:
    return session.exec(select(Publication).order_by(col(Publication.id).desc()).limit(1)).first()


def failure_counts(session: Session) -> tuple[int, int]:
    """(parse failures, set aside): failed submissions, told apart by why."""
    failed = col(Submission.status) == SubmissionStatus.FAILED
    total = session.exec(select(func.count()).select_from(Submission).where(failed)).one()
    aside = session.exec(
        select(func.count())
        .select_from(Submission)
        .where(failed, col(Submission.error).like(SET_ASIDE))
    ).one()
    return int(total) - int(aside), int(aside)


@dataclass(frozen=True, slots=True)
class SetAside:
    """A message that could not be read: why, and which Mailroom version tried."""

    reference: str
    reason: str
    version: str | None


def set_aside(session: Session, *, limit: int = 50) -> tuple[int, list[SetAside]]:
    """How many submissions could not be read, and the first `limit` of them by reference."""
    failed = col(Submission.status) == SubmissionStatus.FAILED
    total = session.exec(select(func.count()).select_from(Submission).where(failed)).one()
    rows = session.exec(
        select(Submission.reference, Submission.error, Submission.failed_version)
        .where(failed)
        .order_by(col(Submission.number))
        .limit(limit)
    )
    return int(total), [SetAside(ref, error or "", version) for ref, error, version in rows]


@dataclass(frozen=True, slots=True)
class RecordLag:
    """Seconds from the mailbox receiving a message to Mailroom recording it, newest records."""

    newest: float
    median: float
    most: float
    records: int


def record_lag(session: Session, last: int = RECENT) -> RecordLag | None:
    rows = session.exec(
        select(Message.received_at, Message.fetched_at).order_by(col(Message.id).desc()).limit(last)
    ).all()
    if not rows:
        return None
    lags = [max(0.0, (fetched - received).total_seconds()) for received, fetched in rows]
    return RecordLag(lags[0], statistics.median(lags), max(lags), len(lags))


def failing_since(session: Session, mailbox: str, last_success: datetime | None) -> datetime | None:
    """When the mailbox's present run of failed polls began: its first poll problem since the
    last success (None: no such problem recorded)."""
    query = select(func.min(Problem.at)).where(Problem.mailbox == mailbox, Problem.kind == "poll")
    if last_success is not None:
        query = query.where(col(Problem.at) > last_success)
    return session.exec(query).one()


def newest_public_change(session: Session, visibility: Visibility) -> datetime | None:
    """When the newest public comment became public: recorded, judged or approved."""
    row = session.exec(
        visible(
            select(
                func.max(Submission.created_at),
                func.max(Submission.classified_at),
                func.max(Submission.moderated_at),
            ).select_from(Submission),
            visibility,
        )
    ).one()
    moments = [moment for moment in row if moment is not None]
    return max(moments) if moments else None
