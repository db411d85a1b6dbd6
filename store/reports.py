"""Counts for the representative's digest: by group, country, language, on time or late,
and the organisations that wrote, all in the database (GROUP BY), never in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal
from sqlmodel import Session, col, select

from store.models import Submission, UTCDateTime
from store.queries import Visibility, visible


def counts_by(session: Session, column: Any, visibility: Visibility) -> list[tuple[Any, int]]:
    """(value, count) for one column of the visible submissions, largest first."""
    query = visible(select(column, func.count()).select_from(Submission), visibility)
    rows = session.exec(query.group_by(column).order_by(func.count().desc(), column)).all()
    return [(value, int(n)) for value, n in rows]


def on_time_counts(session: Session, visibility: Visibility, deadline: datetime) -> tuple[int, int]:
    """(on time, late): the operator's ruling where there is one, else the mailbox's clock."""
    on_time = case(
        (col(Submission.on_time_override).is_not(None), col(Submission.on_time_override)),
        else_=col(Submission.received_at) <= literal(deadline, type_=UTCDateTime()),
    )
    late = case((on_time, 0), else_=1)
    query = visible(
        select(func.count(), func.coalesce(func.sum(late), 0)).select_from(Submission),
        visibility,
    )
    total, late_count = session.exec(query).one()
    return int(total) - int(late_count), int(late_count)


def organisations(
    session: Session, visibility: Visibility, *, page: int = 1000
) -> Iterator[tuple[str, int]]:
    """The organisations that wrote (the operator's public edit first), with how many
    submissions each, by name; anonymous submissions are left out."""
    name = func.coalesce(
        Submission.public_organisation,
        func.nullif(Submission.organisation, ""),
        Submission.organisation_suggested,
        "",
    )
    query = (
        visible(
            select(name, func.count())
            .select_from(Submission)
            .where(and_(col(Submission.anonymous).is_(False), name != "")),
            visibility,
        )
        .group_by(name)
        .order_by(name)
    )
    offset = 0
    while True:
        rows = session.exec(query.offset(offset).limit(page)).all()
        if not rows:
            return
        for organisation, n in rows:
            yield str(organisation), int(n)
        offset += len(rows)
