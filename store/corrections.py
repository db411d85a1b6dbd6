"""Corrections: a later message that replaces (`replaces`) or adds to (`adds`) a sender's
earlier comment. Both submissions are kept; the link says how they relate.

The rules suggest a link (state `suggested`); the operator confirms it, undoes it (`undone`:
the rules never suggest it again) or makes one. Every change is a ModerationEvent on the
later submission, so `mailroom history` shows it. While a link stands, counts and lists
show the comment once: a replaced text gives way to its correction, and an addition is
shown with the comment it adds to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from store.models import Attachment, Correction, Submission, SubmissionStatus
from store.moderation import record_event
from store.queries import ACTIVE_LINKS as ACTIVE
from store.rules import RULES

KINDS = ("replaces", "adds")
EARLIER_LOOKED_AT = 20  # a sender's most recent comments: where a correction's original is


class CorrectionError(Exception):
    """A link that cannot be made as asked; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Earlier:
    """One of a sender's earlier comments, as the rules compare a new one with it."""

    id: int
    reference: str
    message_id: str | None
    attachments: tuple[tuple[str, str], ...]  # (name, sha256)


def earlier_from_sender(session: Session, sender_key: str, before_number: int) -> list[Earlier]:
    """The sender's earlier comments (newest first), not duplicates nor replies to receipts."""
    rows = session.exec(
        select(Submission.id, Submission.reference, Submission.message_id)
        .where(
            Submission.sender_key == sender_key,
            col(Submission.number) < before_number,
            Submission.status == SubmissionStatus.PARSED,
            col(Submission.duplicate_of_id).is_(None),
            col(Submission.request_for_id).is_(None),
        )
        .order_by(col(Submission.number).desc())
        .limit(EARLIER_LOOKED_AT)
    ).all()
    ids = [sid for sid, _, _ in rows if sid is not None]
    files: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    if ids:
        for sid, name, sha in session.exec(
            select(Attachment.submission_id, Attachment.name, Attachment.sha256).where(
                col(Attachment.submission_id).in_(ids)
            )
        ):
            files[sid].append((name, sha))
    return [Earlier(sid, ref, mid, tuple(files[sid])) for sid, ref, mid in rows if sid is not None]


def link_of(session: Session, later_id: int) -> Correction | None:
    return session.exec(select(Correction).where(Correction.later_id == later_id)).first()


def links_of_later(session: Session, later_ids: list[int]) -> dict[int, Correction]:
    """link_of for a page of submissions, in one query."""
    if not later_ids:
        return {}
    rows = session.exec(select(Correction).where(col(Correction.later_id).in_(later_ids)))
    return {row.later_id: row for row in rows}


def earlier_from_senders(
    session: Session, sender_keys: list[str]
) -> dict[str, list[tuple[int, Earlier]]]:
    """earlier_from_sender for a page's senders at once: each sender's comments as
    (number, Earlier), newest first; the caller keeps those before each new comment."""
    if not sender_keys:
        return {}
    rows = session.execute(
        sa_select(
            col(Submission.sender_key),
            col(Submission.number),
            col(Submission.id),
            col(Submission.reference),
            col(Submission.message_id),
        )
        .where(
            col(Submission.sender_key).in_(sender_keys),
            col(Submission.status) == SubmissionStatus.PARSED,
            col(Submission.duplicate_of_id).is_(None),
            col(Submission.request_for_id).is_(None),
        )
        .order_by(col(Submission.number).desc())
    ).all()
    ids = [sid for _, _, sid, _, _ in rows if sid is not None]
    files: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    for start in range(0, len(ids), 2000):
        for sid, name, sha in session.exec(
            select(Attachment.submission_id, Attachment.name, Attachment.sha256).where(
                col(Attachment.submission_id).in_(ids[start : start + 2000])
            )
        ):
            files[sid].append((name, sha))
    found: dict[str, list[tuple[int, Earlier]]] = {}
    for key, number, sid, ref, mid in rows:
        if key is not None and sid is not None:
            found.setdefault(key, []).append((number, Earlier(sid, ref, mid, tuple(files[sid]))))
    return found


_UNREAD = Correction(later_id=0, earlier_id=0, kind="", state="", reason="", by="")


def suggest(
    session: Session,
    later: Submission | int,
    earlier_id: int | None,
    kind: str,
    reason: str,
    at: datetime,
    *,
    current: Correction | None = _UNREAD,
) -> None:
    """What the rules found (earlier_id None: no link). An operator's decision stays.
    `current` is the link the submission has, when the caller has read it already."""
    later_id = later if isinstance(later, int) else later.id
    assert later_id is not None
    if current is _UNREAD:
        current = link_of(session, later_id)
    if current is not None and current.by != RULES:
        return
    if earlier_id is None:
        if current is not None:
            session.delete(current)
            record_event(session, later, at=at, by=RULES, action="correction", reason="no link")
        return
    if current is not None and (current.earlier_id, current.kind) == (earlier_id, kind):
        return
    if current is None:
        current = Correction(
            later_id=later_id,
            earlier_id=earlier_id,
            kind=kind,
            state="",
            reason="",
            by=RULES,
            at=at,
        )
    current.earlier_id, current.kind, current.state = earlier_id, kind, "suggested"
    current.reason, current.by, current.at = reason, RULES, at
    session.add(current)
    earlier = session.get_one(Submission, earlier_id)
    record_event(
        session,
        later,
        at=at,
        by=RULES,
        action="correction",
        reason=f"{_verb(kind)} {earlier.reference}: {reason}",
    )


def decide(
    session: Session,
    later: Submission,
    *,
    state: str,
    by: str,
    at: datetime,
    earlier: Submission | None = None,
    kind: str | None = None,
    reason: str | None = None,
) -> Correction:
    """The operator confirms, undoes, or makes (with `earlier` and `kind`) the link."""
    assert later.id is not None
    current = link_of(session, later.id)
    if earlier is None and current is None:
        raise CorrectionError(
            f"{later.reference} is linked to no earlier comment; make the link with "
            f"`mailroom correction {later.reference} --to REF --replaces` (or --adds)"
        )
    if earlier is not None:
        if earlier.id == later.id or earlier.number > later.number:
            raise CorrectionError(
                f"{earlier.reference} is not earlier than {later.reference}: a correction "
                "follows the comment it changes"
            )
        if current is None:
            current = Correction(
                later_id=later.id,
                earlier_id=earlier.id or 0,
                kind="",
                state="",
                reason="",
                by=by,
                at=at,
            )
        current.earlier_id = earlier.id or 0
    assert current is not None
    if kind is not None:
        current.kind = kind
    before = current.state
    current.state, current.by, current.at = state, by, at
    current.reason = reason or current.reason or f"linked by {by}"
    session.add(current)
    target = session.get_one(Submission, current.earlier_id)
    record_event(
        session,
        later,
        at=at,
        by=by,
        action="correction",
        reason=f"{_verb(current.kind)} {target.reference}: {state}"
        + (f" ({reason})" if reason else ""),
        changes={"correction": [before or None, state]},
    )
    return current


def _verb(kind: str) -> str:
    return "replaces" if kind == "replaces" else "adds to"


def active_links(session: Session) -> list[Correction]:
    """Every standing link: few next to the comments (a sender corrects now and then)."""
    return list(
        session.exec(
            select(Correction)
            .where(col(Correction.state).in_(ACTIVE))
            .order_by(col(Correction.later_id))
        )
    )


def links_of(session: Session, submission_id: int) -> list[Correction]:
    """Every link, standing or undone, this submission is part of (either side)."""
    return list(
        session.exec(
            select(Correction)
            .where(
                or_(
                    col(Correction.later_id) == submission_id,
                    col(Correction.earlier_id) == submission_id,
                )
            )
            .order_by(col(Correction.id))
        )
    )
